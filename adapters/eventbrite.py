"""Eventbrite attendee exports (the Attendee Summary report), in both column layouts.

* current: ``Order #, Order Date, First Name, Last Name, Email, Quantity, Price Tier, Ticket Type, Attendee #,
  Group, Order Type, Currency, Total Paid, Fees Paid, Eventbrite Fees, Eventbrite Payment Processing, Attendee
  Status``, then one column per custom question;
* older: ``Attendee #, Date, Last Name, First Name, Email, QTY, Ticket Type, Date Attending, Order #, Order
  Type, Amount (USD), Fees Paid (USD), Attendee Status``.

Statuses: ``Checked In`` attended (and registered); ``Attending`` and the other live order states registered
only; cancelled, refunded, deleted, transferred and not-attending rows are skipped with a note; an unknown status
is rejected rather than guessed (``status_values`` in the mapping can name more). A checked-in attendee yields
both a ``registered`` statement (dated by the order) and an ``attended`` one, so that re-importing the export
after the event adds the attendance without touching the registration stored before it.

The export names no event, so the session comes from ``--activity`` (or ``Event Name``/``Event ID`` columns
when an export has them). Its date comes from ``session.start`` in the mapping, else the older layout's ``Date
Attending``; a repeating event whose rows attend several dates gets one session per date under the activity.
"""
from __future__ import annotations

from datetime import datetime

from adapters.errors import ImportFileError, NotThisFormat, RowError
from adapters.files import Columns, TextSource, find_header, is_blank, iter_rows
from adapters.options import ImportOptions
from adapters.people import is_email, normalise_email
from adapters.records import (ATTENDED, REGISTERED, ActivityRef, Aggregator, Attendance, ParseResult, Rejected,
                              Session, Skipped)
from adapters.sessions import MEETING, derived_iri, planned_seconds, single_session
from adapters.times import DateReader

NAME = "eventbrite"
CURRENT = ("Order #", "Attendee #", "Attendee Status", "Quantity")
OLDER = ("Attendee #", "Order #", "Attendee Status", "QTY")
ANY = ("Attendee #", "Order #", "Attendee Status")
SIGNATURES = (CURRENT, OLDER, ANY)
ATTENDED_STATUSES = ("checked in", "checked-in", "checked out", "checked-out")
REGISTERED_STATUSES = ("attending", "pending", "unpaid", "offline", "manual", "completed", "waitlisted")
SKIP_STATUSES = ("cancelled", "canceled", "refunded", "refunded/canceled", "refunded/cancelled", "deleted",
                 "transferred", "not attending", "partially refunded", "abandoned")


class _Table:
    def __init__(self, cols: Columns) -> None:
        self.first = cols.find("First Name")
        self.last = cols.find("Last Name")
        self.email = cols.find("Email", "Email Address")
        self.status = cols.find("Attendee Status")
        self.order_date = cols.find("Order Date", "Date")
        self.date_attending = cols.find("Date Attending")
        self.ticket = cols.find("Ticket Type")
        self.attendee = cols.find("Attendee #")
        self.event_name = cols.find("Event Name")
        self.event_id = cols.find("Event ID")


def _verdict(status: str, options: ImportOptions) -> str | None:
    """attended / registered / skip, or None for a status nobody declared."""
    folded = status.casefold()
    custom = options.status_values
    for verdict, defaults in (("attended", ATTENDED_STATUSES), ("registered", REGISTERED_STATUSES),
                              ("skip", SKIP_STATUSES)):
        if folded in custom.get(verdict, ()) or folded in defaults:
            return verdict
    return None


def parse(source: TextSource, options: ImportOptions) -> ParseResult:
    """Read an Eventbrite attendee export into registered/attended records."""
    found = find_header(source.head_lines, SIGNATURES, delimiter=options.delimiter)
    if found is None:
        raise NotThisFormat(NAME, "no Eventbrite attendee export here: expected the columns Order #, Attendee #, "
                                  "Email and Attendee Status in the first lines")
    dates = DateReader(tz=options.tz, order=options.date_order, formats=options.datetime_formats,
                       tz_name=options.timezone)
    dates.prime(source.head_text)
    agg = Aggregator()
    rejected: list[Rejected] = []
    skipped: list[Skipped] = []
    table: _Table | None = None
    layout = "eventbrite-current"
    rows = 0
    event_name = event_id = ""
    attending_dates: dict[str, datetime] = {}
    planned = planned_seconds(options)  # a check-in records presence, not minutes
    for line, row in iter_rows(source, found.delimiter):
        if is_blank(row):
            continue
        if table is None:
            cols = Columns(row)
            if not cols.has(*ANY):
                continue  # a title line above the header
            table = _Table(cols)
            layout = "eventbrite-older" if cols.has("QTY") or cols.has("Date Attending") else "eventbrite-current"
            continue
        rows += 1
        get = Columns.get
        name = " ".join(p for p in (get(row, table.first), get(row, table.last)) if p) or None
        who = name or f"attendee {get(row, table.attendee) or '?'}"
        status = get(row, table.status)
        verdict = _verdict(status, options)
        if verdict == "skip":
            skipped.append(Skipped(line, f"{who}: {status.lower()}, not imported"))
            continue
        if verdict is None:
            rejected.append(Rejected((line,), "unknown_status", f"{who}: attendee status {status!r} is not one "
                                     "this importer knows; name it under status_values in the mapping"))
            continue
        event_name = event_name or get(row, table.event_name)
        event_id = event_id or get(row, table.event_id)
        email = normalise_email(get(row, table.email))
        if not email:
            rejected.append(Rejected((line,), "missing_email", f"{who} has no e-mail address"))
            continue
        person = f"email:{email}"
        if not is_email(email):
            rejected.append(Rejected((line,), "bad_email", f"{email!r} is not an e-mail address", None, person))
            continue
        try:
            order_cell = get(row, table.order_date)
            ordered = dates.parse(order_cell, line) if order_cell else None
            attending_cell = get(row, table.date_attending)
            attending = dates.parse(attending_cell, line) if attending_cell else None
        except RowError as exc:
            rejected.append(Rejected((line,), exc.code, f"{who}: {exc.message}", None, person))
            continue
        session_key = attending.date().isoformat() if attending else "event"
        if attending is not None:
            attending_dates.setdefault(session_key, attending)
        extra = {"ticket_type": get(row, table.ticket)} if get(row, table.ticket) else {}
        agg.add(Attendance(session=session_key, status=REGISTERED, email=email, employee_id=None, name=name,
                           seconds=None, first_join=None, last_leave=None, at=ordered, lines=[line], extra=extra))
        if verdict == "attended":
            agg.add(Attendance(session=session_key, status=ATTENDED, email=email, employee_id=None, name=name,
                               seconds=None, first_join=None, last_leave=None, at=None, lines=[line],
                               extra=dict(extra)))
    if table is None:
        raise NotThisFormat(NAME, "no Eventbrite attendee table header (Order #, Attendee #, Attendee Status)")
    attendances = agg.records()
    for a in attendances:
        if a.status == ATTENDED:
            a.seconds = planned  # set after aggregating: two tickets of one person are one presence, not two
    sessions = _sessions(options, attendances, attending_dates, event_name, event_id)
    warnings = [w for w in (dates.describe(),) if w]
    what = "Eventbrite attendee export (" + ("older layout" if layout == "eventbrite-older" else "current layout") + ")"
    return ParseResult(importer=NAME, layout=layout, what=what, row_noun="attendee rows", rows=rows,
                       source=source.info(found.delimiter), sessions=sessions, attendances=attendances,
                       rejected=rejected, skipped=skipped, warnings=warnings, options=options)


def _sessions(options: ImportOptions, attendances: list[Attendance], attending_dates: dict[str, datetime],
              event_name: str, event_id: str) -> dict[str, Session]:
    keys = sorted({a.session for a in attendances} | set(attending_dates))
    if not keys:
        keys = ["event"]
    base = single_session(options, key="event", importer=NAME, default_type=MEETING,
                          derived=(event_id,) if event_id else None, name=event_name or None, start=None, end=None,
                          platform="Eventbrite", what="Eventbrite export (it has no Event ID column)")
    if len(keys) == 1:
        only = keys[0]
        start = attending_dates.get(only)
        base.key = only
        base.start = options.session_start or start
        return {only: base}
    if options.activity is None and not event_id:
        raise ImportFileError("the export covers several dates; pass --activity IRI for the event")
    sessions: dict[str, Session] = {}
    for key in keys:
        iri = f"{base.iri.rstrip('/')}/{key}" if options.activity else derived_iri(options, NAME, event_id, key)
        sessions[key] = Session(key=key, iri=iri, activity_type=base.activity_type,
                                name=f"{base.name} ({key})" if base.name else key,
                                start=options.session_start or attending_dates.get(key), end=options.session_end,
                                parent=options.parent or _series(base), platform=base.platform)
    return sessions


def _series(base: Session) -> ActivityRef:
    """The event itself, as the parent of its dated sessions."""
    return ActivityRef(base.iri, None, base.name)
