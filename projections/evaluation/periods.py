"""Named reporting periods: school years, semesters, calendar years and district-defined periods.

Names: ``2026-27`` (also ``2026-2027``) is the school year that starts in 2026 on the district's
``SCHOOL_YEAR_START`` (default ``07-01``) and ends the day before the next one starts; ``2026-27-S1`` and
``2026-27-S2`` are its semesters, split on ``semester_2_start`` (default ``01-01``: S1 = Jul 1-Dec 31, S2 =
Jan 1-Jun 30); ``2026`` is a calendar year; any other name is looked up among the catalog's named periods.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta

MonthDay = tuple[int, int]

_SY = re.compile(r"^(\d{4})-(\d{2}|\d{4})(?:-(S1|S2))?$", re.IGNORECASE)
_YEAR = re.compile(r"^\d{4}$")


class PeriodError(ValueError):
    """A period that cannot be resolved (unknown name, bad dates, from after to...)."""


def parse_month_day(value: str | MonthDay) -> MonthDay:
    """``"07-01"`` -> (7, 1); raises PeriodError for anything that is not a real month-day (Feb 29 refused:
    a school year must start on the same day every year)."""
    if isinstance(value, tuple):
        m, d = value
    else:
        match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", str(value).strip())
        if not match:
            raise PeriodError(f"{value!r} is not a month-day such as 07-01")
        m, d = int(match.group(1)), int(match.group(2))
    try:
        date(2001, m, d)  # a non-leap year: 02-29 is refused
    except ValueError:
        raise PeriodError(f"{value!r} is not a month-day such as 07-01") from None
    return m, d


def parse_date(value: str | date) -> date:
    """An ISO date (``2026-08-01``) or a date; raises PeriodError otherwise."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise PeriodError(f"{value!r} is not an ISO 8601 date") from None


def school_year_bounds(first_year: int, start: MonthDay) -> tuple[date, date]:
    """The first and last day of the school year that starts in ``first_year``."""
    begin = date(first_year, *start)
    return begin, date(first_year + 1, *start) - timedelta(days=1)


def school_year_of(day: date, start: MonthDay) -> int:
    """The year the school year containing ``day`` started in."""
    return day.year if (day.month, day.day) >= start else day.year - 1


def school_year_label(first_year: int, start: MonthDay = (7, 1)) -> str:
    """``2026-27`` (a ``01-01`` start gives the calendar year, ``2026``)."""
    return str(first_year) if start == (1, 1) else f"{first_year}-{(first_year + 1) % 100:02d}"


def _semesters(first_year: int, start: MonthDay, s2_start: MonthDay) -> tuple[tuple[date, date], tuple[date, date]]:
    begin, end = school_year_bounds(first_year, start)
    # Semester 2 starts on the first s2_start day after the school year begins.
    s2 = date(first_year, *s2_start)
    if s2 <= begin:
        s2 = date(first_year + 1, *s2_start)
    return (begin, s2 - timedelta(days=1)), (s2, end)


def resolve_period(name: str | None, from_: str | date | None = None, to: str | date | None = None,
                   school_year_start: str | MonthDay = (7, 1), *, semester_2_start: str | MonthDay = (1, 1),
                   named: Mapping[str, tuple[date, date]] | None = None,
                   today: date | None = None) -> tuple[date, date, str]:
    """``(from_date, to_date, label)`` for a period name, or for explicit ``from``/``to`` dates (both inclusive).

    With neither, the school year containing ``today`` (default: the current date). A name and dates together
    are refused, as is only one of ``from``/``to``.
    """
    start = parse_month_day(school_year_start)
    s2 = parse_month_day(semester_2_start)
    if name is not None and name.strip():
        if from_ is not None or to is not None:
            raise PeriodError("give a period name or from/to dates, not both")
        key = name.strip()
        if named and key in named:
            lo, hi = named[key]
            return lo, hi, key
        m = _SY.match(key)
        if m:
            first = int(m.group(1))
            second = int(m.group(2))
            if second != (first + 1) % (100 if len(m.group(2)) == 2 else 10 ** 6):
                raise PeriodError(f"{key!r}: the second year must follow the first (e.g. 2026-27)")
            label = f"{first}-{(first + 1) % 100:02d}"
            if m.group(3):
                sem = m.group(3).upper()
                s1r, s2r = _semesters(first, start, s2)
                lo, hi = s1r if sem == "S1" else s2r
                return lo, hi, f"{label}-{sem}"
            lo, hi = school_year_bounds(first, start)
            return lo, hi, label
        if _YEAR.match(key):
            y = int(key)
            return date(y, 1, 1), date(y, 12, 31), key
        known = ", ".join(sorted(named)) if named else "none"
        raise PeriodError(f"unknown period {key!r} (school years look like 2026-27, semesters 2026-27-S1; "
                          f"named periods: {known})")
    if from_ is None and to is None:
        day = today or date.today()
        first = school_year_of(day, start)
        lo, hi = school_year_bounds(first, start)
        return lo, hi, school_year_label(first, start) if start != (1, 1) else str(first)
    if from_ is None or to is None:
        raise PeriodError("give both from and to dates (or a period name)")
    lo, hi = parse_date(from_), parse_date(to)
    if lo > hi:
        raise PeriodError(f"from {lo.isoformat()} is after to {hi.isoformat()}")
    return lo, hi, f"{lo.isoformat()} to {hi.isoformat()}"


def weeks_in(lo: date, hi: date) -> float:
    """The length of an inclusive date range in weeks (a 7-day range is 1.0)."""
    return ((hi - lo).days + 1) / 7.0


def week_index(day: date) -> int:
    """A number that grows by one per Monday-to-Sunday week (for counting the weeks a series spans)."""
    return (day - timedelta(days=day.weekday())).toordinal() // 7
