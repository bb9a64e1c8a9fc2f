"""every_n_school_years: a completion covers its school year and the next n-1; then due by the deadline in the
school year after coverage ends. Seizure Safe Schools (92 NAC 59-009.01): every 2 school years, 1 hour, due 05-31."""
from __future__ import annotations

from .helpers import at, build, check_shape, fact, requirement, statuses, teacher, why

SEIZURE = requirement({"kind": "every_n_school_years", "years": 2}, min_hours=1, deadline={"month_day": "05-31"})


def test_covered_two_school_years_then_due_in_the_next() -> None:
    segs = build(teacher("2020-08-01"), SEIZURE, [fact("z1", "2023-10-15", hours=1)])
    check_shape(segs)
    # Never completed since the 2020 hire: first due 2021-05-31, overdue ever since until the completion.
    assert why(segs, "2023-09-01") == "overdue since 2021-05-31; not completed"
    # Completed 2023-10-15 (school year 2023-24): covered through 2025-06-30.
    assert statuses(segs, "2023-10-14", "2023-10-15", "2024-07-01", "2025-06-30") == \
        ["overdue", "compliant", "compliant", "compliant"]
    assert why(segs, "2023-10-15") == "completed 2023-10-15; valid until 2025-06-30"
    s = at(segs, "2024-07-01")
    assert (s.period_start, s.period_end, s.next_due) == ("2023-07-01", "2025-06-30", "2026-05-31")
    # School year 2025-26: due 2026-05-31, due soon from 2026-05-01.
    assert statuses(segs, "2025-07-01", "2026-04-30", "2026-05-01", "2026-05-31", "2026-06-01") == \
        ["pending", "pending", "due_soon", "due_soon", "overdue"]
    assert why(segs, "2025-07-01") == "due 2026-05-31; not completed"
    # Still overdue since 2026-05-31 in the following school year.
    assert why(segs, "2026-09-01") == "overdue since 2026-05-31; not completed"


def test_min_hours_add_up_within_one_school_year() -> None:
    # 0.5 h in 2023-24 and 0.5 h in 2024-25 are in different school years: no completion.
    segs = build(teacher("2023-08-01"), SEIZURE, [fact("a", "2024-03-01", hours=0.5), fact("b", "2024-09-01", hours=0.5)])
    assert why(segs, "2024-09-01") == "overdue since 2024-05-31; 0.5 of 1 hour completed"
    both = build(teacher("2023-08-01"), SEIZURE, [fact("a", "2024-03-01", hours=0.5), fact("b", "2024-04-01", hours=0.5)])
    # Completed 2024-04-01 (2023-24): covered 2023-24 and 2024-25, due again 2026-05-31.
    assert statuses(both, "2024-03-31", "2024-04-01", "2025-06-30", "2025-07-01", "2026-06-01") == \
        ["pending", "compliant", "compliant", "pending", "overdue"]


def test_new_hire_first_due_days_after_hire() -> None:
    # Concussion awareness: every 3 school years, first due 30 days after hire.
    req = requirement({"kind": "every_n_school_years", "years": 3}, deadline={"days_after_hire": 30})
    segs = build(teacher("2026-01-12"), req, [fact("c1", "2026-03-01")], horizon="2029-06-30")
    assert why(segs, "2026-01-12") == "due 2026-02-11 (30 days after hire); not completed"
    assert statuses(segs, "2026-02-11", "2026-02-12", "2026-03-01") == ["due_soon", "overdue", "compliant"]
    # Covered 2025-26, 2026-27, 2027-28; then due by the last day of 2028-29 (no month_day given).
    assert statuses(segs, "2028-06-30", "2028-07-01") == ["compliant", "pending"]
    assert why(segs, "2028-07-01") == "due 2029-06-30; not completed"
