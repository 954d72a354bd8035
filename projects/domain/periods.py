"""Deadlines as people state them: `2023-Q2`, `2023-06` or `2023-06-15`; ISO weeks `2023-W19`."""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError

from projects.domain.dates import QUERY_DATES, day_of
from projects.domain.rates import rate

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    text: str  # normalised form: 2023-Q2, 2023-06 or 2023-06-15
    start: date
    end: date  # the deadline: the period's last day


def parse_period(value: str) -> Period:
    """Parse a due period; raises ValidationError for anything else."""
    text = (value or "").strip()
    try:
        if match := _QUARTER.match(text):
            year, quarter = int(match[1]), int(match[2])
            first_month = 3 * quarter - 2
            start = date(year, first_month, 1)
            end = date(year, first_month + 2, calendar.monthrange(year, first_month + 2)[1])
            return Period(f"{year:04d}-Q{quarter}", start, end)
        if match := _MONTH.match(text):
            year, month = int(match[1]), int(match[2])
            start = date(year, month, 1)
            end = date(year, month, calendar.monthrange(year, month)[1])
            return Period(f"{year:04d}-{month:02d}", start, end)
        if match := _DAY.match(text):
            day = day_of(int(match[1]), int(match[2]), int(match[3]), text)
            return Period(day.isoformat(), day, day)
    except ValueError:
        pass
    raise ValidationError(
        "“%(value)s” 不是有效的期限：应为 2023-Q2（季度）、2023-06（月份）或 2023-06-15（日期）。",
        code="invalid_period",
        params={"value": text[:40]},
    )


def parse_iso_week(value: str) -> tuple[date, date]:
    """Monday and Sunday of an ISO week such as 2023-W19, of a year asked about (1900–2999)."""
    text = (value or "").strip()
    if match := _WEEK.match(text):
        year = int(match[1])
        try:
            # Years just outside keep date arithmetic clear of date.min/max; the overlap test decides.
            monday = date.fromisocalendar(year, int(match[2]), 1) if 1800 <= year <= 3100 else None
        except ValueError:
            monday = None
        else:
            if monday is None or monday > QUERY_DATES.last or monday + timedelta(days=6) < QUERY_DATES.first:
                raise ValidationError(
                    "%(value)s 超出允许范围：应为 %(first)s 与 %(last)s 之间的一周。", code="date_out_of_range",
                    params={"value": text, "first": QUERY_DATES.first.isoformat(),
                            "last": QUERY_DATES.last.isoformat()},
                )
            return monday, monday + timedelta(days=6)
    raise ValidationError(
        "“%(value)s” 不是有效的 ISO 周：应为 2023-W19 这样的格式。",
        code="invalid_week",
        params={"value": text[:40]},
    )


def time_progress_toward(as_of: date, *, start: date, end: date) -> float:
    """时序进度 of the span `start`–`end` on `as_of` (`start` is day 1), in percent to one decimal, half up.

    0.0 before the span, 100.0 from its last day on. A target's time progress runs toward its due date.
    """
    days = (end - start).days + 1
    elapsed = min(max((as_of - start).days + 1, 0), days)
    return rate(elapsed, days)


def time_progress(as_of: date, year: int) -> float:
    """时序进度: share of `year` elapsed on `as_of` (1 January is day 1), in percent to one decimal, half up.

    4 May 2023 → 34.0. The only definition: the summary, the flags, the light and the targets use it.
    """
    return time_progress_toward(as_of, start=date(year, 1, 1), end=date(year, 12, 31))
