"""When the worker's schedules run, as people write it: `thu 09:00`, `mon 08:30`, `daily 09:00`.

Times are read in the service's time zone (Asia/Shanghai), whatever the host's clock is set to.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

from django.utils import timezone

WEEKDAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}
_AT = re.compile(r"^\s*(daily|mon|tue|wed|thu|fri|sat|sun)\s+([01]?\d|2[0-3]):([0-5]\d)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class At:
    """A weekly (weekday 1–7) or daily (weekday None) time of day."""

    weekday: int | None
    hour: int
    minute: int

    def matches(self, moment: datetime) -> bool:
        """Whether the minute of `moment` (aware, or naive UTC) is this time."""
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=dt_timezone.utc)
        local = timezone.localtime(moment)
        return (local.hour, local.minute) == (self.hour, self.minute) and (
            self.weekday is None or local.isoweekday() == self.weekday
        )


def parse_at(text: str) -> At:
    """`thu 09:00` → At(4, 9, 0); `daily 09:00` → At(None, 9, 0)."""
    match = _AT.match(text or "")
    if not match:
        raise ValueError(f"{text!r}: expected 'daily HH:MM' or a weekday (mon … sun) and HH:MM")
    day, hour, minute = match.groups()
    return At(None if day.lower() == "daily" else WEEKDAYS[day.lower()], int(hour), int(minute))


def week_of(day: date) -> tuple[date, str]:
    """The Monday of the ISO week holding `day`, and the week's name (2023-W19)."""
    monday = day - timedelta(days=day.isoweekday() - 1)
    year, week, _ = day.isocalendar()
    return monday, f"{year}-W{week:02d}"
