"""Zoom meeting participant reports.

Two shapes, both accepted: the full export opens with a meeting header block (``Meeting ID, Topic, Start Time,
End Time, User Email, Duration (Minutes), Participants`` and sometimes more, then one row of values and a blank
line) above the participant table; a bare export is the participant table alone. The table is
``Name (Original Name), User Email, Join Time, Leave Time, Duration (Minutes), Guest, Recording Consent, In
Waiting Room`` (sometimes more), or, with "show unique users", ``Total Duration (Minutes)`` and no join/leave.

Rules: each rejoin is a new row, and a person's rows add up (Zoom's own "unique users" total is that sum);
rows spent in the waiting room are skipped, not counted; a guest without an e-mail cannot be matched to the
roster and is rejected (reported, never stored). Times are local times of the account's zone (``timezone``).
"""
from __future__ import annotations

from adapters.errors import ImportFileError, NotThisFormat, RowError
from adapters.files import Columns, TextSource, find_header, is_blank, iter_rows
from adapters.options import ImportOptions
from adapters.people import is_email, normalise_email
from adapters.records import ATTENDED, Aggregator, Attendance, ParseResult, Rejected, Skipped
from adapters.sessions import WEBINAR, compact_utc, single_session
from adapters.times import DateReader, parse_duration

NAME = "zoom"
HEADER_BLOCK = ("Meeting ID", "Topic", "Start Time")
PARTICIPANTS = ("Name (Original Name)", "Duration (Minutes)")
UNIQUE_USERS = ("Name (Original Name)", "Total Duration (Minutes)")
SIGNATURES = (HEADER_BLOCK, PARTICIPANTS, UNIQUE_USERS)
_YES = {"yes", "y", "true", "1"}
SESSION_KEY = "meeting"


def _participant_table(cols: Columns) -> bool:
    return cols.has(*PARTICIPANTS) or cols.has(*UNIQUE_USERS)


class _Table:
    """Column indexes of a participant table, worked out once (rows are many)."""

    def __init__(self, cols: Columns) -> None:
        self.name = cols.find("Name (Original Name)", "Name")
        self.email = cols.find("User Email", "Email")
        self.guest = cols.find("Guest")
        self.waiting = cols.find("In Waiting Room")
        self.duration = cols.find("Duration (Minutes)", "Total Duration (Minutes)")
        self.join = cols.find("Join Time")
        self.leave = cols.find("Leave Time")
        self.unique = cols.has(*UNIQUE_USERS)


def parse(source: TextSource, options: ImportOptions) -> ParseResult:
    """Read a Zoom participant report (with or without its meeting header block) into attendance records."""
    found = find_header(source.head_lines, SIGNATURES, delimiter=options.delimiter)
    if found is None:
        raise NotThisFormat(NAME, "no Zoom participant report here: expected a meeting header (Meeting ID, Topic, "
                                  "Start Time, ...) or a participant table (Name (Original Name), User Email, "
                                  "Join Time, Leave Time, Duration (Minutes), ...) in the first lines")
    dates = DateReader(tz=options.tz, order=options.date_order, formats=options.datetime_formats,
                       tz_name=options.timezone)
    dates.prime(source.head_text)
    agg = Aggregator()
    rejected: list[Rejected] = []
    skipped: list[Skipped] = []
    meeting: dict[str, str] = {}
    meeting_cols: Columns | None = None
    table: _Table | None = None
    meeting_line = 0
    state = "start"
    rows = 0
    for line, row in iter_rows(source, found.delimiter):
        if is_blank(row):
            continue
        if state == "start":
            header = Columns(row)
            if header.has(*HEADER_BLOCK):
                meeting_cols, state = header, "meeting"
            elif _participant_table(header):
                table, state = _Table(header), "participants"
            else:
                raise NotThisFormat(NAME, f"line {line}: expected the Zoom meeting header or participant table "
                                          f"header, found {', '.join(row[:4])}")
            continue
        if state == "meeting":
            assert meeting_cols is not None
            meeting = {name: Columns.get(row, i) for i, name in enumerate(meeting_cols.header)}
            meeting_line, state = line, "between"
            continue
        if state == "between":
            header = Columns(row)
            if not _participant_table(header):
                raise ImportFileError(f"line {line}: expected the participant table header (Name (Original Name), "
                                      "User Email, ..., Duration (Minutes)) after the meeting block")
            table, state = _Table(header), "participants"
            continue
        assert table is not None
        rows += 1
        _participant_row(line, row, table, dates, agg, rejected, skipped)
    if table is None:
        raise ImportFileError("the file has a Zoom meeting header but no participant table")

    def meeting_value(name: str) -> str:
        return next((v for k, v in meeting.items() if k.strip().casefold() == name.casefold()), "")

    meeting_id = "".join(meeting_value("Meeting ID").split())
    start = end = None
    try:
        start = dates.parse(meeting_value("Start Time"), meeting_line) if meeting_value("Start Time") else None
        end = dates.parse(meeting_value("End Time"), meeting_line) if meeting_value("End Time") else None
    except RowError as exc:
        raise ImportFileError(f"line {meeting_line}: the meeting's start or end time is unreadable: {exc.message}") from None
    session = single_session(
        options, key=SESSION_KEY, importer=NAME, default_type=WEBINAR,
        derived=(meeting_id, compact_utc(start)) if meeting_id and start else None,
        name=meeting_value("Topic") or None, start=start, end=end, platform="Zoom",
        what="Zoom participant table (without its meeting header)")
    unique = table.unique
    layout = "zoom-unique-users" if unique else "zoom-participants"
    what = "Zoom participant report" + (" (unique users)" if unique else "")
    what += f" for meeting {meeting_id}" if meeting_id else " without meeting header"
    warnings = [w for w in (dates.describe(),) if w]
    return ParseResult(importer=NAME, layout=layout, what=what, row_noun="participant rows", rows=rows,
                       source=source.info(found.delimiter), sessions={SESSION_KEY: session},
                       attendances=agg.records(), rejected=rejected, skipped=skipped, warnings=warnings,
                       options=options)


def _participant_row(line: int, row: list[str], t: _Table, dates: DateReader, agg: Aggregator,
                     rejected: list[Rejected], skipped: list[Skipped]) -> None:
    get = Columns.get
    name = get(row, t.name) or None
    email = normalise_email(get(row, t.email))
    guest = get(row, t.guest).lower() in _YES
    who = name or "(no name)"
    if get(row, t.waiting).lower() in _YES:
        skipped.append(Skipped(line, f"{who}: time in the waiting room, not in the meeting"))
        return
    if not email:
        if guest:
            rejected.append(Rejected((line,), "guest", f"guest {who} has no e-mail address, so cannot be matched "
                                                       "to the roster", SESSION_KEY))
        else:
            rejected.append(Rejected((line,), "missing_email", f"{who} has no e-mail address", SESSION_KEY))
        return
    person = f"email:{email}"
    if not is_email(email):
        rejected.append(Rejected((line,), "bad_email", f"{email!r} is not an e-mail address", SESSION_KEY, person))
        return
    try:
        seconds = parse_duration(get(row, t.duration), bare_unit="minutes")
        join_cell, leave_cell = get(row, t.join), get(row, t.leave)
        join = dates.parse(join_cell, line) if join_cell else None
        leave = dates.parse(leave_cell, line) if leave_cell else None
    except RowError as exc:
        rejected.append(Rejected((line,), exc.code, f"{who}: {exc.message}", SESSION_KEY, person))
        return
    if join and leave and leave < join:
        rejected.append(Rejected((line,), "bad_time", f"{who}: leaves before joining", SESSION_KEY, person))
        return
    agg.add(Attendance(session=SESSION_KEY, status=ATTENDED, email=email, employee_id=None, name=name,
                       seconds=seconds, first_join=join, last_leave=leave, at=None, lines=[line]))
