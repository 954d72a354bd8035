"""招商引资 leads: the stage workflow for every pair, moves, idempotency, conversion to a key project."""

from datetime import date, timedelta

import pytest

from projects.domain.choices import LeadStage
from projects.domain.dates import today
from projects.models import Lead, LeadMove, Project
from projects.services import lead_create, lead_move_create, lead_update
from tests.factories import LeadFactory, move_lead

PATH = ["lead", "contacted", "negotiating", "signed", "landed"]
DATE_FIELD = {"lead": "received_on", "contacted": "contacted_on", "negotiating": "negotiating_on",
              "signed": "signed_on", "landed": "landed_on", "dropped": "dropped_on"}
# The contract's workflow, written out: forward with skips, dropped before landed, landed/dropped final.
ALLOWED = {
    "lead": {"contacted", "negotiating", "signed", "landed", "dropped"},
    "contacted": {"negotiating", "signed", "landed", "dropped"},
    "negotiating": {"signed", "landed", "dropped"},
    "signed": {"landed", "dropped"},
    "landed": set(),
    "dropped": set(),
}
PAIRS = [(current, target) for current in LeadStage.values for target in LeadStage.values]


def lead_in(stage: str, **kwargs) -> Lead:
    lead = LeadFactory(received_on=date(2023, 1, 10), **kwargs)
    if stage != "lead":
        move_lead(lead, (stage, "2023-03-01"))
    return lead


def lead_state(lead: Lead) -> tuple:
    lead.refresh_from_db()
    return (lead.stage, *(getattr(lead, f) for f in DATE_FIELD.values()), lead.moves.count())


@pytest.mark.parametrize("current, target", PAIRS)
def test_workflow_every_stage_pair(admin_client, current, target):
    lead = lead_in(current)
    before = lead_state(lead)
    response = admin_client.post(f"/api/v1/leads/{lead.pk}/moves/", {"stage": target, "moved_on": "2023-04-01"},
                                 format="json")
    if target not in ALLOWED[current]:
        assert response.status_code == 400, response.content
        assert "stage" in response.json()
        assert lead_state(lead) == before
        return
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["stage_from"], body["stage"], body["moved_on"]) == (current, target, "2023-04-01")
    lead.refresh_from_db()
    assert lead.stage == target
    if target == "dropped":
        reached = ["dropped"]
    else:
        reached = PATH[PATH.index(current) + 1: PATH.index(target) + 1]
    for stage, field in DATE_FIELD.items():
        if stage in reached:
            assert getattr(lead, field) == date(2023, 4, 1), field
        elif stage == "lead" or (current != "lead" and stage in PATH[1: PATH.index(current) + 1]):
            assert getattr(lead, field) is not None, field  # reached before, kept
        else:
            assert getattr(lead, field) is None, field


def test_skipping_dates_every_passed_stage(db):
    lead = move_lead(LeadFactory(), ("landed", "2023-04-20"))
    assert (lead.contacted_on, lead.negotiating_on, lead.signed_on, lead.landed_on) == (date(2023, 4, 20),) * 4
    assert lead.dropped_on is None
    move = lead.moves.get()
    assert (move.stage_from, move.stage) == ("lead", "landed")


@pytest.mark.parametrize("moved_on, field", [
    ("2023-01-09", "moved_on"),  # before the lead came in
    ("1999-12-31", "moved_on"),
    ("0023-05-04", "moved_on"),
])
def test_illegal_move_dates_change_nothing(admin_client, moved_on, field):
    lead = lead_in("contacted")
    before = lead_state(lead)
    response = admin_client.post(f"/api/v1/leads/{lead.pk}/moves/", {"stage": "signed", "moved_on": moved_on},
                                 format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert lead_state(lead) == before


def test_move_before_the_previous_stage_is_refused(admin_client):
    lead = lead_in("negotiating")  # negotiating on 2023-03-01
    before = lead_state(lead)
    response = admin_client.post(f"/api/v1/leads/{lead.pk}/moves/", {"stage": "signed", "moved_on": "2023-02-28"},
                                 format="json")
    assert response.status_code == 400
    assert "2023-03-01" in response.json()["moved_on"][0]
    assert lead_state(lead) == before


def test_move_after_today_is_refused(admin_client):
    lead = lead_in("lead")
    before = lead_state(lead)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = admin_client.post(f"/api/v1/leads/{lead.pk}/moves/", {"stage": "contacted", "moved_on": tomorrow},
                                 format="json")
    assert response.status_code == 400
    assert "moved_on" in response.json()
    assert lead_state(lead) == before


def test_unknown_stage_and_malformed_date_are_400_in_chinese(admin_client):
    lead = lead_in("lead")
    for body in ({"stage": "won"}, {"stage": "signed", "moved_on": "2023-02-30"}, {}):
        response = admin_client.post(f"/api/v1/leads/{lead.pk}/moves/", body, format="json")
        assert response.status_code == 400, body
    assert lead_state(lead)[-1] == 0


def test_move_defaults_to_today(admin_client):
    lead = lead_in("lead")
    response = admin_client.post(f"/api/v1/leads/{lead.pk}/moves/", {"stage": "contacted"}, format="json")
    assert response.status_code == 201
    assert response.json()["moved_on"] == today().isoformat()


def test_idempotency_key_replays_and_refuses_another_body(admin_client):
    lead = lead_in("lead")
    url = f"/api/v1/leads/{lead.pk}/moves/"
    body = {"stage": "contacted", "moved_on": "2023-02-01", "note": "首次对接"}
    first = admin_client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = admin_client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert LeadMove.objects.count() == 1
    before = lead_state(lead)
    other = admin_client.post(url, {**body, "stage": "signed"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422
    assert lead_state(lead) == before


def test_moves_are_listed_under_their_lead(admin_client):
    """(They are append-only: the role matrix, test_permissions, answers 405 to every edit.)"""
    lead = move_lead(lead_in("lead"), ("contacted", "2023-02-01"), ("signed", "2023-03-01"))
    other = move_lead(lead_in("lead"), ("dropped", "2023-02-01"))
    body = admin_client.get(f"/api/v1/leads/{lead.pk}/moves/").json()
    assert body["count"] == 2
    assert [(m["stage_from"], m["stage"], m["moved_on"]) for m in body["results"]] == [
        ("lead", "contacted", "2023-02-01"), ("contacted", "signed", "2023-03-01"),
    ]
    assert admin_client.get(f"/api/v1/leads/{other.pk}/moves/").json()["count"] == 1


def test_stage_and_dates_are_not_edited(admin_client):
    lead = lead_in("contacted")
    before = lead_state(lead)
    for body in ({"received_on": "2023-01-11"}, {"stage": "signed"}):
        response = admin_client.patch(f"/api/v1/leads/{lead.pk}/", body, format="json")
        # stage is read-only on the write serializer: ignored, nothing changes; received_on is refused.
        assert response.status_code in (200, 400)
    assert lead_state(lead) == before
    response = admin_client.patch(f"/api/v1/leads/{lead.pk}/", {"received_on": "2023-01-11"}, format="json")
    assert response.status_code == 400 and "received_on" in response.json()


def test_service_refuses_edits_of_moved_fields(db):
    lead = lead_in("contacted")
    with pytest.raises(Exception):
        lead_update(lead=lead, user=None, contacted_on=date(2023, 2, 2))
    with pytest.raises(Exception):
        lead_create(user=None, name="新线索", department=lead.department, stage="signed")


def test_create_lead_through_api(admin_client, dept_a):
    body = {"name": "示例线索", "enterprise": "某企业", "sector": "industry", "amount": "5000.00",
            "source": "豫粤合作交流会", "department": dept_a.code and dept_a.pk, "received_on": "2023-04-01"}
    response = admin_client.post("/api/v1/leads/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["stage"], data["stage_display"], data["sector_display"]) == ("lead", "线索", "产业")
    assert data["department"]["code"] == "fgw"
    assert data["moves"] == []


@pytest.mark.parametrize("received_on", ["1999-12-31", "2100-01-01", "0023-05-04"])
def test_create_lead_bounds(admin_client, dept_a, received_on):
    response = admin_client.post("/api/v1/leads/", {"name": "线索", "department": dept_a.pk,
                                                    "received_on": received_on}, format="json")
    assert response.status_code == 400
    assert "received_on" in response.json()
    assert not Lead.objects.exists()


def test_lead_with_moves_is_not_deleted(admin_client):
    lead = move_lead(lead_in("lead"), ("contacted", "2023-02-01"))
    assert admin_client.delete(f"/api/v1/leads/{lead.pk}/").status_code == 409
    assert Lead.objects.filter(pk=lead.pk).exists()
    fresh = lead_in("lead")
    assert admin_client.delete(f"/api/v1/leads/{fresh.pk}/").status_code == 204


def test_concurrent_style_double_key_is_one_move(db):
    from tests.factories import UserFactory

    user = UserFactory()
    lead = lead_in("lead")
    move = lead_move_create(lead=lead, user=user, stage="contacted", moved_on=date(2023, 2, 1),
                            idempotency_key="x", fingerprint="f")
    again = lead_move_create(lead=lead, user=user, stage="contacted", moved_on=date(2023, 2, 1),
                             idempotency_key="x", fingerprint="f")
    assert (move.replayed, again.replayed) == (False, True) and again.pk == move.pk


# --- from lead to key project -----------------------------------------------------------------


def test_signed_lead_becomes_a_key_project(admin_client, official_a):
    lead = lead_in("signed", official=official_a, sector="commerce", amount="27000.00", enterprise="中恒保通")
    response = admin_client.post(f"/api/v1/leads/{lead.pk}/project/", {"code": "EQ2023-101", "year": 2023},
                                 format="json")
    assert response.status_code == 201, response.content
    project = response.json()
    assert (project["name"], project["sector"], project["status"], project["category"]) == (
        lead.name, "commerce", "signed", "preparation")
    assert (project["total_investment"], project["owner"]) == ("27000.00", "中恒保通")
    assert project["lead_official"]["id"] == official_a.pk
    assert project["source_lead"] == {"id": lead.pk, "name": lead.name, "stage": "signed", "stage_display": "已签约"}
    lead.refresh_from_db()
    assert lead.project.code == "EQ2023-101"
    detail = admin_client.get(f"/api/v1/projects/{lead.project_id}/").json()
    assert detail["source_lead"]["id"] == lead.pk
    assert admin_client.get(f"/api/v1/leads/{lead.pk}/").json()["project"]["code"] == "EQ2023-101"


def test_project_fields_in_the_body_win(admin_client):
    lead = lead_in("landed")
    response = admin_client.post(f"/api/v1/leads/{lead.pk}/project/", {
        "code": "EQ2023-102", "year": 2023, "name": "改名后的项目", "category": "start", "status": "planned",
    }, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["name"], response.json()["category"], response.json()["status"]) == (
        "改名后的项目", "start", "planned")


@pytest.mark.parametrize("stage", ["lead", "contacted", "negotiating", "dropped"])
def test_unsigned_lead_is_not_converted(admin_client, stage):
    lead = lead_in(stage)
    response = admin_client.post(f"/api/v1/leads/{lead.pk}/project/", {"code": "EQ2023-103", "year": 2023},
                                 format="json")
    assert response.status_code == 409
    assert not Project.objects.exists()


def test_lead_is_converted_once_and_bad_project_changes_nothing(admin_client):
    lead = lead_in("signed")
    bad = admin_client.post(f"/api/v1/leads/{lead.pk}/project/", {"code": "EQ2023-104", "year": 1800},
                            format="json")
    assert bad.status_code == 400
    assert not Project.objects.exists()
    assert admin_client.post(f"/api/v1/leads/{lead.pk}/project/", {"code": "EQ2023-104", "year": 2023},
                             format="json").status_code == 201
    again = admin_client.post(f"/api/v1/leads/{lead.pk}/project/", {"code": "EQ2023-105", "year": 2023},
                              format="json")
    assert again.status_code == 409
    assert Project.objects.count() == 1
