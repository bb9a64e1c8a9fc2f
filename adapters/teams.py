"""Microsoft Teams attendance reports.

The current report (often UTF-16 with a BOM and tab-separated, sometimes UTF-8 and comma-separated) has
numbered sections:

* ``1. Summary``: key/value rows (Meeting title, Attended participants, Start time, End time, Meeting duration,
  Average attendance time);
* ``2. Participants``: ``Name, First Join, Last Leave, In-Meeting Duration, Email, Participant ID (UPN), Role``;
* ``3. In-Meeting Activities``: ``Name, Join Time, Leave Time, Duration, Email, Role``, one row per interval.

A person's attendance is the sum of their section-3 intervals where they have any, else their section-2
In-Meeting Duration (section 2 rounds and, for people who rejoined, is itself that sum). Durations read like
``1h 2m 10s``, ``45m 0s``, ``2h`` or ``30s``. The legacy flat list ``Full Name, Join Time, Leave Time, Duration,
Email, Role, Participant ID (UPN)`` is one interval per row, summed per person the same way.

External and anonymous participants have no e-mail and are rejected (reported, never stored). A section-3 row
without an e-mail takes the e-mail of the section-2 participant with the same name.
"""
from __future__ import annotations

import re
from datetime import datetime

from adapters.errors import ImportFileError, NotThisFormat, RowError
from adapters.files import Columns, TextSource, find_header, is_blank, iter_rows, normalise_header
from adapters.options import ImportOptions
from adapters.people import is_email, normalise_email
from adapters.records import ATTENDED, Aggregator, Attendance, ParseResult, Rejected
from adapters.sessions import WEBINAR, compact_utc, single_session, slug
from adapters.times import DateReader, parse_duration

NAME = "teams"
PARTICIPANTS = ("Name", "First Join", "Last Leave", "In-Meeting Duration")
ACTIVITIES = ("Name", "Join Time", "Leave Time", "Duration")
LEGACY = ("Full Name", "Join Time", "Leave Time", "Duration")
SIGNATURES = (PARTICIPANTS, ACTIVITIES, LEGACY)
SESSION_KEY = "meeting"
_SECTION = re.compile(r"(\d+)\.\s*(.+)")
_SECTION_NAMES = {"summary": "summary", "participants": "participants", "in-meeting activities": "activities",
                  "in-meeting activity": "activities"}
_SUMMARY_KEYS = {
    "title": ("meeting title", "title", "meeting name"),
    "start": ("start time", "meeting start time"),
    "end": ("end time", "meeting end time"),
    "count": ("attended participants", "total number of participants", "participants"),
    "id": ("meeting id",),
}


def _section_of(row: list[str]) -> str | None:
    """The section a marker row (``2. Participants``) opens, or None if the row is not a marker."""
    cells = [c.strip() for c in row if c.strip()]
    if len(cells) != 1:
        return None
    m = _SECTION.fullmatch(cells[0])
    return _SECTION_NAMES.get(normalise_header(m.group(2)), "other") if m else None


class _Table:
    """Column indexes of a participants, activities or legacy table."""

    def __init__(self, cols: Columns) -> None:
        self.name = cols.find("Name", "Full Name")
        self.email = cols.find("Email")
        self.upn = cols.find("Participant ID (UPN)", "UPN")
        self.role = cols.find("Role")
        self.join = cols.find("First Join", "Join Time")
        self.leave = cols.find("Last Leave", "Leave Time")
        self.duration = cols.find("In-Meeting Duration", "Duration")


class _Reader:
    """Reads the rows of one table into an aggregator; remembers who had no e-mail, by name."""

    def __init__(self, dates: DateReader, names_to_email: dict[str, str]) -> None:
        self.dates = dates
        self.agg = Aggregator()
        self.rejected: list[tuple[Rejected, str]] = []   # (rejection, the person's name folded)
        self.names: set[str] = set()
        self.people: set[str] = set()
        self.rows = 0
        self._names_to_email = names_to_email

    def row(self, line: int, row: list[str], t: _Table, *, learn_names: bool) -> None:
        get = Columns.get
        self.rows += 1
        name = get(row, t.name) or None
        folded = (name or "").casefold()
        self.names.add(folded)
        email = normalise_email(get(row, t.email))
        if not email:
            upn = normalise_email(get(row, t.upn))
            email = upn if upn and is_email(upn) else self._names_to_email.get(folded) if folded else None
        who = name or "(no name)"
        if not email:
            self.rejected.append((Rejected((line,), "missing_email", f"{who} has no e-mail address (an external "
                                           "or anonymous participant cannot be matched)", SESSION_KEY), folded))
            return
        person = f"email:{email}"
        self.people.add(person)
        if learn_names and folded:
            self._names_to_email.setdefault(folded, email)
        if not is_email(email):
            self.rejected.append((Rejected((line,), "bad_email", f"{email!r} is not an e-mail address",
                                           SESSION_KEY, person), folded))
            return
        try:
            seconds = parse_duration(get(row, t.duration))
            join_cell, leave_cell = get(row, t.join), get(row, t.leave)
            join = self.dates.parse(join_cell, line) if join_cell else None
            leave = self.dates.parse(leave_cell, line) if leave_cell else None
        except RowError as exc:
            self.rejected.append((Rejected((line,), exc.code, f"{who}: {exc.message}", SESSION_KEY, person), folded))
            return
        role = get(row, t.role)
        self.agg.add(Attendance(session=SESSION_KEY, status=ATTENDED, email=email, employee_id=None, name=name,
                                seconds=seconds, first_join=join, last_leave=leave, at=None, lines=[line],
                                extra={"role": role} if role else {}))


def parse(source: TextSource, options: ImportOptions) -> ParseResult:
    """Read a Teams attendance report (sectioned or legacy flat) into attendance records."""
    found = find_header(source.head_lines, SIGNATURES, delimiter=options.delimiter)
    if found is None and any(_section_of([line.strip(" \t,;\"")]) for line in source.head_lines[:80]):
        raise ImportFileError("the Teams report has section markers but its '2. Participants' section lacks its "
                              "header (Name, First Join, Last Leave, In-Meeting Duration, Email, ...)")
    if found is None:
        raise NotThisFormat(NAME, "no Teams attendance report here: expected a '2. Participants' table (Name, "
                                  "First Join, Last Leave, In-Meeting Duration, Email, ...) or the legacy list "
                                  "(Full Name, Join Time, Leave Time, Duration, Email, ...) in the first lines")
    dates = DateReader(tz=options.tz, order=options.date_order, formats=options.datetime_formats,
                       tz_name=options.timezone)
    dates.prime(source.head_text)
    names_to_email: dict[str, str] = {}
    part, act = _Reader(dates, names_to_email), _Reader(dates, names_to_email)
    summary: dict[str, tuple[str, int]] = {}
    sections: list[str] = []
    section: str | None = None
    table: _Table | None = None
    legacy = False
    for line, row in iter_rows(source, found.delimiter):
        if is_blank(row):
            continue
        marker = _section_of(row)
        if marker is not None and not legacy:
            section, table = marker, None
            sections.append(marker)
            continue
        if section is None and not legacy:  # the first row of a file without section markers
            cols = Columns(row)
            if cols.has(*LEGACY):
                legacy, table = True, _Table(cols)
                continue
            if cols.has(*PARTICIPANTS):
                section, table = "participants", _Table(cols)
                continue
            raise NotThisFormat(NAME, f"line {line}: expected '1. Summary' or a Teams attendance table header, "
                                      f"found {', '.join(row[:4])}")
        if section == "summary":
            key = normalise_header(row[0])
            for field, names in _SUMMARY_KEYS.items():
                if key in names and len(row) > 1:
                    summary.setdefault(field, (row[1].strip(), line))
            continue
        if table is None:
            cols = Columns(row)
            if section == "participants" and not cols.has(*PARTICIPANTS):
                raise ImportFileError(f"line {line}: the '2. Participants' section lacks its header (Name, First "
                                      "Join, Last Leave, In-Meeting Duration, Email, ...)")
            if section == "activities" and not cols.has(*ACTIVITIES):
                raise ImportFileError(f"line {line}: the '3. In-Meeting Activities' section lacks its header "
                                      "(Name, Join Time, Leave Time, Duration, Email, Role)")
            table = _Table(cols)
            continue
        if legacy or section == "activities":
            act.row(line, row, table, learn_names=False)
        elif section == "participants":
            part.row(line, row, table, learn_names=True)
        # rows of sections this importer does not know are ignored

    if not legacy and part.rows == 0 and act.rows == 0:
        raise ImportFileError("the Teams report has no participant rows (no '2. Participants' table)")
    attendances, rejected = _choose(part, act)
    session_start = _summary_time(summary, "start", dates)
    session_end = _summary_time(summary, "end", dates)
    title = summary.get("title", ("", 0))[0] or None
    meeting_id = summary.get("id", ("", 0))[0]
    derived: tuple[str, ...] | None = None
    if session_start is not None and (meeting_id or title):
        derived = (meeting_id or slug(title or ""), compact_utc(session_start))
    session = single_session(options, key=SESSION_KEY, importer=NAME, default_type=WEBINAR, derived=derived,
                             name=title, start=session_start, end=session_end, platform="Microsoft Teams",
                             what="Teams report" + (" (legacy list)" if legacy else ""))
    warnings = [w for w in (dates.describe(),) if w]
    count = summary.get("count", ("", 0))[0]
    distinct = len(part.people) + len({n for r, n in part.rejected if r.person is None})
    if count.isdigit() and part.rows and int(count) != distinct:
        warnings.append(f"the summary says {count} attended participants but section 2 lists {distinct}")
    if legacy:
        layout, what, rows, noun = "teams-legacy", "legacy Teams attendance list", act.rows, "rows"
    else:
        layout, rows, noun = "teams-report", part.rows or act.rows, "participant rows" if part.rows else \
            "in-meeting activity rows"
        what = f"Teams attendance report with {len(sections)} section{'s' if len(sections) != 1 else ''}"
    return ParseResult(importer=NAME, layout=layout, what=what, row_noun=noun, rows=rows,
                       source=source.info(found.delimiter), sessions={SESSION_KEY: session},
                       attendances=attendances, rejected=rejected, skipped=[], warnings=warnings, options=options)


def _choose(part: _Reader, act: _Reader) -> tuple[list[Attendance], list[Rejected]]:
    """Section-3 intervals for the people who have any, section-2 totals for the others."""
    if act.rows == 0:
        return part.agg.records(), [r for r, _ in part.rejected]
    used = act.agg.records()
    covered = act.people
    used += [a for a in part.agg.records() if a.file_key not in covered]
    rejected = [r for r, _ in act.rejected]
    for r, name in part.rejected:
        # A section-2 problem matters only for people whose attendance comes from section 2.
        if (r.person is not None and r.person not in covered) or (r.person is None and name not in act.names):
            rejected.append(r)
    rejected.sort(key=lambda r: r.line)
    return used, rejected


def _summary_time(summary: dict[str, tuple[str, int]], key: str, dates: DateReader) -> datetime | None:
    value, line = summary.get(key, ("", 0))
    if not value:
        return None
    try:
        return dates.parse(value, line)
    except RowError as exc:
        raise ImportFileError(f"line {line}: the summary's {key} time is unreadable: {exc.message}") from None
