"""Teams attendance reports: sections in UTF-16/tab and UTF-8/comma, interval sums, the legacy list."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from adapters.errors import ImportFileError, NotThisFormat
from adapters.registry import read_attendance
from tests.unit.adapters.support import ACTIVITY, CHICAGO, by_email, fixture, read_text

CHI = ZoneInfo("America/Chicago")


def test_utf16_tab_report_uses_in_meeting_activity_intervals() -> None:
    parsed = read_attendance(fixture("teams_report_utf16.csv"), "teams", CHICAGO)
    assert parsed.describe() == ("read UTF-16LE (BOM), tab-separated, Teams attendance report with 3 sections, "
                                 "4 participant rows")
    session = parsed.sessions["meeting"]
    assert session.name == "Grade 4 Math PLC"
    assert session.start == datetime(2026, 9, 15, 15, 0, 5, tzinfo=CHI)
    assert session.iri == "https://district.example/xapi/activities/teams/grade-4-math-plc/20260915T200005Z"
    assert session.platform == "Microsoft Teams"
    people = by_email(parsed)
    # Ana: one interval of 1h 2m 5s = 3725 s (line 18).
    assert (people["ana.lopez@district.example"].seconds, people["ana.lopez@district.example"].lines) == (3725, [18])
    # Ben: 29m 0s + 30m 10s = 3550 s from section 3 (section 2 rounds it to 58m 10s); e-mail case folded.
    ben = people["ben.okafor@district.example"]
    assert (ben.seconds, sorted(ben.lines)) == (3550, [19, 20])
    assert ben.extra == {"role": "Presenter"}
    # Chloe: section 3 says 45m, and section 3 wins over section 2's 40m 0s.
    assert people["chloe.park@district.example"].seconds == 45 * 60
    # The unverified visitor has no e-mail: reported once, from the section that counts (line 22, not 14).
    assert [(r.line, r.code) for r in parsed.rejected] == [(22, "missing_email")]
    assert parsed.warnings == ["dates read month-first (detected from 9/15 in the first lines); "
                               "times without an offset read in America/Chicago"]


def test_utf8_comma_report_without_section_3_uses_in_meeting_duration() -> None:
    parsed = read_attendance(fixture("teams_report_utf8.csv"), "teams", CHICAGO)
    assert parsed.describe() == ("read UTF-8, comma-separated, Teams attendance report with 2 sections, "
                                 "2 participant rows")
    assert parsed.sessions["meeting"].name == "Restorative Practices, Part 2"
    assert parsed.sessions["meeting"].start == datetime(2026, 9, 16, 8, 0, tzinfo=CHI)
    # Ben has no Email but his Participant ID (UPN) is his address.
    assert {a.email: a.seconds for a in parsed.attendances} == {"ana.lopez@district.example": 5400,
                                                               "ben.okafor@district.example": 3600}
    assert parsed.rejected == []


def test_legacy_flat_list_sums_rows_and_reads_day_first_dates() -> None:
    with pytest.raises(ImportFileError, match="pass --activity"):
        read_attendance(fixture("teams_legacy.csv"), "teams", CHICAGO)
    parsed = read_attendance(fixture("teams_legacy.csv"), "teams", CHICAGO.with_activity(ACTIVITY))
    assert parsed.layout == "teams-legacy"
    assert parsed.describe() == "read UTF-8, tab-separated, legacy Teams attendance list, 3 rows"
    people = by_email(parsed)
    # 30m 0s + 25m = 55 minutes; 15/09/2026 is day-first, detected from the day 15.
    assert people["ana.lopez@district.example"].seconds == 55 * 60
    assert people["ana.lopez@district.example"].first_join == datetime(2026, 9, 15, 15, 0, tzinfo=CHI)
    assert people["chloe.park@district.example"].seconds == 58 * 60


def test_section_3_rows_without_email_borrow_it_from_section_2_by_name() -> None:
    text = ("1. Summary\nMeeting title\tT\nStart time\t9/15/26, 3:00:00 PM\n\n2. Participants\n"
            "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\n"
            "Ana Lopez\t9/15/26, 3:00:00 PM\t9/15/26, 3:50:00 PM\t50m\tana.lopez@district.example\t\tAttendee\n\n"
            "3. In-Meeting Activities\nName\tJoin Time\tLeave Time\tDuration\tEmail\tRole\n"
            "Ana Lopez\t9/15/26, 3:00:00 PM\t9/15/26, 3:20:00 PM\t20m\t\tAttendee\n"
            "Ana Lopez\t9/15/26, 3:25:00 PM\t9/15/26, 3:50:00 PM\t25m 30s\tana.lopez@district.example\tAttendee\n")
    parsed = read_text(text, "teams", encoding="utf-16")
    (ana,) = parsed.attendances
    assert ana.seconds == 20 * 60 + 25 * 60 + 30 and sorted(ana.lines) == [11, 12]


def test_malformed_section_and_durations() -> None:
    text = ("1. Summary\nMeeting title\tT\n\n2. Participants\nName\tEmail\n")
    with pytest.raises(ImportFileError, match="lacks its header"):
        read_text(text + "Ana\tana@x.org\n", "teams", CHICAGO.with_activity(ACTIVITY))
    bad = ("Full Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\n"
           "Ana\t9/15/26, 3:00:00 PM\t9/15/26, 3:20:00 PM\t20 minutes-ish\tana.lopez@district.example\tAttendee\n")
    parsed = read_text(bad, "teams", CHICAGO.with_activity(ACTIVITY))
    assert [(r.line, r.code) for r in parsed.rejected] == [(2, "bad_duration")]


def test_zoom_file_given_as_teams_says_so() -> None:
    with pytest.raises(NotThisFormat, match="no Teams attendance report here.*use --format zoom"):
        read_attendance(fixture("zoom_participants.csv"), "teams", CHICAGO)


def test_summary_count_mismatch_is_a_warning() -> None:
    text = ("1. Summary\nMeeting title\tT\nAttended participants\t5\nStart time\t9/15/26, 3:00:00 PM\n\n"
            "2. Participants\nName\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\n"
            "Ana\t9/15/26, 3:00:00 PM\t9/15/26, 3:50:00 PM\t50m\tana.lopez@district.example\t\tAttendee\n")
    parsed = read_text(text, "teams")
    assert "the summary says 5 attended participants but section 2 lists 1" in parsed.warnings
