"""rolling: covered from a completion c through c + months; then due on that day and overdue after it."""
from __future__ import annotations

from projections.compliance.dates import OPEN_END

from .helpers import at, build, check_shape, fact, person, requirement, statuses, teacher, version, why

BBP = requirement({"kind": "rolling", "months": 12}, deadline={"days_after_hire": 60})
NURSE_HIRE = "2025-08-01"


def test_first_due_from_hire_then_lapse_turns_due_soon_then_overdue() -> None:
    segs = build(teacher(NURSE_HIRE), BBP, [fact("b1", "2025-10-05"), fact("b2", "2026-10-20")])
    check_shape(segs)
    # First due 60 days after hire: 2025-09-30, due soon from 2025-08-31.
    assert statuses(segs, "2025-07-31", "2025-08-01", "2025-08-30", "2025-08-31", "2025-09-30", "2025-10-01") == \
        ["not_applicable", "pending", "pending", "due_soon", "due_soon", "overdue"]
    assert why(segs, "2025-08-01") == "due 2025-09-30 (60 days after hire); not completed"
    # Completed 2025-10-05: valid until 2026-10-05 (due again that day), so due soon from 2026-09-05.
    assert statuses(segs, "2025-10-04", "2025-10-05", "2026-09-04", "2026-09-05", "2026-10-05") == \
        ["overdue", "compliant", "compliant", "due_soon", "due_soon"]
    assert why(segs, "2025-10-05") == "completed 2025-10-05; valid until 2026-10-05"
    assert why(segs, "2026-09-05") == "completed 2025-10-05; valid until 2026-10-05; due again by 2026-10-05"
    assert at(segs, "2026-09-05").valid_from == "2025-10-05"  # one segment: due_soon is a stored-date comparison
    # Lapsed: overdue from 2026-10-06 until the renewal on 2026-10-20.
    assert statuses(segs, "2026-10-06", "2026-10-19", "2026-10-20") == ["overdue", "overdue", "compliant"]
    assert why(segs, "2026-10-06") == "overdue since 2026-10-05; not completed"
    assert why(segs, "2026-10-20") == "completed 2026-10-20; valid until 2027-10-20"
    # After the renewal lapses (2027-10-20) the person stays overdue, forever: the last segment is open-ended.
    assert statuses(segs, "2027-10-21", "2031-01-01") == ["overdue", "overdue"]
    assert segs[-1].valid_to == OPEN_END


def test_month_end_clipping() -> None:
    # 2024-02-29 + 12 months = 2025-02-28 (there is no 2025-02-29).
    segs = build(teacher("2024-01-02"), BBP, [fact("b1", "2024-02-29")])
    assert statuses(segs, "2025-02-28", "2025-03-01") == ["due_soon", "overdue"]
    assert at(segs, "2025-02-28").expires == "2025-02-28"


def test_completion_before_hire_counts_while_valid() -> None:
    # Trained 2025-06-01 at a previous job (evidence transferred): covered through 2026-06-01.
    segs = build(teacher(NURSE_HIRE), BBP, [fact("b0", "2025-06-01")])
    assert statuses(segs, "2025-08-01", "2026-06-01", "2026-06-02") == ["compliant", "due_soon", "overdue"]


def test_min_hours_within_the_rolling_window() -> None:
    # 2 hours, each hour counting for 12 months after its date. 1 h on 2025-01-10 has left the pool by
    # 2026-03-01 (it counted through 2026-01-10), so 1 h on 2026-03-01 is not a completion; 1 h more on
    # 2026-06-01 is (2026-03-01 + 2026-06-01 = 2 h).
    req = requirement({"kind": "rolling", "months": 12}, min_hours=2, deadline={"days_after_hire": 30})
    segs = build(teacher("2024-11-01"), req, [fact("h1", "2025-01-10", hours=1), fact("h2", "2026-03-01", hours=1),
                                             fact("h3", "2026-06-01", hours=1)])
    late = "overdue since 2024-12-01 (30 days after hire)"
    assert why(segs, "2025-01-10") == f"{late}; 1 of 2 hours completed"
    assert why(segs, "2026-01-10") == f"{late}; 1 of 2 hours completed"
    assert why(segs, "2026-01-11") == f"{late}; not completed"  # h1 dropped out
    assert why(segs, "2026-03-01") == f"{late}; 1 of 2 hours completed"
    assert statuses(segs, "2026-05-31", "2026-06-01") == ["overdue", "compliant"]
    assert [e.statement_id for e in at(segs, "2026-06-01").evidence] == ["h2", "h3"]
    assert at(segs, "2026-06-01").expires == "2027-06-01"


def test_open_ended_only_when_nothing_can_change() -> None:
    # Overdue for good, but the roster already says the person leaves the role in 2028: the timeline stops at
    # the end of the horizon's school year instead of claiming "overdue forever".
    p = person(version(NURSE_HIRE), version("2028-01-15", roles=["nurse"], seq=1, hire=NURSE_HIRE))
    segs = build(p, BBP, horizon="2026-12-31")
    assert segs[-1].valid_to == "2027-07-01"
    assert build(teacher(NURSE_HIRE), BBP, horizon="2026-12-31")[-1].valid_to == OPEN_END
