"""Every write of every object the feed reports appends exactly its events, in its transaction.

Each case writes once through a path (the API as the office, or the services as a management
command calls them) and lists the events it must append: the object's own, and the `changed`
event of each object whose detail the write changed (a milestone is listed in its project's
detail, a move in its lead's or problem's; see projects/api/events.py, TOUCHES). Each event's
`data` must equal what the API's detail answers for that object right after the write, its
`via` the path, its `user` the caller (none for a command) and its `project` the object's.

The cases run in real transactions (`transaction=True`): the outbox keeps one event per object
and transaction, and a test's own transaction would merge the setup's events with the write's.
"""

from dataclasses import dataclass
from datetime import date

import pytest

from projects import services
from projects.models import Event, LeadMove, ProblemMove, Project
from tests.factories import (
    ApprovalItemFactory,
    DepartmentFactory,
    LeadFactory,
    MilestoneFactory,
    OfficialFactory,
    ProblemFactory,
    ProjectFactory,
    VisitFactory,
    move_lead,
)

pytestmark = pytest.mark.django_db(transaction=True)

DAY = date(2023, 5, 2)


@dataclass
class World:
    client: object
    user: object
    department: object
    official: object
    project: object
    spare_project: object
    milestone: object
    visit: object
    approval: object
    lead: object
    signed_lead: object
    target: object
    problem: object

    def write(self, path, method, url, body=None):
        response = getattr(self.client, method)(url, body, format="json")
        assert response.status_code < 300, response.content
        return response.json() if response.content else None


@pytest.fixture
def world(admin_client):
    department = DepartmentFactory(code="fgw", name="发展改革委")
    official = OfficialFactory(name="王一", department=department)
    project = ProjectFactory(department=department, lead_official=official, status="signed")
    signed_lead = move_lead(LeadFactory(department=department), ("signed", "2023-04-01"))
    return World(
        client=admin_client, user=admin_client.user, department=department, official=official,
        project=project, spare_project=ProjectFactory(department=department, lead_official=official),
        milestone=MilestoneFactory(project=project, kind="start", title="开工", due_date=date(2023, 6, 30)),
        visit=VisitFactory(project=project, official=official, visited_on=date(2023, 4, 20)),
        approval=ApprovalItemFactory(project=project, department=department),
        lead=LeadFactory(department=department), signed_lead=signed_lead,
        target=services.target_create(user=None, year=2023, name="开工率", metric="start_rate", value=80),
        problem=ProblemFactory(project=project),
    )


def _by(path, w, service, api):
    """Call `service()` (the command path) or `api()` (the API path)."""
    return service() if path == "command" else api()


# Each case: (name, write(path, world) -> expected [(type, object id)]).
def project_create(path, w):
    body = {"code": "EQ2023-NEW", "name": "新项目", "year": 2023, "category": "start", "department": w.department.pk}
    _by(path, w, lambda: services.project_create(user=None, **{**body, "department": w.department}),
        lambda: w.write(path, "post", "/api/v1/projects/", body))
    return [("project.created", Project.objects.get(code="EQ2023-NEW").pk)]


def project_update(path, w):
    _by(path, w, lambda: services.project_update(project=w.project, user=None, name="改名"),
        lambda: w.write(path, "patch", f"/api/v1/projects/{w.project.pk}/", {"name": "改名"}))
    return [("project.changed", w.project.pk)]


def project_delete(path, w):
    pk = w.spare_project.pk
    _by(path, w, lambda: services.project_delete(project=w.spare_project, user=None),
        lambda: w.write(path, "delete", f"/api/v1/projects/{pk}/"))
    return [("project.deleted", pk)]


def milestone_create(path, w):
    body = {"project": w.project.pk, "kind": "completion", "title": "年底建成", "due_period": "2023-Q4"}
    result = _by(path, w, lambda: services.milestone_create(
        user=None, **{**body, "project": w.project}).pk,
        lambda: w.write(path, "post", "/api/v1/milestones/", body)["id"])
    return [("milestone.created", result), ("project.changed", w.project.pk)]


def milestone_update(path, w):
    _by(path, w, lambda: services.milestone_update(milestone=w.milestone, user=None, title="开工仪式"),
        lambda: w.write(path, "patch", f"/api/v1/milestones/{w.milestone.pk}/", {"title": "开工仪式"}))
    return [("milestone.changed", w.milestone.pk), ("project.changed", w.project.pk)]


def milestone_delete(path, w):
    pk = w.milestone.pk
    _by(path, w, lambda: services.milestone_delete(milestone=w.milestone, user=None),
        lambda: w.write(path, "delete", f"/api/v1/milestones/{pk}/"))
    return [("milestone.deleted", pk), ("project.changed", w.project.pk)]


def visit_create(path, w):
    body = {"project": w.project.pk, "official": w.official.pk, "visited_on": "2023-05-02", "kind": "inspection",
            "note": "现场督导"}
    result = _by(path, w, lambda: services.visit_create(
        user=None, **{**body, "project": w.project, "official": w.official, "visited_on": DAY}).pk,
        lambda: w.write(path, "post", "/api/v1/visits/", body)["id"])
    return [("visit.created", result), ("project.changed", w.project.pk)]


def visit_update(path, w):
    _by(path, w, lambda: services.visit_update(visit=w.visit, user=None, note="改"),
        lambda: w.write(path, "patch", f"/api/v1/visits/{w.visit.pk}/", {"note": "改"}))
    return [("visit.changed", w.visit.pk), ("project.changed", w.project.pk)]


def visit_delete(path, w):
    pk = w.visit.pk
    _by(path, w, lambda: services.visit_delete(visit=w.visit, user=None),
        lambda: w.write(path, "delete", f"/api/v1/visits/{pk}/"))
    return [("visit.deleted", pk), ("project.changed", w.project.pk)]


def approval_create(path, w):
    body = {"project": w.project.pk, "name": "施工许可证", "department": w.department.pk, "mode": "parallel",
            "due_date": "2023-06-30"}
    result = _by(path, w, lambda: services.approval_item_create(
        user=None, **{**body, "project": w.project, "department": w.department, "due_date": date(2023, 6, 30)}).pk,
        lambda: w.write(path, "post", "/api/v1/approvals/", body)["id"])
    return [("approval.created", result)]


def approval_update(path, w):
    _by(path, w, lambda: services.approval_item_update(approval_item=w.approval, user=None, name="改名"),
        lambda: w.write(path, "patch", f"/api/v1/approvals/{w.approval.pk}/", {"name": "改名"}))
    return [("approval.changed", w.approval.pk)]


def approval_delete(path, w):
    pk = w.approval.pk
    _by(path, w, lambda: services.approval_item_delete(approval_item=w.approval, user=None),
        lambda: w.write(path, "delete", f"/api/v1/approvals/{pk}/"))
    return [("approval.deleted", pk)]


def status_update_create(path, w):
    result = _by(path, w, lambda: services.status_update_create(
        project=w.project, user=w.user, note="本周进展", progress_percent=40).pk,
        lambda: w.write(path, "post", f"/api/v1/projects/{w.project.pk}/status-updates/",
                        {"note": "本周进展", "progress_percent": 40})["id"])
    return [("project.changed", w.project.pk), ("status_update.created", result)]


def status_update_moving_the_project(path, w):
    """A report that starts the project also completes its start milestone."""
    result = _by(path, w, lambda: services.status_update_create(
        project=w.project, user=w.user, note="开工", status="under_construction").pk,
        lambda: w.write(path, "post", f"/api/v1/projects/{w.project.pk}/status-updates/",
                        {"note": "开工", "status": "under_construction"})["id"])
    return [("project.changed", w.project.pk), ("status_update.created", result),
            ("milestone.changed", w.milestone.pk)]


def lead_create(path, w):
    body = {"name": "新线索", "department": w.department.pk, "received_on": "2023-04-01", "sector": "commerce"}
    result = _by(path, w, lambda: services.lead_create(
        user=None, **{**body, "department": w.department, "received_on": date(2023, 4, 1)}).pk,
        lambda: w.write(path, "post", "/api/v1/leads/", body)["id"])
    return [("lead.created", result)]


def lead_update(path, w):
    _by(path, w, lambda: services.lead_update(lead=w.lead, user=None, note="补充情况"),
        lambda: w.write(path, "patch", f"/api/v1/leads/{w.lead.pk}/", {"note": "补充情况"}))
    return [("lead.changed", w.lead.pk)]


def lead_delete(path, w):
    pk = w.lead.pk
    _by(path, w, lambda: services.lead_delete(lead=w.lead, user=None),
        lambda: w.write(path, "delete", f"/api/v1/leads/{pk}/"))
    return [("lead.deleted", pk)]


def lead_move_create(path, w):
    result = _by(path, w, lambda: services.lead_move_create(
        lead=w.lead, user=w.user, stage="contacted", moved_on=DAY).pk,
        lambda: w.write(path, "post", f"/api/v1/leads/{w.lead.pk}/moves/",
                        {"stage": "contacted", "moved_on": "2023-05-02"})["id"])
    return [("lead_move.created", result), ("lead.changed", w.lead.pk)]


def lead_project_create(path, w):
    result = _by(path, w, lambda: services.lead_project_create(
        lead=w.signed_lead, user=w.user, code="EQ2023-L1", year=2023).pk,
        lambda: w.write(path, "post", f"/api/v1/leads/{w.signed_lead.pk}/project/",
                        {"code": "EQ2023-L1", "year": 2023})["id"])
    return [("project.created", result), ("lead.changed", w.signed_lead.pk)]


def target_create(path, w):
    body = {"year": 2023, "name": "新目标", "metric": "project_count", "value": "10.00"}
    result = _by(path, w, lambda: services.target_create(user=None, **{**body, "value": 10}).pk,
                 lambda: w.write(path, "post", "/api/v1/targets/", body)["id"])
    return [("target.created", result)]


def target_update(path, w):
    _by(path, w, lambda: services.target_update(target=w.target, user=None, value=99),
        lambda: w.write(path, "patch", f"/api/v1/targets/{w.target.pk}/", {"value": "99.00"}))
    return [("target.changed", w.target.pk)]


def target_delete(path, w):
    pk = w.target.pk
    _by(path, w, lambda: services.target_delete(target=w.target, user=None),
        lambda: w.write(path, "delete", f"/api/v1/targets/{pk}/"))
    return [("target.deleted", pk)]


def problem_create(path, w):
    body = {"project": w.project.pk, "title": "塔吊进场受阻", "category": "construction"}
    result = _by(path, w, lambda: services.problem_create(user=w.user, **{**body, "project": w.project}).pk,
                 lambda: w.write(path, "post", "/api/v1/problems/", body)["id"])
    return [("problem.created", result), ("project.changed", w.project.pk)]


def problem_update(path, w):
    _by(path, w, lambda: services.problem_update(problem=w.problem, user=None, description="补充情况"),
        lambda: w.write(path, "patch", f"/api/v1/problems/{w.problem.pk}/", {"description": "补充情况"}))
    return [("problem.changed", w.problem.pk), ("project.changed", w.project.pk)]


def problem_delete(path, w):
    pk = w.problem.pk
    _by(path, w, lambda: services.problem_delete(problem=w.problem, user=None),
        lambda: w.write(path, "delete", f"/api/v1/problems/{pk}/"))
    return [("problem.deleted", pk), ("project.changed", w.project.pk)]


def problem_move_create(path, w):
    body = {"state": "assigned", "note": "交办", "moved_on": "2023-05-02", "responsible_department": w.department.pk,
            "due_date": "2023-06-01"}
    result = _by(path, w, lambda: services.problem_move_create(
        problem=w.problem, user=None, state="assigned", note="交办", moved_on=DAY,
        responsible_department=w.department, due_date=date(2023, 6, 1)).pk,
        lambda: w.write(path, "post", f"/api/v1/problems/{w.problem.pk}/moves/", body)["id"])
    return [("problem_move.created", result), ("problem.changed", w.problem.pk), ("project.changed", w.project.pk)]


def assessment_create(path, w):
    body = {"level": "red", "reason": "征迁停滞", "assessed_on": "2023-05-02"}
    result = _by(path, w, lambda: services.assessment_create(
        project=w.project, user=w.user, level="red", reason="征迁停滞", assessed_on=DAY).pk,
        lambda: w.write(path, "post", f"/api/v1/projects/{w.project.pk}/assessments/", body)["id"])
    return [("assessment.created", result), ("project.changed", w.project.pk)]


CASES = [
    project_create, project_update, project_delete,
    milestone_create, milestone_update, milestone_delete,
    visit_create, visit_update, visit_delete,
    approval_create, approval_update, approval_delete,
    status_update_create, status_update_moving_the_project,
    lead_create, lead_update, lead_delete, lead_move_create, lead_project_create,
    target_create, target_update, target_delete,
    problem_create, problem_update, problem_delete, problem_move_create,
    assessment_create,
]

DETAIL = {
    "project": "/api/v1/projects/{id}/", "milestone": "/api/v1/milestones/{id}/",
    "status_update": "/api/v1/status-updates/{id}/", "visit": "/api/v1/visits/{id}/",
    "approval": "/api/v1/approvals/{id}/", "lead": "/api/v1/leads/{id}/", "target": "/api/v1/targets/{id}/",
    "problem": "/api/v1/problems/{id}/",
}
# Objects read only in their parent's list.
LISTED = {
    "lead_move": lambda event: f"/api/v1/leads/{LeadMove.objects.get(pk=event.object_id).lead_id}/moves/?page_size=500",
    "problem_move": lambda event:
        f"/api/v1/problems/{ProblemMove.objects.get(pk=event.object_id).problem_id}/moves/?page_size=500",
    "assessment": lambda event: f"/api/v1/projects/{event.project_id}/assessments/?page_size=500",
}


def read_now(client, event):
    """What the API answers for the event's object right now."""
    if event.object_type in DETAIL:
        response = client.get(DETAIL[event.object_type].format(id=event.object_id))
        assert response.status_code == 200, (event.type, response.content)
        return response.json()
    rows = client.get(LISTED[event.object_type](event)).json()["results"]
    return next(row for row in rows if row["id"] == event.object_id)


@pytest.mark.parametrize("path", ["api", "command"])
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_each_write_appends_exactly_its_events(world, case, path):
    start = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    expected = case(path, world)
    events = list(Event.objects.filter(id__gt=start).order_by("id"))
    assert sorted((e.type, e.object_id) for e in events) == sorted(expected)
    for event in events:
        assert event.via == path
        assert event.user == ({"id": world.user.pk, "username": world.user.username} if path == "api" else None)
        if event.type.endswith(".deleted"):
            assert event.data == {"id": event.object_id}
        else:
            assert event.data == read_now(world.client, event), event.type
        if event.object_type == "project":
            assert event.project_id == event.object_id
        elif event.object_type in ("target", "lead_move"):  # the lead moved has no project yet
            assert event.project_id is None
        elif event.object_type == "lead":
            assert event.project_id == (event.data.get("project") or {}).get("id")
        else:
            assert event.project_id == world.project.pk
