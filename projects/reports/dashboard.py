"""领导驾驶舱: the figures of the admin's front page, read from the same reports as the API.

`dashboard_figures(user, as_of)` is what the admin's index page shows; every figure comes from
`projects.reports`, `projects.reports.targets` and the selectors, never from a second definition.
"""

from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet

from projects import reports, selectors
from projects.domain import params, roles
from projects.domain.choices import (
    LIGHT_COLOURS,
    OPEN_PROBLEM_STATES,
    EscalationLevel,
    LeadStage,
    ProjectLevel,
    Sector,
    TargetState,
    WarningLevel,
)
from projects.domain.dates import is_live
from projects.models import Department, Problem, Project
from projects.reports.departments import iso_week
from projects.reports.targets import target_progress

# How many overdue milestones and approvals the page lists; the links open the full lists.
OVERDUE_LIST_LENGTH = 15
# A target's state in the light colours: achieved and on track green, behind yellow, missed red.
TARGET_STATE_COLOURS = {
    TargetState.ACHIEVED: LIGHT_COLOURS[WarningLevel.GREEN],
    TargetState.ON_TRACK: LIGHT_COLOURS[WarningLevel.GREEN],
    TargetState.BEHIND: LIGHT_COLOURS[WarningLevel.YELLOW],
    TargetState.MISSED: LIGHT_COLOURS[WarningLevel.RED],
}
# A problem's 督办 level: on time green, 催办 yellow, 督办 orange, 通报 red.
ESCALATION_COLOURS = {
    EscalationLevel.NORMAL: LIGHT_COLOURS[WarningLevel.GREEN],
    EscalationLevel.URGED: LIGHT_COLOURS[WarningLevel.YELLOW],
    EscalationLevel.SUPERVISED: "#e8710a",
    EscalationLevel.REPORTED: LIGHT_COLOURS[WarningLevel.RED],
}
# The escalated problems the panel lists: 督办 and 通报.
ESCALATED_FROM = EscalationLevel.SUPERVISED


def _own_projects(user, projects: QuerySet[Project]) -> QuerySet[Project] | None:
    """The projects `user` reports progress on (a clerk's department's, an official's led ones), as the
    policy scopes them; None for the office, which reports on all, and for readers, which report on none."""
    if roles.scope_of(user, "status_update", roles.CREATE) in (None, roles.ALL):
        return None
    return projects.filter(roles.project_filter(user, "status_update", roles.CREATE))


def _with_days_overdue(milestones, as_of: date) -> list:
    rows = list(milestones)
    for milestone in rows:
        milestone.days_overdue = (as_of - milestone.due_date).days
    return rows


def problem_figures(*, as_of: date, year: int) -> dict:
    """问题台账 on `as_of`, over the problems of `year`'s projects raised by then: per responsible unit
    the problems not yet resolved or cancelled that day and those overdue, and the escalated ones
    (督办 and 通报), the longest overdue first."""
    live = is_live(as_of)
    problems = (
        Problem.objects.filter(project__year=year, raised_on__lte=as_of)
        .with_state_on(as_of, live=live).with_flags(as_of, live=live)
    )
    pending = problems.filter(state_on__in=OPEN_PROBLEM_STATES)
    counts = list(
        pending.order_by().values("responsible_department")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(is_overdue=True)))
    )
    departments = Department.objects.in_bulk([row["responsible_department"] for row in counts])
    rows = [
        {
            "department": departments.get(row["responsible_department"]),
            "open": row["open"],
            "overdue": row["overdue"],
        }
        for row in counts
    ]
    # The units with the most overdue first; problems not yet given a unit (待交办) last.
    rows.sort(key=lambda row: (row["department"] is None, -row["overdue"], -row["open"],
                               row["department"].code if row["department"] else ""))
    escalated = pending.filter(escalation_level__gte=ESCALATED_FROM)
    listed = list(
        escalated.select_related("project", "responsible_department").order_by("-days_overdue", "id")[:OVERDUE_LIST_LENGTH]
    )
    for problem in listed:
        problem.escalation_level_display = EscalationLevel(problem.escalation_level).label
    return {
        "by_department": rows,
        "open": sum(row["open"] for row in rows),
        "overdue": sum(row["overdue"] for row in rows),
        "escalated": listed,
        "escalated_count": escalated.count(),
    }


def _with_assessed_display(projects) -> list[Project]:
    """`projects` as a list, each with `assessed_level_display` (the assessed light's name, or None)."""
    rows = list(projects)
    for project in rows:
        level = project.assessed_level
        project.assessed_level_display = WarningLevel(level).label if level else None
    return rows


def assessed_projects(*, projects: QuerySet[Project]) -> list[Project]:
    """The projects with an assessment (人工研判) valid on the flags' day, those whose two lights
    differ first, each marked `lights_differ`."""
    rows = _with_assessed_display(
        projects.filter(assessed_level__isnull=False).select_related("department").order_by(reports.WARNING_RANK, "code")
    )
    for project in rows:
        project.lights_differ = project.assessed_level != project.warning_level
    rows.sort(key=lambda project: not project.lights_differ)
    return rows


def dashboard_figures(*, user, as_of: date) -> dict:
    """Everything the dashboard shows for `as_of`, over the key-project list of as_of's year."""
    year = as_of.year
    last_monday = params.week(None, as_of=as_of)
    score_weeks = reports.week_mondays(last_monday - timedelta(weeks=params.DEFAULT_WEEKS - 1), last_monday)
    flagged = selectors.project_list(as_of=as_of).filter(year=year)
    own = _own_projects(user, flagged)
    overdue_milestones = selectors.milestone_list(as_of=as_of).filter(is_overdue=True, project__year=year)
    overdue_approvals = selectors.approval_item_list(as_of=as_of).filter(is_overdue=True, project__year=year)
    return {
        "as_of": as_of,
        "year": year,
        "summary": reports.stats_summary(projects=flagged, as_of=as_of, year=year),
        "lights": reports.lights_by_department(projects=flagged),
        "own_lights": None if own is None else reports.lights_by_department(projects=own),
        "own_projects": None if own is None else _with_assessed_display(
            own.select_related("department").order_by(reports.WARNING_RANK, "code")[:30]
        ),
        "investment_by_level": reports.investment_by(projects=flagged, field="level", choices=ProjectLevel,
                                                     as_of=as_of, year=year),
        "investment_by_sector": reports.investment_by(projects=flagged, field="sector", choices=Sector,
                                                      as_of=as_of, year=year),
        "targets": target_progress(targets=selectors.target_list().filter(year=year), as_of=as_of),
        "overdue_milestones": _with_days_overdue(
            overdue_milestones.order_by("due_date", "id")[:OVERDUE_LIST_LENGTH], as_of,
        ),
        "overdue_milestone_count": overdue_milestones.count(),
        "overdue_approvals": list(
            overdue_approvals.select_related("department").order_by("due_date", "id")[:OVERDUE_LIST_LENGTH]
        ),
        "overdue_approval_count": overdue_approvals.count(),
        "visits_by_official": reports.visits_by_official(projects=flagged),
        # 考核: each department's weekly score over the last weeks (as GET /stats/departments/ gives it).
        "department_scores": {
            "weeks": [iso_week(monday) for monday in score_weeks],
            "departments": reports.department_weeks(projects=flagged, mondays=score_weeks, as_of=as_of),
        },
        "leads": reports.lead_stats(year=year, as_of=as_of),
        "problems": problem_figures(as_of=as_of, year=year),
        "assessed": assessed_projects(projects=flagged),
        "warning_levels": WarningLevel,
    }


def chart_data(figures: dict) -> dict:
    """The series the page's charts draw, as plain JSON numbers."""
    summary = figures["summary"]
    investment = [("全部项目", summary["investment"])]
    investment += [(row["level_display"], row) for row in figures["investment_by_level"]]
    investment += [(row["sector_display"], row) for row in figures["investment_by_sector"]]
    return {
        "colours": {level: colour for level, colour in LIGHT_COLOURS.items()},
        "lights": {
            "departments": [row["department"]["name"] for row in figures["lights"]],
            **{level: [row[level] for row in figures["lights"]] for level in WarningLevel.values},
        },
        "investment": {
            "groups": [name for name, _ in investment],
            "completion_rate": [row["completion_rate"] for _, row in investment],
            "time_progress": summary["investment"]["time_progress"],
        },
        "start_rate": summary["start_rate"]["rate"],
        "batches": {
            "rounds": [f"第{row['period']}期{row['kind_display']}" for row in summary["batches"]],
            "count": [row["count"] for row in summary["batches"]],
            "achieved": [row["achieved"] for row in summary["batches"]],
        },
        "targets": {
            "names": [p.target.name for p in figures["targets"]],
            "rate": [p.rate for p in figures["targets"]],
            "time_progress": [p.time_progress for p in figures["targets"]],
            "colour": [TARGET_STATE_COLOURS[p.state] for p in figures["targets"]],
        },
        "funnel": [
            {"name": LeadStage.LEAD.label, "value": figures["leads"]["leads"]},
            {"name": LeadStage.CONTACTED.label, "value": figures["leads"]["contacted"]},
            {"name": LeadStage.NEGOTIATING.label, "value": figures["leads"]["negotiating"]},
            {"name": LeadStage.SIGNED.label, "value": figures["leads"]["signed"]["count"]},
            {"name": LeadStage.LANDED.label, "value": figures["leads"]["landed"]},
        ],
        "visits": {
            "officials": [row["official"]["name"] for row in figures["visits_by_official"]],
            "compliance_rate": [row["compliance_rate"] for row in figures["visits_by_official"]],
        },
        "scores": {
            "weeks": figures["department_scores"]["weeks"],
            "series": [
                {"name": row["department"]["name"], "data": [week["score"] for week in row["by_week"]]}
                for row in figures["department_scores"]["departments"]
            ],
        },
    }
