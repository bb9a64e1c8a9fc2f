"""certificate_cycle: cycles of `years` ending on `ends` in the `years`-th year after the anchor's year
(NDE: Initial/Standard certificates expire August 31 of the 5th year following issuance or renewal).
Renewal here: 6 graduate credit hours (semester hours) within the cycle; due_soon_days 365."""
from __future__ import annotations

from .helpers import at, build, check_shape, fact, person, requirement, statuses, version, why

RENEWAL = requirement({"kind": "certificate_cycle", "years": 5, "ends": "08-31"}, min_hours=6,
                      hours_unit="semester-hour", due_soon_days=365)
SH3 = 45.0  # 3 semester hours in clock hours
ISSUED = person(version("2018-08-01", certificate_issued="2020-10-15"))


def test_renewed_within_the_cycle() -> None:
    segs = build(ISSUED, RENEWAL, [fact("g1", "2024-07-01", hours=SH3), fact("g2", "2025-03-01", hours=SH3)],
                 horizon="2031-06-30")
    check_shape(segs)
    # Issued 2020-10-15: the cycle runs 2020-09-01 .. 2025-08-31; due soon a year before the end.
    s = at(segs, "2023-01-01")
    assert (s.period_start, s.period_end, s.due) == ("2020-09-01", "2025-08-31", "2025-08-31")
    assert statuses(segs, "2024-08-30", "2024-08-31") == ["pending", "due_soon"]
    assert why(segs, "2024-08-31") == "due 2025-08-31; 3 of 6 semester hours completed"
    assert statuses(segs, "2025-02-28", "2025-03-01", "2025-08-31") == ["due_soon", "compliant", "compliant"]
    assert why(segs, "2025-03-01") == "completed 2025-03-01; valid until 2025-08-31"
    # The next cycle, 2025-09-01 .. 2030-08-31, needs its own credits.
    assert statuses(segs, "2025-09-01", "2029-08-30", "2029-08-31") == ["pending", "pending", "due_soon"]
    assert why(segs, "2025-09-01") == "due 2030-08-31; not completed"


def test_unrenewed_cycle_stays_overdue_until_late_evidence() -> None:
    segs = build(ISSUED, RENEWAL, [fact("g1", "2031-02-01", hours=2 * SH3)], horizon="2031-06-30")
    assert statuses(segs, "2025-08-31", "2025-09-01") == ["due_soon", "overdue"]
    assert why(segs, "2025-09-01") == "overdue since 2025-08-31; not completed"
    # A whole cycle later it is still overdue since the first end it missed.
    assert why(segs, "2030-09-01") == "overdue since 2025-08-31; not completed"
    # Late evidence in the cycle 2030-09-01 .. 2035-08-31 renews it for that cycle.
    assert statuses(segs, "2031-02-01") == ["compliant"]
    assert at(segs, "2031-02-01").expires == "2035-08-31"


def test_anchor_falls_back_to_hire_date() -> None:
    # Hired 2021-03-10, no issue date on the roster: cycle 2021-03-10 .. 2026-08-31.
    segs = build(person(version("2021-03-10")), RENEWAL)
    s = at(segs, "2021-03-10")
    assert (s.period_start, s.period_end, s.due) == ("2021-03-10", "2026-08-31", "2026-08-31")


def test_issue_before_september_expires_in_the_fifth_calendar_year() -> None:
    # Issued 2020-06-01: "August 31 of the 5th year following issuance" is 2025-08-31 (not 2024-08-31).
    segs = build(person(version("2020-06-01", certificate_issued="2020-06-01")), RENEWAL)
    s = at(segs, "2020-06-01")
    assert (s.period_start, s.period_end) == ("2020-06-01", "2025-08-31")


def test_roster_renewal_moves_the_anchor() -> None:
    # The roster records the renewal (issued 2025-05-20) from 2025-06-01: the cycle becomes .. 2030-08-31.
    p = person(version("2018-08-01", certificate_issued="2020-10-15"),
               version("2025-06-01", certificate_issued="2025-05-20", seq=1))
    segs = build(p, RENEWAL)
    assert at(segs, "2025-05-31").due == "2025-08-31"
    assert at(segs, "2025-06-01").due == "2030-08-31"
    assert at(segs, "2025-06-01").period_start == "2025-05-20"
