"""The service's notion of "today" and of the `as_of` day that reads are evaluated for."""

from datetime import date

from django.conf import settings
from django.utils import timezone


def today() -> date:
    """Today in the service's time zone (Asia/Shanghai): the latest day an event may be dated."""
    return timezone.localdate()


def default_as_of() -> date:
    """The day reads are evaluated for when the caller gives no `as_of`."""
    return settings.PORTFOLIO_AS_OF or today()


def is_live(as_of: date) -> bool:
    """Whether `as_of` is today or later, so nothing dated after it can exist yet.

    Then the project's cached deadline and visit columns are exact for `as_of`, and flags
    are computed from the row alone. The answer is the same either way; this only picks
    the cheaper plan.
    """
    return as_of >= today()
