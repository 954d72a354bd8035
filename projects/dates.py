"""The service's notion of "today" and of the `as_of` day that reads are evaluated for."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
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


# Written dates must lie in this range (a typo such as 0023-05-04 is refused, never stored).
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def check_event_day(field: str, value: date | None) -> date | None:
    """An event's date (a move, a stoppage): within the written range and not after today; else 400."""
    if value is None:
        return None
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValidationError({field: [
            f"{value.isoformat()} 超出允许范围（{EARLIEST_DAY.isoformat()} 至 {LATEST_DAY.isoformat()}）。"
        ]})
    if value > today():
        raise ValidationError({field: [f"日期不能晚于今天（{today().isoformat()}）。"]})
    return value
