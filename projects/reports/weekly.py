"""每周通报: the weekly bulletin of one ISO week."""

from datetime import date, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from projects.domain.choices import (
    ACTIVE_STATUSES,
    WarningLevel,
)
from projects.models import LeadMove, Milestone, Project, StatusUpdate
from projects.reports.problems import lights_differ, week_problems


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
        # 问题台账: raised, resolved and newly escalated this week; those at level 2 or above by name.
        "problems": week_problems(project_ids=project_ids, as_of=as_of, monday=monday),
        # The projects whose assessed light (人工研判) on as_of is not the computed one.
        "lights_differ": lights_differ(projects=projects),
        "departments": [
            {
                "department": {"id": row["department_id"], "code": row["department__code"],
                               "name": row["department__name"]},
                **{figure: row[figure] for figure in ("projects", "updated", "overdue", "red")},
            }
            for row in departments
        ],
    }
