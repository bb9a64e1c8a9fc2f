"""Eventbrite attendee exports: both layouts; checked in attended, attending registered, cancelled skipped."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from adapters.errors import ImportFileError
from adapters.options import load_mapping, options_from_mapping
from adapters.records import ParseResult
from adapters.registry import read_attendance
from tests.unit.adapters.support import ACTIVITY, CHICAGO, fixture, read_text

CHI = ZoneInfo("America/Chicago")
OPTS = CHICAGO.with_activity(ACTIVITY)


def statuses(parsed: ParseResult) -> list[tuple[str | None, str]]:
    return sorted((a.email, a.status) for a in parsed.attendances)


def test_current_layout() -> None:
    parsed = read_attendance(fixture("eventbrite_current.csv"), "eventbrite", OPTS)
    assert parsed.layout == "eventbrite-current"
    assert parsed.describe() == ("read UTF-8, comma-separated, Eventbrite attendee export (current layout), "
                                 "4 attendee rows")
    # Ana checked in: registered and attended; Ben is attending: registered only.
    assert statuses(parsed) == [("ana.lopez@district.example", "attended"), ("ana.lopez@district.example", "registered"),
                                ("ben.okafor@district.example", "registered")]
    ana_reg = next(a for a in parsed.attendances if a.email == "ana.lopez@district.example" and a.status == "registered")
    assert ana_reg.at == datetime(2026, 8, 20, 10, 15, 22, tzinfo=CHI)  # the order date
    assert ana_reg.extra == {"ticket_type": "General Admission"}
    assert [(s.line, s.reason) for s in parsed.skipped] == [(4, "Chloe Park: cancelled, not imported")]
    assert [(r.line, r.code) for r in parsed.rejected] == [(5, "missing_email")]
    session = parsed.sessions["event"]
    assert session.iri == ACTIVITY and session.start is None
    assert session.activity_type == "http://adlnet.gov/expapi/activities/meeting"


def test_older_layout_takes_the_date_attending() -> None:
    parsed = read_attendance(fixture("eventbrite_older.csv"), "eventbrite", OPTS)
    assert parsed.layout == "eventbrite-older"
    assert statuses(parsed) == [("ana.lopez@district.example", "attended"), ("ana.lopez@district.example", "registered"),
                                ("ben.okafor@district.example", "registered")]
    (session,) = parsed.sessions.values()
    assert session.iri == ACTIVITY
    assert session.start == datetime(2026, 9, 19, 8, 0, tzinfo=CHI)
    assert [s.line for s in parsed.skipped] == [4]  # refunded


def test_the_export_names_no_event_so_an_activity_is_needed() -> None:
    with pytest.raises(ImportFileError, match="pass --activity"):
        read_attendance(fixture("eventbrite_current.csv"), "eventbrite", CHICAGO)


def test_unknown_status_is_rejected_and_can_be_mapped() -> None:
    text = ("Order #,Order Date,First Name,Last Name,Email,Quantity,Attendee #,Attendee Status\n"
            "1,2026-08-20 10:00:00,Ana,Lopez,ana.lopez@district.example,1,11,Waitlist Promoted\n")
    parsed = read_text(text, "eventbrite", OPTS)
    assert [(r.line, r.code) for r in parsed.rejected] == [(2, "unknown_status")]
    mapped = options_from_mapping(load_mapping("status_values:\n  registered: [Waitlist Promoted]\n"), base=OPTS)
    assert statuses(read_text(text, "eventbrite", mapped)) == [("ana.lopez@district.example", "registered")]


def test_session_minutes_give_checked_in_attendees_a_duration_once_per_person() -> None:
    # Two tickets bought under one address, both checked in: one presence of 90 minutes, not 180.
    text = ("Order #,Order Date,First Name,Last Name,Email,Quantity,Attendee #,Attendee Status\n"
            "1,2026-08-20 10:00:00,Ana,Lopez,ana.lopez@district.example,2,11,Checked In\n"
            "1,2026-08-20 10:00:00,Ana,Lopez,ana.lopez@district.example,2,12,Checked In\n")
    opts = replace(OPTS, session_minutes=90.0, session_start=datetime(2026, 9, 19, 8, 0, tzinfo=CHI))
    parsed = read_text(text, "eventbrite", opts)
    attended = next(a for a in parsed.attendances if a.status == "attended")
    assert attended.seconds == 5400 and sorted(attended.lines) == [2, 3]
    assert parsed.sessions["event"].start == datetime(2026, 9, 19, 8, 0, tzinfo=CHI)


def test_several_dates_attending_become_dated_sessions_under_the_event() -> None:
    text = ("Attendee #,Date,Last Name,First Name,Email,QTY,Ticket Type,Date Attending,Order #,Attendee Status\n"
            "1,2026-08-01 09:00:00,Lopez,Ana,ana.lopez@district.example,1,T,2026-09-19,9,Checked In\n"
            "2,2026-08-01 09:00:00,Okafor,Ben,ben.okafor@district.example,1,T,2026-09-26,9,Checked In\n")
    parsed = read_text(text, "eventbrite", OPTS)
    assert sorted(s.iri for s in parsed.sessions.values()) == [f"{ACTIVITY}/2026-09-19", f"{ACTIVITY}/2026-09-26"]
    assert {s.parent.iri for s in parsed.sessions.values() if s.parent} == {ACTIVITY}
