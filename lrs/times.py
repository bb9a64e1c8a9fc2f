"""Time, in one place: ISO 8601 parsing and the fixed-width UTC text every table stores.

Two parsers, because two kinds of input arrive:

* :func:`try_parse_timestamp` is xAPI's rule (xAPI-Data 4.5), strict: extended or basic ISO 8601, ``-00:00`` refused
  (RFC 3339: an unknown offset is not an instant), a leap second kept inside second 59. The validator, the
  ``since``/``until`` parameters and statement dates use it.
* :func:`parse_time` is lenient, for operators and internal text: anything ``datetime.fromisoformat`` reads, a
  trailing ``Z``, and a naive time taken as UTC (``--since``, ``--as-of``, ``known_at``, recorded times).

Everything stored is :func:`format_time` text: fixed width (a four-digit year, always; ``strftime("%Y")`` writes
year 999 as ``999``, which sorts after ``1000``), microseconds, ``Z``. Fixed-width UTC text sorts as the instants
do, which is what lets ``since``/``until`` and the log's ``recorded_at`` be compared as strings.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo

__all__ = ["utc_now", "format_time", "format_date", "parse_time", "parse_date", "try_parse_timestamp",
           "local_date", "MIN_TIME", "MAX_TIME"]

MIN_TIME = "0001-01-01T00:00:00.000000Z"
MAX_TIME = "9999-12-31T23:59:59.999999Z"


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


def format_time(dt: datetime) -> str:
    """Fixed-width UTC text, ``2024-01-02T03:04:05.123456Z``, that sorts the same as the instants.

    A naive datetime is taken to be UTC.
    """
    dt = dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)
    return (f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:"
            f"{dt.second:02d}.{dt.microsecond:06d}Z")


def format_date(d: date) -> str:
    """``YYYY-MM-DD`` with a four-digit year."""
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def parse_time(when: str | datetime) -> datetime:
    """A lenient ISO 8601 time (any offset, any precision, ``Z``; naive means UTC) as an aware datetime.

    Raises ``ValueError`` for anything else.
    """
    if isinstance(when, datetime):
        dt = when
    else:
        text = when.strip()
        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        dt = datetime.fromisoformat(text)
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)


def parse_date(text: str) -> date:
    """A calendar date, ``YYYY-MM-DD`` (or the date part of an ISO 8601 time). Raises ``ValueError``."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        return parse_time(text).date()


def local_date(dt: datetime, tz: tzinfo | None) -> date:
    """The calendar date of an instant in ``tz`` (the district's zone), or in its own offset when ``tz`` is None."""
    return (dt.astimezone(tz) if tz is not None else dt).date()


# --- xAPI timestamps -------------------------------------------------------------------------------------------

# ISO 8601 extended format (RFC 3339 also allows a space or lowercase t/z). Seconds may be left out
# (ISO 8601 reduced precision); the offset may be left out, in which case the time is taken as UTC.
_TS_EXTENDED = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"([Zz]|[+-]\d{2}(?::?\d{2})?)?"
)
# ISO 8601 basic format, e.g. 20150101T120000.5+0100.
_TS_BASIC = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(?:(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?:\d{2})?)?")
# RFC 3339 4.3: "-00:00" means "offset unknown", which is not an instant; the CTS rejects it in all
# three spellings.
_NEGATIVE_ZERO_OFFSETS = frozenset({"-00", "-0000", "-00:00"})


def try_parse_timestamp(value: object) -> datetime | None:
    """Parse an xAPI timestamp into an aware UTC datetime, or return None if it is not one."""
    if not isinstance(value, str):
        return None
    m = _TS_EXTENDED.fullmatch(value) or _TS_BASIC.fullmatch(value)
    if m is None:
        return None
    year, month, day, hour, minute, second, frac, tz = m.groups()
    if tz is not None and tz in _NEGATIVE_ZERO_OFFSETS:
        return None
    sec = int(second) if second else 0
    micro = int((frac + "000000")[:6]) if frac else 0  # truncate beyond microseconds
    if sec == 60:
        # RFC 3339 allows a leap second; datetime cannot hold one, so keep it inside second 59.
        sec, micro = 59, 999999
    offset = timezone.utc
    if tz and tz not in ("Z", "z"):
        digits = tz[1:].replace(":", "")
        oh, om = int(digits[:2]), int(digits[2:] or 0)
        if oh > 23 or om > 59:
            return None
        delta = timedelta(hours=oh, minutes=om)
        offset = timezone(-delta if tz[0] == "-" else delta)
    try:
        dt = datetime(int(year), int(month), int(day), int(hour), int(minute), sec, micro, tzinfo=offset)
        return dt.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None
