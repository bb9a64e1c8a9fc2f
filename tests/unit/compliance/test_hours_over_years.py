"""hours_over_years: covered on D when the evidence dated f <= D < f + years adds up to the hours.
79-830: 6 semester hours every 6 years for permanent certificated staff (credits of 15 clock hours)."""
from __future__ import annotations

from .helpers import at, build, check_shape, fact, person, requirement, statuses, version, why

GROWTH = requirement({"kind": "hours_over_years", "hours": 6, "years": 6}, hours_unit="semester-hour",
                     applies_to={"attributes": {"tenure": "permanent"}})
TEACHER = person(version("2015-08-01", tenure="permanent"))
SH3 = 45.0  # 3 semester hours, as clock hours on the fact


def test_window_reached_then_old_evidence_drops_out() -> None:
    segs = build(TEACHER, GROWTH, [fact("c1", "2016-06-15", hours=SH3), fact("c2", "2019-06-20", hours=SH3),
                                   fact("c3", "2022-09-01", hours=SH3)], horizon="2026-06-30")
    check_shape(segs)
    # First due six years after the requirement began to apply: 2021-08-01.
    assert why(segs, "2019-01-01") == "due 2021-08-01 (6 years after hire); 3 of 6 semester hours completed"
    # 3 + 3 on 2019-06-20: covered until c1 leaves the window on 2022-06-15 (it counts through 2022-06-14).
    assert statuses(segs, "2019-06-19", "2019-06-20") == ["pending", "compliant"]
    assert why(segs, "2019-06-20") == "6 of 6 semester hours in the past 6 years; valid until 2022-06-14"
    # due_soon_days 30: due soon from 2022-05-15.
    assert statuses(segs, "2022-05-14", "2022-05-15", "2022-06-14", "2022-06-15") == \
        ["compliant", "due_soon", "due_soon", "overdue"]
    assert why(segs, "2022-06-15") == "overdue since 2022-06-14; 3 of 6 semester hours completed"
    assert at(segs, "2022-06-15").valid_from == "2022-06-15"  # a boundary exactly where c1 dropped out
    # c3 on 2022-09-01 brings the window back to 6 (c2 + c3) until c2 drops out on 2025-06-20.
    assert statuses(segs, "2022-08-31", "2022-09-01", "2025-06-19", "2025-06-20") == \
        ["overdue", "compliant", "due_soon", "overdue"]
    assert why(segs, "2025-06-20") == "overdue since 2025-06-19; 3 of 6 semester hours completed"


def test_new_hire_has_the_whole_window() -> None:
    segs = build(person(version("2024-08-01", tenure="permanent")), GROWTH, horizon="2031-06-30")
    # Due 2030-08-01, due soon 30 days before: from 2030-07-02.
    assert statuses(segs, "2030-07-01", "2030-07-02", "2030-08-01", "2030-08-02") == \
        ["pending", "due_soon", "due_soon", "overdue"]
    assert why(segs, "2030-08-02") == "overdue since 2030-08-01 (6 years after hire); not completed"


def test_only_permanent_staff() -> None:
    segs = build(person(version("2015-08-01", tenure="probationary")), GROWTH)
    assert segs == []
