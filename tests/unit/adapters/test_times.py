"""Durations and date-times as exports write them; the date order is never guessed."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from adapters.errors import ImportFileError, RowError
from adapters.times import DateReader, iso_duration, parse_clock, parse_duration

CHI = ZoneInfo("America/Chicago")


@pytest.mark.parametrize("text, seconds", [
    ("1h 2m 10s", 3730),
    ("45m 0s", 2700),
    ("2h", 7200),
    ("30s", 30),
    ("1 hr 30 mins", 5400),
    ("1h30m", 5400),
    ("1:30", 5400),          # h:mm as spreadsheets show elapsed time
    ("1:02:10", 3730),
    ("PT1H30M", 5400),
    ("1.5 hours", 5400),
])
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


def test_bare_numbers_need_a_unit() -> None:
    assert parse_duration("90", bare_unit="minutes") == 5400
    assert parse_duration("1.25", bare_unit="hours") == 4500
    with pytest.raises(RowError, match="no unit"):
        parse_duration("90")


@pytest.mark.parametrize("text", ["two hours", "1h 1h", "", "1x", "h"])
def test_unreadable_durations(text: str) -> None:
    with pytest.raises(RowError) as exc:
        parse_duration(text)
    assert exc.value.code == "bad_duration"


@pytest.mark.parametrize("seconds, iso", [(3730, "PT1H2M10S"), (3600, "PT1H"), (90, "PT1M30S"), (0, "PT0S"),
                                          (2700, "PT45M"), (59, "PT59S")])
def test_iso_duration(seconds: int, iso: str) -> None:
    assert iso_duration(seconds) == iso


def reader(**kw: object) -> DateReader:
    return DateReader(tz=CHI, tz_name="America/Chicago", **kw)  # type: ignore[arg-type]


def test_us_zoom_time_with_am_pm() -> None:
    r = reader()
    assert r.parse("09/15/2026 03:04:05 PM", 3) == datetime(2026, 9, 15, 15, 4, 5, tzinfo=CHI)
    assert r.order == "MDY" and "line 3" in r.order_source
    # The offset is Chicago's daylight time in September.
    assert r.parse("09/15/2026 12:30:00 AM", 4).utcoffset() == timedelta(hours=-5)
    assert r.parse("09/15/2026 12:30:00 AM", 4).hour == 0


def test_teams_two_digit_year_and_comma() -> None:
    assert reader().parse("9/15/26, 3:00:05 PM", 1) == datetime(2026, 9, 15, 15, 0, 5, tzinfo=CHI)


def test_dotted_dates_are_day_first() -> None:
    assert reader().parse("05.09.2026, 15:04:05", 1) == datetime(2026, 9, 5, 15, 4, 5, tzinfo=CHI)


def test_iso_with_offset_keeps_the_offset() -> None:
    r = reader()
    dt = r.parse("2026-09-15T15:04:05+02:00", 1)
    assert dt.utcoffset() == timedelta(hours=2) and dt.hour == 15
    assert r.local_times == 0
    assert reader().parse("2026-09-15 15:04:05Z", 1).tzinfo == timezone.utc


def test_month_names() -> None:
    assert reader().parse("Sep 19, 2026 8:00 AM", 1) == datetime(2026, 9, 19, 8, 0, tzinfo=CHI)
    assert reader().parse("19 September 2026", 1) == datetime(2026, 9, 19, tzinfo=CHI)


def test_ambiguous_date_refuses_the_file_until_declared() -> None:
    with pytest.raises(ImportFileError, match="line 7: '10/09/2026 15:04:05' could be month-first or day-first.*"
                                              "date_order"):
        reader().parse("10/09/2026 15:04:05", 7)
    assert reader(order="DMY").parse("10/09/2026 15:04:05", 7).month == 9
    assert reader(order="MDY").parse("10/09/2026 15:04:05", 7).month == 10


def test_an_earlier_unambiguous_value_settles_the_order() -> None:
    r = reader()
    assert r.parse("15/09/2026 09:00:00", 2).month == 9
    assert r.parse("10/09/2026 09:00:00", 3) == datetime(2026, 9, 10, 9, 0, tzinfo=CHI)


def test_priming_from_the_first_lines() -> None:
    r = reader()
    r.prime("Timestamp,Email\n10/09/2026 15:00:00,a@x.org\n13/09/2026 10:00:00,b@x.org\n")
    assert r.order == "DMY"
    assert r.parse("10/09/2026 15:00:00", 2).day == 10


def test_contradicting_head_leaves_the_order_open_and_rows_report_the_mix() -> None:
    r = reader()
    r.prime("13/09/2026 x\n09/13/2026 y\n")
    assert r.order is None
    r.parse("13/09/2026 10:00", 2)
    with pytest.raises(ImportFileError, match="line 3: .* mixes date formats"):
        r.parse("09/13/2026 10:00", 3)


def test_declared_order_rejects_the_row_that_contradicts_it() -> None:
    with pytest.raises(RowError, match="date_order DMY is declared"):
        reader(order="DMY").parse("09/15/2026", 4)


def test_explicit_strptime_format() -> None:
    r = reader(formats=("%d-%b-%Y %H:%M",))
    assert r.parse("15-Sep-2026 15:04", 1) == datetime(2026, 9, 15, 15, 4, tzinfo=CHI)
    with pytest.raises(RowError, match="does not match datetime_format"):
        r.parse("2026-09-15", 1)


@pytest.mark.parametrize("text", ["31/02/2026", "not a date", "13/13/2026", "09/15/2026 13:00 PM"])
def test_bad_dates_are_row_errors(text: str) -> None:
    with pytest.raises(RowError) as exc:
        reader().parse(text, 1)
    assert exc.value.code == "bad_time"


def test_describe_says_what_was_assumed() -> None:
    r = reader()
    r.parse("9/15/2026 15:04:05", 2)
    assert r.describe() == ("dates read month-first (detected from '9/15/2026 15:04:05' on line 2); "
                            "times without an offset read in America/Chicago")


def test_clock() -> None:
    assert parse_clock("9:00 AM") == time(9, 0)
    assert parse_clock("15:30:05") == time(15, 30, 5)
    assert parse_clock("12:15 am") == time(0, 15)
    assert parse_clock("2026-09-15") is None
