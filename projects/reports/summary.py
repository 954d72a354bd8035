"""汇总指标: the summary of a set of projects for a day and year, and its breakdowns."""

from datetime import date
from decimal import Decimal

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Sum, Value, When

from projects.domain.choices import (
    ACTIVE_STATUSES,
    MILESTONE_KIND_OF_BATCH,
    STARTED_STATUSES,
    BatchKind,
    MilestoneState,
    ProjectCategory,
    ProjectLevel,
    ProjectStatus,
    Sector,
    WarningLevel,
)
from projects.domain.periods import time_progress
from projects.domain.rates import rate
from projects.fast.fence import fenced
from projects.models import ApprovalItem, Milestone, Project, ProjectBatch
from projects.querysets import done_on

# Red first, then yellow, then green: the order lists of projects are read in.
WARNING_RANK = Case(
    When(warning_level=WarningLevel.RED, then=Value(0)),
    When(warning_level=WarningLevel.YELLOW, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)

CENTS = Decimal("0.01")


def has_started() -> Q:
    """Reached under_construction: a project suspended after it started counts too."""
    return Q(status__in=STARTED_STATUSES) | Q(status=ProjectStatus.SUSPENDED, suspended_from__in=STARTED_STATUSES)


def _investment_sums() -> dict:
    return {"annual_plan": Sum("annual_plan_investment"), "completed": Sum("completed_investment")}


def _investment(row: dict, progress: float) -> dict:
    """Investment completion against time progress, from the sums of `_investment_sums`."""
    annual_plan = (row["annual_plan"] or Decimal(0)).quantize(CENTS)
    completed = (row["completed"] or Decimal(0)).quantize(CENTS)
    completion_rate = rate(completed, annual_plan)
    return {
        "annual_plan": annual_plan,
        "completed": completed,
        "completion_rate": completion_rate,
        "time_progress": progress,
        "ahead_of_time": None if completion_rate is None else completion_rate >= progress,
    }


def _visit_counts() -> dict:
    # Aliases must not shadow the flag annotations they count.
    return {
        "active": Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
        "visits_overdue": Count("pk", filter=Q(visit_overdue=True)),
    }


def _visits(row: dict) -> dict:
    """Visit compliance from the counts of `_visit_counts`."""
    return {
        "active_projects": row["active"],
        "overdue": row["visits_overdue"],
        "compliance_rate": rate(row["active"] - row["visits_overdue"], row["active"]),
    }


def _counts_by(field: str, choices) -> dict:
    return {f"{field}__{code}": Count("pk", filter=Q(**{field: code})) for code in choices.values}


def _split(row: dict, field: str, choices) -> dict:
    return {code: row[f"{field}__{code}"] for code in choices.values}


SUMMARY_COLUMNS = ("pk", "category", "level", "status", "suspended_from", "sector", "warning_level", "visit_overdue",
                   "annual_plan_investment", "completed_investment")


def stats_summary(*, projects: QuerySet[Project], as_of: date, year: int) -> dict:
    """Every figure of GET /stats/summary/ for `projects` (already filtered and flagged)."""
    # The sums read the flags from an inner query of only the columns they need, fenced so the
    # database cannot merge it into the sums (the light's subqueries would run once per sum).
    row = fenced(projects.values(*SUMMARY_COLUMNS)).aggregate(
        project_count=Count("pk"),
        **_counts_by("category", ProjectCategory),
        **_counts_by("level", ProjectLevel),
        **_counts_by("status", ProjectStatus),
        **_counts_by("sector", Sector),
        **_counts_by("warning_level", WarningLevel),
        **_investment_sums(),
        start_target=Count("pk", filter=Q(category=ProjectCategory.START)),
        started=Count("pk", filter=Q(category=ProjectCategory.START) & has_started()),
        **_visit_counts(),
    )
    project_ids = projects.ids()
    milestones = Milestone.objects.with_flags(as_of).filter(project__in=project_ids).aggregate(
        **{state: Count("pk", filter=Q(state=state)) for state in MilestoneState.values}
    )
    approvals = ApprovalItem.objects.filter(project__in=project_ids).aggregate(
        total=Count("pk"), done=Count("pk", filter=done_on(as_of)),
    )
    return {
        "as_of": as_of,
        "year": year,
        "project_count": row["project_count"],
        "by_category": _split(row, "category", ProjectCategory),
        "by_level": _split(row, "level", ProjectLevel),
        "by_status": _split(row, "status", ProjectStatus),
        "by_sector": _split(row, "sector", Sector),
        "by_warning_level": _split(row, "warning_level", WarningLevel),
        "investment": _investment(row, time_progress(as_of, year)),
        "start_rate": {
            "target": row["start_target"],
            "started": row["started"],
            "rate": rate(row["started"], row["start_target"]),
        },
        "milestones": milestones,
        "approvals": {
            "total": approvals["total"],
            "done": approvals["done"],
            "rate": rate(approvals["done"], approvals["total"]),
        },
        "visits": _visits(row),
        "batches": batch_rounds(project_ids=project_ids, as_of=as_of),
    }


def batch_rounds(*, project_ids: QuerySet, as_of: date) -> list[dict]:
    """Each "三个一批" round (period, kind): its projects and how many achieved the round's milestone."""
    achieved = Q()
    for batch_kind, milestone_kind in MILESTONE_KIND_OF_BATCH.items():
        done = Milestone.objects.filter(done_on(as_of), project=OuterRef("project"), kind=milestone_kind)
        achieved |= Q(kind=batch_kind) & Q(Exists(done))
    rows = (
        ProjectBatch.objects.filter(project__in=project_ids)
        .values("period", "kind")
        .annotate(count=Count("pk"), achieved=Count("pk", filter=achieved))
        .order_by("period", "kind")
    )
    return [
        {"period": r["period"], "kind": r["kind"], "kind_display": BatchKind(r["kind"]).label,
         "count": r["count"], "achieved": r["achieved"]}
        for r in rows
    ]


def investment_by(*, projects: QuerySet[Project], field: str, choices, as_of: date, year: int) -> list[dict]:
    """Investment completion against time progress per code of `field` (level, sector), in one query."""
    progress = time_progress(as_of, year)
    rows = {row[field]: row for row in projects.order_by().values(field).annotate(**_investment_sums())}
    return [
        {field: code, f"{field}_display": label, **_investment(rows[code], progress)}
        for code, label in choices.choices if code in rows
    ]


def lights_by_department(*, projects: QuerySet[Project]) -> list[dict]:
    """How many projects of each 责任单位 show each light (红/黄/绿) as of the flags' day, in one query."""
    rows = (
        projects.order_by("department__code")
        .values("department_id", "department__code", "department__name")
        .annotate(total=Count("pk"), **_counts_by("warning_level", WarningLevel))
    )
    return [
        {
            "department": {"id": row["department_id"], "code": row["department__code"],
                           "name": row["department__name"]},
            "total": row["total"],
            **_split(row, "warning_level", WarningLevel),
        }
        for row in rows
    ]


def visits_by_official(*, projects: QuerySet[Project]) -> list[dict]:
    """Visit compliance (每月至少一次) of each lead official's projects, in one query."""
    rows = (
        projects.filter(lead_official__isnull=False).order_by("lead_official__name", "lead_official_id")
        .values("lead_official_id", "lead_official__name", "lead_official__title")
        .annotate(**_visit_counts())
    )
    return [
        {
            "official": {"id": row["lead_official_id"], "name": row["lead_official__name"],
                         "title": row["lead_official__title"]},
            **_visits(row),
        }
        for row in rows
    ]
