"""An admin page opened at a past `?as_of=` speaks of that day throughout: the light, its reasons
and the days since the last visit agree with the API's answer for the same day."""

from datetime import date

import pytest
from django.urls import reverse

from projects.domain.choices import Role
from tests.admin.clients import signed_in
from tests.conftest import AS_OF
from tests.factories import MilestoneFactory, VisitFactory

PAST = date(2023, 4, 1)


@pytest.fixture(autouse=True)
def pinned_as_of(settings):
    settings.PORTFOLIO_AS_OF = AS_OF


@pytest.fixture
def late_project(project_a):
    """Overdue by 12 days on PAST and by 45 on the default day; visited 15 and 49 days before them."""
    MilestoneFactory(project=project_a, due_date=date(2023, 3, 20), title="主体开工")
    VisitFactory(project=project_a, visited_on=date(2023, 3, 17))
    return project_a


def api_project(reader_client, project, as_of: date) -> dict:
    response = reader_client.get(f"/api/v1/projects/{project.pk}/", {"as_of": as_of.isoformat()})
    assert response.status_code == 200
    return response.json()


def test_the_change_page_at_a_past_day_gives_that_days_reasons(late_project, reader_client):
    office = signed_in(Role.ADMIN)
    url = reverse("admin:projects_project_change", args=[late_project.pk])
    for day in (PAST, AS_OF):
        reasons = api_project(reader_client, late_project, day)["warning_reasons"]
        assert reasons, "the fixture must light the project on both days"
        page = office.get(url, {"as_of": day.isoformat()}).content.decode()
        for reason in reasons:
            assert reason["detail"] in page
    past = {r["detail"] for r in api_project(reader_client, late_project, PAST)["warning_reasons"]}
    today = {r["detail"] for r in api_project(reader_client, late_project, AS_OF)["warning_reasons"]}
    assert past != today  # otherwise the test could not tell the two days apart
    past_page = office.get(url, {"as_of": PAST.isoformat()}).content.decode()
    assert not any(detail in past_page for detail in today - past)


def test_the_officials_list_at_a_past_day_counts_days_to_that_day(late_project, official_a, reader_client):
    official = signed_in(Role.OFFICIAL, official=official_a)
    url = reverse("admin:projects_project_changelist")
    for day in (PAST, AS_OF):
        last = date.fromisoformat(api_project(reader_client, late_project, day)["last_visit_on"])
        page = official.get(url, {"as_of": day.isoformat()}).content.decode()
        assert f"{(day - last).days} 天" in page
    assert "15 天" in official.get(url, {"as_of": PAST.isoformat()}).content.decode()
    assert "49 天" not in official.get(url, {"as_of": PAST.isoformat()}).content.decode()
