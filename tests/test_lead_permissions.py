"""The role matrix of leads: who may write which leads; every refused write changes nothing."""

import pytest

from projects.models import Lead, LeadMove, Project
from tests.factories import LeadFactory, move_lead

ROLES = ["admin", "department", "official", "reader", "anonymous"]
# (resource action) -> {role: scope it writes in}; "a" is the department-A lead followed by official A.
WRITES = {
    "create": {"admin": "any", "department": "own"},
    "put": {"admin": "any", "department": "own"},
    "patch": {"admin": "any", "department": "own"},
    "delete": {"admin": "any", "department": "own"},
    "move": {"admin": "any", "department": "own", "official": "own"},
    "convert": {"admin": "any"},
}
SUCCESS = {"create": 201, "put": 200, "patch": 200, "delete": 204, "move": 201, "convert": 201}


def snapshot() -> dict:
    return {model._meta.label: list(model.objects.order_by("pk").values_list())
            for model in (Lead, LeadMove, Project, Lead.history.model)}


def expected(role: str, action: str, scope: str) -> int:
    if role == "anonymous":
        return 401
    allowed = WRITES[action].get(role)
    if allowed is None or (allowed == "own" and scope != "a"):
        return 403
    return SUCCESS[action]


@pytest.fixture
def leads(dept_a, dept_b, official_a, official_b):
    return {
        "a": move_lead(LeadFactory(name="线索甲", department=dept_a, official=official_a), ("signed", "2023-03-01")),
        "b": move_lead(LeadFactory(name="线索乙", department=dept_b, official=official_b), ("signed", "2023-03-01")),
        "dept": {"a": dept_a, "b": dept_b},
    }


def request_for(leads, action, scope):
    lead = leads[scope]
    department = leads["dept"][scope]
    body = {"name": "新线索", "department": department.pk, "received_on": "2023-04-01", "sector": "commerce"}
    if action == "create":
        return "post", "/api/v1/leads/", body
    if action == "put":
        return "put", f"/api/v1/leads/{lead.pk}/", {**body, "received_on": lead.received_on.isoformat()}
    if action == "patch":
        return "patch", f"/api/v1/leads/{lead.pk}/", {"note": "补充情况"}
    if action == "delete":
        lead.moves.all().delete()  # a lead with moves is never deleted (409): test the role alone
        Lead.objects.filter(pk=lead.pk).update(stage="lead", contacted_on=None, negotiating_on=None, signed_on=None)
        return "delete", f"/api/v1/leads/{lead.pk}/", None
    if action == "move":
        return "post", f"/api/v1/leads/{lead.pk}/moves/", {"stage": "landed", "moved_on": "2023-04-01"}
    return "post", f"/api/v1/leads/{lead.pk}/project/", {"code": f"EQ2023-L{scope}", "year": 2023}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(WRITES))
@pytest.mark.parametrize("scope", ["a", "b"])
def test_lead_write_matrix(role_clients, leads, role, action, scope):
    method, url, body = request_for(leads, action, scope)
    status = expected(role, action, scope)
    before = snapshot()
    response = getattr(role_clients[role], method)(url, body, format="json")
    assert response.status_code == status, response.content
    if status >= 400:
        assert snapshot() == before
    else:
        assert snapshot() != before


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_leads(role_clients, leads, role):
    response = role_clients[role].get("/api/v1/leads/")
    assert response.status_code == (401 if role == "anonymous" else 200)


def test_department_cannot_move_its_lead_to_another_department(department_client, leads):
    before = snapshot()
    response = department_client.patch(f"/api/v1/leads/{leads['a'].pk}/", {"department": leads["dept"]["b"].pk},
                                       format="json")
    assert response.status_code == 403
    assert snapshot() == before


def test_official_moves_only_leads_it_follows(official_client, leads, official_a):
    unfollowed = LeadFactory(name="线索丙", department=leads["dept"]["a"], official=None)
    before = snapshot()
    response = official_client.post(f"/api/v1/leads/{unfollowed.pk}/moves/", {"stage": "contacted",
                                                                              "moved_on": "2023-04-01"}, format="json")
    assert response.status_code == 403
    assert snapshot() == before
