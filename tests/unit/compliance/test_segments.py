"""Segments: the status rule on a date, the readable reason, serialisation, and the same rule in SQL."""
from __future__ import annotations

import sqlite3

from projections.compliance import STATUS_SQL, Evidence, Segment, hours_missing, reason, status_on
from projections.compliance.dates import add_months, add_years, parse_month_day

import pytest

OPEN = Segment("r", "2026-07-01", "2027-07-01", "open", due="2026-10-31", due_soon_from="2026-10-01",
               hours_done=0.5, hours_required=1.0, evidence=(Evidence("s1", "2026-09-02", 0.5),))
COVERED = Segment("r", "2025-09-14", "2026-09-15", "covered", completed="2025-09-14", expires="2026-09-14",
                  next_due="2026-09-14", next_due_soon_from="2026-08-15")
EXEMPT = Segment("r", "2026-09-01", "2027-07-01", "exempt", exempt_reason="medical leave", exempt_until="2027-06-30")


def test_status_on_compares_dates_stored_in_the_segment() -> None:
    assert [status_on(OPEN, d) for d in ("2026-09-30", "2026-10-01", "2026-10-31", "2026-11-01")] == \
        ["pending", "due_soon", "due_soon", "overdue"]
    assert [status_on(COVERED, d) for d in ("2026-08-14", "2026-08-15", "2026-09-14")] == \
        ["compliant", "due_soon", "due_soon"]
    assert status_on(EXEMPT, "2026-12-01") == "exempt"


def test_reasons() -> None:
    assert reason(OPEN, "2026-09-30") == "due 2026-10-31; 0.5 of 1 hour completed"
    assert reason(OPEN, "2026-11-01") == "overdue since 2026-10-31; 0.5 of 1 hour completed"
    assert reason(COVERED, "2026-01-01") == "completed 2025-09-14; valid until 2026-09-14"
    assert reason(EXEMPT, "2026-12-01") == "exempt until 2027-06-30: medical leave"
    sh = Segment("r", "2026-07-01", "2027-07-01", "open", due="2027-06-30", due_soon_from="2027-05-31",
                 hours_done=3, hours_required=6, hours_unit="semester-hour")
    assert reason(sh, "2026-07-01") == "due 2027-06-30; 3 of 6 semester hours completed"


def test_hours_missing() -> None:
    assert hours_missing(OPEN) == 0.5
    assert hours_missing(COVERED) is None  # counted by completion, not hours
    assert hours_missing(Segment("r", "2026-07-01", "2027-07-01", "covered", hours_required=1.0, hours_done=1.5)) == 0


def test_round_trip() -> None:
    for seg in (OPEN, COVERED, EXEMPT):
        assert Segment.from_dict(seg.to_dict()) == seg
    assert OPEN.to_dict()["evidence"] == [{"statement_id": "s1", "date": "2026-09-02", "hours": 0.5}]


def test_status_sql_agrees_with_status_on() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE seg (kind TEXT, due TEXT, due_soon_from TEXT, next_due_soon_from TEXT)")
    for seg in (OPEN, COVERED, EXEMPT):
        db.execute("DELETE FROM seg")
        db.execute("INSERT INTO seg VALUES (?, ?, ?, ?)", (seg.kind, seg.due, seg.due_soon_from,
                                                          seg.next_due_soon_from))
        for d in ("2026-08-14", "2026-08-15", "2026-09-30", "2026-10-01", "2026-10-31", "2026-11-01"):
            (got,) = db.execute(f"SELECT {STATUS_SQL} FROM seg", {"d": d}).fetchone()
            assert got == status_on(seg, d), (seg.kind, d)


def test_date_helpers() -> None:
    from datetime import date
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert parse_month_day("12-31") == (12, 31)
    for bad in ("02-30", "13-01", "2-3", "04-31", "02-29"):
        with pytest.raises(ValueError):
            parse_month_day(bad)
