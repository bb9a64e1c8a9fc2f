"""Calendar helpers for the compliance rules: month-days, school years, adding months and years.

Every rule works on calendar dates in the district's time zone (a statement's instant is turned into a date once,
in :func:`projections.compliance.evidence.fact_from_statement`). Month arithmetic clips to the end of the month
(Jan 31 + 1 month = Feb 28/29; Feb 29 + 1 year = Feb 28), the usual reading of "within one year" in a statute.
"""
from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from functools import lru_cache

MAX_DATE = date(9999, 12, 31)
MIN_DATE = date(1, 1, 1)
OPEN_END = MAX_DATE.isoformat()  # valid_to of a segment that never ends
ONE_DAY = timedelta(days=1)

_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


@lru_cache(maxsize=256)
def parse_month_day(text: str) -> tuple[int, int]:
    """``"10-31"`` -> (10, 31). Raises ``ValueError`` for malformed or impossible month-days ("02-30"), and for
    "02-29", which does not occur every year (a deadline or a school-year start must exist in every year)."""
    m = _MONTH_DAY.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a month-day \"MM-DD\"")
    month, day = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r}: month {month} does not exist")
    if (month, day) == (2, 29):
        raise ValueError(f"{text!r}: February 29 does not occur every year (use 02-28 or 03-01)")
    if not 1 <= day <= calendar.monthrange(2001, month)[1]:
        raise ValueError(f"{text!r}: {calendar.month_name[month]} has no day {day}")
    return month, day


def to_date(value: date | str) -> date:
    """A ``date`` from a date or an ISO ``YYYY-MM-DD`` string (a longer timestamp string keeps its date part)."""
    if isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])


def iso(value: date | None) -> str | None:
    """ISO text of a date (None stays None)."""
    return value.isoformat() if value is not None else None


def add_days(d: date, n: int) -> date:
    """``d`` + ``n`` days, saturating at the ends of the calendar (9999-12-31 stays open-ended)."""
    try:
        return d + timedelta(days=n)
    except OverflowError:
        return MAX_DATE if n > 0 else MIN_DATE


def add_months(d: date, n: int) -> date:
    """``d`` + ``n`` months, clipping the day to the month's length; saturates at 9999-12-31."""
    if d == MAX_DATE:
        return d
    total = d.year * 12 + (d.month - 1) + n
    year, month = divmod(total, 12)
    if year > 9999:
        return MAX_DATE
    if year < 1:
        return MIN_DATE
    return date(year, month + 1, min(d.day, calendar.monthrange(year, month + 1)[1]))


def add_years(d: date, n: int) -> date:
    """``d`` + ``n`` years (Feb 29 -> Feb 28 in a common year)."""
    return add_months(d, 12 * n)


def on_month_day(year: int, month_day: tuple[int, int]) -> date:
    """The date with ``month_day`` in ``year``."""
    return date(year, month_day[0], month_day[1])


def school_year_start(d: date, start: tuple[int, int]) -> date:
    """The first day of the school year containing ``d`` (the school year starts each year on ``start``)."""
    this_year = on_month_day(d.year, start)
    return this_year if d >= this_year else on_month_day(d.year - 1, start)


def school_year(d: date, start: tuple[int, int]) -> tuple[date, date]:
    """(first day, first day of the next) of the school year containing ``d``."""
    first = school_year_start(d, start)
    return first, on_month_day(first.year + 1, start)


def school_year_label(first_day: date) -> str:
    """``2026-2027`` for the school year starting in 2026 (``2026`` for a calendar-year school year)."""
    return str(first_day.year) if (first_day.month, first_day.day) == (1, 1) else \
        f"{first_day.year}-{first_day.year + 1}"


def in_school_year(month_day: tuple[int, int], first_day: date) -> date:
    """The date with ``month_day`` inside the school year that starts on ``first_day`` (Oct 31 in the school year
    2026-27 is 2026-10-31; Jan 15 is 2027-01-15)."""
    same_year = on_month_day(first_day.year, month_day)
    return same_year if same_year >= first_day else on_month_day(first_day.year + 1, month_day)
