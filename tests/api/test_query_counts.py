"""Every list answers in the same number of queries for 1 and for 20 rows, at a past and a future as_of."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.domain.dates import today
from projects.services import status_update_create
from tests.factories import (
    ApprovalItemFactory,
    DepartmentFactory,
    MilestoneFactory,
    OfficialFactory,
    ProjectBatchFactory,
    ProjectFactory,
    UserFactory,
    VisitFactory,
)

PAST = date(2023, 5, 4)


def future() -> date:
    """After today: the flags come from the cached columns (the live plan)."""
    return today() + timedelta(days=30)


def full_project(**kwargs):
    """A project with everything a list may nest: department, official, milestones, batches, a visit."""
    project = ProjectFactory(**kwargs)
    MilestoneFactory(project=project, kind="start", title="开工", due_date=date(2023, 3, 31))
    MilestoneFactory(project=project, kind="completion", title="建成", due_date=date(2023, 12, 31),
                     completed_on=date(2023, 4, 1))
    ProjectBatchFactory(project=project, period=7, kind="starting")
    VisitFactory(project=project, visited_on=date(2023, 3, 1))
    return project


def add_status_updates(n, state):
    project = state.setdefault("project", full_project())
    user = state.setdefault("user", UserFactory(username="reporter"))
    for _ in range(n):
        status_update_create(project=project, user=user, note="进展", reported_on=date(2023, 4, 28))
    return project


def add_officials(n, state):
    department = state.setdefault("department", DepartmentFactory(code="zfj"))
    for _ in range(n):
        official = OfficialFactory(department=department)
        full_project(lead_official=official, department=department)


def add_departments(n, state):
    DepartmentFactory.create_batch(n)


def add_projects(n, state):
    for _ in range(n):
        full_project()


def add_milestones(n, state):
    project = state.setdefault("project", ProjectFactory())
    for _ in range(n):
        MilestoneFactory(project=project, kind="other")


def add_visits(n, state):
    project = state.setdefault("project", ProjectFactory())
    for _ in range(n):
        VisitFactory(project=project)


def add_approvals(n, state):
    for _ in range(n):
        ApprovalItemFactory(project=full_project())


LISTS = {
    "/api/v1/projects/": add_projects,
    "/api/v1/milestones/": add_milestones,
    "/api/v1/status-updates/": add_status_updates,
    "/api/v1/visits/": add_visits,
    "/api/v1/approvals/": add_approvals,
    "/api/v1/officials/": add_officials,
    "/api/v1/departments/": add_departments,
    "project-status-updates": add_status_updates,
}


def count_queries(client, url, as_of, rows) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, {"as_of": as_of.isoformat()})
    assert response.status_code == 200
    assert response.json()["count"] == rows, "the list should hold exactly the rows made"
    return len(context.captured_queries)


@pytest.mark.parametrize("when", ["past", "future"])
@pytest.mark.parametrize("endpoint", list(LISTS))
def test_list_query_count_is_constant(reader_client, endpoint, when):
    as_of = PAST if when == "past" else future()
    state: dict = {}
    add_rows = LISTS[endpoint]
    add_rows(1, state)
    url = f"/api/v1/projects/{state['project'].pk}/status-updates/" if endpoint == "project-status-updates" \
        else endpoint
    one = count_queries(reader_client, url, as_of, 1)
    add_rows(19, state)
    twenty = count_queries(reader_client, url, as_of, 20)
    assert twenty == one


@pytest.mark.parametrize("endpoint", list(LISTS))
def test_list_query_count_does_not_follow_the_page_size(reader_client, endpoint):
    """Pages of 10, 50 and 500 rows (of 12) cost the same queries, at a past and a future as_of."""
    state: dict = {}
    LISTS[endpoint](12, state)
    url = f"/api/v1/projects/{state['project'].pk}/status-updates/" if endpoint == "project-status-updates" \
        else endpoint
    for as_of in (PAST, future()):
        counts = {}
        for page_size in (10, 50, 500):
            with CaptureQueriesContext(connection) as context:
                response = reader_client.get(url, {"as_of": as_of.isoformat(), "page_size": page_size})
            assert response.status_code == 200
            assert len(response.json()["results"]) == min(page_size, 12)
            counts[page_size] = len(context.captured_queries)
        assert counts[10] == counts[50] == counts[500], counts
