"""Webhook fixtures: a receiver on 127.0.0.1 that verifies with `standardwebhooks`, the hosts the guard allows, events."""

import pytest

from projects.models import Event
from projects.services import webhook_create
from tests.webhook_receiver import Receiver


@pytest.fixture
def hook_settings(settings):
    """The test receivers live on 127.0.0.1 over plain http: listed exactly, http allowed, a short timeout."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_TIMEOUT = 1.0
    return settings


def append_events(count: int = 1, event_type: str = "project.changed", project_id: int | None = 7) -> list[Event]:
    """Outbox rows as a write appends them (the outbox's own writer is tested with the feed)."""
    object_type = event_type.split(".")[0]
    return [
        Event.objects.create(type=event_type, object_type=object_type, object_id=n + 1, project_id=project_id,
                             user_id=None, username="", via="api", data={"id": n + 1, "name": f"项目{n + 1}"})
        for n in range(count)
    ]


@pytest.fixture
def subscribed(hook_settings, db):
    """A subscription (to every type) and its receiver, which verifies every request with the secret."""
    placeholder = webhook_create(user=None, url="http://127.0.0.1:9/placeholder")
    with Receiver(placeholder.secret) as receiver:
        placeholder.url = receiver.url
        placeholder.save(update_fields=["url"])
        yield placeholder, receiver
