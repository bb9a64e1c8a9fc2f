"""school_year: the period is the school year (07-01 .. 06-30), due by the deadline in it.

Requirement used throughout (suicide prevention, 79-2,146 with the policy 4060 convention): 1 hour, due
10-31, or 30 days after hire when that is later; due_soon_days 30.
"""
from __future__ import annotations

from dataclasses import replace

from .helpers import (PASSED, build, check_shape, fact, requirement, statuses, teacher, why, at)

REQ = requirement({"kind": "school_year"}, min_hours=1,
                  deadline={"month_day": "10-31", "days_after_hire": 30, "rule": "later"})
VETERAN = teacher("2020-08-01")


def test_existing_teacher_pending_due_soon_overdue_then_compliant_after_two_sessions() -> None:
    # 0.5 h on 2026-11-10 and 0.5 h on 2026-12-01: the hour is reached on 2026-12-01.
    segs = build(VETERAN, REQ, [fact("s1", "2026-11-10", hours=0.5), fact("s2", "2026-12-01", hours=0.5)])
    check_shape(segs)
    # Due 2026-10-31 (the hire was years ago, so only the fixed date counts); due soon from 2026-10-01.
    assert statuses(segs, "2026-07-01", "2026-09-30", "2026-10-01", "2026-10-31", "2026-11-01") == \
        ["pending", "pending", "due_soon", "due_soon", "overdue"]
    assert why(segs, "2026-07-01") == "due 2026-10-31; not completed"
    assert why(segs, "2026-11-01") == "overdue since 2026-10-31; not completed"
    assert statuses(segs, "2026-11-10", "2026-11-30") == ["overdue", "overdue"]
    assert why(segs, "2026-11-10") == "overdue since 2026-10-31; 0.5 of 1 hour completed"
    assert statuses(segs, "2026-12-01", "2027-06-30") == ["compliant", "compliant"]
    assert why(segs, "2026-12-01") == "completed 2026-12-01; valid until 2027-06-30"
    s = at(segs, "2026-12-01")
    assert (s.hours_done, s.hours_required, [e.statement_id for e in s.evidence]) == (1.0, 1.0, ["s1", "s2"])
    assert (s.period_start, s.period_end, s.next_due) == ("2026-07-01", "2027-06-30", "2027-10-31")
    # A new school year starts a new period: the completion does not carry over.
    assert statuses(segs, "2027-07-01", "2027-10-01", "2027-11-01") == ["pending", "due_soon", "overdue"]
    assert why(segs, "2027-07-01") == "due 2027-10-31; not completed"


def test_previous_school_year_is_its_own_period() -> None:
    segs = build(VETERAN, REQ, [fact("s1", "2026-06-30", hours=1)])
    # Completed on the last day of 2025-26: overdue the day before, compliant that day, pending on 07-01.
    assert statuses(segs, "2026-06-29", "2026-06-30", "2026-07-01") == ["overdue", "compliant", "pending"]


def test_mid_year_hire_later_rule() -> None:
    # Hired 2026-10-31: the later of 2026-10-31 and 2026-11-30 (30 days after hire) is 2026-11-30.
    segs = build(teacher("2026-10-31"), REQ)
    assert statuses(segs, "2026-10-30") == ["not_applicable"]  # not yet hired
    assert statuses(segs, "2026-10-31", "2026-11-30", "2026-12-01") == ["due_soon", "due_soon", "overdue"]
    assert why(segs, "2026-10-31") == "due 2026-11-30 (30 days after hire); not completed"
    # Next school year: only the fixed date.
    assert why(segs, "2027-07-01") == "due 2027-10-31; not completed"


def test_mid_year_hire_earlier_rule() -> None:
    assert REQ.deadline is not None
    earlier = replace(REQ, deadline=replace(REQ.deadline, rule="earlier"))
    # Hired 2026-08-15: the earlier of 2026-10-31 and 2026-09-14 is 2026-09-14 (due soon from 2026-08-15).
    segs = build(teacher("2026-08-15"), earlier)
    assert why(segs, "2026-08-15") == "due 2026-09-14 (30 days after hire); not completed"
    assert statuses(segs, "2026-08-15", "2026-09-14", "2026-09-15") == ["due_soon", "due_soon", "overdue"]
    # The same hire under the later rule is due 2026-10-31: pending until 2026-10-01.
    later = build(teacher("2026-08-15"), REQ)
    assert statuses(later, "2026-09-15", "2026-09-30", "2026-10-01") == ["pending", "pending", "due_soon"]
    # Hired 2026-10-31 under the earlier rule: 2026-10-31 is earlier than 2026-11-30, overdue the next day.
    late_hire = build(teacher("2026-10-31"), earlier)
    assert why(late_hire, "2026-10-31") == "due 2026-10-31; not completed"
    assert statuses(late_hire, "2026-11-01") == ["overdue"]


def test_late_dated_fact_counts_on_its_own_date() -> None:
    # A sign-in sheet for a 2026-09-14 workshop imported in December: the same facts as if sent that day,
    # so the person is compliant from 2026-09-14, never overdue.
    before_import = build(VETERAN, REQ)
    assert statuses(before_import, "2026-09-20", "2026-11-15") == ["pending", "overdue"]
    after_import = build(VETERAN, REQ, [fact("sheet", "2026-09-14", hours=1)])
    assert statuses(after_import, "2026-09-13", "2026-09-14", "2026-11-15") == ["pending", "compliant", "compliant"]


def test_voided_fact_does_not_count() -> None:
    segs = build(VETERAN, REQ, [fact("s1", "2026-09-14", hours=1, voided=True)])
    assert statuses(segs, "2026-09-14", "2026-11-01") == ["pending", "overdue"]
    assert why(segs, "2026-11-01") == "overdue since 2026-10-31; not completed"


def test_min_score() -> None:
    scored = requirement({"kind": "school_year"}, satisfied_by={"activities": [
        "https://district.example/pd/training"], "min_score": 0.8}, deadline={"month_day": "10-31"})
    low = build(VETERAN, scored, [fact("t1", "2026-09-01", verb=PASSED, score_scaled=0.7)])
    assert statuses(low, "2026-09-02", "2026-11-01") == ["pending", "overdue"]
    high = build(VETERAN, scored, [fact("t1", "2026-09-01", verb=PASSED, score_scaled=0.7),
                                   fact("t2", "2026-10-15", verb=PASSED, score_scaled=0.85)])
    # 2026-10-14 is within 30 days of 2026-10-31: due soon until the passing attempt.
    assert statuses(high, "2026-10-14", "2026-10-15", "2026-11-01") == ["due_soon", "compliant", "compliant"]
    # A completion without any score does not satisfy a min_score.
    unscored = build(VETERAN, scored, [fact("t3", "2026-09-01")])
    assert statuses(unscored, "2026-11-01") == ["overdue"]


def test_without_min_hours_one_completion_is_enough_and_no_deadline_means_year_end() -> None:
    req = requirement({"kind": "school_year"})
    segs = build(VETERAN, req, [fact("s1", "2027-05-01")])
    # Due on the last day of the school year, 2027-06-30; due soon from 2027-05-31.
    assert why(segs, "2026-07-01") == "due 2027-06-30; not completed"
    assert statuses(segs, "2027-04-30", "2027-05-01") == ["pending", "compliant"]


def test_due_soon_days_override_and_school_year_start() -> None:
    req = requirement({"kind": "school_year"}, deadline={"month_day": "10-31"}, due_soon_days=7,
                      catalog={"school_year_start": "08-15"})
    segs = build(VETERAN, req, [fact("s1", "2026-08-14")])
    # 2026-08-14 belongs to the school year 2025-08-15 .. 2026-08-14; the next starts 2026-08-15.
    assert statuses(segs, "2026-08-14", "2026-08-15") == ["compliant", "pending"]
    assert statuses(segs, "2026-10-23", "2026-10-24") == ["pending", "due_soon"]  # 7 days before 10-31
