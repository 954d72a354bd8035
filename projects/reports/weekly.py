"""每周通报: the weekly bulletin of one ISO week."""

from datetime import date, timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from projects.domain.choices import ACTIVE_STATUSES
from projects.models import LeadMove, Milestone, Project, StatusUpdate
from projects.reports.departments import department_counts, honour_rolls, iso_week, week_table
from projects.reports.problems import lights_differ, week_problems


def weekly_bulletin_title(monday: date) -> str:
    """二七区重点项目每周通报 2023年第19周（5月8日—5月14日）."""
    sunday = monday + timedelta(days=6)
    year, week, _ = monday.isocalendar()
    return (f"二七区重点项目每周通报 {year}年第{week}周"
            f"（{monday.month}月{monday.day}日—{sunday.month}月{sunday.day}日）")


def week_reports(*, monday: date, as_of: date) -> QuerySet[StatusUpdate]:
    """The status updates of the ISO week starting `monday`, dated up to `as_of`."""
    return StatusUpdate.objects.filter(reported_on__range=(monday, monday + timedelta(days=6)), reported_on__lte=as_of)


def projects_without_update(*, project_ids, monday: date, as_of: date) -> QuerySet[Project]:
    """本周未填报: the active projects among `project_ids` with no status update in the week (up to `as_of`).

    The bulletin lists them, and the Thursday reminders go to their clerks.
    """
    updated_in_week = week_reports(monday=monday, as_of=as_of).filter(project=OuterRef("pk"))
    return (
        Project.objects.filter(pk__in=project_ids, status__in=ACTIVE_STATUSES)
        .exclude(Exists(updated_in_week))
        .order_by("department__code", "code")
    )


def milestones_became_overdue(milestones: QuerySet[Milestone], *, first: date, last: date, as_of: date):
    """The milestones that became overdue on a day from `first` to `last`, that day not after `as_of`.

    A milestone becomes overdue the day after its deadline, if it is still open that day. The
    bulletin lists a week's; the daily reminder names the day's.
    """
    return milestones.filter(
        due_date__range=(first - timedelta(days=1), last - timedelta(days=1)), due_date__lt=as_of,
    ).filter(Q(completed_on__isnull=True) | Q(completed_on__gt=F("due_date")))


def weekly_bulletin(*, projects: QuerySet[Project], as_of: date, monday: date) -> dict:
    """每周通报 for the ISO week starting `monday`, over `projects` (already filtered and flagged)."""
    sunday = monday + timedelta(days=6)
    week = (monday, sunday)
    project_ids = projects.ids()
    # Dated events count only up to as_of.
    reports = week_reports(monday=monday, as_of=as_of)
    milestones = Milestone.objects.with_flags(as_of).filter(project__in=project_ids).select_related("project")
    became_overdue = milestones_became_overdue(milestones, first=monday, last=sunday, as_of=as_of)
    table = week_table(department_counts(projects, monday=monday, as_of=as_of))
    return {
        "title": weekly_bulletin_title(monday),
        "week": iso_week(monday),
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
        "projects_without_update": projects_without_update(project_ids=project_ids, monday=monday, as_of=as_of),
        # 招商引资: every lead's moves of the week (the project filters do not select leads).
        "lead_moves": LeadMove.objects.filter(moved_on__range=week, moved_on__lte=as_of)
        .select_related("lead", "lead__department", "moved_by")
        .order_by("moved_on", "id"),
        "problems": week_problems(project_ids=project_ids, as_of=as_of, monday=monday),
        "lights_differ": lights_differ(projects=projects),
        "departments": table,
        **honour_rolls(table),
    }
