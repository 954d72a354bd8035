"""目标任务 against the data: each target's actual figure, rate, time progress and state as of a day.

Every project figure of every target comes from one aggregate query: each target adds its own
filtered sums and counts over the projects its scope selects. The 招商引资 figures come from
`reports.lead_stats`, once per year asked for. Python only divides the sums.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum

from projects.domain.choices import (
    LEAD_METRICS,
    STARTED_STATUSES,
    MilestoneKind,
    ProjectCategory,
    ProjectStatus,
    TargetMetric,
    TargetState,
)
from projects.domain.dates import is_live
from projects.domain.periods import time_progress_toward
from projects.domain.rates import rate
from projects.models import Milestone, Project, StatusUpdate, Target
from projects.reports import CENTS, has_started, lead_stats
from projects.selectors.filters import project_scope


@dataclass(frozen=True)
class TargetProgress:
    """A target with its figures as of `as_of`."""

    target: Target
    actual: Decimal | None
    rate: float | None
    time_progress: float
    state: str

    @property
    def state_display(self) -> str:
        return TargetState(self.state).label


def same_day_previous_year(day: date) -> date:
    """The same day of the year one year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _in_year(target: Target, as_of: date) -> tuple[date, date]:
    """The days of the target's year up to `as_of` (an empty span before the year starts)."""
    return date(target.year, 1, 1), min(as_of, date(target.year, 12, 31))


def _milestone_done_in(kind: str, span: tuple[date, date]) -> Exists:
    return Exists(Milestone.objects.filter(project=OuterRef("pk"), kind=kind, completed_on__range=span))


def _aggregates(target: Target, projects: QuerySet[Project], as_of: date) -> dict:
    """The sums and counts `target` needs over projects, each keyed by the target's id."""
    if target.metric in LEAD_METRICS:
        return {}
    key = f"t{target.pk}_"
    in_scope = Q(pk__in=project_scope(target.scope, queryset=projects.filter(year=target.year), as_of=as_of).values("pk"))
    metric = target.metric
    if metric == TargetMetric.COMPLETED_INVESTMENT:
        return {key + "sum": Sum("completed_investment", filter=in_scope)}
    if metric == TargetMetric.COMPLETION_RATE:
        return {
            key + "completed": Sum("completed_investment", filter=in_scope),
            key + "planned": Sum("annual_plan_investment", filter=in_scope),
        }
    if metric == TargetMetric.START_RATE:
        start = in_scope & Q(category=ProjectCategory.START)
        return {key + "target": Count("pk", filter=start), key + "started": Count("pk", filter=start & has_started())}
    if metric == TargetMetric.PROJECT_COUNT:
        return {key + "count": Count("pk", filter=in_scope)}
    if metric == TargetMetric.FLOOR_AREA_STARTED:
        started = _milestone_done_in(MilestoneKind.START, _in_year(target, as_of))
        return {key + "sum": Sum("floor_area", filter=in_scope & Q(started))}
    if metric == TargetMetric.FLOOR_AREA_UNDER_CONSTRUCTION:
        building = Q(status=ProjectStatus.UNDER_CONSTRUCTION) | Q(
            status=ProjectStatus.SUSPENDED, suspended_from__in=STARTED_STATUSES,
        )
        return {key + "sum": Sum("floor_area", filter=in_scope & building)}
    if metric == TargetMetric.FLOOR_AREA_COMPLETED:
        completed = _milestone_done_in(MilestoneKind.COMPLETION, _in_year(target, as_of))
        return {key + "sum": Sum("floor_area", filter=in_scope & Q(completed))}
    if metric == TargetMetric.COMPLETED_INVESTMENT_GROWTH:
        in_previous_scope = Q(pk__in=project_scope(
            target.scope, queryset=projects.filter(year=target.year - 1), as_of=as_of,
        ).values("pk"))
        day = same_day_previous_year(_in_year(target, as_of)[1])
        # Cumulative figures never go down, so the largest reported up to that day is the latest.
        reported = (
            StatusUpdate.objects.filter(project=OuterRef("pk"), reported_on__lte=day)
            .order_by().values("project").annotate(latest=Max("completed_investment")).values("latest")
        )
        return {
            key + "this": Sum("completed_investment", filter=in_scope),
            key + "previous": Sum(Subquery(reported, output_field=DecimalField(max_digits=14, decimal_places=2)),
                                  filter=in_previous_scope),
        }
    raise ValueError(f"unknown metric {metric}")


def _percent(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(CENTS)


def _lead_actual(metric: str, figures: dict) -> Decimal:
    if metric == TargetMetric.LEADS_SIGNED_AMOUNT:
        return figures["signed"]["amount"]
    if metric == TargetMetric.LEADS_SIGNED:
        return Decimal(figures["signed"]["count"]).quantize(CENTS)
    return Decimal(figures["landed"]).quantize(CENTS)


def _actual(target: Target, row: dict, leads: dict) -> Decimal | None:
    key = f"t{target.pk}_"
    metric = target.metric
    if metric in LEAD_METRICS:
        return _lead_actual(metric, leads[target.year])
    if metric == TargetMetric.COMPLETION_RATE:
        return _percent(rate(row[key + "completed"] or 0, row[key + "planned"] or 0))
    if metric == TargetMetric.START_RATE:
        return _percent(rate(row[key + "started"], row[key + "target"]))
    if metric == TargetMetric.PROJECT_COUNT:
        return Decimal(row[key + "count"]).quantize(CENTS)
    if metric == TargetMetric.COMPLETED_INVESTMENT_GROWTH:
        previous = row[key + "previous"]
        if not previous:  # no figures reported in the previous year's list by that day
            return None
        return _percent(rate((row[key + "this"] or 0) - previous, previous))
    return (row[key + "sum"] or Decimal(0)).quantize(CENTS)


def target_state(*, actual: Decimal | None, value: Decimal, rate_: float | None, time_progress: float,
                 as_of: date, due_date: date) -> str:
    """achieved (actual ≥ value), else missed after the due date, else on_track (rate ≥ time progress) or behind."""
    if actual is not None and actual >= value:
        return TargetState.ACHIEVED
    if as_of > due_date:
        return TargetState.MISSED
    if rate_ is not None and rate_ >= time_progress:
        return TargetState.ON_TRACK
    return TargetState.BEHIND


def target_progress(*, targets: QuerySet[Target], as_of: date) -> list[TargetProgress]:
    """Every target of `targets` with its actual, rate, time progress toward its due date and state."""
    targets = list(targets)
    years = {year for target in targets for year in (target.year, target.year - 1)}
    projects = Project.objects.with_flags(as_of, live=is_live(as_of))
    aggregates = {}
    for target in targets:  # builds SQL expressions; the projects are summed by the database
        aggregates.update(_aggregates(target, projects, as_of))
    row = Project.objects.filter(year__in=years).aggregate(**aggregates) if aggregates else {}
    lead_years = {target.year for target in targets if target.metric in LEAD_METRICS}
    leads = {year: lead_stats(year=year, as_of=as_of) for year in sorted(lead_years)}
    result = []
    for target in targets:
        actual = _actual(target, row, leads)
        target_rate = None if actual is None else rate(actual, target.value)
        progress = time_progress_toward(as_of, start=date(target.year, 1, 1), end=target.due_date)
        state = target_state(actual=actual, value=target.value, rate_=target_rate, time_progress=progress,
                             as_of=as_of, due_date=target.due_date)
        result.append(TargetProgress(target, actual, target_rate, progress, state))
    return result
