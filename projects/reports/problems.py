"""Figures of the problem ledger (问题台账) as of a day: /stats/problems/, the escalated list, the bulletin's week."""

import statistics
from datetime import date, timedelta

from django.db.models import Count, F, Q, QuerySet

from projects.domain.choices import OPEN_PROBLEM_STATES, EscalationLevel, ProblemCategory, ProblemState
from projects.domain.dates import is_live
from projects.domain.lights import escalation_level
from projects.domain.rates import rate
from projects.models import Problem, Project
from projects.querysets import problem_deadline_on

RESOLVED = Q(state_on=ProblemState.RESOLVED)
# Closed by its deadline: a resolved problem always had one (it was assigned first).
RESOLVED_ON_TIME = RESOLVED & Q(resolved_on__lte=F("due_date"))


def _raised_by(problems: QuerySet[Problem], as_of: date, year: int | None) -> QuerySet[Problem]:
    """The problems that existed on `as_of` (raised in `year`, if given), with the state each was in that day."""
    raised = problems.order_by().filter(raised_on__lte=as_of)
    if year is not None:
        raised = raised.filter(raised_on__year=year)
    return raised.with_state_on(as_of, live=is_live(as_of))


def problem_stats(*, problems: QuerySet[Problem], as_of: date, year: int | None) -> dict:
    """Every figure of GET /stats/problems/ over `problems` (filtered, flagged as of `as_of`).

    Counted are the problems raised on or before `as_of` (and in `year`, if given), each in the
    state it was in on that day; a rate over no problem is null.
    """
    raised = _raised_by(problems, as_of, year)
    row = raised.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(is_overdue=True)),
        resolved=Count("pk", filter=RESOLVED),
        resolved_on_time=Count("pk", filter=RESOLVED_ON_TIME),
        **{f"state__{state}": Count("pk", filter=Q(state_on=state)) for state in ProblemState.values},
        **{f"category__{code}": Count("pk", filter=Q(category=code)) for code in ProblemCategory.values},
        **{f"level__{level}": Count("pk", filter=Q(escalation_level=level)) for level in EscalationLevel.values},
    )
    days_to_resolve = [(resolved - raised_on).days for raised_on, resolved in
                       raised.filter(RESOLVED).values_list("raised_on", "resolved_on")]
    departments = (
        raised.filter(responsible_department__isnull=False)
        .values("responsible_department_id", "responsible_department__code", "responsible_department__name")
        .order_by("responsible_department__code")
        .annotate(
            open=Count("pk", filter=Q(state_on__in=OPEN_PROBLEM_STATES)),
            overdue=Count("pk", filter=Q(is_overdue=True)),
            resolved=Count("pk", filter=RESOLVED),
            resolved_on_time=Count("pk", filter=RESOLVED_ON_TIME),
        )
    )
    return {
        "as_of": as_of,
        "year": year,
        "total": row["total"],
        "by_state": {state: row[f"state__{state}"] for state in ProblemState.values},
        "by_category": {code: row[f"category__{code}"] for code in ProblemCategory.values},
        "overdue": row["overdue"],
        "by_escalation_level": {str(level): row[f"level__{level}"] for level in EscalationLevel.values},
        "resolved_on_time_rate": rate(row["resolved_on_time"], row["resolved"]),
        "median_days_to_resolve": float(statistics.median(days_to_resolve)) if days_to_resolve else None,
        "by_responsible_department": [
            {
                "department": {"id": d["responsible_department_id"], "code": d["responsible_department__code"],
                               "name": d["responsible_department__name"]},
                "open": d["open"],
                "overdue": d["overdue"],
                "resolved": d["resolved"],
                "resolved_on_time_rate": rate(d["resolved_on_time"], d["resolved"]),
            }
            for d in departments
        ],
    }


def problem_ledger(*, problems: QuerySet[Problem], project_ids: QuerySet, as_of: date) -> QuerySet[Problem]:
    """The 问题台账 sheet of a report: the problems of its projects raised by `as_of`, most escalated first."""
    return problems.filter(project__in=project_ids, raised_on__lte=as_of).order_by(
        "-escalation_level", F("assigned_due_date").asc(nulls_last=True), "-raised_on", "id",
    )


def escalated_problems(
    *, problems: QuerySet[Problem], min_level: int = EscalationLevel.SUPERVISED,
) -> QuerySet[Problem]:
    """Problems (flagged) at escalation level `min_level` or above, the longest overdue first."""
    return problems.filter(escalation_level__gte=min_level).order_by("assigned_due_date", "id")


# A problem whose escalation level was higher at the end than on the eve (with_levels_between).
LEVEL_ROSE = Q(level_at_end__gt=F("level_on_eve"))


def with_levels_between(problems: QuerySet[Problem], eve: date, last: date) -> QuerySet[Problem]:
    """`problems` with their deadline and escalation level on `eve` and on `last` (`due_on_eve`,
    `level_on_eve`, `due_at_end`, `level_at_end`): a level rises on set days after the deadline, so
    comparing both ends tells which problems escalated in between. The bulletin compares a week's,
    the daily reminder a day's."""
    return (
        problems.annotate(due_at_end=problem_deadline_on(last, live=is_live(last)),
                          due_on_eve=problem_deadline_on(eve, live=is_live(eve)))
        .annotate(level_at_end=escalation_level("due_at_end", last),
                  level_on_eve=escalation_level("due_on_eve", eve))
    )


def week_problems(*, project_ids: QuerySet, as_of: date, monday: date) -> dict:
    """The bulletin's problems of the ISO week from `monday`: raised, resolved and newly escalated that
    week (counts), and `listed`, those at level ≥ 2 on the week's last day (not after `as_of`)."""
    last = min(monday + timedelta(days=6), as_of)
    eve = monday - timedelta(days=1)
    figures = {"raised": 0, "resolved": 0, "escalated": 0}
    if last >= monday:
        week = (monday, last)
        figures = with_levels_between(Problem.objects.filter(project__in=project_ids), eve, last).aggregate(
            raised=Count("pk", filter=Q(raised_on__range=week)),
            resolved=Count("pk", filter=Q(state=ProblemState.RESOLVED, resolved_on__range=week)),
            escalated=Count("pk", filter=LEVEL_ROSE),
        )
    listed = escalated_problems(
        problems=Problem.objects.with_flags(last, live=is_live(last)).filter(project__in=project_ids),
    ).select_related("project", "responsible_department")
    return {**figures, "listed": listed}


def lights_differ(*, projects: QuerySet[Project]) -> QuerySet[Project]:
    """Projects (flagged) whose assessed light (人工研判) on the flags' day differs from the computed one."""
    return (
        projects.filter(assessed_level__isnull=False).exclude(assessed_level=F("warning_level"))
        .prefetch_related(None).select_related("department").order_by("department__code", "code")
    )
