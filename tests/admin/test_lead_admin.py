"""The lead admin: the funnel on the list, filters, moves through the service, the policy's roles."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from projects.domain.choices import Role
from projects.models import Lead, LeadMove
from tests.conftest import AS_OF
from tests.factories import LeadFactory, UserFactory, UserProfileFactory, move_lead


@pytest.fixture(autouse=True)
def pinned_as_of(settings):
    settings.PORTFOLIO_AS_OF = AS_OF


@pytest.fixture
def staff(db) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("office", "office@example.com", None))
    return client


@pytest.fixture
def pipeline(dept_a, dept_b):
    move_lead(LeadFactory(name="中恒保通内外贸一体化双向贸易数字中心", department=dept_a), ("signed", "2023-03-01"))
    move_lead(LeadFactory(name="澳康达项目", department=dept_b), ("negotiating", "2023-03-01"))
    LeadFactory(name="一条线索", department=dept_b, received_on=date(2022, 5, 1))


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_list_shows_the_funnel_and_filters(staff, pipeline, dept_a):
    html = page(staff.get("/admin/projects/lead/"))
    assert "招商引资漏斗（2023年，截至 2023-05-04" in html
    assert "<td>2</td><td>2</td><td>1</td>" in html  # received in 2023, contacted, in talks
    filtered = page(staff.get("/admin/projects/lead/", {"department__id__exact": dept_a.pk}))
    assert "<td>1</td><td>1</td><td>0</td>" in filtered
    assert "澳康达项目" not in filtered.split("result_list")[1]
    for params in ({"stage__exact": "negotiating"}, {"year": "2022"}, {"q": "澳康达"}, {"source": "豫粤合作交流会"}):
        assert staff.get("/admin/projects/lead/", params).status_code == 200


def test_change_page_shows_moves_read_only(staff, pipeline):
    lead = Lead.objects.get(name="澳康达项目")
    html = page(staff.get(f"/admin/projects/lead/{lead.pk}/change/"))
    assert "推进线索" in html and "在谈" in html


def test_move_form_goes_through_the_service(staff, pipeline):
    lead = Lead.objects.get(name="澳康达项目")
    response = staff.post("/admin/projects/leadmove/add/", {"lead": lead.pk, "stage": "landed",
                                                            "moved_on": "2023-04-10", "note": "落地"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.stage, lead.signed_on, lead.landed_on) == ("landed", date(2023, 4, 10), date(2023, 4, 10))
    assert lead.moves.get(stage="landed").moved_by.username == "office"


def test_illegal_move_in_the_admin_changes_nothing(staff, pipeline):
    lead = Lead.objects.get(name="澳康达项目")
    moves = LeadMove.objects.count()
    response = staff.post("/admin/projects/leadmove/add/", {"lead": lead.pk, "stage": "contacted",
                                                            "moved_on": "2023-04-10"})
    assert response.status_code == 200
    assert "不能从“在谈”退回“已对接”" in response.content.decode()
    assert LeadMove.objects.count() == moves
    lead.refresh_from_db()
    assert lead.stage == "negotiating"


def test_lead_created_in_the_admin_through_the_service(staff, dept_a):
    response = staff.post("/admin/projects/lead/add/", {
        "name": "星驾科技氢能源项目", "sector": "industry", "amount": "800000.00", "department": dept_a.pk,
        "received_on": "2023-04-01", "moves-TOTAL_FORMS": "0", "moves-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Lead.objects.get().stage == "lead"


def test_reader_cannot_add_and_department_only_its_own(dept_a, dept_b, pipeline):
    reader = UserProfileFactory(user=UserFactory(username="r", is_staff=True), role=Role.READER).user
    clerk = UserProfileFactory(user=UserFactory(username="c", is_staff=True), role=Role.DEPARTMENT,
                               department=dept_a).user
    client = Client()
    client.force_login(reader)
    assert client.get("/admin/projects/lead/").status_code == 200
    assert client.get("/admin/projects/lead/add/").status_code == 403
    assert client.get("/admin/projects/leadmove/add/").status_code == 403
    client.force_login(clerk)
    foreign = Lead.objects.get(name="澳康达项目")
    before = LeadMove.objects.count()
    response = client.post("/admin/projects/leadmove/add/", {"lead": foreign.pk, "stage": "signed",
                                                             "moved_on": "2023-04-10"})
    # The clerk's lead picker does not offer another department's lead: the form refuses it.
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert LeadMove.objects.count() == before
