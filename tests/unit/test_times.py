"""lrs.times: one parser and one fixed-width format for every stored time, correct at the year edges."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from lrs.times import format_date, format_time, local_date, parse_date, parse_time, try_parse_timestamp

UTC = timezone.utc


@pytest.mark.parametrize("dt,text", [
    (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00.000000Z"),
    (datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "0999-12-31T23:59:59.999999Z"),
    (datetime(1000, 1, 1, tzinfo=UTC), "1000-01-01T00:00:00.000000Z"),
    (datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), "9999-12-31T23:59:59.000000Z"),
    (datetime(2024, 2, 29, 12, 0, tzinfo=timezone(timedelta(hours=-6))), "2024-02-29T18:00:00.000000Z"),
    (datetime(2024, 1, 1), "2024-01-01T00:00:00.000000Z"),  # naive is UTC
])
def test_format_time_is_fixed_width_utc(dt: datetime, text: str) -> None:
    assert format_time(dt) == text
    assert len(text) == 27


def test_stored_texts_sort_like_their_instants_across_year_edges() -> None:
    instants = [datetime(y, 6, 1, tzinfo=UTC) for y in (1, 9, 99, 999, 1000, 1999, 2000, 9999)]
    assert sorted(format_time(d) for d in reversed(instants)) == [format_time(d) for d in instants]


def test_format_date() -> None:
    assert format_date(date(999, 1, 2)) == "0999-01-02"


def test_parse_time_is_lenient_and_naive_means_utc() -> None:
    assert parse_time("2024-01-02T03:04:05Z") == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_time("2024-01-02T03:04:05") == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_time("2024-01-02T04:04:05+01:00") == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_time("0999-01-01T00:00:00Z").year == 999
    for bad in ("", "notatime", "2024-13-01"):
        with pytest.raises(ValueError):
            parse_time(bad)


def test_parse_date() -> None:
    assert parse_date("2024-07-01") == date(2024, 7, 1)
    assert parse_date("2024-07-01T10:00:00Z") == date(2024, 7, 1)
    with pytest.raises(ValueError):
        parse_date("07/01/2024")


def test_xapi_timestamps_are_strict() -> None:
    assert try_parse_timestamp("0999-12-31T23:59:59Z") == datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert try_parse_timestamp("2024-01-02T03:04:05-00:00") is None  # an unknown offset is not an instant
    assert try_parse_timestamp("2024-01-02T03:04:60Z") == datetime(2024, 1, 2, 3, 4, 59, 999999, tzinfo=UTC)
    assert try_parse_timestamp(20240102) is None


def test_local_date_takes_the_district_zone() -> None:
    from zoneinfo import ZoneInfo

    seven_pm_omaha = datetime(2026, 9, 16, 0, 30, tzinfo=UTC)  # 19:30 on the 15th in Omaha
    assert local_date(seven_pm_omaha, ZoneInfo("America/Chicago")) == date(2026, 9, 15)
    assert local_date(seven_pm_omaha, None) == date(2026, 9, 16)
