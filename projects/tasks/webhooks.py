"""Delivering events to webhook subscriptions: fan the feed out into attempts, send them in order, record each.

One call works through one subscription: it claims the first open attempt in event order (under
the subscription's row lock), POSTs it through the guard outside any transaction, and records the
answer; then the next. It stops at an attempt that is not due yet (a retry after its backoff: the
caller schedules itself for then) or one another worker is sending. No request ever waits on this.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings

from projects import services
from projects.outbound.webhooks import webhook_body, webhook_post

log = logging.getLogger(__name__)


@dataclass
class Pumped:
    """What one call did: attempts made, seconds until the next is due (None: nothing waits on a time),
    whether the call stopped at its limit with work left, and mail deliveries to queue (the office told)."""

    sent: int = 0
    wait: float | None = None
    more: bool = False
    pending_notices: list[int] = field(default_factory=list)


def webhook_send_next(subscription_id: int, *, limit: int = 200) -> Pumped:
    """Send the subscription's due attempts in event order, at most `limit` of them."""
    pumped = Pumped()
    stalled_after = timedelta(seconds=settings.WEBHOOK_STALLED_AFTER)
    while pumped.sent < limit:
        claim = services.webhook_claim(subscription_id=subscription_id, stalled_after=stalled_after)
        if claim.again:
            continue
        delivery = claim.delivery
        if delivery is None:
            pumped.wait = claim.wait
            return pumped
        subscription, event = delivery.subscription, delivery.event
        attempt = webhook_post(subscription.url, secret=subscription.secret, message_id=str(event.pk),
                               body=webhook_body(event.representation()))
        pumped.sent += 1
        if attempt.delivered:
            services.webhook_delivered(delivery=delivery, status_code=attempt.status_code,
                                       duration_ms=attempt.duration_ms)
            log.info("webhook %s: event %s delivered (attempt %s, HTTP %s, %s ms)", subscription_id, event.pk,
                     delivery.attempt, attempt.status_code, attempt.duration_ms)
            continue
        outcome = services.webhook_failed(delivery=delivery, status_code=attempt.status_code, error=attempt.error,
                                          duration_ms=attempt.duration_ms)
        following = outcome.next_attempt
        log.warning("webhook %s: event %s attempt %s failed: %s%s", subscription_id, event.pk, delivery.attempt,
                    attempt.error, f"; attempt {following.attempt} at {following.due_at:%Y-%m-%d %H:%M:%S}"
                    if following else "; given up")
        if outcome.disabled:
            log.warning("webhook %s switched off; the office is notified", subscription_id)
            pumped.pending_notices.extend(outcome.recorded.pending)
            return pumped
    pumped.more = True
    return pumped


def webhooks_fan_out() -> list[int]:
    """Turn new visible events into attempts for every active subscription; the subscriptions that got some."""
    return [sid for sid in services.webhook_subscriptions_active() if services.webhook_fan_out(subscription_id=sid)]
