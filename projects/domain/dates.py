"""The service's notion of "today" and of the `as_of` day, and the one parser of dates it accepts.

Every date the service reads from a client, in a query parameter or a body, goes through
`parse_date` and one of two ranges: dates asked about (`as_of`, `week`, `*_before`/`*_after`,
`updated_after`) lie in 1900–2999, dates written lie in 2000–2099, and events (reports, visits,
completions, lead moves, stoppages) are not after today.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class DateRange:
    first: date
    last: date
    pattern: str  # the range's years as a regular expression, stated in the OpenAPI schema

    def check(self, value: date) -> date:
        if not self.first <= value <= self.last:
            raise ValidationError(
                "%(value)s 超出允许范围：应在 %(first)s 与 %(last)s 之间。", code="date_out_of_range",
                params={"value": value.isoformat(), "first": self.first.isoformat(), "last": self.last.isoformat()},
            )
        return value


QUERY_DATES = DateRange(date(1900, 1, 1), date(2999, 12, 31), r"^(19\d\d|2\d\d\d)-\d\d-\d\d")
WRITTEN_DATES = DateRange(date(2000, 1, 1), date(2099, 12, 31), r"^20\d\d-\d\d-\d\d")


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


def day_of(year: int, month: int, day: int, text: str) -> date:
    """The date of a well-formed text; an impossible day (2023-02-30) is named in the error."""
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError("%(value)s 不是有效日期。", code="invalid_date", params={"value": text}) from None


def parse_date(value, bounds: DateRange) -> date:
    """A YYYY-MM-DD text (or a date) within `bounds`; raises ValidationError in Chinese otherwise."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return bounds.check(value)
    text = str(value).strip()
    match = _DAY.fullmatch(text)
    if not match:
        raise ValidationError(
            "“%(value)s”不是日期：应为 YYYY-MM-DD，如 2023-06-30。", code="invalid", params={"value": text[:40]},
        )
    return bounds.check(day_of(int(match[1]), int(match[2]), int(match[3]), text))


def parse_query_datetime(value) -> datetime:
    """A date or ISO datetime asked about (`updated_after`); naive ones are read in Asia/Shanghai."""
    text = str(value).strip()
    if _DAY.fullmatch(text):
        moment = datetime.combine(parse_date(text, QUERY_DATES), datetime.min.time())
    else:
        try:
            moment = parse_datetime(text)
        except ValueError:
            moment = None
            parse_date(text[:10], QUERY_DATES)  # names the impossible day when there is one
        if moment is None:
            raise ValidationError(
                "“%(value)s”不是日期时间：应为 2023-05-04T08:00:00+08:00 或 2023-05-04。", code="invalid",
                params={"value": text[:40]},
            )
        QUERY_DATES.check(moment.date())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def check_written_date(field: str, value: date | None, *, event: bool = False) -> date | None:
    """A date a write stores: within 2000–2099 and, for an event, not after today (errors keyed by `field`)."""
    if value is None:
        return None
    try:
        WRITTEN_DATES.check(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    if event and value > today():
        raise ValidationError({field: [f"{value.isoformat()} 晚于今天（{today().isoformat()}）：只能记录已发生的事。"]})
    return value
