"""Reading the times and durations that attendance exports contain.

Exports write dates in the exporting account's locale: ``09/15/2026 03:04:05 PM`` (Zoom, US), ``9/15/26, 3:04:05
PM`` (Teams, en-US), ``15.09.2026, 15:04:05`` (Teams, de-DE), ``15/09/2026 15:04:05`` (Google Sheets, en-GB),
``2026-09-15 15:04:05`` (ISO). Whether ``10/09/2026`` is 10 September or October 9 cannot be told from the value,
so ``DateReader`` never guesses: the order is declared (``date_order`` in the mapping), or settled by a value
that can only be read one way (a day above 12), found in the file's first lines (``prime``) or in an earlier
row. An ambiguous value before that refuses the file with a message naming the setting; a file that mixes
both orders is refused too. Dotted dates (``15.09.2026``) are day-first in every locale that writes them.

Values without an offset are local times of the configured time zone (``timezone`` in the mapping); the
reader remembers that it applied it so the import report can say so.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, time, timedelta, timezone, tzinfo

from adapters.errors import ImportFileError, RowError

ORDERS = ("MDY", "DMY", "YMD")
_ORDER_WORDS = {"MDY": "month-first", "DMY": "day-first", "YMD": "year-first"}

_MONTHS = {name: i + 1 for i, names in enumerate((
    "jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
    "aug august", "sep sept september", "oct october", "nov november", "dec december")) for name in names.split()}

_TIME = (r"(?:(?:\s*,\s*|\s+|T)(?:at\s+)?(?P<H>\d{1,2}):(?P<M>\d{2})"
         r"(?::(?P<S>\d{2})(?:[.,](?P<F>\d+))?)?\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?)?"
         r"\s*(?P<tz>Z|(?:UTC|GMT)?\s*[+-]\d{1,2}(?::?\d{2})?|UTC|GMT)?")
_NUMERIC = re.compile(r"(?P<a>\d{1,4})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{2,4})" + _TIME)
_MONTH_FIRST = re.compile(r"(?:[A-Za-z]+,?\s+)?(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+"
                          r"(?P<y>\d{4})" + _TIME)
_DAY_FIRST = re.compile(r"(?:[A-Za-z]+,?\s+)?(?P<d>\d{1,2})\.?\s+(?P<mon>[A-Za-z]{3,9})\.?,?\s+(?P<y>\d{4})" + _TIME)
_CLOCK_ONLY = re.compile(r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?")
# Dates in free text, for priming: day/month/year with slashes or dashes (not inside longer digit runs).
_PRIME = re.compile(r"(?<![\d/.\-])(\d{1,2})([/\-])(\d{1,2})\2(\d{2}|\d{4})(?![\d/\-])")


def _offset(tz: str) -> tzinfo:
    tz = tz.strip().upper()
    if tz in ("Z", "UTC", "GMT"):
        return timezone.utc
    tz = tz.removeprefix("UTC").removeprefix("GMT").strip()
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hours > 23 or minutes > 59:
        raise ValueError("offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _clock(m: re.Match[str]) -> tuple[int, int, int, int]:
    """(hour, minute, second, microsecond) of a match's time part; midnight when it has none."""
    h, mi, s, frac, ampm = m.group("H", "M", "S", "F", "ampm")  # one call: this runs twice per Zoom row
    if h is None:
        return 0, 0, 0, 0
    hour, minute = int(h), int(mi)
    second = int(s) if s else 0
    micro = int((frac + "000000")[:6]) if frac else 0
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError("hour out of range for a 12-hour clock")
        pm = ampm.strip().lower().startswith("p")
        hour = hour % 12 + (12 if pm else 0)
    return hour, minute, second, micro


class DateReader:
    """Parses an export's date-times into aware datetimes, settling the day/month order without guessing.

    ``order`` is a declared order (``MDY``, ``DMY`` or ``YMD``) or None to detect it; ``formats`` are explicit
    ``strptime`` patterns tried instead of detection; ``tz`` is the zone of values without an offset.
    """

    def __init__(self, *, tz: tzinfo, order: str | None = None, formats: Sequence[str] = (),
                 tz_name: str = "UTC") -> None:
        if order is not None and order not in ORDERS:
            raise ImportFileError(f"date_order must be one of {', '.join(ORDERS)}, not {order!r}")
        self.order = order
        self.order_source = "declared" if order else ""
        self.declared = order is not None
        self.formats = tuple(formats)
        self.tz = tz
        self.tz_name = tz_name
        self.local_times = 0  # values read without an offset (in ``tz``)

    # -- order ---------------------------------------------------------------------------------------------
    def prime(self, text: str) -> None:
        """Settle the order from the dates in ``text`` (the file's first lines), if they can only be read one way.

        Dates that contradict each other leave the order open; the rows themselves then report the mix.
        """
        if self.order is not None or self.formats:
            return
        votes: dict[str, str] = {}
        for a, _sep, b, _c in _PRIME.findall(text):
            first, second = int(a), int(b)
            if first > 12 >= second:
                votes.setdefault("DMY", f"{a}/{b}")
            elif second > 12 >= first:
                votes.setdefault("MDY", f"{a}/{b}")
        if len(votes) == 1:
            (order, sample), = votes.items()
            self.order = order
            self.order_source = f"detected from {sample} in the first lines"

    def _settle(self, order: str, text: str, line: int) -> None:
        if self.order is None:
            self.order = order
            self.order_source = f"detected from {text!r} on line {line}"
        elif self.order != order:
            if self.declared:
                raise RowError("bad_time", f"{text!r} cannot be read {_ORDER_WORDS[self.order]} "
                                           f"(date_order {self.order} is declared)")
            raise ImportFileError(
                f"line {line}: {text!r} is {_ORDER_WORDS[order]}, but dates were read {_ORDER_WORDS[self.order]} "
                f"({self.order_source}); the file mixes date formats, so none of its dates can be trusted")

    def describe(self) -> str:
        """How dates were read, for the import report ("" when nothing needed saying)."""
        parts = []
        if self.formats:
            parts.append(f"dates read with {', '.join(self.formats)}")
        elif self.order in ("MDY", "DMY"):
            parts.append(f"dates read {_ORDER_WORDS[self.order]} ({self.order_source})")
        if self.local_times:
            parts.append(f"times without an offset read in {self.tz_name}")
        return "; ".join(parts)

    # -- parsing -------------------------------------------------------------------------------------------
    def parse(self, text: str, line: int) -> datetime:
        """The aware datetime ``text`` names. Raises RowError for an unreadable value, ImportFileError when
        the file's date order cannot be settled."""
        value = text.strip()
        if not value:
            raise RowError("bad_time", "empty date/time")
        try:
            if self.formats:
                return self._with_formats(value)
            m = _NUMERIC.fullmatch(value)
            if m is not None:
                return self._numeric(m, value, line)
            m = _MONTH_FIRST.fullmatch(value) or _DAY_FIRST.fullmatch(value)
            if m is not None and m.group("mon").lower() in _MONTHS:
                return self._build(int(m.group("y")), _MONTHS[m.group("mon").lower()], int(m.group("d")), m)
        except ValueError as exc:  # day 31 in a 30-day month, hour 25, offset out of range ...
            raise RowError("bad_time", f"{value!r} is not a valid date/time ({exc})") from None
        raise RowError("bad_time", f"{value!r} is not a date/time this importer can read")

    def _with_formats(self, value: str) -> datetime:
        for fmt in self.formats:
            try:
                dt = datetime.strptime(value, fmt)
            except ValueError:
                continue
            if dt.tzinfo is None:
                self.local_times += 1
                return dt.replace(tzinfo=self.tz)
            return dt
        raise RowError("bad_time", f"{value!r} does not match datetime_format {' or '.join(self.formats)}")

    def _numeric(self, m: re.Match[str], value: str, line: int) -> datetime:
        a, b_text, c, sep = m.group("a", "b", "c", "sep")
        b = int(b_text)
        if len(a) == 4:
            if len(c) > 2:
                raise ValueError("year-first date with a long day")
            if self.order in ("MDY", "DMY") and self.declared:
                raise RowError("bad_time", f"{value!r} is year-first but date_order {self.order} is declared")
            return self._build(int(a), b, int(c), m)
        if len(c) == 3:
            raise ValueError("three-digit year")
        year = int(c) + (2000 if len(c) == 2 else 0)
        first = int(a)
        if sep == ".":
            return self._build(year, b, first, m)  # dotted dates are day-first wherever they are written
        if self.order == "YMD" and self.declared:
            raise RowError("bad_time", f"{value!r} is not year-first (date_order YMD is declared)")
        if first == b:
            return self._build(year, b, first, m)  # 9/9/2026 reads the same either way
        month_first_ok, day_first_ok = first <= 12, b <= 12
        if month_first_ok and day_first_ok:
            if self.order not in ("MDY", "DMY"):
                raise ImportFileError(
                    f"line {line}: {value!r} could be month-first or day-first and nothing in the file settles it; "
                    "set date_order: MDY (9/15/2026) or DMY (15/09/2026) in the mapping (refusing to guess)")
            order = self.order
        elif month_first_ok:
            order = "MDY"
            self._settle(order, value, line)
        elif day_first_ok:
            order = "DMY"
            self._settle(order, value, line)
        else:
            raise ValueError("neither part can be a month")
        return self._build(year, first, b, m) if order == "MDY" else self._build(year, b, first, m)

    def _build(self, year: int, month: int, day: int, m: re.Match[str]) -> datetime:
        hour, minute, second, micro = _clock(m)
        tz_text = m.group("tz")
        if tz_text:
            return datetime(year, month, day, hour, minute, second, micro, tzinfo=_offset(tz_text))
        self.local_times += 1
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=self.tz)


def parse_clock(text: str) -> time | None:
    """A time of day such as ``9:00 AM`` or ``15:30:00``, or None if ``text`` is not one."""
    m = _CLOCK_ONLY.fullmatch(text.strip())
    if m is None:
        return None
    hour, minute = int(m.group("H")), int(m.group("M"))
    second = int(m.group("S") or 0)
    if m.group("ampm"):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m.group("ampm").strip().lower().startswith("p") else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


# ======================================================================================================
# Durations
# ======================================================================================================

_UNIT_SECONDS = {"h": 3600, "m": 60, "s": 1}
_DURATION_PART = re.compile(
    r"\s*(\d+(?:[.,]\d+)?)\s*(h|hrs?|hours?|m|mins?|minutes?|s|secs?|seconds?)\.?(?![a-z])\s*,?", re.I)
_CLOCK_DURATION = re.compile(r"(\d+):([0-5]\d)(?::([0-5]\d))?")
_ISO_DURATION = re.compile(r"PT(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?", re.I)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
BARE_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600}


def parse_duration(text: str, *, bare_unit: str | None = None) -> int:
    """Seconds in a duration: ``1h 2m 10s``, ``45m 0s``, ``2h``, ``30s``, ``1 hr 30 min``, ``1:30`` (h:mm),
    ``1:02:10``, ``PT1H30M``, or a bare number in ``bare_unit`` (``minutes``, ``hours`` or ``seconds``).

    Raises RowError("bad_duration") for anything else, including a bare number when no unit is known.
    """
    value = text.strip()
    if not value:
        raise RowError("bad_duration", "empty duration")
    if _NUMBER.fullmatch(value):
        if bare_unit is None:
            raise RowError("bad_duration", f"{value!r} has no unit (set duration_unit in the mapping)")
        return round(float(value.replace(",", ".")) * BARE_UNITS[bare_unit])
    m = _CLOCK_DURATION.fullmatch(value)
    if m:  # h:mm or h:mm:ss, as spreadsheets show elapsed time
        return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3) or 0)
    m = _ISO_DURATION.fullmatch(value)
    if m:
        h, mi, s = (float(g) if g else 0.0 for g in m.groups())
        return round(h * 3600 + mi * 60 + s)
    total, pos, seen = 0.0, 0, set()
    while pos < len(value):
        m = _DURATION_PART.match(value, pos)
        if m is None or m.end() == pos:
            raise RowError("bad_duration", f"{value!r} is not a duration this importer can read")
        unit = m.group(2)[0].lower()
        if unit in seen:
            raise RowError("bad_duration", f"{value!r} names the {unit!r} unit twice")
        seen.add(unit)
        total += float(m.group(1).replace(",", ".")) * _UNIT_SECONDS[unit]
        pos = m.end()
    return round(total)


def iso_duration(seconds: int) -> str:
    """ISO 8601 duration for whole seconds, as xAPI ``result.duration`` wants it: 3730 -> ``PT1H2M10S``."""
    if seconds <= 0:
        return "PT0S"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if secs:
        text += f"{secs}S"
    return text
