"""Delivery against a real receiver on 127.0.0.1 that verifies each request with `standardwebhooks`:
the headers and signature, which events a subscription gets, order, the retry schedule under a
controlled clock, 410 and five failing days switching a subscription off, the guard at send time."""

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction

from projects.domain.choices import NotificationKind, Role
from projects.domain.webhooks import RETRY_DELAYS
from projects.models import Notification, WebhookDelivery, WebhookSubscription
from projects.services import webhook_claim, webhook_create, webhook_fan_out
from projects.tasks.webhooks import webhook_send_next, webhooks_fan_out
from projects.outbound.webhooks import webhook_post
from tests.channels import TricklingServer
from tests.factories import UserFactory, UserProfileFactory
from tests.webhook_receiver import Receiver
from tests.webhooks.conftest import append_events

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2023, 5, 8, 10, 0, tzinfo=SHANGHAI)


def send(subscription) -> None:
    webhooks_fan_out()
    webhook_send_next(subscription.pk)


def attempts(subscription) -> list[WebhookDelivery]:
    return list(WebhookDelivery.objects.filter(subscription=subscription).order_by("event_id", "attempt"))


def test_an_event_arrives_signed_as_standard_webhooks_says(subscribed, admin_client):
    subscription, receiver = subscribed
    [event] = append_events(1)
    send(subscription)

    [hit] = receiver.hits
    assert hit.verified  # standardwebhooks.Webhook(secret).verify(body, headers)
    assert hit.webhook_id == str(event.pk)
    # The body is the event as the feed lists it.
    assert [hit.event] == admin_client.get("/api/v1/events/", {"after": event.pk - 1}).json()["results"]
    assert hit.event["type"] == "project.changed" and hit.event["data"] == {"id": 1, "name": "项目1"}
    assert hit.headers["webhook-signature"].startswith("v1,")
    assert hit.headers["content-type"] == "application/json; charset=utf-8"
    [delivery] = attempts(subscription)
    assert (delivery.state, delivery.attempt, delivery.status_code, delivery.error) == ("delivered", 1, 200, "")
    assert delivery.duration_ms is not None and delivery.started_at is not None


def test_a_subscription_gets_the_events_after_its_creation_and_of_its_types(hook_settings, db):
    before = append_events(2)
    subscription = webhook_create(user=None, url="http://127.0.0.1:9/x", types=["problem.created", "project.deleted"])
    assert subscription.cursor == before[-1].pk
    with Receiver(subscription.secret) as receiver:
        WebhookSubscription.objects.filter(pk=subscription.pk).update(url=receiver.url)
        wanted = [*append_events(1, "problem.created"), *append_events(1, "project.deleted")]
        append_events(3, "project.changed")
        send(subscription)
        assert [hit.webhook_id for hit in receiver.hits] == [str(e.pk) for e in wanted]
        assert all(hit.verified for hit in receiver.hits)
    assert not WebhookDelivery.objects.filter(event__in=before).exists()


@pytest.mark.parametrize("status", [201, 202, 204])
def test_any_2xx_delivers(hook_settings, db, status):
    hook = webhook_create(user=None, url="http://127.0.0.1:9/placeholder")
    with Receiver(hook.secret, script=[(status, b"")]) as receiver:
        WebhookSubscription.objects.filter(pk=hook.pk).update(url=receiver.url)
        append_events(1)
        send(hook)
    assert [(d.state, d.status_code) for d in attempts(hook)] == [("delivered", status)]


def test_each_active_subscription_gets_the_event_and_an_inactive_one_none(hook_settings, db):
    first = webhook_create(user=None, url="http://127.0.0.1:9/a")
    second = webhook_create(user=None, url="http://127.0.0.1:9/b")
    off = webhook_create(user=None, url="http://127.0.0.1:9/c")
    WebhookSubscription.objects.filter(pk=off.pk).update(is_active=False)
    with Receiver(first.secret) as one, Receiver(second.secret) as two, Receiver(off.secret) as three:
        for hook, receiver in ((first, one), (second, two), (off, three)):
            WebhookSubscription.objects.filter(pk=hook.pk).update(url=receiver.url)
        [event] = append_events(1)
        webhooks_fan_out()
        for hook in (first, second, off):
            webhook_send_next(hook.pk)
    assert [hit.webhook_id for hit in one.hits] == [hit.webhook_id for hit in two.hits] == [str(event.pk)]
    assert all(hit.verified for hit in one.hits + two.hits)
    assert three.hits == [] and attempts(off) == []


def test_a_later_event_waits_until_the_earlier_is_delivered(subscribed):
    subscription, receiver = subscribed
    receiver.script = [(500, b"busy")]
    with time_machine.travel(START, tick=False) as clock:
        first, second = append_events(2)
        send(subscription)
        assert [hit.webhook_id for hit in receiver.hits] == [str(first.pk)]  # the second waits behind it
        clock.shift(timedelta(seconds=4))
        webhook_send_next(subscription.pk)
        assert len(receiver.hits) == 1  # the retry is not due yet, and nothing overtakes it
        clock.shift(timedelta(seconds=1))
        webhook_send_next(subscription.pk)
    assert [hit.webhook_id for hit in receiver.hits] == [str(first.pk), str(first.pk), str(second.pk)]
    assert all(hit.verified for hit in receiver.hits)
    assert [(d.event_id, d.attempt, d.state) for d in attempts(subscription)] == [
        (first.pk, 1, "failed"), (first.pk, 2, "delivered"), (second.pk, 1, "delivered"),
    ]


def test_500_then_a_timeout_then_200_follow_the_schedule(subscribed):
    """Attempt 1 at t, 2 at t + 5 s, 3 at t + 5 s + 5 min; each signed with its own timestamp, the same id."""
    subscription, receiver = subscribed
    receiver.script = [(500, b"internal error"), 1.5]  # a 500, then an answer later than the 1 s timeout
    with time_machine.travel(START, tick=False) as clock:
        [event] = append_events(1)
        send(subscription)
        clock.shift(timedelta(seconds=5))
        webhook_send_next(subscription.pk)
        clock.shift(timedelta(seconds=299))
        webhook_send_next(subscription.pk)
        assert len(receiver.hits) == 2  # not due yet
        clock.shift(timedelta(seconds=1))
        webhook_send_next(subscription.pk)

    rows = attempts(subscription)
    assert [(d.attempt, d.state, d.status_code) for d in rows] == [
        (1, "failed", 500), (2, "failed", None), (3, "delivered", 200),
    ]
    assert rows[0].error == "HTTP 500：internal error"
    assert "超时" in rows[1].error
    assert rows[2].error == ""
    start = START.timestamp()
    assert [d.started_at.timestamp() - start for d in rows] == [0, 5, 305]
    assert [hit.timestamp - start for hit in receiver.hits] == [0, 5, 305]
    assert {hit.webhook_id for hit in receiver.hits} == {str(event.pk)}
    assert all(hit.verified for hit in receiver.hits)


def test_eight_failures_at_the_contracts_intervals_then_the_next_event_goes(subscribed):
    subscription, receiver = subscribed
    receiver.script = [(503, b"down")] * 8
    with time_machine.travel(START, tick=False) as clock:
        first, second = append_events(2)
        send(subscription)
        for delay in RETRY_DELAYS:
            clock.shift(timedelta(seconds=delay))
            webhook_send_next(subscription.pk)
    rows = attempts(subscription)
    tried = [d for d in rows if d.event_id == first.pk]
    assert [d.state for d in tried] == ["failed"] * 7 + ["given_up"]
    gaps = [(b.started_at - a.started_at).total_seconds() for a, b in zip(tried, tried[1:])]
    assert gaps == [5, 300, 1800, 7200, 18000, 36000, 36000]
    # Finally failed: the next event is no longer held back, and is delivered.
    assert [(d.event_id, d.state) for d in rows if d.event_id == second.pk] == [(second.pk, "delivered")]
    assert receiver.hits[-1].webhook_id == str(second.pk)


@pytest.fixture
def office(db):
    return UserProfileFactory(user=UserFactory(username="office", is_staff=True), role=Role.ADMIN).user


def test_410_switches_the_subscription_off_and_tells_the_office(subscribed, office):
    subscription, receiver = subscribed
    receiver.script = [(410, b"gone")]
    append_events(2)
    send(subscription)
    subscription.refresh_from_db()
    assert not subscription.is_active and "410" in subscription.disabled_reason
    assert len(receiver.hits) == 1
    [notice] = Notification.objects.filter(user=office)
    assert notice.kind == NotificationKind.WEBHOOK_DISABLED and "410" in notice.body
    assert notice.link == f"/admin/projects/webhooksubscription/{subscription.pk}/change/"
    assert subscription.history.first().is_active is False  # the switch is in the history
    assert [d.state for d in attempts(subscription)] == ["given_up", "pending"]
    webhook_send_next(subscription.pk)
    assert len(receiver.hits) == 1  # nothing goes to a subscription that is off


def test_five_days_of_failures_switch_the_subscription_off(subscribed, office):
    """Failing every attempt (new events all the time) switches it off at the first failure five days or
    more after the first one (attempts are at most 10 h apart), not before; one notification to the office."""
    subscription, receiver = subscribed
    receiver.script = [(500, b"down")] * 1000
    with time_machine.travel(START, tick=False) as clock:
        append_events(1)
        send(subscription)
        first_failure = START
        while WebhookSubscription.objects.get(pk=subscription.pk).is_active:
            clock.shift(timedelta(hours=2))
            if clock_now() - first_failure < timedelta(days=6):
                append_events(1)
            send(subscription)
            assert clock_now() - first_failure < timedelta(days=6, hours=1)
        switched_at = clock_now()
    assert timedelta(days=5) <= switched_at - first_failure <= timedelta(days=5, hours=10)
    subscription.refresh_from_db()
    assert "连续 5 天" in subscription.disabled_reason
    assert Notification.objects.filter(user=office, kind=NotificationKind.WEBHOOK_DISABLED).count() == 1


def clock_now() -> datetime:
    from django.utils import timezone

    return timezone.now()


def test_a_success_resets_the_failing_days(subscribed):
    subscription, receiver = subscribed
    receiver.script = [(500, b"down")]
    with time_machine.travel(START, tick=False) as clock:
        append_events(1)
        send(subscription)
        assert WebhookSubscription.objects.get(pk=subscription.pk).failing_since is not None
        clock.shift(timedelta(seconds=5))
        webhook_send_next(subscription.pk)
    assert WebhookSubscription.objects.get(pk=subscription.pk).failing_since is None


def test_the_guard_is_asked_again_at_send_time(subscribed, hook_settings, caplog):
    """Saved while 127.0.0.1 was listed; delisted, the resolved address is refused when sending: a logged
    failed attempt, nothing sent."""
    subscription, receiver = subscribed
    WebhookSubscription.objects.filter(pk=subscription.pk).update(url=receiver.url.replace("127.0.0.1", "localhost"))
    hook_settings.WEBHOOK_ALLOWED_HOSTS = ["localhost"]  # the name still allowed, its loopback address no more
    append_events(1)
    with caplog.at_level(logging.WARNING, logger="projects.tasks"):
        send(subscription)
    assert receiver.hits == []
    [first, retry] = attempts(subscription)
    assert (first.state, first.status_code) == ("failed", None)
    assert "内部地址" in first.error and retry.state == "pending"
    assert "内部地址" in caplog.text


def test_a_name_that_turns_internal_after_saving_is_refused_when_sending(subscribed, hook_settings, monkeypatch):
    """DNS rebinding: the name resolved to a public address when the URL was checked, to loopback when sent."""
    import socket

    subscription, receiver = subscribed
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        url=f"http://hooks.example.cn:{receiver.port}/hooks/portfolio")
    hook_settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.example.cn"]
    real = socket.getaddrinfo

    def rebound(host, *args, **kwargs):
        return real("127.0.0.1" if host == "hooks.example.cn" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebound)
    append_events(1)
    send(subscription)
    assert receiver.hits == []
    assert "内部地址 127.0.0.1" in attempts(subscription)[0].error


def test_a_2xx_trickled_in_past_the_timeout_is_not_a_delivery(hook_settings):
    """"A 2xx answer within 10 s delivers it": over the whole exchange, not per read."""
    with TricklingServer() as server:  # 4 bytes 0.4 s apart against WEBHOOK_TIMEOUT = 1 s
        attempt = webhook_post(server.url, secret="whsec_" + "A" * 32, message_id="1", body=b"{}")
    assert (attempt.status_code, attempt.delivered) == (200, False)
    assert "超时" in attempt.error and attempt.duration_ms > 1000


def test_redirects_are_not_followed_and_an_answer_is_kept_to_1_kb(subscribed):
    subscription, receiver = subscribed
    receiver.script = [(302, b""), (500, "错".encode() * 3000)]
    with time_machine.travel(START, tick=False) as clock:
        append_events(1)
        send(subscription)
        clock.shift(timedelta(seconds=5))
        webhook_send_next(subscription.pk)
    redirected, long = attempts(subscription)[:2]
    assert (redirected.status_code, redirected.state) == (302, "failed") and "重定向" in redirected.error
    assert len(receiver.hits) == 2  # the redirect's target was never asked
    assert long.status_code == 500 and len(long.error.encode()) <= 1024 + len("HTTP 500：".encode()) + 3


def test_an_attempt_is_unique_and_fanning_out_again_adds_nothing(subscribed):
    subscription, _ = subscribed
    [event] = append_events(1)
    assert webhook_fan_out(subscription_id=subscription.pk) == 1
    WebhookSubscription.objects.filter(pk=subscription.pk).update(cursor=0)  # as if a second worker read the same
    assert webhook_fan_out(subscription_id=subscription.pk) == 0
    assert WebhookDelivery.objects.filter(subscription=subscription).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        WebhookDelivery.objects.create(subscription=subscription, event=event, attempt=1)


def test_an_attempt_left_sending_by_a_stopped_worker_is_tried_again(subscribed, settings):
    subscription, receiver = subscribed
    with time_machine.travel(START, tick=False) as clock:
        [event] = append_events(1)
        webhooks_fan_out()
        claim = webhook_claim(subscription_id=subscription.pk, stalled_after=timedelta(seconds=60))
        assert claim.delivery is not None  # claimed, and then its worker was killed: nothing recorded
        clock.shift(timedelta(seconds=30))
        assert webhook_send_next(subscription.pk).sent == 0  # still within its time
        clock.shift(timedelta(seconds=30))
        webhook_send_next(subscription.pk)  # stalled: failed, its retry due after 5 s
        clock.shift(timedelta(seconds=5))
        webhook_send_next(subscription.pk)
    assert [(d.attempt, d.state) for d in attempts(subscription)] == [(1, "failed"), (2, "delivered")]
    assert attempts(subscription)[0].error.startswith("发送中断")
    assert [hit.webhook_id for hit in receiver.hits] == [str(event.pk)]


def _dispatches() -> int:
    from django.db import connection

    from projects.tasks import jobs

    return sum(callback is jobs._dispatch_after_commit for _, callback, _ in connection.run_on_commit)


def test_a_transaction_queues_one_dispatch_whatever_it_writes(db):
    from django.db import transaction

    from tests.factories import ProjectFactory

    with transaction.atomic():
        for _ in range(3):
            ProjectFactory()
        assert _dispatches() == 1


def test_a_dispatch_queued_in_a_savepoint_rolled_back_is_queued_again_by_the_next_write(db):
    from django.db import transaction

    from tests.factories import ProjectFactory

    with transaction.atomic():
        try:
            with transaction.atomic():
                ProjectFactory()
                assert _dispatches() == 1
                raise RuntimeError
        except RuntimeError:
            pass
        assert _dispatches() == 0
        ProjectFactory()
        ProjectFactory()
        assert _dispatches() == 1
