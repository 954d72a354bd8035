"""The first call a client makes: authentication required, and a project's flags for the `as_of` it asks."""

from datetime import timedelta

from tests.factories import MilestoneFactory, VisitFactory


def test_project_list_needs_auth(anon_client, project_a):
    response = anon_client.get("/api/v1/projects/")
    assert response.status_code == 401
    assert "results" not in response.json()


def test_project_detail_flags_follow_as_of(reader_client, project_a, as_of):
    """The same project is green on its milestone's due day and yellow the day after."""
    MilestoneFactory(project=project_a, due_date=as_of)
    VisitFactory(project=project_a, visited_on=as_of - timedelta(days=3))
    url = f"/api/v1/projects/{project_a.pk}/"

    on_due_day = reader_client.get(url, {"as_of": as_of.isoformat()})
    assert on_due_day.status_code == 200
    assert on_due_day["ETag"] == f'"{project_a.pk}-1"'
    body = on_due_day.json()
    assert (body["code"], body["next_due_date"]) == (project_a.code, as_of.isoformat())
    assert (body["is_overdue"], body["warning_level"], body["warning_reasons"]) == (False, "green", [])

    day_after = reader_client.get(url, {"as_of": (as_of + timedelta(days=1)).isoformat()}).json()
    assert (day_after["is_overdue"], day_after["overdue_milestone_count"], day_after["warning_level"]) == (
        True, 1, "yellow")
    assert [reason["rule"] for reason in day_after["warning_reasons"]] == ["milestone_overdue"]
