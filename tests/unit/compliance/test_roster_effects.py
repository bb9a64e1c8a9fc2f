"""Roster effects: role, building and supervisor changes, inactive spells, and attribute conditions, each taking
effect on its version's effective date."""
from __future__ import annotations

from .helpers import at, build, check_shape, fact, person, requirement, statuses, version, why

REQ = requirement({"kind": "school_year"}, deadline={"month_day": "10-31", "days_after_hire": 30, "rule": "later"})


def test_role_change_ends_applicability() -> None:
    p = person(version("2020-08-01", hire="2020-08-01"),
               version("2027-01-15", roles=["nurse"], hire="2020-08-01", seq=1))
    segs = build(p, REQ)
    assert statuses(segs, "2027-01-14", "2027-01-15", "2027-09-01") == ["overdue", "not_applicable", "not_applicable"]


def test_building_and_supervisor_change_split_segments_without_changing_status() -> None:
    p = person(version("2020-08-01", hire="2020-08-01", building="north", supervisor="p1"),
               version("2026-09-15", hire="2020-08-01", building="south", supervisor="p2", seq=1))
    segs = build(p, REQ, [fact("s1", "2026-08-20")])
    check_shape(segs)
    before, after = at(segs, "2026-09-14"), at(segs, "2026-09-15")
    assert (before.building, before.supervisor_id, before.valid_to) == ("north", "p1", "2026-09-15")
    assert (after.building, after.supervisor_id, after.valid_from) == ("south", "p2", "2026-09-15")
    assert statuses(segs, "2026-09-14", "2026-09-15") == ["compliant", "compliant"]
    assert before.roles == ("teacher",)


def test_inactive_spell_is_not_applicable_and_the_return_restarts_the_clock() -> None:
    p = person(version("2020-08-01", hire="2020-08-01"),
               version("2026-09-01", hire="2020-08-01", status="inactive", seq=1),
               version("2026-11-15", hire="2020-08-01", seq=2))
    segs = build(p, REQ)
    assert statuses(segs, "2026-08-31", "2026-09-01", "2026-11-14") == ["pending", "not_applicable", "not_applicable"]
    # Back on 2026-11-15: the later of 2026-10-31 and 30 days after the return (2026-12-15).
    assert why(segs, "2026-11-15") == "due 2026-12-15 (30 days after assignment); not completed"
    assert statuses(segs, "2026-12-16") == ["overdue"]


def test_include_inactive() -> None:
    req = requirement({"kind": "school_year"}, applies_to={"roles": ["teacher"], "include_inactive": True})
    p = person(version("2026-07-01", hire="2020-08-01", status="inactive"))
    assert statuses(build(p, req), "2026-07-01") == ["pending"]


def test_attribute_buildings_and_fte_conditions() -> None:
    sro_admin = requirement({"kind": "once_after_hire", "days": 180}, min_hours=20,
                            applies_to={"roles": ["principal"], "attributes": {"assignment": "sro-building"}})
    p = person(version("2024-08-01", roles=["principal"], hire="2024-08-01"),
               version("2026-01-05", roles=["principal"], hire="2024-08-01", assignment="SRO-Building;mentor", seq=1))
    segs = build(p, sro_admin)
    # Not applicable until the roster names the building as an SRO building; the clock starts then.
    assert statuses(segs, "2026-01-04") == ["not_applicable"]
    assert why(segs, "2026-01-05") == "due 2026-07-04 (180 days after assignment); not completed"

    nutrition = requirement({"kind": "school_year"}, min_hours=6, applies_to={"roles": ["nutrition staff"],
                                                                             "fte_min": 0.5, "buildings": ["North"]})
    half = person(version("2026-07-01", roles=["nutrition staff"], hire="2020-08-01", fte="0.5"))
    part = person(version("2026-07-01", roles=["nutrition staff"], hire="2020-08-01", fte="0.4"))
    unknown = person(version("2026-07-01", roles=["nutrition staff"], hire="2020-08-01"))
    other_building = person(version("2026-07-01", roles=["nutrition staff"], building="south", hire="2020-08-01"))
    assert statuses(build(half, nutrition), "2026-07-01") == ["pending"]
    assert statuses(build(part, nutrition), "2026-07-01") == ["not_applicable"]
    assert statuses(build(unknown, nutrition), "2026-07-01") == ["pending"]  # no fte column: full time
    assert statuses(build(other_building, nutrition), "2026-07-01") == ["not_applicable"]


def test_back_dated_correction_does_not_override_a_later_change() -> None:
    # Versions in force: the greatest (effective_date, seq) not after the date. A correction loaded later
    # (seq 2) but effective 2026-01-01 applies from then until the 2026-03-01 change.
    p = person(version("2020-08-01", hire="2020-08-01", building="north"),
               version("2026-03-01", hire="2020-08-01", building="south", seq=1),
               version("2026-01-01", hire="2020-08-01", building="east", seq=2))
    segs = build(p, REQ)
    assert [at(segs, d).building for d in ("2025-12-31", "2026-01-01", "2026-03-01")] == ["north", "east", "south"]


def test_new_hires_only_with_a_date() -> None:
    req = requirement({"kind": "once_after_hire", "days": 90}, applies_to={"roles": ["teacher"],
                                                                          "new_hires_only": "2026-07-01"})
    assert build(person(version("2026-06-30")), req) == []
    assert statuses(build(person(version("2026-07-01")), req), "2026-07-01") == ["pending"]
