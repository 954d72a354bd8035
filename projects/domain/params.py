"""The values a request names in its query string, each read by one function: the API, the admin
and the dashboard all call these, so a day, a year or a week means the same everywhere.

Each function takes the raw text (None or "" when absent) and raises ValidationError keyed by
the parameter's name; the API answers it with a 400, the admin shows the message and falls back
to the default.
"""

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError

from projects.domain.dates import QUERY_DATES, default_as_of, parse_date
from projects.domain.periods import parse_iso_week

YEARS = (2000, 2100)


def as_of(raw: str | None) -> date:
    """`?as_of=`: the day flags and figures are computed for (1900–2999); absent, the service's default day."""
    if raw in (None, ""):
        return default_as_of()
    try:
        return parse_date(raw, QUERY_DATES)
    except ValidationError as exc:
        raise ValidationError({"as_of": exc.messages}) from None


class _YearForm(forms.Form):
    year = forms.IntegerField(min_value=YEARS[0], max_value=YEARS[1], required=False,
                              error_messages={"invalid": "应为年份，如 2023。"})


def year(raw: str | None, *, default: int) -> int:
    """`?year=` of a report (2000–2100); absent, `default` (as_of's year)."""
    form = _YearForm({"year": raw})
    if not form.is_valid():
        raise ValidationError(form.errors)
    return form.cleaned_data["year"] or default


def one_year(years: list[int] | None, *, default: int, message: str) -> int:
    """The one year of a report whose `year` is also a project filter (so already parsed as a list)."""
    if years and len(years) > 1:
        raise ValidationError({"year": [message]})
    return years[0] if years else default


def week(raw: str | None, *, as_of: date) -> date:
    """`?week=` (ISO, 2023-W19): the Monday of that week; absent, of the week holding `as_of`."""
    if raw is None or not raw.strip():
        iso_year, iso_week, _ = as_of.isocalendar()
        raw = f"{iso_year}-W{iso_week:02d}"
    try:
        monday, _ = parse_iso_week(raw)
    except ValidationError as exc:
        raise ValidationError({"week": exc.messages}) from None
    return monday


MAX_WEEKS = 53
DEFAULT_WEEKS = 8


def week_range(from_raw: str | None, to_raw: str | None, *, as_of: date) -> tuple[date, date]:
    """`?from_week=&to_week=` (ISO weeks): the Mondays of the first and the last week. `to_week` defaults
    to the week of `as_of` and may not be after it; `from_week` to the eight weeks ending with `to_week`.
    At most `MAX_WEEKS` weeks, in order."""
    last = _week_of("to_week", to_raw, as_of=as_of)
    if last > week(None, as_of=as_of):
        raise ValidationError({"to_week": [f"不能晚于 as_of（{as_of.isoformat()}）所在的周。"]})
    if from_raw is None or not from_raw.strip():
        return last - timedelta(weeks=DEFAULT_WEEKS - 1), last
    first = _week_of("from_week", from_raw, as_of=as_of)
    if first > last:
        raise ValidationError({"from_week": ["不能晚于 to_week。"]})
    if (last - first).days // 7 + 1 > MAX_WEEKS:
        raise ValidationError({"from_week": [f"区间最多 {MAX_WEEKS} 周。"]})
    return first, last


def _week_of(name: str, raw: str | None, *, as_of: date) -> date:
    try:
        return week(raw, as_of=as_of)
    except ValidationError as exc:
        raise ValidationError({name: exc.message_dict["week"]}) from None


# A feed position is an event id: bigint, like the ids it is compared with.
_MAX_EVENT_ID = 2**63 - 1


def event_after(raw: str | None) -> int:
    """The feed's `after`: the last event id the client has read (0, the default, reads from the start)."""
    if raw is None or raw == "":
        return 0
    if not raw.isascii() or not raw.isdigit() or int(raw) > _MAX_EVENT_ID:
        raise ValidationError({"after": [f"“{raw[:40]}”不是有效的事件编号：请传入上次读到的最后一个事件 id（非负整数），从头读取传 0。"]})
    return int(raw)


def event_types(raw: str | None, known: tuple[str, ...]) -> list[str]:
    """The feed's `type`: full event types, comma-separated (`project.changed,milestone.created`)."""
    if not raw:
        return []
    types = [part.strip() for part in raw.split(",") if part.strip()]
    unknown = [t for t in types if t not in known]
    if unknown:
        raise ValidationError({"type": [
            f"未知的事件类型：{'、'.join(t[:40] for t in unknown[:5])}。事件类型形如 project.changed："
            f"对象类型（{'、'.join(sorted({t.split('.')[0] for t in known}))}）加 .created、.changed 或 .deleted。"
        ]})
    return types


def event_project(raw: str | None) -> int | None:
    """The feed's `project`: a project id (a deleted project's events are still found by it)."""
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= _MAX_EVENT_ID:
        raise ValidationError({"project": [f"“{raw[:40]}”不是有效的项目 id（正整数）。"]})
    return int(raw)
