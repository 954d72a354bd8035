"""The role matrix of the contract: who may write what, on which records; refused writes change nothing.

WRITERS says, for every endpoint and every write method, which roles may write and in which scope.
The matrix crosses it with every role and with a record inside and one outside the caller's scope,
so a new resource is one entry in WRITERS and one in write_request. A refused write leaves every table
as it was (tests.snapshots: the service's tables, their history tables, accounts and tokens); an
allowed one did what it says.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from projects.models import (
    ApprovalItem,
    Department,
    Lead,
    LeadMove,
    Milestone,
    Official,
    Photo,
    Problem,
    Project,
    Robot,
    StatusUpdate,
    Target,
    Visit,
    WebhookSubscription,
)
from projects.services import photo_create, status_update_create, target_create, webhook_create
from tests.factories import (
    ApprovalItemFactory,
    AssessmentFactory,
    DepartmentFactory,
    LeadFactory,
    MilestoneFactory,
    OfficialFactory,
    ProblemFactory,
    ProjectFactory,
    UserFactory,
    VisitFactory,
    move_lead,
    move_problem,
)
from tests.photos import images
from tests.snapshots import snapshot, stored_files

ROLES = ["admin", "department", "official", "reader", "anonymous"]
METHODS = ["post", "put", "patch", "delete"]
SUCCESS = {"post": 201, "put": 200, "patch": 200, "delete": 204}
# ANY: every record. OWN: the records of the caller's scope, scope "a" below (department A's, or
# led or followed by official A); scope "b" is outside it.
ANY, OWN = "any", "own"


def every_write(writers: dict) -> dict:
    return {method: writers for method in METHODS}


# endpoint -> method -> {role: scope}. A role not listed is refused (403); a method not listed is
# no write of that route at all (405): status updates and lead moves are append-only.
WRITERS = {
    "departments": every_write({"admin": ANY}),
    "officials": every_write({"admin": ANY}),
    "projects": every_write({"admin": ANY}),
    "milestones": every_write({"admin": ANY, "department": OWN}),
    "visits": every_write({"admin": ANY, "department": OWN, "official": OWN}),
    "approvals": every_write({"admin": ANY, "department": OWN}),
    "status-updates": {},  # the flat list: a report is posted under its project
    "project-status-updates": {"post": {"admin": ANY, "department": OWN, "official": OWN}},
    "leads": every_write({"admin": ANY, "department": OWN}),
    "lead-moves": {"post": {"admin": ANY, "department": OWN, "official": OWN}},
    "lead-projects": {"post": {"admin": ANY}},  # a signed lead becomes a key project
    "targets": every_write({"admin": ANY}),
    # 问题台账: raised like a report; its fields changed or deleted by the office alone. Its moves
    # (交办, 反馈, 退回, 销号, 撤销) have scopes of their own: tests/problems/test_problem_permissions.py.
    "problems": {"post": {"admin": ANY, "department": OWN, "official": OWN},
                 **{method: {"admin": ANY} for method in ("put", "patch", "delete")}},
    # Photos: uploaded (multipart) by whoever reports on or visits the project, deleted by the office,
    # never changed. Refused uploads leave no row and no file (tests.snapshots reads the storage too).
    "project-photos": {"post": {"admin": ANY, "department": OWN, "official": OWN}, "delete": {"admin": ANY}},
    # 推送订阅: the office's alone (reading too, see test_webhooks_are_read_by_the_office_alone).
    "webhooks": every_write({"admin": ANY}),
}
# Records of no project and no department: one scope, "-".
UNSCOPED = {"departments", "officials", "targets", "webhooks"}
# Webhook addresses in these tests: a listed literal address, so no name is looked up.
HOOK_URL = "https://127.0.0.1:9/hooks/portfolio"


def expected_status(role: str, endpoint: str, method: str, scope: str) -> int:
    if role == "anonymous":
        return 401
    writers = WRITERS[endpoint].get(method)
    if writers is None:
        return 405
    allowed = writers.get(role)
    if allowed is None or (allowed == OWN and scope == "b"):
        return 403
    return SUCCESS[method]


@pytest.fixture
def world(project_a, project_b, dept_a, dept_b, official_a, official_b, settings):
    """Records of each kind in both scopes, and spare references nothing points to.

    Scope "a" is department A's and official A's (the department and official clients'), "b" the other's.
    """
    def lead(name: str, department, official, *moves):
        return move_lead(LeadFactory(name=name, department=department, official=official), *moves)

    reporter = UserFactory(username="reporter")
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]

    # One transaction, as a loader would write them: each record's event is rendered once, at its end.
    with transaction.atomic():
        return _world(project_a, project_b, dept_a, dept_b, official_a, official_b, reporter, lead)


def _world(project_a, project_b, dept_a, dept_b, official_a, official_b, reporter, lead) -> dict:
    return {
        "a": project_a,
        "b": project_b,
        "dept": {"a": dept_a, "b": dept_b},
        "milestone": {
            scope: MilestoneFactory(project=project, kind="start", title="二季度实质性开工", due_date=date(2023, 6, 30))
            for scope, project in (("a", project_a), ("b", project_b))
        },
        "visit": {"a": VisitFactory(project=project_a), "b": VisitFactory(project=project_b)},
        "approval": {
            "a": ApprovalItemFactory(project=project_a, department=dept_a),
            "b": ApprovalItemFactory(project=project_b, department=dept_b),
        },
        "report": {
            "a": status_update_create(project=project_a, user=reporter, note="进展", reported_on=date(2023, 5, 2)),
            "b": status_update_create(project=project_b, user=reporter, note="进展", reported_on=date(2023, 5, 2)),
        },
        # Signed leads (with moves); a lead with moves is never deleted (409), so deletes take a fresh one.
        "lead": {
            "a": lead("线索甲", dept_a, official_a, ("signed", "2023-03-01")),
            "b": lead("线索乙", dept_b, official_b, ("signed", "2023-03-01")),
        },
        "fresh_lead": {"a": lead("线索丙", dept_a, official_a), "b": lead("线索丁", dept_b, official_b)},
        # A project with reports is never deleted (409), so deletes take one without.
        "fresh_project": {
            "a": ProjectFactory(department=dept_a, lead_official=official_a, name="二七经开区标准厂房"),
            "b": ProjectFactory(department=dept_b, lead_official=official_b, name="马寨学校"),
        },
        "target": target_create(user=None, year=2023, name="年度开工", metric="project_count", value=Decimal("10")),
        "spare_department": DepartmentFactory(code="spare", name="备用单位"),
        "spare_official": OfficialFactory(name="赵三", title="调研员", department=dept_a),
        "dept_a": dept_a,
        # A problem of project a, handed to its department (a move with it), and the office's judgement of a.
        "problem": {
            "a": move_problem(ProblemFactory(project=project_a, title="甲问题"), ("assigned", "2023-04-02")),
            "b": move_problem(ProblemFactory(project=project_b, title="乙问题"), ("assigned", "2023-04-02")),
        },
        "fresh_problem": {"a": ProblemFactory(project=project_a), "b": ProblemFactory(project=project_b)},
        "assessment": AssessmentFactory(project=project_a),
        # The office's group robot of department a (a channel of the reminders; office-only writes).
        "photo": {
            scope: photo_create(user=reporter, project=project, caption="现场",
                                file=SimpleUploadedFile("site.jpg", images.jpeg(), content_type="image/jpeg"))
            for scope, project in (("a", project_a), ("b", project_b))
        },
        "webhook": webhook_create(user=None, url=HOOK_URL, types=["project.changed"], description="市平台"),
        "robot": Robot.objects.create(name="甲单位工作群", kind="wecom", department=dept_a,
                                      webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=demo"),
    }


@dataclass
class Write:
    url: str
    body: dict | None
    done: Callable[[], None]  # asserts that the write, answered with success, did what it says
    format: str = "json"


def stored(record, field: str) -> str:
    """A field of a record as the API wrote it (ids for foreign keys), for comparing with a body."""
    return str(getattr(record, record._meta.get_field(field).attname))


def assert_written(model, method: str, target, body: dict | None) -> None:
    """The new or changed record holds the body; the deleted one is gone."""
    if method == "delete":
        assert not model.objects.filter(pk=target.pk).exists()
        return
    record = model.objects.get(pk=target.pk) if method in ("put", "patch") else model.objects.latest("pk")
    if method == "post":
        assert record.pk != target.pk
    assert {field: stored(record, field) for field in body} == {field: str(value) for field, value in body.items()}


def crud(model, url: str, method: str, target, body: dict, patch: dict, put: dict | None = None) -> Write:
    """A write of a plain resource: post `body` to its list, put `put` (or `body`), patch or delete `target`."""
    if method == "post":
        sent = body
    else:
        url, sent = f"{url}{target.pk}/", {"put": put or body, "patch": patch, "delete": None}[method]
    return Write(url, sent, lambda: assert_written(model, method, target, sent))


def project_body(project: Project, code: str) -> dict:
    return {
        "code": code, "name": "新建项目", "year": 2023, "category": "start", "level": "district",
        "sector": "industry", "zone": "二七经开区", "total_investment": "1000.00",
        "department": project.department_id, "lead_official": project.lead_official_id,
    }


def never_written() -> None:
    raise AssertionError("this route writes nothing")


def report_posted(project: Project) -> Callable[[], None]:
    version = Project.objects.get(pk=project.pk).version

    def done():
        project.refresh_from_db()
        assert (project.progress_percent, project.version) == (40, version + 1)
        assert StatusUpdate.objects.filter(project=project, note="本周进展").count() == 1
    return done


def lead_landed(lead: Lead) -> Callable[[], None]:
    def done():
        lead.refresh_from_db()
        assert (lead.stage, lead.landed_on) == ("landed", date(2023, 4, 1))
        assert LeadMove.objects.filter(lead=lead, stage="landed").count() == 1
    return done


def lead_converted(lead: Lead, code: str) -> Callable[[], None]:
    def done():
        lead.refresh_from_db()
        assert lead.project.code == code
    return done


def write_request(world: dict, endpoint: str, method: str, scope: str) -> Write:
    """A valid write of `method` on `endpoint`, on the record (or for the project) of `scope`."""
    project = world.get(scope)
    if endpoint == "departments":
        return crud(Department, "/api/v1/departments/", method, world["spare_department"],
                    {"code": "newdept", "name": "新单位"}, {"name": "改名"})
    if endpoint == "officials":
        return crud(Official, "/api/v1/officials/", method, world["spare_official"],
                    {"name": "钱四", "title": "主任", "department": world["dept_a"].pk}, {"name": "改名"})
    if endpoint == "targets":
        return crud(Target, "/api/v1/targets/", method, world["target"],
                    {"year": 2023, "name": "新目标", "metric": "project_count", "value": "10.00"}, {"value": "99.00"},
                    put={"year": 2023, "name": "改过的目标", "metric": "start_rate", "value": "80.00"})
    if endpoint == "projects":
        target = world["fresh_project"][scope] if method == "delete" else project
        return crud(Project, "/api/v1/projects/", method, target, project_body(project, f"EQ2023-N{scope}"),
                    {"name": "改名"})
    if endpoint == "milestones":
        return crud(Milestone, "/api/v1/milestones/", method, world["milestone"][scope],
                    {"project": project.pk, "kind": "completion", "title": "年底建成", "due_period": "2023-Q4"},
                    {"note": "改"})
    if endpoint == "visits":
        return crud(Visit, "/api/v1/visits/", method, world["visit"][scope],
                    {"project": project.pk, "visited_on": "2023-05-02", "kind": "inspection", "note": "现场督导"},
                    {"note": "改"})
    if endpoint == "approvals":
        return crud(ApprovalItem, "/api/v1/approvals/", method, world["approval"][scope],
                    {"project": project.pk, "name": "施工许可证", "department": world["dept_a"].pk,
                     "mode": "parallel", "due_date": "2023-06-30"},
                    {"name": "改名"})
    if endpoint == "leads":
        lead = world["fresh_lead" if method == "delete" else "lead"][scope]
        body = {"name": "新线索", "department": world["dept"][scope].pk, "received_on": "2023-04-01",
                "sector": "commerce"}
        return crud(Lead, "/api/v1/leads/", method, lead, body, {"note": "补充情况"},
                    put={**body, "received_on": lead.received_on.isoformat()})
    if endpoint == "status-updates":
        if method == "post":
            return Write("/api/v1/status-updates/", {"project": project.pk, "note": "进展"}, never_written)
        return Write(f"/api/v1/status-updates/{world['report'][scope].pk}/", {"note": "改写"}, never_written)
    if endpoint == "project-status-updates":
        return Write(f"/api/v1/projects/{project.pk}/status-updates/", {"note": "本周进展", "progress_percent": 40},
                     report_posted(project))
    if endpoint == "lead-moves":
        lead = world["lead"][scope]
        return Write(f"/api/v1/leads/{lead.pk}/moves/", {"stage": "landed", "moved_on": "2023-04-01"},
                     lead_landed(lead))
    if endpoint == "lead-projects":
        lead, code = world["lead"][scope], f"EQ2023-L{scope}"
        return Write(f"/api/v1/leads/{lead.pk}/project/", {"code": code, "year": 2023}, lead_converted(lead, code))
    if endpoint == "problems":
        problem = world["fresh_problem" if method == "delete" else "problem"][scope]
        return crud(Problem, "/api/v1/problems/", method, problem,
                    {"project": project.pk, "title": "塔吊进场受阻", "category": "construction"},
                    {"description": "补充情况"},
                    put={"project": project.pk, "title": "改过的问题", "category": "funding"})
    if endpoint == "project-photos":
        if method == "post":
            body = {"file": SimpleUploadedFile("site.jpg", images.jpeg(), content_type="image/jpeg"),
                    "caption": "基坑开挖", "visit": world["visit"][scope].pk}
            return Write(f"/api/v1/projects/{project.pk}/photos/", body, photo_uploaded(project), "multipart")
        photo = world["photo"][scope]
        url = f"/api/v1/projects/{project.pk}/photos/{photo.pk}/"
        if method == "delete":
            return Write(url, None, lambda: assert_written(Photo, "delete", photo, None))
        return Write(url, {"caption": "改"}, never_written)
    if endpoint == "webhooks":
        return crud(WebhookSubscription, "/api/v1/webhooks/", method, world["webhook"],
                    {"url": HOOK_URL + "/new", "description": "统计局投资入库"}, {"description": "改名"})
    raise AssertionError(endpoint)


def photo_uploaded(project: Project) -> Callable[[], None]:
    def done():
        photo = Photo.objects.get(project=project, caption="基坑开挖")
        assert {photo.file, photo.thumbnail} <= set(stored_files()["photo storage"])
    return done


MATRIX = [
    (role, method, endpoint, scope)
    for endpoint in WRITERS
    for method in METHODS
    for scope in (["-"] if endpoint in UNSCOPED else ["a", "b"])
    for role in ROLES
]
ALLOWED = [(role, method, endpoint, scope) for role, method, endpoint, scope in MATRIX
           if expected_status(role, endpoint, method, scope) < 400]
# A refused write changes nothing, so the refused writes of one route are sent one after the other to
# the same records, each checked against the snapshot taken before the first.
REFUSED = {
    endpoint: [(role, method, scope) for role, method, e, scope in MATRIX
               if e == endpoint and expected_status(role, endpoint, method, scope) >= 400]
    for endpoint in WRITERS
}


@pytest.mark.parametrize("role, method, endpoint, scope", ALLOWED)
def test_an_allowed_write_does_what_it_says(role_clients, world, role, method, endpoint, scope):
    write = write_request(world, endpoint, method, scope)
    response = getattr(role_clients[role], method)(write.url, write.body, format=write.format)
    assert response.status_code == expected_status(role, endpoint, method, scope), response.content
    write.done()


@pytest.mark.parametrize("endpoint", WRITERS)
def test_the_refused_writes_of_a_route_change_nothing(role_clients, world, endpoint):
    before = snapshot()
    answers = []
    for role, method, scope in REFUSED[endpoint]:
        write = write_request(world, endpoint, method, scope)
        response = getattr(role_clients[role], method)(write.url, write.body, format=write.format)
        answers.append((role, method, scope, response.status_code))
        assert snapshot() == before, (role, method, scope, response.content)
    assert answers == [(role, method, scope, expected_status(role, endpoint, method, scope))
                       for role, method, scope in REFUSED[endpoint]]


def test_every_write_route_is_in_the_matrix():
    """Each writable viewset of the API has a row (a new resource cannot join without one)."""
    from projects.api.urls import router

    prefixes = {prefix for prefix, viewset, _ in router.registry if hasattr(viewset, "create")
                or hasattr(viewset, "update") or hasattr(viewset, "destroy")}
    assert prefixes
    assert prefixes <= set(WRITERS)


HISTORY_TRACKED = [m for m in apps.get_app_config("projects").get_models()
                   if hasattr(m._meta, "simple_history_manager_attribute")]


def test_the_snapshot_reads_every_table_and_every_history_table(world):
    tables = set(snapshot())
    assert {model.__name__ for model in HISTORY_TRACKED} >= {
        "Project", "Milestone", "StatusUpdate", "Visit", "ApprovalItem", "Lead", "Target",
    }
    assert {model._meta.label for model in apps.get_app_config("projects").get_models()} <= tables
    assert {model.history.model._meta.label for model in HISTORY_TRACKED} <= tables
    assert {"auth.User", "knox.AuthToken"} <= tables


@pytest.mark.parametrize("model", HISTORY_TRACKED, ids=lambda model: model.__name__)
def test_the_snapshot_sees_a_history_row_written_by_itself(world, model):
    """A write that left only a history row behind would not go unseen."""
    history = model.history.model
    assert history.objects.exists()
    before = snapshot()
    history.objects.filter(pk=history.objects.latest("pk").pk).update(history_change_reason="越权")
    assert snapshot() != before


@pytest.mark.parametrize("role", ["department", "official"])
def test_moving_a_record_out_of_scope_is_refused(role_clients, world, role):
    """A record of an own project may not be moved onto a project outside the caller's scope."""
    before = snapshot()
    url = f"/api/v1/visits/{world['visit']['a'].pk}/"
    response = role_clients[role].patch(url, {"project": world["b"].pk}, format="json")
    assert response.status_code == 403
    assert snapshot() == before


def test_department_cannot_move_milestone_to_foreign_project(department_client, world):
    before = snapshot()
    url = f"/api/v1/milestones/{world['milestone']['a'].pk}/"
    response = department_client.patch(url, {"project": world["b"].pk, "title": "新节点"}, format="json")
    assert response.status_code == 403
    assert snapshot() == before


def test_department_cannot_move_its_lead_to_another_department(department_client, world):
    before = snapshot()
    response = department_client.patch(f"/api/v1/leads/{world['lead']['a'].pk}/",
                                       {"department": world["dept"]["b"].pk}, format="json")
    assert response.status_code == 403
    assert snapshot() == before


def test_official_moves_only_leads_it_follows(official_client, world):
    unfollowed = LeadFactory(name="线索戊", department=world["dept"]["a"], official=None)
    before = snapshot()
    response = official_client.post(f"/api/v1/leads/{unfollowed.pk}/moves/",
                                     {"stage": "contacted", "moved_on": "2023-04-01"}, format="json")
    assert response.status_code == 403
    assert snapshot() == before


def test_official_cannot_record_visit_in_another_officials_name(official_client, world, official_b):
    before = snapshot()
    body = {"project": world["a"].pk, "official": official_b.pk, "visited_on": "2023-05-02", "kind": "survey"}
    response = official_client.post("/api/v1/visits/", body, format="json")
    assert response.status_code == 403
    assert snapshot() == before


def test_official_visit_defaults_to_themselves(official_client, world, official_a):
    body = {"project": world["a"].pk, "visited_on": "2023-05-02", "kind": "call"}
    response = official_client.post("/api/v1/visits/", body, format="json")
    assert response.status_code == 201
    assert response.json()["official"]["id"] == official_a.pk


# --- reads --------------------------------------------------------------------------------------


def read_urls(world) -> list[str]:
    """A list and a record (outside the department and official clients' scope) of every resource."""
    b = world["b"].pk
    lead = world["lead"]["b"].pk
    return [
        "/api/v1/departments/", f"/api/v1/departments/{world['dept_a'].pk}/",
        "/api/v1/officials/", f"/api/v1/officials/{world['spare_official'].pk}/",
        "/api/v1/projects/", f"/api/v1/projects/{b}/", f"/api/v1/projects/{b}/status-updates/",
        "/api/v1/milestones/", f"/api/v1/milestones/{world['milestone']['b'].pk}/",
        "/api/v1/visits/", f"/api/v1/visits/{world['visit']['b'].pk}/",
        "/api/v1/approvals/", f"/api/v1/approvals/{world['approval']['b'].pk}/",
        "/api/v1/status-updates/", f"/api/v1/status-updates/{world['report']['b'].pk}/",
        "/api/v1/leads/", f"/api/v1/leads/{lead}/", f"/api/v1/leads/{lead}/moves/",
        "/api/v1/targets/", f"/api/v1/targets/{world['target'].pk}/",
        "/api/v1/stats/summary/?as_of=2023-05-04", "/api/v1/stats/leads/?as_of=2023-05-04",
        "/api/v1/stats/targets/?as_of=2023-05-04", "/api/v1/reports/weekly/?as_of=2023-05-04",
        "/api/v1/events/", f"/api/v1/events/?project={b}",
    ]


@pytest.mark.parametrize("role", ROLES)
def test_reads_are_open_to_every_role_and_closed_to_anonymous(role_clients, world, role):
    expected = 401 if role == "anonymous" else 200
    urls = read_urls(world)
    assert len(urls) == 26
    for url in urls:
        assert role_clients[role].get(url).status_code == expected, url


@pytest.mark.parametrize("role", ROLES)
def test_webhooks_are_read_by_the_office_alone(role_clients, world, role):
    expected = {"admin": 200, "anonymous": 401}.get(role, 403)
    hook = world["webhook"].pk
    for url in ("/api/v1/webhooks/", f"/api/v1/webhooks/{hook}/", f"/api/v1/webhooks/{hook}/deliveries/"):
        assert role_clients[role].get(url).status_code == expected, url


# --- tokens ---------------------------------------------------------------------------------------


def issue_token(*args: str) -> str:
    out = StringIO()
    call_command("issue_token", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip().splitlines()[-1]


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_issued_token_authenticates(db):
    key = issue_token("sync_system", "--role", "reader")
    assert token_client(key).get("/api/v1/projects/").status_code == 200


def test_token_carries_the_role_and_scope(project_a, project_b):
    key = issue_token("fgw_clerk", "--role", "department", "--department", "fgw")
    client = token_client(key)
    body = {"note": "本周进展"}
    before = snapshot()
    assert client.post(f"/api/v1/projects/{project_b.pk}/status-updates/", body, format="json").status_code == 403
    assert snapshot() == before
    assert client.post(f"/api/v1/projects/{project_a.pk}/status-updates/", body, format="json").status_code == 201


def test_official_token_scope(project_a, project_b, official_a):
    key = issue_token("wang", "--role", "official", "--official", str(official_a.pk))
    client = token_client(key)
    assert client.post(f"/api/v1/projects/{project_b.pk}/status-updates/", {"note": "x"}).status_code == 403
    assert client.post(f"/api/v1/projects/{project_a.pk}/status-updates/", {"note": "x"}).status_code == 201


def test_bad_token_is_401(db):
    assert token_client("not-a-real-token").get("/api/v1/projects/").status_code == 401


def test_revoked_token_is_401(db):
    key = issue_token("sync_system")
    AuthToken.objects.filter(user__username="sync_system").delete()
    assert token_client(key).get("/api/v1/projects/").status_code == 401


def test_issue_token_revoke_invalidates_old_tokens(db):
    old = issue_token("sync_system")
    new = issue_token("sync_system", "--revoke")
    assert token_client(old).get("/api/v1/projects/").status_code == 401
    assert token_client(new).get("/api/v1/projects/").status_code == 200


def test_expired_token_is_401(db):
    key = issue_token("sync_system")
    AuthToken.objects.filter(user__username="sync_system").update(expiry=timezone.now() - timedelta(seconds=1))
    assert token_client(key).get("/api/v1/projects/").status_code == 401


def test_token_is_stored_hashed(db):
    key = issue_token("sync_system")
    rows = list(AuthToken.objects.values_list())
    assert len(rows) == 1
    assert all(key not in str(value) for value in rows[0])


def test_session_auth_works_for_people(project_a):
    user = UserFactory(username="browser_user")
    client = APIClient()
    client.force_login(user)
    assert client.get("/api/v1/projects/").status_code == 200
