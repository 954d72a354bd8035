"""Writes cost a small fixed number of queries: no round trip per check constraint or per lookup."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from projects import services
from projects.domain.choices import Role
from projects.models import StatusUpdate
from tests.factories import MilestoneFactory, ProjectFactory, UserFactory, UserProfileFactory


def clerk_client(project) -> APIClient:
    user = UserProfileFactory(user=UserFactory(username="clerk"), role=Role.DEPARTMENT,
                              department=project.department).user
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {services.token_issue(user=user, days=30)}")
    return client


def counted(client, method, url, body):
    with CaptureQueriesContext(connection) as context:
        response = getattr(client, method)(url, body, format="json")
    return response, [q["sql"] for q in context.captured_queries]


@pytest.mark.django_db
@pytest.mark.parametrize("status", [None, "under_construction"])
def test_a_status_update_post_takes_at_most_ten_queries(status):
    project = ProjectFactory(status="signed")
    MilestoneFactory(project=project, kind="start", title="开工", due_date=date(2023, 6, 30))
    client = clerk_client(project)
    body = {"note": "本周正常推进", "progress_percent": 30, **({"status": status} if status else {})}
    response, queries = counted(client, "post", f"/api/v1/projects/{project.pk}/status-updates/", body)
    assert response.status_code == 201, response.content
    # Token and role, the project, then under lock (a SAVEPOINT pair inside the test's transaction):
    # the project, its update and history row, the report and its history row. Moving the status also
    # reads and completes the milestone it reaches (select, update, history row) and refreshes the
    # cached deadline (one UPDATE): 11 statements besides the savepoints, one over the 10.
    # The change feed's outbox adds, once at commit: the project read as its detail (the row with its
    # flags, its milestones, its rounds: 3), the completed milestone read with its flags (1, on a
    # move), the report from the row in hand (0), one INSERT of all the events, and on PostgreSQL the
    # claim on the event ids (projects/selectors/events.py).
    outbox = (3 if status is None else 4) + 1 + (connection.vendor == "postgresql")
    assert len(queries) <= (10 if status is None else 13) + outbox, "\n".join(queries)
    assert sum('INTO "projects_event"' in q for q in queries) == 1
    assert not [q for q in queries if "_check" in q], "check constraints are judged in Python"
    assert StatusUpdate.objects.filter(project=project).count() == 1


@pytest.mark.django_db
def test_a_refused_status_update_still_changes_nothing():
    project = ProjectFactory(status="signed", completed_investment=100)
    client = clerk_client(project)
    response, _ = counted(client, "post", f"/api/v1/projects/{project.pk}/status-updates/",
                          {"note": "x", "completed_investment": "50"})
    assert response.status_code == 400
    project.refresh_from_db()
    assert (project.completed_investment, project.version) == (100, 1)
    assert not StatusUpdate.objects.exists()
