"""once_after_hire: due `days` after the requirement starts to apply; covered forever once done.
AHERA awareness (40 CFR 763.92(a)): 2 hours within 60 days of hire, custodial and maintenance staff."""
from __future__ import annotations

from projections.compliance.dates import OPEN_END

from .helpers import build, check_shape, fact, person, requirement, statuses, version, why

AHERA = requirement({"kind": "once_after_hire", "days": 60}, min_hours=2,
                    applies_to={"roles": ["custodian", "maintenance"]})


def test_due_sixty_days_after_hire_then_covered_forever() -> None:
    p = person(version("2026-03-02", roles=["custodian"]))
    segs = build(p, AHERA, [fact("a1", "2026-05-10", hours=1), fact("a2", "2026-05-20", hours=1)])
    check_shape(segs)
    # Due 2026-05-01 (60 days after 2026-03-02), due soon from 2026-04-01.
    assert statuses(segs, "2026-03-01", "2026-03-02", "2026-03-31", "2026-04-01", "2026-05-01", "2026-05-02") == \
        ["not_applicable", "pending", "pending", "due_soon", "due_soon", "overdue"]
    assert why(segs, "2026-03-02") == "due 2026-05-01 (60 days after hire); not completed"
    assert why(segs, "2026-05-10") == "overdue since 2026-05-01 (60 days after hire); 1 of 2 hours completed"
    assert statuses(segs, "2026-05-20", "2040-01-01") == ["compliant", "compliant"]
    assert why(segs, "2026-05-20") == "completed 2026-05-20"
    assert segs[-1].valid_to == OPEN_END  # nothing can change any more


def test_role_change_starts_the_clock_at_the_role_effective_date() -> None:
    p = person(version("2015-08-01", roles=["teacher"], hire="2015-08-01"),
               version("2026-09-01", roles=["maintenance"], hire="2015-08-01", seq=1))
    segs = build(p, AHERA)
    assert statuses(segs, "2026-08-31") == ["not_applicable"]
    # 2026-09-01 + 60 days = 2026-10-31.
    assert why(segs, "2026-09-01") == "due 2026-10-31 (60 days after assignment); not completed"
    assert statuses(segs, "2026-10-31", "2026-11-01") == ["due_soon", "overdue"]
