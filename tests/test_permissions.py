"""The role matrix of the contract: who may write what, on which projects; refused writes change nothing."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from projects.models import (
    ApprovalItem,
    Department,
    Milestone,
    Official,
    Project,
    ProjectBatch,
    StatusUpdate,
    Visit,
)
from projects.services import status_update_create
from tests.factories import (
    ApprovalItemFactory,
    DepartmentFactory,
    MilestoneFactory,
    OfficialFactory,
    UserFactory,
    VisitFactory,
)

ROLES = ["admin", "department", "official", "reader", "anonymous"]
METHODS = ["post", "put", "patch", "delete"]
SUCCESS = {"post": 201, "put": 200, "patch": 200, "delete": 204}

# Roles that may write each resource (the project scope is checked on top, except for admin).
WRITERS = {
    "departments": {"admin"},
    "officials": {"admin"},
    "projects": {"admin"},
    "milestones": {"admin", "department"},
    "visits": {"admin", "department", "official"},
    "approvals": {"admin", "department"},
    "status-updates": {"admin", "department", "official"},
}
PROJECT_RESOURCES = ["projects", "milestones", "visits", "approvals"]
SNAPSHOT_MODELS = [Department, Official, Project, ProjectBatch, Milestone, StatusUpdate, Visit, ApprovalItem,
                   Project.history.model, Milestone.history.model]


def snapshot() -> dict:
    """Every row of every portfolio table (history included), so any change by a refused write shows."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for model in SNAPSHOT_MODELS
    }


def expected_status(role: str, resource: str, method: str, in_scope: bool) -> int:
    if role == "anonymous":
        return 401
    if role not in WRITERS[resource]:
        return 403
    if role != "admin" and not in_scope:
        return 403
    return SUCCESS[method]


@pytest.fixture
def world(project_a, project_b, dept_a, dept_b, official_a, official_b):
    """Existing records of each kind on both projects, and spare references nothing points to."""
    return {
        "a": project_a,
        "b": project_b,
        "milestone": {
            "a": MilestoneFactory(project=project_a, kind="start", title="二季度实质性开工", due_date=date(2023, 6, 30)),
            "b": MilestoneFactory(project=project_b, kind="start", title="二季度实质性开工", due_date=date(2023, 6, 30)),
        },
        "visit": {"a": VisitFactory(project=project_a), "b": VisitFactory(project=project_b)},
        "approval": {
            "a": ApprovalItemFactory(project=project_a, department=dept_a),
            "b": ApprovalItemFactory(project=project_b, department=dept_b),
        },
        "spare_department": DepartmentFactory(code="spare", name="备用单位"),
        "spare_official": OfficialFactory(name="赵三", title="调研员", department=dept_a),
        "dept_a": dept_a,
    }


def project_body(project: Project, code: str) -> dict:
    return {
        "code": code, "name": "新建项目", "year": 2023, "category": "start", "level": "district",
        "sector": "industry", "zone": "二七经开区", "total_investment": "1000.00",
        "department": project.department_id, "lead_official": project.lead_official_id,
    }


def write_request(world: dict, resource: str, method: str, scope: str) -> tuple[str, dict, object]:
    """(url, body, target) of a valid write of `method` on `resource`; scope 'a'/'b' picks the project.

    `target` is the record a put, patch or delete writes (and a post leaves alone).
    """
    project = world.get(scope)
    if resource == "departments":
        target = world["spare_department"]
        body = {"code": "newdept", "name": "新单位"}
    elif resource == "officials":
        target = world["spare_official"]
        body = {"name": "钱四", "title": "主任", "department": world["dept_a"].pk}
    elif resource == "projects":
        target = project
        body = project_body(project, f"EQ2023-N{scope}")
    elif resource == "milestones":
        target = world["milestone"][scope]
        body = {"project": project.pk, "kind": "completion", "title": "年底建成", "due_period": "2023-Q4"}
    elif resource == "visits":
        target = world["visit"][scope]
        body = {"project": project.pk, "visited_on": "2023-05-02", "kind": "inspection", "note": "现场督导"}
    elif resource == "approvals":
        target = world["approval"][scope]
        body = {"project": project.pk, "name": "施工许可证", "department": world["dept_a"].pk, "mode": "parallel",
                "due_date": "2023-06-30"}
    else:
        raise AssertionError(resource)
    if method == "post":
        return f"/api/v1/{resource}/", body, target
    if method == "patch":
        body = {"name": "改名"} if resource in ("departments", "officials", "projects", "approvals") else {"note": "改"}
    return f"/api/v1/{resource}/{target.pk}/", body, target


MATRIX = [
    (role, resource, method, scope)
    for role in ROLES
    for resource in ["departments", "officials"]
    for method in METHODS
    for scope in ["-"]
] + [
    (role, resource, method, scope)
    for role in ROLES
    for resource in PROJECT_RESOURCES
    for method in METHODS
    for scope in ["a", "b"]
]


@pytest.mark.parametrize("role, resource, method, scope", MATRIX)
def test_write_matrix(role_clients, world, role, resource, method, scope):
    url, body, target = write_request(world, resource, method, scope)
    expected = expected_status(role, resource, method, in_scope=scope in ("a", "-"))
    before = snapshot()
    response = getattr(role_clients[role], method)(url, body, format="json")
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert snapshot() == before
    else:
        assert_written(MODELS[resource], method, target, body)


MODELS = {
    "departments": Department, "officials": Official, "projects": Project,
    "milestones": Milestone, "visits": Visit, "approvals": ApprovalItem,
}


def stored(record, field: str) -> str:
    """A field of a record as the API wrote it (ids for foreign keys), for comparing with a body."""
    return str(getattr(record, record._meta.get_field(field).attname))


def assert_written(model, method: str, target, body: dict) -> None:
    """The write did what it says: the new or changed record holds the body, the deleted one is gone."""
    if method == "delete":
        assert not model.objects.filter(pk=target.pk).exists()
        return
    record = model.objects.get(pk=target.pk) if method in ("put", "patch") else model.objects.latest("pk")
    if method == "post":
        assert record.pk != target.pk
    assert {field: stored(record, field) for field in body} == {field: str(value) for field, value in body.items()}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", ["a", "b"])
def test_status_update_post_matrix(role_clients, world, role, scope):
    project = world[scope]
    expected = expected_status(role, "status-updates", "post", in_scope=scope == "a")
    before = snapshot()
    response = role_clients[role].post(
        f"/api/v1/projects/{project.pk}/status-updates/", {"note": "本周进展", "progress_percent": 40}, format="json",
    )
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert snapshot() == before
    else:
        project.refresh_from_db()
        assert (project.progress_percent, project.version) == (40, 2)
        assert StatusUpdate.objects.filter(project=project).count() == 1


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

READ_URLS = [
    "/api/v1/departments/", "/api/v1/officials/", "/api/v1/projects/", "/api/v1/milestones/",
    "/api/v1/status-updates/", "/api/v1/visits/", "/api/v1/approvals/",
]


def detail_urls(world, report) -> list[str]:
    return [
        f"/api/v1/departments/{world['dept_a'].pk}/", f"/api/v1/officials/{world['spare_official'].pk}/",
        f"/api/v1/projects/{world['b'].pk}/", f"/api/v1/projects/{world['b'].pk}/status-updates/",
        f"/api/v1/milestones/{world['milestone']['b'].pk}/", f"/api/v1/visits/{world['visit']['b'].pk}/",
        f"/api/v1/approvals/{world['approval']['b'].pk}/", f"/api/v1/status-updates/{report.pk}/",
    ]


@pytest.mark.parametrize("role", ROLES)
def test_reads_are_open_to_every_role_and_closed_to_anonymous(role_clients, world, admin_client, role):
    report = status_update_create(project=world["b"], user=admin_client.user, note="进展")
    expected = 401 if role == "anonymous" else 200
    for url in READ_URLS + detail_urls(world, report):
        assert role_clients[role].get(url).status_code == expected, url


# --- status updates are append-only -------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "department", "official", "reader"])
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_status_updates_cannot_be_edited_or_deleted(role_clients, world, role, method):
    report = status_update_create(project=world["a"], user=role_clients["admin"].user, note="进展")
    before = snapshot()
    response = getattr(role_clients[role], method)(
        f"/api/v1/status-updates/{report.pk}/", {"note": "改写"}, format="json",
    )
    assert response.status_code == 405
    assert snapshot() == before


def test_status_updates_cannot_be_edited_anonymously(anon_client, world, admin_client):
    report = status_update_create(project=world["a"], user=admin_client.user, note="进展")
    assert anon_client.delete(f"/api/v1/status-updates/{report.pk}/").status_code == 401
    assert StatusUpdate.objects.filter(pk=report.pk).exists()


@pytest.mark.parametrize("role", ["admin", "department", "official", "reader"])
def test_status_updates_cannot_be_posted_to_the_flat_list(role_clients, world, role):
    body = {"project": world["a"].pk, "note": "进展"}
    assert role_clients[role].post("/api/v1/status-updates/", body, format="json").status_code == 405
    assert StatusUpdate.objects.count() == 0


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
