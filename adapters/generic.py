"""Any attendance spreadsheet (CSV, or XLSX through openpyxl) described by a mapping file.

The mapping's ``columns`` name which column holds the person (``email`` and/or ``employee_id``), the session
(``session``, with ``session_name``), the times (``start``, ``end``, ``date``), the ``duration`` (minutes or
hours as a number with ``duration_unit``, or text like ``1h 30m`` / ``1:30``), a ``status`` and the ``name``.
Each row is one interval: a person's rows for the same session add up. The minutes are the ``duration`` column
when mapped, else ``end - start``, else the mapping's planned ``session.minutes``, else none.

XLSX is read with openpyxl in read-only mode (row by row, flat memory); its cells may already be dates, times,
numbers or elapsed-time values, all of which are accepted. See docs/import-mapping.md for every key.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, BinaryIO

from adapters.errors import ImportFileError, MappingError, NotThisFormat, RowError
from adapters.files import DELIMITERS, Columns, SourceInfo, TextSource, find_header, is_blank, iter_rows, \
    split_line
from adapters.options import ImportOptions
from adapters.people import is_email, normalise_email
from adapters.records import ATTENDED, REGISTERED, Aggregator, Attendance, ParseResult, Rejected, Session, Skipped
from adapters.sessions import MEETING, SessionNamer, planned_seconds, single_session
from adapters.times import BARE_UNITS, DateReader, parse_clock, parse_duration

NAME = "generic"
SESSION_KEY = "session"
DEFAULT_STATUSES = {
    "attended": ("attended", "present", "yes", "y", "x", "checked in", "complete", "completed", "✓"),
    "registered": ("registered", "enrolled", "signed up"),
    "skip": ("absent", "no", "n", "cancelled", "canceled", "excused", "no show", "no-show"),
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an employee id typed into a spreadsheet comes back as 1001.0
    return str(value).strip()


class _Rows:
    """Column indexes from the mapping, checked against the header; reads one row into an Attendance."""

    def __init__(self, header: Sequence[Any], options: ImportOptions, dates: DateReader) -> None:
        cols = Columns(header)
        self.options = options
        self.dates = dates
        self.idx: dict[str, int | None] = {}
        for field, title in options.columns.items():
            self.idx[field] = cols.find(title)
        self.namer = (SessionNamer(options, default_type=MEETING, exact=True) if "session" in options.columns
                      else None)
        self.sessions: dict[str, Session] = {}

    def cell(self, row: Sequence[Any], field: str) -> Any:
        i = self.idx.get(field)
        return row[i] if i is not None and i < len(row) else None

    def read(self, line: int, row: Sequence[Any], agg: Aggregator, rejected: list[Rejected],
             skipped: list[Skipped]) -> None:
        name = _text(self.cell(row, "name")) or " ".join(
            p for p in (_text(self.cell(row, "first_name")), _text(self.cell(row, "last_name"))) if p) or None
        who = name or "(no name)"
        email = normalise_email(_text(self.cell(row, "email")))
        eid = _text(self.cell(row, "employee_id")) or None
        status = self._status(_text(self.cell(row, "status")))
        if status == "skip":
            skipped.append(Skipped(line, f"{who}: status {_text(self.cell(row, 'status'))!r}, not imported"))
            return
        if status is None:
            rejected.append(Rejected((line,), "unknown_status", f"{who}: status {_text(self.cell(row, 'status'))!r} "
                                     "is not listed under status_values in the mapping"))
            return
        if not email and not eid:
            rejected.append(Rejected((line,), "missing_person", f"{who} has neither an e-mail address nor an "
                                     "employee id"))
            return
        person = f"email:{email}" if email else f"employee:{eid}"
        if email and not is_email(email):
            rejected.append(Rejected((line,), "bad_email", f"{email!r} is not an e-mail address", None, person))
            return
        session_key = SESSION_KEY
        if self.namer is not None:
            session_key = _text(self.cell(row, "session"))
            if not session_key:
                rejected.append(Rejected((line,), "missing_session", f"{who}: the session column is empty", None,
                                         person))
                return
        try:
            day = self._date(self.cell(row, "date"), line)
            start = self._when(self.cell(row, "start"), day, line)
            end = self._when(self.cell(row, "end"), day, line)
            seconds = self._seconds(self.cell(row, "duration"), start, end)
        except RowError as exc:
            rejected.append(Rejected((line,), exc.code, f"{who}: {exc.message}", session_key, person))
            return
        if self.namer is not None and session_key not in self.sessions:
            self.sessions[session_key] = self.namer.session(
                session_key, line, name=_text(self.cell(row, "session_name")) or None)
        extra = {k: _text(self.cell(row, k)) for k in ("building", "role") if _text(self.cell(row, k))}
        at = start or (datetime.combine(day, time(), self.options.tz) if day else None)
        agg.add(Attendance(session=session_key, status=status, email=email, employee_id=eid, name=name,
                           seconds=seconds if status == ATTENDED else None, first_join=start, last_leave=end,
                           at=at, lines=[line], extra=extra))

    def _status(self, value: str) -> str | None:
        if "status" not in self.options.columns:
            return ATTENDED
        folded = value.casefold()
        table = self.options.status_values or DEFAULT_STATUSES
        for verdict in ("attended", "registered", "skip"):
            if folded in table.get(verdict, ()):
                return {"attended": ATTENDED, "registered": REGISTERED}.get(verdict, "skip")
        return None

    def _date(self, value: Any, line: int) -> date | None:
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        return self.dates.parse(_text(value), line).date()

    def _when(self, value: Any, day: date | None, line: int) -> datetime | None:
        tz = self.options.tz
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=tz)
        if isinstance(value, time):  # a time-of-day cell, on the row's date
            if day is None:
                raise RowError("bad_time", "a time without a date (map a date column)")
            return datetime.combine(day, value, tz)
        if isinstance(value, date):
            return datetime.combine(value, time(), tz)
        text = _text(value)
        clock = parse_clock(text)
        if clock is not None:
            if day is None:
                raise RowError("bad_time", f"{text!r} is a time without a date (map a date column)")
            return datetime.combine(day, clock, tz)
        return self.dates.parse(text, line)

    def _seconds(self, value: Any, start: datetime | None, end: datetime | None) -> int | None:
        if start and end and end < start:
            raise RowError("bad_time", "ends before it starts")
        if "duration" in self.options.columns:
            if value is None or value == "":
                raise RowError("bad_duration", "the duration column is empty")
            if isinstance(value, timedelta):
                return round(value.total_seconds())
            if isinstance(value, time):  # an elapsed time formatted as h:mm in a spreadsheet
                return value.hour * 3600 + value.minute * 60 + value.second
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                if self.options.duration_unit is None:
                    raise RowError("bad_duration", f"{value!r} has no unit (set duration_unit in the mapping)")
                return round(float(value) * BARE_UNITS[self.options.duration_unit])
            return parse_duration(_text(value), bare_unit=self.options.duration_unit)
        if start and end:
            return round((end - start).total_seconds())
        return planned_seconds(self.options)


def _check_mapping(options: ImportOptions) -> None:
    columns = options.columns
    if not columns:
        raise MappingError("--format generic needs --mapping FILE with a columns section naming the file's columns "
                           "(see docs/import-mapping.md)")
    if "email" not in columns and "employee_id" not in columns:
        raise MappingError("the mapping must name a person column: columns.email and/or columns.employee_id")
    if "session" not in columns and options.activity is None:
        raise MappingError("the mapping must say which activity the rows are about: activity.iri (or --activity), "
                           "or columns.session with activity.base")


def _missing(header: Sequence[Any], options: ImportOptions) -> list[str]:
    cols = Columns(header)
    return [f"{title!r} ({field})" for field, title in options.columns.items() if cols.find(title) is None]


def _finish(options: ImportOptions, rows_reader: _Rows | None, agg: Aggregator, rejected: list[Rejected],
            skipped: list[Skipped], rows: int, info: SourceInfo, what: str, dates: DateReader) -> ParseResult:
    assert rows_reader is not None
    if rows_reader.namer is None:
        sessions = {SESSION_KEY: single_session(options, key=SESSION_KEY, importer=NAME, default_type=MEETING,
                                                derived=None, name=None, start=None, end=None, platform=None,
                                                what="file")}
    else:
        sessions = rows_reader.sessions
    warnings = [w for w in (dates.describe(),) if w]
    return ParseResult(importer=NAME, layout="generic", what=what, row_noun="rows", rows=rows, source=info,
                       sessions=sessions, attendances=agg.records(), rejected=rejected, skipped=skipped,
                       warnings=warnings, options=options)


def _dates(options: ImportOptions) -> DateReader:
    return DateReader(tz=options.tz, order=options.date_order, formats=options.datetime_formats,
                      tz_name=options.timezone)


def parse(source: TextSource, options: ImportOptions) -> ParseResult:
    """Read a CSV described by the mapping into attendance records."""
    _check_mapping(options)
    wanted = tuple(options.columns.values())
    found = find_header(source.head_lines, (wanted,), delimiter=options.delimiter)
    if found is None:
        first = next((line for line in source.head_lines if line.strip()), "")
        delim = options.delimiter or max(DELIMITERS, key=first.count)
        raise NotThisFormat(NAME, "the mapping's columns are not all in the file's header: missing "
                              f"{', '.join(_missing(split_line(first, delim), options))} (first line: {first[:120]!r})")
    dates = _dates(options)
    dates.prime(source.head_text)
    agg = Aggregator()
    rejected: list[Rejected] = []
    skipped: list[Skipped] = []
    reader: _Rows | None = None
    rows = 0
    for line, row in iter_rows(source, found.delimiter):
        if reader is None:
            if not is_blank(row) and not _missing(row, options):
                reader = _Rows(row, options, dates)
            continue
        if is_blank(row):
            continue
        rows += 1
        reader.read(line, row, agg, rejected, skipped)
    if reader is None:
        raise ImportFileError("the file's header row could not be read")
    return _finish(options, reader, agg, rejected, skipped, rows, source.info(found.delimiter),
                   f"generic CSV ({len(options.columns)} mapped columns)", dates)


def _xlsx_rows(ws: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
        yield number, row


def parse_xlsx(file: str | os.PathLike[str] | BinaryIO, options: ImportOptions, *, name: str | None = None
               ) -> ParseResult:
    """Read an XLSX workbook (the mapping's ``sheet``, else the first) described by the mapping."""
    import openpyxl  # imported here: only XLSX imports need it
    from openpyxl.utils.exceptions import InvalidFileException

    _check_mapping(options)
    digest, size = hashlib.sha256(), 0
    if isinstance(file, (str, os.PathLike)):
        name = name or os.path.basename(os.fspath(file))
        with open(file, "rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    else:
        name = name or "<stream>"
        while chunk := file.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
        file.seek(0)
    try:
        wb = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"this is not a readable XLSX workbook ({exc})") from None
    try:
        if options.sheet is not None:
            if options.sheet not in wb.sheetnames:
                raise ImportFileError(f"the workbook has no sheet {options.sheet!r} (sheets: "
                                      f"{', '.join(wb.sheetnames)})")
            ws = wb[options.sheet]
        else:
            ws = wb.worksheets[0]
        dates = _dates(options)
        agg = Aggregator()
        rejected: list[Rejected] = []
        skipped: list[Skipped] = []
        reader: _Rows | None = None
        rows = 0
        first: tuple[Any, ...] | None = None
        for line, row in _xlsx_rows(ws):
            if reader is None:
                if is_blank(row):
                    continue
                first = first or row
                if not _missing(row, options):
                    reader = _Rows(row, options, dates)
                elif line > 50:
                    break
                continue
            if is_blank(row):
                continue
            rows += 1
            reader.read(line, row, agg, rejected, skipped)
        if reader is None:
            raise ImportFileError("the mapping's columns are not all in the sheet's header: missing "
                                  f"{', '.join(_missing(first or (), options))}")
        info = SourceInfo(name, digest.hexdigest(), size, f"XLSX workbook (sheet {ws.title!r})", None)
        return _finish(options, reader, agg, rejected, skipped, rows, info,
                       f"generic spreadsheet ({len(options.columns)} mapped columns)", dates)
    finally:
        wb.close()
