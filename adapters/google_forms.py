"""Google Forms sign-in sheets (the responses spreadsheet downloaded as CSV).

The columns are the form's questions: ``Timestamp``, ``Email Address`` (when the form collects addresses), then
one column per question title, e.g. ``Full Name``/``Name``, ``Which session did you attend?``/``Session``,
``Building``. Columns are recognised by their titles (``columns`` in the mapping names them when the titles are
unusual). Each response is a presence: a person signing in twice for the same session is one attendance dated by
their first sign-in. A sign-in records no minutes; ``session.minutes`` (or start and end) in the mapping gives
the statements a duration.

The timestamp's format follows the spreadsheet's locale: ``9/15/2026 15:04:05`` (US), ``15/09/2026 15:04:05``,
``2026-09-15 15:04:05``. The date order is detected when a date can only be read one way; otherwise the file is
refused until ``date_order`` (or ``datetime_format``) is set.
"""
from __future__ import annotations

import re

from adapters.errors import ImportFileError, NotThisFormat, RowError
from adapters.files import Columns, TextSource, find_header, is_blank, iter_rows
from adapters.options import ImportOptions
from adapters.people import is_email, normalise_email
from adapters.records import ATTENDED, Aggregator, Attendance, ParseResult, Rejected, Session
from adapters.sessions import MEETING, SessionNamer, planned_seconds, single_session
from adapters.times import DateReader

NAME = "google-forms"
SIGNATURES = (("Timestamp",),)
_EMAIL_TITLE = re.compile(r"\be-?mail\b")
_EID_TITLE = re.compile(r"\b(employee|staff)\b.*\b(id|number|no\.?|#)")
_NAME_TITLE = re.compile(r"\bname\b")
_SESSION_TITLE = re.compile(r"\bsession\b|\bworkshop\b|^which .*\battend")
_BUILDING_TITLE = re.compile(r"\b(building|school|campus|site)\b")
SESSION_KEY = "session"


def _pick(cols: Columns, options: ImportOptions, field: str, pattern: re.Pattern[str] | None,
          *aliases: str) -> int | None:
    """The column the mapping names for ``field``, else a known title, else the first title matching."""
    mapped = options.columns.get(field)
    if mapped is not None:
        index = cols.find(mapped)
        if index is None:
            raise ImportFileError(f"the mapping names column {mapped!r} for {field}, but the sheet has no such "
                                  f"column (its columns: {', '.join(cols.header)})")
        return index
    index = cols.find(*aliases)
    if index is None and pattern is not None:
        found = cols.matching(lambda title: bool(pattern.search(title)) and (field == "email" or not
                                                                              _EMAIL_TITLE.search(title)))
        index = found[0] if found else None
    return index


def parse(source: TextSource, options: ImportOptions) -> ParseResult:
    """Read a Google Forms responses sheet into attendance (presence) records."""
    ts_title = options.columns.get("start", "Timestamp")
    found = find_header(source.head_lines, ((ts_title,),), delimiter=options.delimiter)
    if found is None:
        raise NotThisFormat(NAME, f"no Google Forms responses sheet here: expected a {ts_title!r} column in the "
                                  "header (the first column of every responses sheet)")
    dates = DateReader(tz=options.tz, order=options.date_order, formats=options.datetime_formats,
                       tz_name=options.timezone)
    dates.prime(source.head_text)
    agg = Aggregator()
    rejected: list[Rejected] = []
    sessions: dict[str, Session] = {}
    namer: SessionNamer | None = None
    idx: dict[str, int | None] = {}
    rows = 0
    header_seen = False
    for line, row in iter_rows(source, found.delimiter):
        if is_blank(row):
            continue
        if not header_seen:
            cols = Columns(row)
            if not cols.has(ts_title):
                continue  # lines above the header
            header_seen = True
            idx = {
                "ts": cols.find(ts_title),
                "email": _pick(cols, options, "email", _EMAIL_TITLE, "Email Address", "Email", "E-mail"),
                "employee_id": _pick(cols, options, "employee_id", _EID_TITLE, "Employee ID"),
                "name": _pick(cols, options, "name", _NAME_TITLE, "Full Name", "Name", "Your Name"),
                "session": _pick(cols, options, "session", _SESSION_TITLE, "Session"),
                "building": _pick(cols, options, "building", _BUILDING_TITLE, "Building"),
            }
            if idx["email"] is None and idx["employee_id"] is None:
                raise ImportFileError("the sheet has no e-mail or employee id column, so no one can be matched to "
                                      "the roster (turn on 'Collect email addresses' in the form, or name the "
                                      "column under columns.email in the mapping)")
            if idx["session"] is not None:
                namer = SessionNamer(options, default_type=MEETING, exact=False, platform="Google Forms",
                                     column="session")
            continue
        rows += 1
        get = Columns.get
        name = get(row, idx["name"]) or None
        who = name or "(no name)"
        email = normalise_email(get(row, idx["email"]))
        eid = get(row, idx["employee_id"]) or None
        if not email and not eid:
            rejected.append(Rejected((line,), "missing_email", f"{who} gave no e-mail address"))
            continue
        person = f"email:{email}" if email else f"employee:{eid}"
        if email and not is_email(email):
            rejected.append(Rejected((line,), "bad_email", f"{email!r} is not an e-mail address", None, person))
            continue
        session_key = SESSION_KEY
        if namer is not None:
            choice = get(row, idx["session"])
            if not choice:
                rejected.append(Rejected((line,), "missing_session", f"{who} chose no session", None, person))
                continue
            if choice not in sessions:
                sessions[choice] = namer.session(choice, line)
            session_key = choice
        try:
            at = dates.parse(get(row, idx["ts"]), line)
        except RowError as exc:
            rejected.append(Rejected((line,), exc.code, f"{who}: {exc.message}", session_key, person))
            continue
        building = get(row, idx["building"])
        agg.add(Attendance(session=session_key, status=ATTENDED, email=email, employee_id=eid, name=name,
                           seconds=None, first_join=None, last_leave=None, at=at, lines=[line],
                           extra={"building": building} if building else {}))
    if not header_seen:
        raise NotThisFormat(NAME, f"no Google Forms header with a {ts_title!r} column")
    if namer is None:
        sessions[SESSION_KEY] = single_session(options, key=SESSION_KEY, importer=NAME, default_type=MEETING,
                                               derived=None, name=None, start=None, end=None,
                                               platform="Google Forms", what="sign-in sheet (it has no session "
                                                                              "question)")
    attendances = agg.records()
    planned = planned_seconds(options)
    for a in attendances:
        a.seconds = planned  # presence, one per person and session, however often they signed in
    warnings = [w for w in (dates.describe(),) if w]
    if planned is None:
        warnings.append("a sign-in sheet records no minutes: statements carry no result.duration (set "
                        "session.minutes in the mapping to credit time)")
    what = "Google Forms sign-in sheet" + (f" with {len(sessions)} sessions" if namer is not None else "")
    return ParseResult(importer=NAME, layout="google-forms", what=what, row_noun="responses", rows=rows,
                       source=source.info(found.delimiter), sessions=sessions, attendances=attendances,
                       rejected=rejected, skipped=[], warnings=warnings, options=options)
