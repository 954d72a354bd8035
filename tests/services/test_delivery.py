"""保交楼 on housing projects: "一楼一策一专班一银行" and 停工/窝工 since; refused elsewhere; history kept."""

from datetime import timedelta

import pytest

from projects.domain.dates import today
from projects.models import Project
from tests.factories import ProjectFactory

DELIVERY = {"plan": "一楼一策：3号楼先行复工", "task_force": "专班：住建局牵头，街道、开发商参加",
            "bank": "中原银行", "stalled_since": "2023-03-01"}


@pytest.fixture
def housing(dept_a, official_a):
    return ProjectFactory(department=dept_a, lead_official=official_a, sector="housing", name="保交楼安置房")


def test_housing_project_carries_delivery(admin_client, housing):
    response = admin_client.patch(f"/api/v1/projects/{housing.pk}/", {"delivery": DELIVERY}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["delivery"] == DELIVERY
    # A partial delivery changes only the keys given; null clears it all.
    response = admin_client.patch(f"/api/v1/projects/{housing.pk}/", {"delivery": {"stalled_since": None}},
                                  format="json")
    assert response.json()["delivery"] == {**DELIVERY, "stalled_since": None}
    response = admin_client.patch(f"/api/v1/projects/{housing.pk}/", {"delivery": None}, format="json")
    assert response.json()["delivery"] == {"plan": "", "task_force": "", "bank": "", "stalled_since": None}


def test_delivery_history_is_kept(admin_client, housing):
    admin_client.patch(f"/api/v1/projects/{housing.pk}/", {"delivery": DELIVERY}, format="json")
    admin_client.patch(f"/api/v1/projects/{housing.pk}/", {"delivery": {"bank": "郑州银行"}}, format="json")
    banks = list(housing.history.order_by("history_id").values_list("delivery_bank", flat=True))
    assert banks[-2:] == ["中原银行", "郑州银行"]


def test_delivery_on_a_non_housing_project_is_400(admin_client, project_a):
    before = Project.objects.filter(pk=project_a.pk).values().get()
    response = admin_client.patch(f"/api/v1/projects/{project_a.pk}/", {"delivery": DELIVERY}, format="json")
    assert response.status_code == 400
    assert "delivery" in response.json()
    assert Project.objects.filter(pk=project_a.pk).values().get() == before
    assert admin_client.get(f"/api/v1/projects/{project_a.pk}/").json()["delivery"] is None


def test_housing_project_with_delivery_cannot_leave_housing(admin_client, housing):
    admin_client.patch(f"/api/v1/projects/{housing.pk}/", {"delivery": DELIVERY}, format="json")
    response = admin_client.patch(f"/api/v1/projects/{housing.pk}/", {"sector": "industry"}, format="json")
    assert response.status_code == 400
    housing.refresh_from_db()
    assert housing.sector == "housing"


def test_create_with_delivery(admin_client, dept_a):
    body = {"code": "EQ2023-H01", "name": "安置房", "year": 2023, "category": "construction", "sector": "housing",
            "department": dept_a.pk, "delivery": DELIVERY}
    response = admin_client.post("/api/v1/projects/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["delivery"] == DELIVERY
    bad = admin_client.post("/api/v1/projects/", {**body, "code": "EQ2023-H02", "sector": "commerce"}, format="json")
    assert bad.status_code == 400
    assert not Project.objects.filter(code="EQ2023-H02").exists()


@pytest.mark.parametrize("day", ["1999-12-31", "future"])
def test_stalled_since_is_bounded(admin_client, housing, day):
    if day == "future":
        day = (today() + timedelta(days=1)).isoformat()
    response = admin_client.patch(f"/api/v1/projects/{housing.pk}/", {"delivery": {"stalled_since": day}},
                                  format="json")
    assert response.status_code == 400
    assert "delivery" in response.json()
    housing.refresh_from_db()
    assert housing.delivery_stalled_since is None


def test_delivery_in_the_project_spreadsheet(reader_client, housing, admin_client):
    admin_client.patch(f"/api/v1/projects/{housing.pk}/", {"delivery": DELIVERY}, format="json")
    text = reader_client.get("/api/v1/projects/", {"format": "csv"}).getvalue().decode("utf-8-sig")  # streamed
    assert "保交楼：一楼一策" in text and "中原银行" in text and "2023-03-01" in text


def test_admin_shows_delivery_section_on_housing_projects_only(housing, project_a):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.create_superuser("office", "office@example.com", None))
    assert "保交楼（一楼一策一专班一银行）" in client.get(f"/admin/projects/project/{housing.pk}/change/").content.decode()
    assert "保交楼" not in client.get(f"/admin/projects/project/{project_a.pk}/change/").content.decode()


def test_admin_project_page_links_its_source_lead(admin_client, dept_a):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from tests.factories import LeadFactory, move_lead

    lead = move_lead(LeadFactory(name="时事通医疗器械产业园", department=dept_a), ("signed", "2023-03-01"))
    project_id = admin_client.post(f"/api/v1/leads/{lead.pk}/project/", {"code": "EQ2023-S1", "year": 2023},
                                   format="json").json()["id"]
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("office", "office@example.com", None))
    html = client.get(f"/admin/projects/project/{project_id}/change/").content.decode()
    assert "转化自招商线索" in html and f"/admin/projects/lead/{lead.pk}/change/" in html
