"""Zoom participant reports: header block, rejoins summed, guests and waiting room, unique users."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from adapters.errors import ImportFileError, NotThisFormat
from adapters.registry import read_attendance
from tests.unit.adapters.support import ACTIVITY, CHICAGO, by_email, fixture, read_text

CHI = ZoneInfo("America/Chicago")


def test_participant_report_with_header_block() -> None:
    parsed = read_attendance(fixture("zoom_participants.csv"), "zoom", CHICAGO)
    assert parsed.describe() == ("read UTF-8 (BOM), comma-separated, Zoom participant report for meeting "
                                 "81234567890, 8 participant rows")
    assert parsed.layout == "zoom-participants"
    session = parsed.sessions["meeting"]
    assert session.name == "Literacy PLC: Close Reading"
    assert session.start == datetime(2026, 9, 15, 15, 0, tzinfo=CHI)
    assert session.end == datetime(2026, 9, 15, 16, 5, tzinfo=CHI)
    # Derived from the meeting id and its start in UTC (15:00 CDT = 20:00Z).
    assert session.iri == "https://district.example/xapi/activities/zoom/81234567890/20260915T200000Z"
    assert session.activity_type == "http://id.tincanapi.com/activitytype/webinar"
    people = by_email(parsed)
    assert set(people) == {"host.coach@district.example", "ana.lopez@district.example",
                           "ben.okafor@district.example", "chloe.park@district.example",
                           "dev.sharma@gmail.com"}
    ana = people["ana.lopez@district.example"]
    # Left and rejoined: 40 + 20 minutes on lines 6 and 8; the e-mail's case differs between rows.
    assert ana.seconds == 60 * 60 and sorted(ana.lines) == [6, 8]
    assert ana.first_join == datetime(2026, 9, 15, 15, 0, 10, tzinfo=CHI)
    assert ana.last_leave == datetime(2026, 9, 15, 16, 5, tzinfo=CHI)
    assert people["ben.okafor@district.example"].seconds == 64 * 60
    # Chloe's first row (line 10) was in the waiting room: only line 11's 60 minutes count.
    chloe = people["chloe.park@district.example"]
    assert chloe.seconds == 60 * 60 and chloe.lines == [11]
    assert [(s.line, "waiting room" in s.reason) for s in parsed.skipped] == [(10, True)]
    # The guest without an e-mail is reported, not stored.
    assert [(r.line, r.code) for r in parsed.rejected] == [(9, "guest")]
    assert "iPhone" in parsed.rejected[0].reason


def test_unique_users_variant_needs_an_activity_without_header_block() -> None:
    with pytest.raises(ImportFileError, match="does not identify its session; pass --activity"):
        read_attendance(fixture("zoom_unique_users.csv"), "zoom", CHICAGO)
    parsed = read_attendance(fixture("zoom_unique_users.csv"), "zoom", CHICAGO.with_activity(ACTIVITY))
    assert parsed.layout == "zoom-unique-users"
    assert parsed.what == "Zoom participant report (unique users) without meeting header"
    assert {a.email: a.seconds for a in parsed.attendances} == {"ana.lopez@district.example": 3600,
                                                               "ben.okafor@district.example": 3840}
    assert parsed.sessions["meeting"].iri == ACTIVITY
    assert [(r.line, r.code) for r in parsed.rejected] == [(4, "guest")]


def test_participant_table_alone_with_join_times() -> None:
    text = ("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
            "Ana,ana.lopez@district.example,09/15/2026 03:00:00 PM,09/15/2026 03:30:00 PM,30,No\n"
            "Ana,ana.lopez@district.example,09/15/2026 03:40:00 PM,09/15/2026 04:00:00 PM,20,No\n")
    parsed = read_text(text, "zoom", CHICAGO.with_activity(ACTIVITY))
    (ana,) = parsed.attendances
    assert ana.seconds == 50 * 60 and ana.first_join == datetime(2026, 9, 15, 15, 0, tzinfo=CHI)
    assert parsed.sessions["meeting"].start is None  # statements then take the first join


def test_bad_rows_are_rejected_with_their_line() -> None:
    text = ("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
            "Ana,ana.lopez@district.example,09/15/2026 03:00:00 PM,09/15/2026 03:30:00 PM,thirty,No\n"
            "Ben,ben.okafor@district.example,09/15/2026 03:00:00 PM,soon,30,No\n"
            "Chloe,not-an-email,09/15/2026 03:00:00 PM,09/15/2026 03:30:00 PM,30,No\n"
            "Dev,,09/15/2026 03:00:00 PM,09/15/2026 03:30:00 PM,30,No\n"
            "Eli,eli@district.example,09/15/2026 04:00:00 PM,09/15/2026 03:30:00 PM,30,No\n")
    parsed = read_text(text, "zoom", CHICAGO.with_activity(ACTIVITY))
    assert [(r.line, r.code) for r in parsed.rejected] == [
        (2, "bad_duration"), (3, "bad_time"), (4, "bad_email"), (5, "missing_email"), (6, "bad_time")]
    assert parsed.rejected[0].person == "email:ana.lopez@district.example"  # so planning can hold her out
    assert parsed.attendances == []


def test_teams_file_given_as_zoom_says_so() -> None:
    with pytest.raises(NotThisFormat, match="no Zoom participant report here.*this looks like a Microsoft Teams "
                                            "attendance report: use --format teams"):
        read_attendance(fixture("teams_report_utf16.csv"), "zoom", CHICAGO)


def test_missing_participant_table() -> None:
    text = ("Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
            "123,Topic,09/15/2026 03:00:00 PM,09/15/2026 04:00:00 PM,h@x.org,60,0\n")
    with pytest.raises(ImportFileError, match="header but no participant table"):
        read_text(text, "zoom")


def test_ambiguous_meeting_dates_are_refused_until_declared() -> None:
    text = ("Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
            "123,Topic,10/09/2026 03:00:00 PM,10/09/2026 04:00:00 PM,h@x.org,60,1\n\n"
            "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
            "Ana,ana.lopez@district.example,10/09/2026 03:00:00 PM,10/09/2026 04:00:00 PM,60,No\n")
    with pytest.raises(ImportFileError, match="could be month-first or day-first"):
        read_text(text, "zoom")
    from dataclasses import replace
    parsed = read_text(text, "zoom", replace(CHICAGO, date_order="MDY"))
    assert parsed.sessions["meeting"].start == datetime(2026, 10, 9, 15, 0, tzinfo=CHI)
