"""Jinja filters for dates, plurals and histogram bars."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from webapp.filters import bar_width, date, datetime_, isotime, plural
from webapp.languages import language_name

WHEN = datetime(2026, 11, 5, 21, 30, 7, 123456, tzinfo=UTC)


def test_dates_in_each_style():
    assert date(WHEN) == "5 November 2026"
    assert date(WHEN, "month") == "November 2026"
    assert date(WHEN, "iso") == "2026-11-05"
    assert datetime_(WHEN) == "5 Nov 2026, 21:30 UTC"


@pytest.mark.parametrize(
    "when",
    [
        WHEN,
        WHEN.replace(tzinfo=None),  # a naive value is taken as UTC
        WHEN.astimezone(timezone(timedelta(hours=-5))),  # shown in UTC whatever the zone
    ],
)
def test_machine_readable_time_has_whole_seconds_and_z(when):
    assert isotime(when) == "2026-11-05T21:30:07Z"
    assert datetime_(when) == "5 Nov 2026, 21:30 UTC"


def test_times_near_midnight_keep_the_utc_date():
    late = datetime(2026, 11, 5, 23, 30, tzinfo=UTC).astimezone(timezone(timedelta(hours=2)))
    assert date(late) == "5 November 2026" and isotime(late) == "2026-11-05T23:30:00Z"


def test_plural():
    assert [plural(n, "rating") for n in (0, 1, 2)] == ["0 ratings", "1 rating", "2 ratings"]
    assert plural(1, "entry", "entries") == "1 entry"
    assert plural(3, "entry", "entries") == "3 entries"
    assert plural(2, "open report") == "2 open reports"
    assert plural(1, "review", number=False) == "review"
    assert plural(5, "review", number=False) == "reviews"


def test_bar_width_is_the_share_of_all_in_steps_of_five():
    assert bar_width(0, 0) == 0
    assert bar_width(7, 7) == 100
    assert bar_width(1, 2) == 50
    assert bar_width(1, 3) == 35  # 33.3% rounds to the nearest step
    assert bar_width(2, 3) == 65
    assert bar_width(1, 300) == 0


@pytest.mark.parametrize(
    ("code", "name"),
    [("en", "English"), ("EN", "English"), ("en-GB", "English"), ("eng", "English"),
     ("fre", "French"), ("pt_BR", "Portuguese"), ("Klingon", "Klingon"), (None, ""), ("", "")],
)  # fmt: skip
def test_language_name(code, name):
    assert language_name(code) == name


def test_date_takes_a_calendar_day_and_none():
    from datetime import date as Day

    assert date(Day(2024, 3, 12)) == "12 March 2024" and date(None) == ""
