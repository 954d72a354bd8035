"""The figures read at meetings: the summary and the weekly bulletin, each a fixed set of aggregate queries."""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Sum, Value, When

from projects.choices import (
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
from projects.models import ApprovalItem, Lead, LeadMove, Milestone, Project, ProjectBatch, StatusUpdate
from projects.periods import time_progress
from projects.querysets import done_on
from projects.rates import rate

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


ROWS_FENCE = 2**62
SUMMARY_COLUMNS = ("pk", "category", "level", "status", "suspended_from", "sector", "warning_level", "visit_overdue",
                   "annual_plan_investment", "completed_investment")


def stats_summary(*, projects: QuerySet[Project], as_of: date, year: int) -> dict:
    """Every figure of GET /stats/summary/ for `projects` (already filtered and flagged)."""
    # The sums read the flags from an inner query of only the columns they need. Its LIMIT (never
    # reached) keeps the database from merging it into the aggregate, which would evaluate the
    # light's subqueries once for each sum that reads it instead of once per project.
    row = projects.values(*SUMMARY_COLUMNS)[:ROWS_FENCE].aggregate(
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


def weekly_bulletin_title(monday: date) -> str:
    """二七区重点项目每周通报 2023年第19周（5月8日—5月14日）."""
    sunday = monday + timedelta(days=6)
    year, week, _ = monday.isocalendar()
    return (f"二七区重点项目每周通报 {year}年第{week}周"
            f"（{monday.month}月{monday.day}日—{sunday.month}月{sunday.day}日）")


def weekly_bulletin(*, projects: QuerySet[Project], as_of: date, monday: date) -> dict:
    """每周通报 for the ISO week starting `monday`, over `projects` (already filtered and flagged)."""
    sunday = monday + timedelta(days=6)
    week = (monday, sunday)
    project_ids = projects.ids()
    # Dated events count only up to as_of.
    reports = StatusUpdate.objects.filter(reported_on__range=week, reported_on__lte=as_of)
    updated_in_week = reports.filter(project=OuterRef("pk"))
    milestones = Milestone.objects.with_flags(as_of).filter(project__in=project_ids).select_related("project")
    # A milestone becomes overdue the day after its deadline, if it is still open that day;
    # that day must be in the week and not after as_of.
    became_overdue = milestones.filter(
        due_date__range=(monday - timedelta(days=1), sunday - timedelta(days=1)), due_date__lt=as_of,
    ).filter(Q(completed_on__isnull=True) | Q(completed_on__gt=F("due_date")))
    departments = (
        projects.order_by("department__code")
        .values("department_id", "department__code", "department__name")
        .annotate(
            projects=Count("pk"),
            updated=Count("pk", filter=Q(Exists(updated_in_week))),
            overdue=Count("pk", filter=Q(is_overdue=True)),
            red=Count("pk", filter=Q(warning_level=WarningLevel.RED)),
        )
    )
    return {
        "title": weekly_bulletin_title(monday),
        "week": f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}",
        "start": monday,
        "end": sunday,
        "as_of": as_of,
        "status_updates": reports.filter(project__in=project_ids)
        .select_related("project", "reported_by")
        .order_by("reported_on", "created_at", "id"),
        "milestones_completed": milestones.filter(completed_on__range=week, completed_on__lte=as_of)
        .order_by("completed_on", "id"),
        "milestones_became_overdue": became_overdue.order_by("due_date", "id"),
        # Without the flags: at scale this list is long, and it needs none of them.
        "projects_without_update": Project.objects.filter(pk__in=project_ids, status__in=ACTIVE_STATUSES)
        .exclude(Exists(updated_in_week))
        .order_by("department__code", "code"),
        # 招商引资: every lead's moves of the week (the project filters do not select leads).
        "lead_moves": LeadMove.objects.filter(moved_on__range=week, moved_on__lte=as_of)
        .select_related("lead", "lead__department", "moved_by")
        .order_by("moved_on", "id"),
        "departments": [
            {
                "department": {"id": row["department_id"], "code": row["department__code"],
                               "name": row["department__name"]},
                **{figure: row[figure] for figure in ("projects", "updated", "overdue", "red")},
            }
            for row in departments
        ],
    }


def _lead_measures(year: int, as_of: date) -> dict:
    """The conditional aggregates of GET /stats/leads/, each counted once per lead."""
    start, day = date(year, 1, 1), min(as_of, date(year, 12, 31))
    in_year = (start, day)
    received = Q(received_on__range=in_year)
    return {
        "leads": Count("pk", filter=received),
        "contacted": Count("pk", filter=received & Q(contacted_on__lte=day)),
        # In talks on that day: reached negotiating and neither signed nor dropped yet.
        "negotiating": Count("pk", filter=Q(negotiating_on__lte=day)
                             & (Q(signed_on__isnull=True) | Q(signed_on__gt=day))
                             & (Q(dropped_on__isnull=True) | Q(dropped_on__gt=day))),
        "signed": Count("pk", filter=Q(signed_on__range=in_year)),
        "signed_amount": Sum("amount", filter=Q(signed_on__range=in_year)),
        "landed": Count("pk", filter=Q(landed_on__range=in_year)),
        "dropped": Count("pk", filter=Q(dropped_on__range=in_year)),
    }


def _lead_funnel(row: dict) -> dict:
    return {
        "leads": row["leads"],
        "contacted": row["contacted"],
        "negotiating": row["negotiating"],
        "signed": {"count": row["signed"], "amount": (row["signed_amount"] or Decimal(0)).quantize(CENTS)},
        "landed": row["landed"],
        "dropped": row["dropped"],
    }


def lead_stats(*, year: int, as_of: date, leads: QuerySet[Lead] | None = None) -> dict:
    """招商引资 figures of `year` as of `as_of` over `leads` (default all), in three aggregate queries.

    `leads` received in the year and `contacted` of those; `negotiating` in talks on the year's
    last day up to `as_of`; `signed` (with the amount), `landed`, `dropped`: leads that reached the
    stage on a day of the year up to `as_of`. Nothing dated after `as_of` counts.
    """
    leads = (Lead.objects.all() if leads is None else leads).order_by()
    measures = _lead_measures(year, as_of)
    by_sector = {row["sector"]: _lead_funnel(row) for row in leads.values("sector").annotate(**measures)}
    empty = _lead_funnel({name: 0 for name in measures} | {"signed_amount": None})
    return {
        "year": year,
        "as_of": as_of,
        **_lead_funnel(leads.aggregate(**measures)),
        "by_source": [
            {"source": row["source"], **_lead_funnel(row)}
            for row in leads.values("source").annotate(**measures).order_by("source")
            if any(row[name] for name in measures)
        ],
        "by_sector": {
            code: {"sector_display": label, **by_sector.get(code, empty)} for code, label in Sector.choices
        },
    }
