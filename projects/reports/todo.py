"""我的待办: what the signed-in user has to do, as of a day, each line with the admin page where it is done.

`todo(user=, as_of=)` gives six lists (GET /me/todo/ and the admin's 我的待办 page show the same):

- `reports_due`: the active projects the user reports on (the policy's scope of `status_update`
  creation: a clerk's department's, an official's led ones) with no status update in as_of's ISO
  week (`projects_without_update`), due on the week's `REPORT_DUE_WEEKDAY`;
- `visits_due`: an official's led projects (the policy's scope of `visit` creation) whose monthly
  visit is overdue (`visit_overdue`) or falls due within `VISIT_DUE_WITHIN_DAYS`;
- `milestones`: the open milestones of the user's projects that are overdue or due soon (the
  milestone flags' `state`, `DUE_SOON_DAYS`);
- `approvals`: the overdue joint-approval items of the user's projects;
- `problems_to_answer`: the problems assigned (已交办) on as_of to the user's department or to the
  user as coordinating official (the policy's scope of answering);
- `problems_to_assign`: for the office (whoever may assign), the problems waiting to be assigned.

The office reports on every project and keeps the dashboard for them, so its project lists are
empty (as the dashboard's "own projects" are); readers have nothing to do. Each list is one query.
"""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import F, Q
from django.urls import reverse

from projects import selectors
from projects.domain import roles
from projects.domain.assessment import due_day
from projects.domain.choices import ACTIVE_STATUSES, MilestoneState, ProblemAction, ProblemState, Role
from projects.domain.dates import is_live
from projects.domain.lights import thresholds
from projects.models import Project
from projects.reports.weekly import projects_without_update
from projects.services import notices

# A visit "falls due" this many days ahead: the to-do lists it a week before it is overdue.
VISIT_DUE_WITHIN_DAYS = 7

# The lists, in the order the page shows them, with their Chinese headings.
SECTIONS = {
    "reports_due": "本周待填报进度",
    "visits_due": "待调研项目",
    "milestones": "临期及逾期节点",
    "approvals": "逾期审批事项",
    "problems_to_answer": "待反馈问题",
    "problems_to_assign": "待交办问题",
}


def _admin(name: str, *args, **query) -> str:
    path = reverse(f"admin:{name}", args=args)
    return f"{path}?{urlencode(query)}" if query else path


def report_link(project_id: int) -> str:
    """填报进度: the status update form, prefilled with the project."""
    return _admin("projects_statusupdate_add", project=project_id)


def visit_link(project_id: int) -> str:
    """记录调研: the visit form, prefilled with the project."""
    return _admin("projects_visit_add", project=project_id)


def _brief(project) -> dict:
    return {"id": project.pk, "code": project.code, "name": project.name}


def _scoped(user, resource: str, action: str) -> Q | None:
    """The projects on which `user` may do `action` on `resource`; None when that scope is not the
    user's own (the office's "all", or no right at all)."""
    if roles.scope_of(user, resource, action) in (None, roles.ALL):
        return None
    return roles.project_filter(user, resource, action)


def _days_overdue(due: date | None, as_of: date) -> int:
    return max((as_of - due).days, 0) if due else 0


def reports_due(user, as_of: date) -> list[dict]:
    own = _scoped(user, "status_update", roles.CREATE)
    if own is None:
        return []
    monday = as_of - timedelta(days=as_of.weekday())
    due_on = due_day(monday)
    projects = projects_without_update(
        project_ids=Project.objects.filter(own).values("pk"), monday=monday, as_of=as_of,
    ).only("id", "code", "name")
    return [{"project": _brief(p), "due_on": due_on, "link": report_link(p.pk)} for p in projects]


def visits_due(user, as_of: date) -> list[dict]:
    if roles.role_of(user)[0] != Role.OFFICIAL:
        return []
    led = _scoped(user, "visit", roles.CREATE)
    if led is None:
        return []
    interval = timedelta(days=thresholds()["VISIT_INTERVAL_DAYS"])
    falls_due = Q(status__in=ACTIVE_STATUSES, last_visit_on__lte=as_of + timedelta(days=VISIT_DUE_WITHIN_DAYS) - interval)
    projects = (
        Project.objects.with_flags(as_of, live=is_live(as_of))
        .filter(led)
        .filter(Q(visit_overdue=True) | falls_due)
        .order_by(F("last_visit_on").asc(nulls_first=True), "code")
        .values("id", "code", "name", "last_visit_on")
    )
    return [
        {
            "project": {"id": p["id"], "code": p["code"], "name": p["name"]},
            "last_visit_on": p["last_visit_on"],
            # Never visited: due already (on as_of).
            "due_on": p["last_visit_on"] + interval if p["last_visit_on"] else as_of,
            "link": visit_link(p["id"]),
        }
        for p in projects
    ]


def milestones(user, as_of: date) -> list[dict]:
    own = _scoped(user, "status_update", roles.CREATE)
    if own is None:
        return []
    rows = (
        selectors.milestone_list(as_of=as_of)
        .filter(state__in=[MilestoneState.OVERDUE, MilestoneState.DUE_SOON])
        .filter(project__in=Project.objects.filter(own, status__in=ACTIVE_STATUSES).values("pk"))
        .order_by("due_date", "id")
    )
    return [
        {
            "id": m.pk, "title": m.title, "due_date": m.due_date, "days_overdue": _days_overdue(m.due_date, as_of),
            "project": _brief(m.project), "link": _admin("projects_milestone_change", m.pk),
        }
        for m in rows
    ]


def approvals(user, as_of: date) -> list[dict]:
    own = _scoped(user, "status_update", roles.CREATE)
    if own is None:
        return []
    rows = (
        selectors.approval_item_list(as_of=as_of)
        .filter(is_overdue=True)
        .filter(project__in=Project.objects.filter(own, status__in=ACTIVE_STATUSES).values("pk"))
        .order_by("due_date", "id")
    )
    return [
        {
            "id": a.pk, "name": a.name, "due_date": a.due_date, "days_overdue": _days_overdue(a.due_date, as_of),
            "project": _brief(a.project), "link": _admin("projects_approvalitem_change", a.pk),
        }
        for a in rows
    ]


def _problems(user, action: str, state: str, as_of: date, *, own_scope_only: bool) -> list[dict]:
    scope = roles.scope_of(user, "problem", action)
    if scope is None or (own_scope_only and scope == roles.ALL):
        return []
    rows = (
        selectors.problem_list(as_of=as_of)
        .with_state_on(as_of, live=is_live(as_of))
        .filter(roles.scope_filter(user, "problem", action), state_on=state)
        .prefetch_related(None)
        .order_by("due_date", "raised_on", "id")
    )
    return [
        {
            "id": p.pk, "title": p.title, "due_date": p.assigned_due_date if state == ProblemState.ASSIGNED else None,
            "escalation_level": p.escalation_level,
            "project": _brief(p.project),
            # The form of the move the line asks for: 反馈 of an assigned problem, 交办 of an open one.
            "link": notices.problem_move_link(p.pk, action),
        }
        for p in rows
    ]


def todo(*, user, as_of: date) -> dict:
    """我的待办 of `user` as of `as_of` (see the module's docstring)."""
    return {
        "as_of": as_of,
        "reports_due": reports_due(user, as_of),
        "visits_due": visits_due(user, as_of),
        "milestones": milestones(user, as_of),
        "approvals": approvals(user, as_of),
        # Assigned to the caller's department or to the caller as coordinating official; the office
        # answers none of its own.
        "problems_to_answer": _problems(user, ProblemAction.ANSWER, ProblemState.ASSIGNED, as_of, own_scope_only=True),
        "problems_to_assign": _problems(user, ProblemAction.ASSIGN, ProblemState.OPEN, as_of, own_scope_only=False),
    }


def todo_count(figures: dict) -> int:
    """How many lines the to-do holds."""
    return sum(len(figures[name]) for name in SECTIONS)

