"""Google Forms sign-in sheets: columns found by title, sessions under a series, locale timestamps."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from adapters.errors import ImportFileError, NotThisFormat
from adapters.registry import read_attendance
from tests.unit.adapters.support import ACTIVITY, CHICAGO, fixture, read_text

CHI = ZoneInfo("America/Chicago")
INSTITUTE = "https://district.example/xapi/activities/pd/literacy-institute-2026"


def test_us_sheet_with_a_session_question() -> None:
    parsed = read_attendance(fixture("google_forms_us.csv"), "google-forms", CHICAGO.with_activity(INSTITUTE))
    assert parsed.describe() == ("read UTF-8, comma-separated, Google Forms sign-in sheet with 2 sessions, "
                                 "5 responses")
    morning = parsed.sessions["Morning: Literacy keynote"]
    assert morning.iri == f"{INSTITUTE}/sessions/morning-literacy-keynote"
    assert morning.parent is not None and morning.parent.iri == INSTITUTE  # the institute is the series
    assert morning.name == "Morning: Literacy keynote"
    records = {(a.email, a.session): a for a in parsed.attendances}
    # Ana signed in twice for the morning (lines 2 and 4): one presence, dated by the first sign-in.
    ana = records[("ana.lopez@district.example", "Morning: Literacy keynote")]
    assert sorted(ana.lines) == [2, 4] and ana.at == datetime(2026, 9, 15, 15, 4, 5, tzinfo=CHI)
    assert ana.seconds is None and ana.extra == {"building": "Lincoln Elementary"}
    assert ("ben.okafor@district.example", "Afternoon: Writing workshop") in records  # e-mail lower-cased
    assert [(r.line, r.code) for r in parsed.rejected] == [(5, "missing_email")]
    assert any("records no minutes" in w for w in parsed.warnings)


def test_day_first_sheet_is_detected() -> None:
    text = ("Timestamp,Email Address,Name\n"
            "15/09/2026 15:04:05,ana.lopez@district.example,Ana\n"
            "10/09/2026 08:00:00,ben.okafor@district.example,Ben\n")
    parsed = read_text(text, "google-forms", CHICAGO.with_activity(ACTIVITY))
    assert {a.email: a.at for a in parsed.attendances}["ben.okafor@district.example"] == \
        datetime(2026, 9, 10, 8, 0, tzinfo=CHI)


def test_ambiguous_sheet_is_refused_with_a_clear_message_and_read_once_declared() -> None:
    text = ("Timestamp,Email Address,Name\n"
            "10/09/2026 15:04:05,ana.lopez@district.example,Ana\n")
    with pytest.raises(ImportFileError, match="line 2: '10/09/2026 15:04:05' could be month-first or day-first.*"
                                              "set date_order"):
        read_text(text, "google-forms", CHICAGO.with_activity(ACTIVITY))
    parsed = read_text(text, "google-forms", replace(CHICAGO.with_activity(ACTIVITY), date_order="DMY"))
    assert parsed.attendances[0].at == datetime(2026, 9, 10, 15, 4, 5, tzinfo=CHI)


def test_iso_timestamps_and_session_minutes() -> None:
    text = ("Timestamp,Email Address,Your name,School\n"
            "2026-09-15 15:04:05,ana.lopez@district.example,Ana,Lincoln\n")
    parsed = read_text(text, "google-forms", replace(CHICAGO.with_activity(ACTIVITY), session_minutes=75))
    (ana,) = parsed.attendances
    assert ana.seconds == 4500 and ana.name == "Ana" and ana.extra == {"building": "Lincoln"}
    assert parsed.sessions["session"].iri == ACTIVITY


def test_sheet_without_email_collection_is_refused() -> None:
    with pytest.raises(ImportFileError, match="no e-mail or employee id column"):
        read_text("Timestamp,Full Name\n9/15/2026 15:04:05,Ana\n", "google-forms", CHICAGO.with_activity(ACTIVITY))


def test_session_question_needs_somewhere_to_put_sessions() -> None:
    with pytest.raises(ImportFileError, match="set activity.base"):
        read_attendance(fixture("google_forms_us.csv"), "google-forms", CHICAGO)


def test_choices_sharing_a_slug_are_refused() -> None:
    text = ("Timestamp,Email Address,Session\n"
            "9/15/2026 15:04:05,ana.lopez@district.example,Math & Science\n"
            "9/15/2026 15:05:05,ben.okafor@district.example,Math Science\n")
    with pytest.raises(ImportFileError, match="line 3: sessions 'Math & Science' and 'Math Science' would get the "
                                              "same IRI"):
        read_text(text, "google-forms", CHICAGO.with_activity(ACTIVITY))


def test_eventbrite_file_given_as_google_forms() -> None:
    with pytest.raises(NotThisFormat, match="use --format eventbrite"):
        read_attendance(fixture("eventbrite_current.csv"), "google-forms", CHICAGO)
