"""Writes of webhook subscriptions and their delivery attempts (the worker's side is projects/tasks/webhooks.py).

Idempotent by constraints, never by a check-then-insert: an attempt is unique on (subscription,
event, attempt), so fanning the same events out twice (two workers, a restart) inserts nothing the
second time. A subscription's attempts are claimed under a lock on its row, and only the first of
its open attempts in event order is ever claimed: a later event is not sent before an earlier one
is delivered or finally failed.
"""

import base64
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from projects.domain.choices import NotificationKind, Role, WebhookDeliveryState
from projects.domain.exceptions import Conflict
from projects.domain.webhooks import FAILING_LIMIT, GONE, SECRET_PREFIX, matches, retry_delay
from projects.models import Event, WebhookDelivery, WebhookSubscription
from projects.selectors.events import events_visible
from projects.services.base import _save
from projects.services.notifications import Notice, Recorded, notices_record, recipients

OPEN_STATES = (WebhookDeliveryState.PENDING, WebhookDeliveryState.SENDING)
# Events read per query when fanning out.
FAN_OUT_BATCH = 1000


def webhook_secret_new() -> str:
    """A new signing secret: `whsec_` and the base64 of 32 random bytes (Standard Webhooks)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _newest_event_id() -> int:
    return Event.objects.aggregate(newest=Max("id"))["newest"] or 0


@transaction.atomic
def webhook_create(
    *, user, url: str, types=(), description: str = "", is_active: bool = True,
) -> WebhookSubscription:
    """A new subscription (the office's); it receives the events appended from now on. Its secret is
    on the returned object, to be shown once."""
    subscription = WebhookSubscription(
        url=url.strip(), types=list(types), description=description, is_active=is_active,
        secret=webhook_secret_new(), created_by=user if getattr(user, "pk", None) else None,
        cursor=_newest_event_id(),
    )
    return _save(subscription)


@transaction.atomic
def webhook_update(*, webhook: WebhookSubscription, user=None, **fields) -> WebhookSubscription:
    """Change a subscription; switched on again, it resumes from where it stopped and counts its failures anew."""
    subscription = WebhookSubscription.objects.select_for_update().get(pk=webhook.pk)
    if "url" in fields:
        fields["url"] = fields["url"].strip()
    if "types" in fields:
        fields["types"] = list(fields["types"])
    if fields.get("is_active") and not subscription.is_active:
        subscription.disabled_reason, subscription.failing_since = "", None
    for name, value in fields.items():
        setattr(subscription, name, value)
    return _save(subscription)


@transaction.atomic
def webhook_delete(*, webhook: WebhookSubscription, user=None) -> None:
    """Delete a subscription with its delivery log (its history stays)."""
    WebhookSubscription.objects.select_for_update().get(pk=webhook.pk).delete()


@transaction.atomic
def webhook_redeliver(*, delivery: WebhookDelivery, user=None) -> WebhookDelivery:
    """Send the event of `delivery` again: a new attempt, due now, with a fresh run of retries.

    An attempt of the event still waiting for its retry is that attempt, made due now (with a fresh
    run): a new row would queue behind it, and attempts go in event and attempt order.
    """
    subscription = WebhookSubscription.objects.select_for_update().get(pk=delivery.subscription_id)
    if not subscription.is_active:
        raise Conflict("该推送订阅已停用，请先启用再重新推送。")
    attempts = WebhookDelivery.objects.filter(subscription=subscription, event_id=delivery.event_id)
    now = timezone.now()
    waiting = attempts.filter(state=WebhookDeliveryState.PENDING).order_by("attempt").first()
    if waiting is not None:
        waiting.due_at, waiting.tries = now, 1
        waiting.save(update_fields=["due_at", "tries"])
        return waiting
    last = attempts.aggregate(last=Max("attempt"))["last"] or 0
    return WebhookDelivery.objects.create(
        subscription=subscription, event_id=delivery.event_id, attempt=last + 1, tries=1, due_at=now, created_at=now,
    )


def webhook_fan_out(*, subscription_id: int) -> int:
    """Turn the visible events after the subscription's cursor into first attempts; how many were added.

    Only events every lower id of which is committed are read (the feed's rule), so an event that
    commits late is never passed over.
    """
    added = 0
    while True:
        with transaction.atomic():
            subscription = WebhookSubscription.objects.select_for_update().filter(pk=subscription_id).first()
            if subscription is None or not subscription.is_active:
                return added
            batch = list(events_visible(after=subscription.cursor).values_list("id", "type")[:FAN_OUT_BATCH])
            if not batch:
                return added
            now = timezone.now()
            wanted = [event_id for event_id, event_type in batch if matches(subscription.types, event_type)]
            # Only to count what this call adds; whether a row is inserted is the constraint's decision.
            existed = set(WebhookDelivery.objects.filter(
                subscription=subscription, event_id__in=wanted, attempt=1).values_list("event_id", flat=True))
            WebhookDelivery.objects.bulk_create([
                WebhookDelivery(subscription=subscription, event_id=event_id, attempt=1, tries=1, due_at=now,
                                created_at=now)
                for event_id in wanted
            ], ignore_conflicts=True)
            added += len(set(wanted) - existed)
            WebhookSubscription.objects.filter(pk=subscription.pk).update(cursor=batch[-1][0])
        if len(batch) < FAN_OUT_BATCH:
            return added


def webhook_subscriptions_active() -> list[int]:
    """Ids of the subscriptions that are switched on."""
    return list(WebhookSubscription.objects.filter(is_active=True).order_by("id").values_list("id", flat=True))


@dataclass(frozen=True)
class HookClaim:
    """The attempt this worker now sends, or the seconds until the subscription's next one may go (None: nothing to do)."""

    delivery: WebhookDelivery | None = None
    wait: float | None = None
    again: bool = False  # a stalled attempt was failed: ask again at once


@transaction.atomic
def webhook_claim(*, subscription_id: int, stalled_after: timedelta, now: datetime | None = None) -> HookClaim:
    """Take the subscription's first open attempt in event order for sending, if it is due.

    An attempt still `sending` past `stalled_after` was left by a worker that stopped: it is failed
    (and its next try scheduled) here.
    """
    now = now or timezone.now()
    subscription = WebhookSubscription.objects.select_for_update().filter(pk=subscription_id).first()
    if subscription is None or not subscription.is_active:
        return HookClaim()
    head = (
        WebhookDelivery.objects.select_related("subscription", "event")
        .filter(subscription=subscription, state__in=OPEN_STATES).order_by("event_id", "attempt").first()
    )
    if head is None:
        return HookClaim()
    if head.state == WebhookDeliveryState.SENDING:
        stalled_at = head.started_at + stalled_after
        if stalled_at > now:
            return HookClaim(wait=(stalled_at - now).total_seconds())
        _failed(head, status_code=None, error="发送中断（发送它的进程已停止）", duration_ms=None, now=now)
        return HookClaim(again=True)
    if head.due_at > now:
        return HookClaim(wait=(head.due_at - now).total_seconds())
    WebhookDelivery.objects.filter(pk=head.pk).update(state=WebhookDeliveryState.SENDING, started_at=now)
    head.state, head.started_at = WebhookDeliveryState.SENDING, now
    return HookClaim(delivery=head)


@dataclass
class HookOutcome:
    """What recording an attempt led to: the next try (if any), and the office's notice when the subscription was switched off."""

    next_attempt: WebhookDelivery | None = None
    disabled: bool = False
    recorded: Recorded = field(default_factory=Recorded)


@transaction.atomic
def webhook_delivered(*, delivery: WebhookDelivery, status_code: int, duration_ms: int) -> HookOutcome:
    """The attempt was answered with a 2xx in time: delivered, and the subscription is no longer failing."""
    WebhookDelivery.objects.filter(pk=delivery.pk, state=WebhookDeliveryState.SENDING).update(
        state=WebhookDeliveryState.DELIVERED, status_code=status_code, error="", duration_ms=duration_ms,
    )
    WebhookSubscription.objects.filter(pk=delivery.subscription_id, failing_since__isnull=False).update(
        failing_since=None)
    return HookOutcome()


@transaction.atomic
def webhook_failed(
    *, delivery: WebhookDelivery, status_code: int | None, error: str, duration_ms: int | None,
    now: datetime | None = None,
) -> HookOutcome:
    """Record a failed attempt: the next try after its backoff, or the last; 410 or five days of failures
    switch the subscription off and tell the office."""
    now = now or timezone.now()
    list(WebhookSubscription.objects.select_for_update().filter(pk=delivery.subscription_id).values_list("pk"))
    return _failed(delivery, status_code=status_code, error=error, duration_ms=duration_ms, now=now)


def _failed(delivery, *, status_code, error, duration_ms, now) -> HookOutcome:
    """(Under the subscription's lock.)"""
    delay = None if status_code == GONE else retry_delay(delivery.tries)
    state = WebhookDeliveryState.FAILED if delay is not None else WebhookDeliveryState.GIVEN_UP
    WebhookDelivery.objects.filter(pk=delivery.pk, state=WebhookDeliveryState.SENDING).update(
        state=state, status_code=status_code, error=error[:2000] or "失败", duration_ms=duration_ms,
    )
    outcome = HookOutcome()
    if delay is not None:
        identity = {"subscription_id": delivery.subscription_id, "event_id": delivery.event_id,
                    "attempt": delivery.attempt + 1}
        WebhookDelivery.objects.bulk_create([
            WebhookDelivery(**identity, tries=delivery.tries + 1, due_at=now + delay, created_at=now),
        ], ignore_conflicts=True)
        outcome.next_attempt = WebhookDelivery.objects.get(**identity)
    subscription = WebhookSubscription.objects.get(pk=delivery.subscription_id)
    if subscription.failing_since is None:
        subscription.failing_since = now
        WebhookSubscription.objects.filter(pk=subscription.pk).update(failing_since=now)
    reason = None
    if status_code == GONE:
        reason = "接收方应答 410（Gone），表示不再接收推送"
    elif now - subscription.failing_since >= FAILING_LIMIT:
        reason = f"自 {timezone.localtime(subscription.failing_since):%Y-%m-%d %H:%M} 起连续 5 天推送失败"
    if reason and subscription.is_active:
        outcome.disabled = True
        outcome.recorded = _disable(subscription, reason, now)
    return outcome


def _disable(subscription: WebhookSubscription, reason: str, now: datetime) -> Recorded:
    """Switch the subscription off (a history row says so) and tell the office, in the admin and by mail."""
    subscription.is_active, subscription.disabled_reason = False, reason[:300]
    _save(subscription)
    office = [user_id for ids in recipients(Role.ADMIN).values() for user_id in ids]
    name = subscription.description or subscription.url
    notice = Notice(
        kind=NotificationKind.WEBHOOK_DISABLED, subject=f"webhook:{subscription.pk}",
        period=timezone.localdate(now).isoformat(), title=f"推送订阅已停用：{name}"[:200],
        body=f"推送订阅“{name}”（{subscription.url}）已自动停用：{reason}。"
             "请与接收方核实后在管理后台重新启用；停用期间的事件在重新启用后继续推送。",
        link=reverse("admin:projects_webhooksubscription_change", args=[subscription.pk]),
        user_ids=tuple(office),
    )
    return notices_record(notices=[notice])


def webhook_subscriptions_with_work() -> list[int]:
    """Active subscriptions with an attempt due (pending and due, or being sent: perhaps by a stopped
    worker), for the sweep. One waiting hours for its retry is left until the retry is due."""
    due = Q(deliveries__state=WebhookDeliveryState.PENDING, deliveries__due_at__lte=timezone.now())
    return list(
        WebhookSubscription.objects.filter(due | Q(deliveries__state=WebhookDeliveryState.SENDING), is_active=True)
        .order_by("id").values_list("id", flat=True).distinct()
    )
