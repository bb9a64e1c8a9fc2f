"""Waivers (cmi5 `waived`) and administrators' exemptions."""
from __future__ import annotations

from projections.compliance import EvidenceFact, ExemptionRevocation
from projections.compliance.dates import OPEN_END

from .helpers import WAIVED, at, build, exemption, fact, requirement, statuses, teacher, why

ANNUAL = requirement({"kind": "school_year"}, deadline={"month_day": "10-31"})
BBP = requirement({"kind": "rolling", "months": 12}, deadline={"days_after_hire": 30})
VETERAN = teacher("2020-08-01")


def waiver(sid: str, day: str, valid_until: str | None = None, voided: bool = False) -> EvidenceFact:
    return fact(sid, day, verb=WAIVED, waived_reason="Tested Out", valid_until=valid_until, voided=voided)


def test_waiver_without_expiry_covers_the_school_year() -> None:
    segs = build(VETERAN, ANNUAL, [waiver("w1", "2026-09-10")])
    assert statuses(segs, "2026-09-09", "2026-09-10", "2027-06-30", "2027-07-01") == \
        ["pending", "exempt", "exempt", "pending"]
    assert why(segs, "2026-09-10") == "exempt until 2027-06-30: Tested Out"
    assert [e.statement_id for e in at(segs, "2026-09-10").evidence] == ["w1"]


def test_waiver_with_valid_until() -> None:
    segs = build(VETERAN, ANNUAL, [waiver("w1", "2026-09-10", valid_until="2026-12-31")])
    assert statuses(segs, "2026-12-31", "2027-01-01") == ["exempt", "overdue"]
    assert why(segs, "2026-12-31") == "exempt until 2026-12-31: Tested Out"
    # The waiver ended after the 10-31 deadline: due on its last day, overdue from the next.
    assert why(segs, "2027-01-01") == "overdue since 2026-12-31 (after the waiver ended); not completed"


def test_rolling_waiver_lasts_like_a_completion() -> None:
    # No valid-until: exempt as long as a completion on 2025-09-10 would cover (through 2026-09-10).
    segs = build(teacher("2025-08-01"), BBP, [waiver("w1", "2025-09-10")])
    assert statuses(segs, "2025-09-09", "2025-09-10", "2026-09-10", "2026-09-11") == \
        ["overdue", "exempt", "exempt", "overdue"]
    assert why(segs, "2026-09-11") == "overdue since 2026-09-10 (after the waiver ended); not completed"


def test_voided_waiver_does_not_exempt() -> None:
    segs = build(VETERAN, ANNUAL, [waiver("w1", "2026-09-10", voided=True)])
    assert statuses(segs, "2026-09-10", "2026-11-01") == ["pending", "overdue"]


def test_administrator_exemption_with_until() -> None:
    segs = build(VETERAN, ANNUAL, exemptions=[exemption("2026-09-01", "2027-06-30")])
    assert statuses(segs, "2026-08-31", "2026-09-01", "2027-06-30", "2027-07-01") == \
        ["pending", "exempt", "exempt", "pending"]
    assert why(segs, "2026-11-01") == "exempt until 2027-06-30: medical leave"
    # An exemption ending mid-year does not move the deadline: overdue at once after it.
    short = build(VETERAN, ANNUAL, exemptions=[exemption("2026-09-01", "2026-11-30")])
    assert statuses(short, "2026-11-30", "2026-12-01") == ["exempt", "overdue"]


def test_administrator_exemption_until_revoked() -> None:
    open_ended = build(VETERAN, ANNUAL, exemptions=[exemption("2026-09-01")])
    assert statuses(open_ended, "2026-09-01", "2035-01-01") == ["exempt", "exempt"]
    assert why(open_ended, "2026-09-01") == "exempt: medical leave"
    assert open_ended[-1].valid_to == OPEN_END
    revoked = build(VETERAN, ANNUAL, exemptions=[exemption("2026-09-01")],
                    revocations=[ExemptionRevocation("x1", "2027-02-01")])
    assert statuses(revoked, "2027-01-31", "2027-02-01") == ["exempt", "overdue"]
    assert why(revoked, "2027-02-01") == "overdue since 2026-10-31; not completed"


def test_exemptions_of_other_people_or_requirements_are_ignored() -> None:
    segs = build(VETERAN, ANNUAL, exemptions=[exemption("2026-09-01", person_id="e2"),
                                              exemption("2026-09-01", requirement_id="other", eid="x2")])
    assert statuses(segs, "2026-09-01") == ["pending"]
