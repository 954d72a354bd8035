"""The verification examples of docs/integration.md, run as written against real deliveries."""

import re
from datetime import timedelta

import pytest
import time_machine

from projects.models import WebhookSubscription
from projects.services import webhook_create, webhook_fan_out
from projects.tasks.webhooks import webhook_send_next
from tests.servers import ROOT
from tests.webhook_receiver import Receiver
from tests.webhooks.conftest import append_events

pytestmark = pytest.mark.django_db

BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "integration.md").read_text(), re.S)


def example(name: str) -> dict:
    """The namespace of the doc's code block that defines `name`."""
    [code] = [block for block in BLOCKS if f"def {name}(" in block]
    namespace: dict = {}
    exec(compile(code, "docs/integration.md", "exec"), namespace)
    return namespace


def delivered(hook_settings) -> tuple[str, object]:
    """One real delivery, as the receiver got it (headers and raw body), and the subscription's secret."""
    hook = webhook_create(user=None, url="http://127.0.0.1:9/x")
    with Receiver(hook.secret) as receiver:
        WebhookSubscription.objects.filter(pk=hook.pk).update(url=receiver.url)
        append_events(1)
        webhook_fan_out(subscription_id=hook.pk)
        webhook_send_next(hook.pk)
    [hit] = receiver.hits
    return hook.secret, hit


def test_the_standard_library_example_accepts_a_delivery_and_refuses_tampering(hook_settings):
    verify_webhook = example("verify_webhook")["verify_webhook"]
    secret, hit = delivered(hook_settings)
    body = hit.raw
    assert verify_webhook(secret, hit.headers, body)
    assert not verify_webhook(secret, hit.headers, body.replace(b"project", b"problem"))
    assert not verify_webhook(secret, {**hit.headers, "webhook-id": "999"}, body)
    other = webhook_create(user=None, url="http://127.0.0.1:9/y").secret
    assert not verify_webhook(other, hit.headers, body)
    with time_machine.travel(timedelta(minutes=6)):
        assert not verify_webhook(secret, hit.headers, body)  # a replay after 5 minutes


def test_the_library_example_hands_over_each_event_once(hook_settings):
    receive = example("receive")["receive"]
    secret, hit = delivered(hook_settings)
    seen: set = set()
    event = receive(secret, hit.headers, hit.raw, seen)
    assert event["id"] == int(hit.webhook_id) and event["type"] == "project.changed"
    assert receive(secret, hit.headers, hit.raw, seen) is None  # the same delivery again: a duplicate
    assert receive(secret, hit.headers, hit.raw + b" ", set()) is None  # tampered
