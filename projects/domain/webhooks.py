"""The rules of webhook delivery that no framework decides: event types, the retry schedule, when to give up.

The schedule is the contract's: after a failed attempt the next is due after about 5 s, 5 min,
30 min, 2 h, 5 h, 10 h and 10 h; the eighth failure is final. A subscription whose attempts have
all failed for five days running is switched off.
"""

from datetime import timedelta

from projects.domain.choices import EVENT_TYPES

# Seconds to wait after failed attempt n (n = 1 … 7) before attempt n + 1.
RETRY_DELAYS = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)

# Failing without a single success for this long switches a subscription off.
FAILING_LIMIT = timedelta(days=5)

# "Gone": the receiver says the subscription is over; it is switched off at once.
GONE = 410

# A subscription's signing secret: this prefix and 32 random bytes in base64 (Standard Webhooks).
SECRET_PREFIX = "whsec_"

# Of a receiver's answer, only this much is kept (as the attempt's error text).
RESPONSE_KEPT_BYTES = 1024


def retry_delay(tries: int) -> timedelta | None:
    """How long after failed try number `tries` (1-based) the next one is due; None after the last."""
    if tries < 1 or tries > len(RETRY_DELAYS):
        return None
    return timedelta(seconds=RETRY_DELAYS[tries - 1])


def unknown_types(types) -> list[str]:
    """The entries of `types` that are not full event types (`project.created`, …)."""
    return [t for t in types if t not in EVENT_TYPES]


def matches(types, event_type: str) -> bool:
    """Whether a subscription to `types` (empty: every type) receives an event of `event_type`."""
    return not types or event_type in types
