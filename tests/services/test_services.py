"""The status workflow, status updates and milestone deadlines: services directly and through HTTP."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from projects.domain.choices import ProjectStatus, status_move_allowed
from projects.domain.dates import today
from projects.models import Milestone, Project, StatusUpdate
from projects.services import milestone_create, status_update_create
from tests.factories import MilestoneFactory, StatusUpdateFactory

STATUSES = list(ProjectStatus.values)
PATH = ["planned", "signed", "under_construction", "completed", "operating"]
SUSPENDABLE = ["planned", "signed", "under_construction", "completed"]
REPORTED_ON = date(2023, 5, 4)
KIND_OF = {"signed": "signing", "under_construction": "start", "completed": "completion", "operating": "commissioning"}


def contract_allows(current: str, target: str, left: str = "") -> bool:
    """The workflow of API.md, written out independently of projects.domain.choices."""
    if target == current:
        return True  # a report that does not move the status
    if current in ("operating", "cancelled"):
        return False
    if current == "suspended":
        return target in (left, "cancelled")
    if target == "suspended":
        return True
    if target == "cancelled":
        return current in ("planned", "signed")
    return PATH.index(target) > PATH.index(current)


# (current, target, left): every pair of the 7 statuses; `suspended` once per status it can have left.
PAIRS = [(c, t, "") for c in STATUSES if c != "suspended" for t in STATUSES] + [
    ("suspended", t, left) for left in SUSPENDABLE for t in STATUSES
]


def pair_id(pair) -> str:
    current, target, left = pair
    return f"{current}({left})->{target}" if left else f"{current}->{target}"


@pytest.fixture
def project_in(project_a, admin_client):
    """Put project_a in a status (suspending it properly from `left`), with an open milestone of each kind."""

    def make(status: str, left: str = "") -> Project:
        Project.objects.filter(pk=project_a.pk).update(status=left or status)
        for kind in ("signing", "start", "completion", "commissioning", "other"):
            MilestoneFactory(project=project_a, kind=kind, title=f"{kind} 节点", due_date=date(2023, 6, 30))
        if status == "suspended":
            status_update_create(project=project_a, user=admin_client.user, status="suspended", note="停工",
                                 reported_on=REPORTED_ON)
        return Project.objects.get(pk=project_a.pk)

    return make


def state_of(project: Project) -> dict:
    """What a status update may change: the project row, its milestones and its reports."""
    return {
        "project": Project.objects.filter(pk=project.pk).values().get(),
        "milestones": list(Milestone.objects.filter(project=project).order_by("pk").values_list()),
        "reports": list(StatusUpdate.objects.filter(project=project).order_by("pk").values_list()),
    }


def post_report(client, project, **fields):
    headers = {k: v for k, v in fields.items() if k.startswith("HTTP_")}
    body = {"note": "本周进展", **{k: v for k, v in fields.items() if not k.startswith("HTTP_")}}
    return client.post(f"/api/v1/projects/{project.pk}/status-updates/", body, format="json", **headers)


# --- the workflow table ---------------------------------------------------------------------------


@pytest.mark.parametrize("pair", PAIRS, ids=pair_id)
def test_status_move_allowed_follows_the_contract(pair):
    current, target, left = pair
    assert status_move_allowed(current, target, left) == contract_allows(current, target, left)


@pytest.mark.parametrize("pair", PAIRS, ids=pair_id)
def test_status_update_api_follows_the_workflow(admin_client, project_in, pair):
    current, target, left = pair
    project = project_in(current, left)
    before = state_of(project)
    response = post_report(admin_client, project, status=target, reported_on=REPORTED_ON.isoformat())
    project.refresh_from_db()
    if contract_allows(current, target, left):
        assert response.status_code == 201, response.content
        assert (response.json()["status_from"], response.json()["status_to"]) == (current, target)
        assert project.status == target
        assert project.version == before["project"]["version"] + 1
        assert len(state_of(project)["reports"]) == len(before["reports"]) + 1
    else:
        assert response.status_code == 400, response.content
        assert "status" in response.json()
        assert state_of(project) == before


@pytest.mark.parametrize("left", SUSPENDABLE)
def test_suspension_remembers_and_clears_the_status_it_left(admin_client, project_in, left):
    project = project_in("suspended", left)
    assert project.suspended_from == left
    assert post_report(admin_client, project, status=left).status_code == 201
    project.refresh_from_db()
    assert (project.status, project.suspended_from) == (left, "")


def test_service_refuses_illegal_move_and_changes_nothing(project_in, admin_client):
    project = project_in("under_construction")
    before = state_of(project)
    with pytest.raises(ValidationError) as exc:
        status_update_create(project=project, user=admin_client.user, status="signed", note="回退")
    assert "status" in exc.value.message_dict
    assert state_of(project) == before


# --- milestones completed by a move ---------------------------------------------------------------


@pytest.mark.parametrize("current, target, completed", [
    ("planned", "signed", {"signing"}),
    ("planned", "under_construction", {"signing", "start"}),
    ("planned", "operating", {"signing", "start", "completion", "commissioning"}),
    ("signed", "under_construction", {"start"}),
    ("signed", "completed", {"start", "completion"}),
    ("under_construction", "completed", {"completion"}),
    ("under_construction", "operating", {"completion", "commissioning"}),
    ("completed", "operating", {"commissioning"}),
    ("planned", "suspended", set()),
    ("planned", "cancelled", set()),
    ("under_construction", "under_construction", set()),
])
def test_reaching_a_status_completes_its_milestones_and_those_passed(
    admin_client, project_in, current, target, completed,
):
    project = project_in(current)
    assert post_report(admin_client, project, status=target, reported_on=REPORTED_ON.isoformat()).status_code == 201
    done = dict(Milestone.objects.filter(project=project).values_list("kind", "completed_on"))
    assert {kind for kind, day in done.items() if day is not None} == completed
    assert all(done[kind] == REPORTED_ON for kind in completed)


def test_service_completes_milestones_passed_by_a_skip(project_in, admin_client):
    project = project_in("planned")
    report = status_update_create(
        project=project, user=admin_client.user, status="under_construction", note="开工", reported_on=REPORTED_ON,
    )
    assert not report.replayed and (report.status_from, report.status_to) == ("planned", "under_construction")
    done = dict(Milestone.objects.filter(project=project).values_list("kind", "completed_on"))
    assert done == {"signing": REPORTED_ON, "start": REPORTED_ON, "completion": None, "commissioning": None,
                    "other": None}


def test_already_completed_milestone_keeps_its_date(admin_client, project_in):
    project = project_in("planned")
    Milestone.objects.filter(project=project, kind="signing").update(completed_on=date(2023, 3, 1))
    assert post_report(admin_client, project, status="under_construction",
                       reported_on=REPORTED_ON.isoformat()).status_code == 201
    assert Milestone.objects.get(project=project, kind="signing").completed_on == date(2023, 3, 1)
    assert Milestone.objects.get(project=project, kind="start").completed_on == REPORTED_ON


def test_reaching_a_status_updates_next_due_date(admin_client, project_a):
    MilestoneFactory(project=project_a, kind="completion", title="建成", due_date=date(2023, 6, 30))
    MilestoneFactory(project=project_a, kind="commissioning", title="投产", due_date=date(2023, 12, 31))
    assert post_report(admin_client, project_a, status="completed").status_code == 201
    assert admin_client.get(f"/api/v1/projects/{project_a.pk}/").json()["next_due_date"] == "2023-12-31"


# --- figures of a status update ------------------------------------------------------------------


def test_completed_investment_never_goes_down(admin_client, project_a):
    Project.objects.filter(pk=project_a.pk).update(completed_investment=Decimal("100.00"))
    before = state_of(project_a)
    response = post_report(admin_client, project_a, completed_investment="99.99", progress_percent=50)
    assert response.status_code == 400
    assert "completed_investment" in response.json()
    assert state_of(project_a) == before


def test_completed_investment_may_stay_or_rise(admin_client, project_a):
    Project.objects.filter(pk=project_a.pk).update(completed_investment=Decimal("100.00"))
    assert post_report(admin_client, project_a, completed_investment="100.00").status_code == 201
    assert post_report(admin_client, project_a, completed_investment="150.50").status_code == 201
    project_a.refresh_from_db()
    assert project_a.completed_investment == Decimal("150.50")


def test_status_update_moves_figures_and_bumps_version_by_one(admin_client, project_a):
    version = project_a.version
    response = post_report(admin_client, project_a, completed_investment="20.00", progress_percent=35)
    assert response.status_code == 201
    project_a.refresh_from_db()
    assert (project_a.completed_investment, project_a.progress_percent) == (Decimal("20.00"), 35)
    assert project_a.version == version + 1
    assert response.json()["reported_by"]["username"] == admin_client.user.username


def test_reported_on_after_today_is_refused(admin_client, project_a):
    before = state_of(project_a)
    response = post_report(admin_client, project_a, reported_on=(today() + timedelta(days=1)).isoformat())
    assert response.status_code == 400
    assert "reported_on" in response.json()
    assert state_of(project_a) == before


def test_reported_on_defaults_to_today(admin_client, project_a):
    response = post_report(admin_client, project_a)
    assert response.status_code == 201
    assert response.json()["reported_on"] == today().isoformat()


# --- project edits --------------------------------------------------------------------------------


@pytest.mark.parametrize("field, changed", [
    ("status", "completed"), ("completed_investment", "999.00"), ("progress_percent", 77),
])
def test_reported_fields_are_read_only_on_patch(admin_client, project_a, field, changed):
    before = state_of(project_a)
    response = admin_client.patch(f"/api/v1/projects/{project_a.pk}/", {field: changed}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert state_of(project_a) == before


@pytest.mark.parametrize("field", ["status", "completed_investment", "progress_percent"])
def test_reported_fields_accept_their_current_value(admin_client, project_a, field):
    current = admin_client.get(f"/api/v1/projects/{project_a.pk}/").json()[field]
    response = admin_client.patch(f"/api/v1/projects/{project_a.pk}/", {field: current, "name": "新名"},
                                  format="json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "新名"


def put_body(project: Project, **changes) -> dict:
    return {
        "code": project.code, "name": project.name, "year": project.year, "category": project.category,
        "level": project.level, "sector": project.sector, "department": project.department_id,
        "lead_official": project.lead_official_id, "status": project.status,
        "completed_investment": str(project.completed_investment), "progress_percent": project.progress_percent,
        **changes,
    }


def test_reported_fields_are_read_only_on_put(admin_client, project_a):
    before = state_of(project_a)
    response = admin_client.put(f"/api/v1/projects/{project_a.pk}/", put_body(project_a, status="operating"),
                                format="json")
    assert response.status_code == 400
    assert state_of(project_a) == before
    response = admin_client.put(f"/api/v1/projects/{project_a.pk}/", put_body(project_a, name="改名"), format="json")
    assert response.status_code == 200
    assert response.json()["status"] == project_a.status


def test_project_with_status_updates_is_not_deleted(admin_client, project_a):
    StatusUpdateFactory(project=project_a)
    response = admin_client.delete(f"/api/v1/projects/{project_a.pk}/")
    assert response.status_code == 409
    assert Project.objects.filter(pk=project_a.pk).exists()


def test_project_without_status_updates_is_deleted(admin_client, project_a):
    assert admin_client.delete(f"/api/v1/projects/{project_a.pk}/").status_code == 204
    assert not Project.objects.filter(pk=project_a.pk).exists()


def test_if_match_current_succeeds_with_new_etag(admin_client, project_a):
    etag = admin_client.get(f"/api/v1/projects/{project_a.pk}/")["ETag"]
    response = admin_client.patch(f"/api/v1/projects/{project_a.pk}/", {"name": "新名"}, format="json",
                                  HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response["ETag"] == admin_client.get(f"/api/v1/projects/{project_a.pk}/")["ETag"]


def test_if_match_stale_is_412_and_changes_nothing(admin_client, project_a):
    stale = admin_client.get(f"/api/v1/projects/{project_a.pk}/")["ETag"]
    assert post_report(admin_client, project_a, progress_percent=10).status_code == 201
    before = state_of(project_a)
    response = admin_client.patch(f"/api/v1/projects/{project_a.pk}/", {"name": "新名"}, format="json",
                                  HTTP_IF_MATCH=stale)
    assert response.status_code == 412
    assert state_of(project_a) == before


def test_if_match_stale_delete_is_412(admin_client, project_a):
    stale = admin_client.get(f"/api/v1/projects/{project_a.pk}/")["ETag"]
    admin_client.patch(f"/api/v1/projects/{project_a.pk}/", {"name": "新名"}, format="json")
    assert admin_client.delete(f"/api/v1/projects/{project_a.pk}/", HTTP_IF_MATCH=stale).status_code == 412
    assert Project.objects.filter(pk=project_a.pk).exists()


# --- Idempotency-Key ------------------------------------------------------------------------------


def test_idempotent_retry_returns_the_first_response(admin_client, project_a):
    body = {"progress_percent": 30}
    first = post_report(admin_client, project_a, HTTP_IDEMPOTENCY_KEY="k-1", **body)
    retry = post_report(admin_client, project_a, HTTP_IDEMPOTENCY_KEY="k-1", **body)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert StatusUpdate.objects.filter(project=project_a).count() == 1
    project_a.refresh_from_db()
    assert project_a.version == 2


def test_same_key_with_different_body_is_422(admin_client, project_a):
    assert post_report(admin_client, project_a, HTTP_IDEMPOTENCY_KEY="k-1", progress_percent=30).status_code == 201
    before = state_of(project_a)
    response = post_report(admin_client, project_a, HTTP_IDEMPOTENCY_KEY="k-1", progress_percent=60)
    assert response.status_code == 422
    assert state_of(project_a) == before


def test_idempotency_keys_are_per_caller(admin_client, department_client, project_a):
    first = post_report(admin_client, project_a, HTTP_IDEMPOTENCY_KEY="k-1", progress_percent=30)
    other = post_report(department_client, project_a, HTTP_IDEMPOTENCY_KEY="k-1", progress_percent=30)
    assert (first.status_code, other.status_code) == (201, 201)
    assert first.json()["id"] != other.json()["id"]
    assert StatusUpdate.objects.filter(project=project_a).count() == 2


def test_service_replays_a_known_key(admin_client, project_a):
    first = status_update_create(project=project_a, user=admin_client.user, note="x", progress_percent=5,
                                 idempotency_key="k", fingerprint="f")
    again = status_update_create(project=project_a, user=admin_client.user, note="x",
                                 progress_percent=5, idempotency_key="k", fingerprint="f")
    assert (first.replayed, again.replayed) == (False, True)
    assert again.pk == first.pk
    assert StatusUpdate.objects.count() == 1


# --- milestone deadlines ---------------------------------------------------------------------------


@pytest.mark.parametrize("period, due", [
    ("2023-Q2", "2023-06-30"), ("2023-Q1", "2023-03-31"), ("2023-06", "2023-06-30"), ("2024-02", "2024-02-29"),
    ("2023-06-15", "2023-06-15"),
])
def test_milestone_due_period_derives_due_date(admin_client, project_a, period, due):
    body = {"project": project_a.pk, "kind": "start", "title": "开工", "due_period": period}
    response = admin_client.post("/api/v1/milestones/", body, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["due_period"], response.json()["due_date"]) == (period, due)


def test_milestone_due_date_alone_is_accepted(admin_client, project_a):
    body = {"project": project_a.pk, "kind": "start", "title": "开工", "due_date": "2023-07-10"}
    response = admin_client.post("/api/v1/milestones/", body, format="json")
    assert response.status_code == 201
    assert response.json()["due_date"] == "2023-07-10"


def test_milestone_with_consistent_period_and_date_is_accepted(admin_client, project_a):
    body = {"project": project_a.pk, "kind": "start", "title": "开工", "due_period": "2023-Q2",
            "due_date": "2023-06-30"}
    assert admin_client.post("/api/v1/milestones/", body, format="json").status_code == 201


def test_milestone_with_inconsistent_period_and_date_is_400(admin_client, project_a):
    body = {"project": project_a.pk, "kind": "start", "title": "开工", "due_period": "2023-Q2",
            "due_date": "2023-05-31"}
    response = admin_client.post("/api/v1/milestones/", body, format="json")
    assert response.status_code == 400
    assert "due_date" in response.json()
    assert not Milestone.objects.exists()


def test_milestone_completion_in_the_future_is_400(admin_client, project_a):
    tomorrow = (today() + timedelta(days=1)).isoformat()
    body = {"project": project_a.pk, "kind": "start", "title": "开工", "due_period": "2023-Q2",
            "completed_on": tomorrow}
    assert admin_client.post("/api/v1/milestones/", body, format="json").status_code == 400
    milestone = MilestoneFactory(project=project_a)
    response = admin_client.patch(f"/api/v1/milestones/{milestone.pk}/", {"completed_on": tomorrow}, format="json")
    assert response.status_code == 400
    milestone.refresh_from_db()
    assert milestone.completed_on is None


def test_completing_a_milestone_moves_next_due_date(admin_client, project_a):
    first = MilestoneFactory(project=project_a, kind="start", title="开工", due_date=date(2023, 6, 30))
    MilestoneFactory(project=project_a, kind="completion", title="建成", due_date=date(2023, 9, 30))
    url = f"/api/v1/projects/{project_a.pk}/"
    assert admin_client.get(url).json()["next_due_date"] == "2023-06-30"
    response = admin_client.patch(f"/api/v1/milestones/{first.pk}/", {"completed_on": "2023-05-01"}, format="json")
    assert response.status_code == 200
    assert admin_client.get(url).json()["next_due_date"] == "2023-09-30"
    assert admin_client.get(url, {"as_of": "2023-05-04"}).json()["next_due_date"] == "2023-09-30"
    assert admin_client.get(url, {"as_of": "2023-04-30"}).json()["next_due_date"] == "2023-06-30"


def test_milestone_create_service_parses_period_and_refreshes_project(project_a):
    milestone = milestone_create(
        project=project_a, user=None, kind="start", title="二季度实质性开工", due_period="2023-q2",
    )
    assert (milestone.due_period, milestone.due_date) == ("2023-Q2", date(2023, 6, 30))
    project_a.refresh_from_db()
    assert project_a.cached_next_due_date == date(2023, 6, 30)


def test_milestone_create_service_without_deadline(project_a):
    milestone = milestone_create(project=project_a, user=None, kind="commissioning", title="早日投产达效")
    assert (milestone.due_period, milestone.due_date) == ("", None)


@pytest.mark.parametrize("kwargs, field", [
    ({"due_period": "2023-Q2", "due_date": date(2023, 6, 1)}, "due_date"),
    ({"due_period": "2023-Q5"}, "due_period"),
    ({"due_period": "2023-Q2", "completed_on": date.max}, "completed_on"),
])
def test_milestone_create_service_refuses_bad_input(project_a, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        milestone_create(project=project_a, user=None, kind="start", title="开工", **kwargs)
    assert field in exc.value.message_dict
    assert not Milestone.objects.exists()


def test_batch_period_bounds_do_not_depend_on_the_database(admin_client, project_a):
    """PostgreSQL's smallint caps `period` at 32767; SQLite must refuse the same input (400, not stored)."""
    body = {"batches": [{"period": 40000, "kind": "starting"}]}
    response = admin_client.patch(f"/api/v1/projects/{project_a.pk}/", body, format="json")
    assert response.status_code == 400
    assert not project_a.batches.exists()
