"""Due periods (2023-Q2, 2023-06, 2023-06-15), ISO weeks and 时序进度."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from projects.domain.periods import parse_iso_week, parse_period, time_progress


@pytest.mark.parametrize("text, start, end", [
    ("2023-Q1", date(2023, 1, 1), date(2023, 3, 31)),
    ("2023-Q2", date(2023, 4, 1), date(2023, 6, 30)),
    ("2023-Q3", date(2023, 7, 1), date(2023, 9, 30)),
    ("2023-Q4", date(2023, 10, 1), date(2023, 12, 31)),
])
def test_quarter_ends_on_its_last_day(text, start, end):
    period = parse_period(text)
    assert (period.text, period.start, period.end) == (text, start, end)


def test_quarter_accepts_lowercase_and_surrounding_space():
    assert parse_period(" 2023-q2 ").text == "2023-Q2"


@pytest.mark.parametrize("text, end", [
    ("2023-01", date(2023, 1, 31)),
    ("2023-04", date(2023, 4, 30)),
    ("2023-06", date(2023, 6, 30)),
    ("2023-12", date(2023, 12, 31)),
    ("2023-02", date(2023, 2, 28)),  # not a leap year
    ("2024-02", date(2024, 2, 29)),  # leap year
    ("2000-02", date(2000, 2, 29)),  # divisible by 400: leap
    ("1900-02", date(1900, 2, 28)),  # divisible by 100 only: not leap
])
def test_month_ends_on_its_last_day(text, end):
    period = parse_period(text)
    assert (period.text, period.start, period.end) == (text, end.replace(day=1), end)


@pytest.mark.parametrize("text", ["2024-02-29", "2023-06-15", "2023-12-31"])
def test_day_is_its_own_deadline(text):
    period = parse_period(text)
    assert period.start == period.end == date.fromisoformat(text)
    assert period.text == text


@pytest.mark.parametrize("text", ["2023-02-29", "2023-04-31", "2023-02-30"])  # 2023 is not a leap year
def test_impossible_day_is_named(text):
    with pytest.raises(ValidationError) as caught:
        parse_period(text)
    assert caught.value.messages == [f"{text} 不是有效日期。"]


@pytest.mark.parametrize("text", [
    "2023-Q0",
    "2023-Q5",
    "2023-13",
    "2023-00",
    "2023-6",
    "23-06",
    "",
    "   ",
    "abc",
    "2023-06-15x",
    "%s",
    "100%",
    "%(value)s",
    "2023-" + "9" * 5000,
])
def test_bad_period_is_validation_error(text):
    with pytest.raises(ValidationError) as caught:
        parse_period(text)
    message = " ".join(caught.value.messages)  # interpolation must not choke on '%'
    assert "2023-Q2" in message


def test_bad_period_message_quotes_at_most_a_short_prefix():
    with pytest.raises(ValidationError) as caught:
        parse_period("x" * 5000)
    assert len(caught.value.messages[0]) < 200


def test_none_is_validation_error():
    with pytest.raises(ValidationError):
        parse_period(None)


@pytest.mark.parametrize("text, monday, sunday", [
    ("2023-W19", date(2023, 5, 8), date(2023, 5, 14)),
    ("2023-W01", date(2023, 1, 2), date(2023, 1, 8)),
    ("2020-W53", date(2020, 12, 28), date(2021, 1, 3)),  # 2020 has 53 ISO weeks
])
def test_iso_week_runs_monday_to_sunday(text, monday, sunday):
    assert parse_iso_week(text) == (monday, sunday)


@pytest.mark.parametrize("text", ["2021-W53", "2023-W00", "2023-W54", "2023-19", "2023-W1", "", "%s", "abc"])
def test_bad_iso_week_is_validation_error(text):
    with pytest.raises(ValidationError) as caught:
        parse_iso_week(text)
    assert "2023-W19" in " ".join(caught.value.messages)


@pytest.mark.parametrize("text", ["9999-W52", "0001-W01", "1899-W52", "3000-W02"])
def test_iso_week_of_a_year_outside_1900_2999_is_validation_error_not_overflow(text):
    with pytest.raises(ValidationError) as caught:
        parse_iso_week(text)
    assert "1900" in " ".join(caught.value.messages) and "2999" in " ".join(caught.value.messages)


@pytest.mark.parametrize("text, expected", [
    ("1900-W01", date(1900, 1, 1)), ("2999-W52", date(2999, 12, 23)),
    ("3000-W01", date(2999, 12, 30)),  # the ISO week of 2999-12-31
])
def test_iso_weeks_at_the_bounds_are_accepted(text, expected):
    assert parse_iso_week(text)[0] == expected


@pytest.mark.parametrize("as_of, year, expected", [
    (date(2023, 5, 4), 2023, 34.0),  # 124 / 365, as the meeting read it
    (date(2023, 1, 1), 2023, round(100 / 365, 1)),
    (date(2023, 12, 31), 2023, 100.0),
    (date(2024, 12, 31), 2024, 100.0),  # leap year: 366 / 366
    (date(2023, 5, 4), 2022, 100.0),  # an earlier year is over
    (date(2023, 5, 4), 2024, 0.0),  # a later year has not begun
])
def test_time_progress_rounded(as_of, year, expected):
    assert time_progress(as_of, year) == expected


def test_time_progress_first_day_of_leap_year_is_one_366th():
    assert time_progress(date(2024, 1, 1), 2024) == 0.3  # 0.273…


def test_time_progress_is_rounded_to_one_decimal():
    # 100 × day / 365 or 366 is never exactly halfway, so no rounding mode could differ.
    assert time_progress(date(2023, 3, 1), 2023) == 16.4  # 60 / 365 = 16.438…
    assert time_progress(date(2023, 1, 3), 2023) == 0.8  # 3 / 365 = 0.821…
