"""The change feed `/api/v1/events/`: its parameters, its pages, who reads it, its cost per page."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects import services
from projects.models import Event, EventsPruned, WebhookDelivery
from tests.tasks.test_notifications import SHANGHAI, run_due_tasks

URL = "/api/v1/events/"


def _events(n, **fields):
    Event.objects.bulk_create([
        Event(type=fields.get("type", "project.changed"), object_type="project", object_id=i + 1,
              project_id=fields.get("project_id", i + 1), via="api", data={"id": i + 1})
        for i in range(n)
    ])
    return list(Event.objects.order_by("id").values_list("id", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "department", "official", "reader"])
def test_every_role_reads_the_feed(role_clients, role, project_a):
    response = role_clients[role].get(URL)
    assert response.status_code == 200
    assert [e["type"] for e in response.json()["results"]][-1] == "project.created"


@pytest.mark.django_db
def test_anonymous_is_refused(anon_client):
    assert anon_client.get(URL).status_code == 401


@pytest.mark.django_db
def test_an_event_as_the_contract_lists_it(admin_client, project_a):
    event = admin_client.get(URL).json()["results"][-1]
    assert set(event) == {"id", "type", "at", "object_type", "object_id", "project", "user", "via", "data"}
    assert (event["type"], event["object_type"], event["object_id"], event["project"]) == (
        "project.created", "project", project_a.pk, project_a.pk)
    assert event["data"]["code"] == project_a.code


@pytest.mark.django_db
def test_after_pages_and_next(admin_client):
    ids = _events(7)
    first = admin_client.get(URL, {"page_size": 3}).json()
    assert [e["id"] for e in first["results"]] == ids[:3]
    assert f"after={ids[2]}" in first["next"] and "page_size=3" in first["next"]
    second = admin_client.get(first["next"]).json()
    assert [e["id"] for e in second["results"]] == ids[3:6]
    last = admin_client.get(second["next"]).json()
    assert [e["id"] for e in last["results"]] == ids[6:]
    assert last["next"] is None
    assert admin_client.get(URL, {"after": ids[-1]}).json() == {"next": None, "results": []}


@pytest.mark.django_db
def test_type_and_project_filters(admin_client):
    _events(2, type="project.changed", project_id=5)
    _events(2, type="milestone.created", project_id=6)
    body = admin_client.get(URL, {"type": "milestone.created"}).json()
    assert {e["type"] for e in body["results"]} == {"milestone.created"}
    body = admin_client.get(URL, {"type": "milestone.created,project.changed"}).json()
    assert len(body["results"]) == 4
    body = admin_client.get(URL, {"project": 5}).json()
    assert {e["project"] for e in body["results"]} == {5} and len(body["results"]) == 2
    assert admin_client.get(URL, {"project": 999}).json()["results"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "field"), [
    ({"after": "abc"}, "after"), ({"after": "-1"}, "after"), ({"after": "1.5"}, "after"),
    ({"after": "9" * 30}, "after"), ({"after": "１２"}, "after"),
    ({"type": "project.renamed"}, "type"), ({"type": "house.created"}, "type"), ({"type": "project"}, "type"),
    ({"project": "abc"}, "project"), ({"project": "0"}, "project"),
])
def test_bad_parameters_are_400_in_chinese(admin_client, query, field):
    response = admin_client.get(URL, query)
    assert response.status_code == 400
    message = response.json()[field][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)


@pytest.mark.django_db
def test_after_defaults_to_zero_and_empty_type_means_all(admin_client):
    ids = _events(2)
    assert [e["id"] for e in admin_client.get(URL, {"after": "", "type": ""}).json()["results"]] == ids


@pytest.mark.django_db
def test_retention_prunes_old_events_and_the_feed_says_so(admin_client, settings):
    settings.EVENTS_RETENTION_DAYS = 400
    ids = _events(5)
    now = timezone.now()
    Event.objects.filter(id__in=ids[:3]).update(at=now - timedelta(days=401))
    hook = services.webhook_create(user=None, url="https://127.0.0.1:9/hooks")
    WebhookDelivery.objects.create(subscription=hook, event_id=ids[0], attempt=1, state="delivered")
    WebhookDelivery.objects.create(subscription=hook, event_id=ids[3], attempt=1, state="delivered")
    with CaptureQueriesContext(connection) as queries:
        assert services.events_prune(now=now) == 3
    # One DELETE of the events, none of them read first (their data may be megabytes).
    assert not [q["sql"] for q in queries if q["sql"].startswith("SELECT") and '"projects_event"."data"' in q["sql"]]
    assert list(WebhookDelivery.objects.values_list("event_id", flat=True)) == [ids[3]]
    assert list(Event.objects.values_list("id", flat=True)) == ids[3:]
    assert EventsPruned.objects.get().through_id == ids[2]
    response = admin_client.get(URL, {"after": ids[1]})
    assert response.status_code == 400
    assert "重新全量同步" in response.json()["after"][0] and f"after={ids[2]}" in response.json()["after"][0]
    assert admin_client.get(URL).status_code == 400  # from the start: the start is gone
    assert [e["id"] for e in admin_client.get(URL, {"after": ids[2]}).json()["results"]] == ids[3:]
    assert services.events_prune(now=now) == 0  # nothing more is old enough


@pytest.mark.django_db
def test_pruning_keeps_an_old_event_above_a_newer_one(settings):
    """Only the oldest run goes: an event stamped old behind a newer id is kept with everything after."""
    ids = _events(3)
    now = timezone.now()
    Event.objects.filter(id__in=[ids[0], ids[2]]).update(at=now - timedelta(days=500))
    assert services.events_prune(now=now) == 1
    assert list(Event.objects.values_list("id", flat=True)) == ids[1:]


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{}, {"type": "project.changed"}, {"project": 3}])
def test_a_page_costs_the_same_queries_whatever_its_size(admin_client, query):
    _events(60, project_id=3)

    def count(page_size):
        with CaptureQueriesContext(connection) as context:
            response = admin_client.get(URL, {**query, "page_size": page_size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == page_size
        return len(context.captured_queries)

    assert count(1) == count(50)


@pytest.mark.django_db
def test_the_worker_prunes_daily_at_its_time(settings):
    """huey's scheduler runs the retention at EVENTS_PRUNE_AT (Asia/Shanghai), and at no other minute."""
    settings.EVENTS_RETENTION_DAYS = 30
    ids = _events(2)
    at = datetime(2023, 5, 11, 3, 30, tzinfo=SHANGHAI)
    Event.objects.filter(id=ids[0]).update(at=at - timedelta(days=31))
    Event.objects.filter(id=ids[1]).update(at=at - timedelta(days=29))
    assert "prune_events" not in run_due_tasks(at + timedelta(minutes=1))
    assert "prune_events" in run_due_tasks(at)
    assert list(Event.objects.values_list("id", flat=True)) == ids[1:]
    assert EventsPruned.objects.get().through_id == ids[0]


def test_every_object_type_of_the_contract_has_its_row_in_the_table():
    """An object type is one row of projects/api/events.SOURCES."""
    from projects.api.events import SOURCES
    from projects.domain.choices import EVENT_OBJECT_TYPES

    assert sorted(detail.object_type for detail in SOURCES) == sorted(EVENT_OBJECT_TYPES)


@pytest.mark.django_db
def test_the_page_writes_each_event_as_its_serializer_does(admin_client, project_a):
    from projects.api.serializers.events import EventSerializer

    services.project_update(project=project_a, user=None, name="改名")
    Event.objects.create(type="project.deleted", object_type="project", object_id=99, project_id=99,
                         user_id=None, username="gone_user", via="admin", data={"id": 99})
    served = admin_client.get(URL).json()["results"]
    assert served == [dict(row) for row in EventSerializer(Event.objects.order_by("id"), many=True).data]
    assert served[-1]["user"] == {"id": None, "username": "gone_user"}
