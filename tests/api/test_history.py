"""GET /api/v1/projects/{id}/history/: who changed what, when, through which channel, field by field."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Milestone, Project
from projects.services import milestone_create, status_update_create, visit_create
from tests.admin.test_admin import CSV_FORMAT, ROW_XINGJIA, confirm, csv_bytes, upload
from tests.factories import ApprovalItemFactory, DepartmentFactory, OfficialFactory, UserFactory

PROJECT_BODY = {
    "code": "EQ2023-900", "name": "仲景医药健康产业园", "year": 2023, "category": "start",
    "level": "municipal", "sector": "industry", "status": "planned", "total_investment": "150000.00",
    "annual_plan_investment": "20000.00",
}


def history(client, project_id, **params) -> list[dict]:
    response = client.get(f"/api/v1/projects/{project_id}/history/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def changes(entry) -> dict:
    return {change["field"]: (change["old"], change["new"]) for change in entry["changes"]}


def only(entries, object_type, action) -> dict:
    found = [e for e in entries if e["object_type"] == object_type and e["action"] == action]
    assert len(found) == 1, [(e["object_type"], e["action"]) for e in entries]
    return found[0]


@pytest.fixture
def api_project(admin_client, dept_a, official_a) -> dict:
    response = admin_client.post("/api/v1/projects/", {
        **PROJECT_BODY, "department": dept_a.pk, "lead_official": official_a.pk,
    }, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_project_created_and_changed_through_the_api(admin_client, api_project, dept_b):
    pid = api_project["id"]
    response = admin_client.patch(f"/api/v1/projects/{pid}/", {
        "name": "仲景医药健康产业园（一期）", "department": dept_b.pk, "total_investment": "160000.5",
    }, format="json")
    assert response.status_code == 200

    entries = history(admin_client, pid)
    assert [(e["object_type"], e["action"]) for e in entries] == [("project", "changed"), ("project", "created")]
    changed, created = entries
    user = {"id": admin_client.user.pk, "username": "admin_user"}
    assert changed["user"] == created["user"] == user
    assert changed["via"] == created["via"] == "api"
    assert changed["object_id"] == pid
    assert changes(changed) == {
        "name": ("仲景医药健康产业园", "仲景医药健康产业园（一期）"),
        "department": (api_project["department"]["id"], dept_b.pk),  # ids, as written
        "total_investment": ("150000.00", "160000.50"),  # money as the API shows it
        "version": (1, 2),
    }
    created_values = changes(created)
    assert created_values["status"] == (None, "planned")  # codes, not labels
    assert created_values["category"] == (None, "start")
    assert created_values["year"] == (None, 2023)
    assert "created_at" not in created_values and "updated_at" not in created_values
    assert changed["at"] >= created["at"] and "+08:00" in changed["at"]


def test_a_status_update_lists_the_report_the_project_move_and_the_milestone_it_completed(
    department_client, project_a,
):
    start = milestone_create(user=None, project=project_a, kind="start", title="二季度开工", due_period="2023-Q2")
    project_a.status = "signed"
    project_a.save()
    response = department_client.post(f"/api/v1/projects/{project_a.pk}/status-updates/", {
        "status": "under_construction", "progress_percent": 5, "completed_investment": "1200",
        "note": "已开工", "reported_on": "2023-05-04",
    }, format="json")
    assert response.status_code == 201, response.content

    entries = history(department_client, project_a.pk)
    report = only(entries, "status_update", "created")
    assert report["object_id"] == response.json()["id"]
    assert report["via"] == "api" and report["user"]["username"] == "dept_user"
    assert changes(report)["status_to"] == (None, "under_construction")
    assert changes(report)["reported_on"] == (None, "2023-05-04")
    assert changes(report)["reported_by"] == (None, department_client.user.pk)
    assert "idempotency_key" not in changes(report)

    move = [e for e in entries if e["object_type"] == "project" and e["action"] == "changed"][0]
    assert changes(move)["status"] == ("signed", "under_construction")
    assert changes(move)["completed_investment"] == ("0.00", "1200.00")
    assert changes(move)["progress_percent"] == (0, 5)
    done = only(entries, "milestone", "changed")
    assert done["object_id"] == start.pk
    assert changes(done) == {"completed_on": (None, "2023-05-04")}
    # newest first
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)


@pytest.mark.parametrize("object_type,url,body,change", [
    ("milestone", "/api/v1/milestones/", {"kind": "start", "title": "开工", "due_period": "2023-Q2"},
     {"due_period": "2023-06", "completed_on": "2023-05-02"}),
    ("visit", "/api/v1/visits/", {"visited_on": "2023-04-20", "kind": "survey", "note": "调研"},
     {"kind": "inspection", "visited_on": "2023-04-21"}),
    ("approval", "/api/v1/approvals/", {"name": "建设工程规划许可证", "mode": "parallel", "due_date": "2023-06-30"},
     {"completed_on": "2023-05-03"}),
])
def test_each_record_created_changed_and_deleted(admin_client, project_a, dept_a, object_type, url, body, change):
    if object_type == "approval":
        body = {**body, "department": dept_a.pk}
    created = admin_client.post(url, {**body, "project": project_a.pk}, format="json")
    assert created.status_code == 201, created.content
    record_id = created.json()["id"]
    before = created.json()
    assert admin_client.patch(f"{url}{record_id}/", change, format="json").status_code == 200
    assert admin_client.delete(f"{url}{record_id}/").status_code == 204

    entries = [e for e in history(admin_client, project_a.pk) if e["object_type"] == object_type]
    assert [e["action"] for e in entries] == ["deleted", "changed", "created"]
    assert {e["object_id"] for e in entries} == {record_id}
    assert {e["via"] for e in entries} == {"api"}
    deleted, changed, created_entry = entries
    assert changes(created_entry)["project"] == (None, project_a.pk)
    # Only what changed: the milestone's due_date stays 2023-06-30 (end of 2023-Q2 and of 2023-06).
    assert changes(changed) == {field: (before.get(field), value) for field, value in change.items()}
    assert changes(deleted)["project"] == (project_a.pk, None)
    for field, value in change.items():
        assert changes(deleted)[field] == (value, None)


def test_a_deleted_project_keeps_its_history(admin_client, api_project):
    pid = api_project["id"]
    assert admin_client.delete(f"/api/v1/projects/{pid}/").status_code == 204
    entries = history(admin_client, pid)
    assert [e["action"] for e in entries] == ["deleted", "created"]
    assert changes(entries[0])["code"] == ("EQ2023-900", None)


def test_unknown_project_is_404(reader_client, db):
    assert reader_client.get("/api/v1/projects/999999/history/").status_code == 404


def test_every_role_reads_the_history_and_anonymous_is_refused(role_clients, project_a):
    for role, client in role_clients.items():
        response = client.get(f"/api/v1/projects/{project_a.pk}/history/")
        assert response.status_code == (401 if role == "anonymous" else 200), role
    body = role_clients["reader"].get(f"/api/v1/projects/{project_a.pk}/history/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["results"][0]["via"] == "command"  # made by the factories, outside any request
    assert body["results"][0]["user"] is None


def test_history_is_not_written(admin_client, project_a):
    response = admin_client.post(f"/api/v1/projects/{project_a.pk}/history/", {}, format="json")
    assert response.status_code == 405


# --- the channel of every write path ------------------------------------------------------------


@pytest.fixture
def office(db) -> Client:
    client = Client()
    client.force_login(UserFactory(username="office", is_staff=True, is_superuser=True))
    return client


def test_admin_writes_are_via_admin_with_the_user(office, project_a, official_a):
    response = office.post(reverse("admin:projects_visit_add"), {
        "project": project_a.pk, "visited_on": "2023-04-28", "kind": "call", "official": official_a.pk, "note": "",
        # The visit form's rows to raise problems: none filled.
        "raised_problems-TOTAL_FORMS": "0", "raised_problems-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = only(history(office, project_a.pk), "visit", "created")
    assert entry["via"] == "admin"
    assert entry["user"]["username"] == "office"
    assert changes(entry)["kind"] == (None, "call")


def test_admin_import_is_via_import(office, dept_a, official_a):
    assert confirm(office, upload(office, "2023.csv", csv_bytes(ROW_XINGJIA), CSV_FORMAT)).status_code == 302
    project = Project.objects.get(code="EQ2023-101")
    entry = only(history(office, project.pk), "project", "created")
    assert entry["via"] == "import"
    assert entry["user"]["username"] == "office"


def test_load_seed_is_via_command(reader_client):
    call_command("load_seed", stdout=StringIO())
    project = Project.objects.get(code="EQ2023-001")
    entries = history(reader_client, project.pk, page_size=500)
    assert entries and {e["via"] for e in entries} == {"command"}
    assert {e["user"] for e in entries} == {None}
    assert only(entries, "project", "created")["changes"]
    milestones = Milestone.objects.filter(project=project).count()
    assert milestones == 1  # the seed's 二季度实质性开工 of EQ2023-001
    assert len([e for e in entries if e["object_type"] == "milestone"]) == milestones


def test_generate_portfolio_is_via_command(reader_client):
    call_command("generate_portfolio", projects=3, seed=7, stdout=StringIO())
    generated = list(Project.objects.filter(code__startswith="GEN7-"))
    assert len(generated) == 3
    for project in generated:
        entries = history(reader_client, project.pk, page_size=500)
        expected = (1 + project.milestones.count() + project.visits.count() + project.approvals.count()
                    + project.status_updates.count())
        assert len(entries) == expected
        assert {e["via"] for e in entries} == {"command"}
        assert {e["action"] for e in entries} == {"created"}


def test_services_called_outside_a_request_are_via_command(reader_client, project_a, official_a):
    visit = visit_create(user=None, project=project_a, visited_on=date(2023, 4, 1))
    status_update_create(project=project_a, user=UserFactory(), note="周报", reported_on=date(2023, 4, 2))
    entries = history(reader_client, project_a.pk)
    assert only(entries, "visit", "created")["object_id"] == visit.pk
    assert {e["via"] for e in entries} == {"command"}


# --- cost ---------------------------------------------------------------------------------------


def test_history_query_count_does_not_grow_with_the_page(reader_client, project_a, dept_a):
    user = UserFactory()
    official = OfficialFactory(department=dept_a)
    for n in range(12):
        milestone = milestone_create(
            user=None, project=project_a, kind="other", title=f"节点{n}", due_period="2023-Q3",
        )
        milestone.note = "改"
        milestone.save()
        visit_create(user=None, project=project_a, official=official, visited_on=date(2023, 4, 1 + n))
        ApprovalItemFactory(project=project_a, department=dept_a)
        status_update_create(project=project_a, user=user, note=f"第{n}周", reported_on=date(2023, 4, 3 + n))
    total = reader_client.get(f"/api/v1/projects/{project_a.pk}/history/").json()["count"]
    assert total > 60

    def queries(page_size):
        with CaptureQueriesContext(connection) as context:
            entries = history(reader_client, project_a.pk, page_size=page_size)
        assert {e["object_type"] for e in entries} == {"project", "milestone", "visit", "approval", "status_update"}
        assert len(entries) == min(page_size, total)
        return len(context.captured_queries)

    assert queries(10) == queries(60)


def test_pages_hold_every_entry_once_newest_first(reader_client, project_a):
    for n in range(7):
        visit_create(user=None, project=project_a, visited_on=date(2023, 3, 1 + n))
    first = reader_client.get(f"/api/v1/projects/{project_a.pk}/history/", {"page_size": 5}).json()
    second = reader_client.get(first["next"]).json()
    entries = first["results"] + second["results"]
    assert first["count"] == len(entries) == 8  # the project and seven visits
    assert len({(e["object_type"], e["object_id"], e["action"]) for e in entries}) == 8
    assert entries[-1]["object_type"] == "project"
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)


def test_foreign_keys_are_their_ids(reader_client, db):
    department = DepartmentFactory(code="tmp")
    official = OfficialFactory(department=department)
    project = Project.objects.create(
        code="EQ2023-950", name="临时", year=2023, category="start", department=department, lead_official=official,
    )
    entry = only(history(reader_client, project.pk), "project", "created")
    assert changes(entry)["department"] == (None, department.pk)
    assert changes(entry)["lead_official"] == (None, official.pk)


def test_every_model_with_history_records_the_channel():
    from django.apps import apps

    from projects.models.history import HistoricalChannel

    tracked = [m for m in apps.get_app_config("projects").get_models()
               if hasattr(m._meta, "simple_history_manager_attribute")]
    assert len(tracked) >= 5
    assert [m.__name__ for m in tracked if not issubclass(m.history.model, HistoricalChannel)] == []
