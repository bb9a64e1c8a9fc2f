"""The requirement catalog: validation with every problem named by its path, normalisation, canonical JSON."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from projections.compliance import Catalog, CatalogError, parse_catalog
from projections.compliance.catalog import DEFAULT_VERBS

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "requirements-nebraska.yaml"

VALID = """
title: Test district
version: 3
effective: 2026-07-01
due_soon_days: 21
requirements:
  - id: suicide-prevention
    title: Suicide awareness and prevention
    reference: Neb. Rev. Stat. 79-2,146
    applies_to: {roles: [Teacher, "school  psychologist", teacher], buildings: [North]}
    satisfied_by:
      activities: ["https://district.example/pd/suicide-prevention"]
      tags: [Suicide-Prevention]
    min_hours: 1
    recurrence: {kind: school_year}
    deadline: {month_day: "10-31", days_after_hire: 30}
  - id: bbp
    title: Bloodborne pathogens
    applies_to: {roles: [nurse], attributes: {Exposure: [high, Medium]}, fte_min: 0.5, new_hires_only: true}
    satisfied_by: {activity_types: ["http://adlnet.gov/expapi/activities/course"], passed: true, min_score: 0.8}
    recurrence: {kind: rolling, months: 12}
    due_soon_days: 45
"""


def problems(text: str, filename: str = "catalog.yaml") -> list[str]:
    with pytest.raises(CatalogError) as e:
        parse_catalog(text, filename)
    return e.value.problems


def test_valid_catalog_is_normalised() -> None:
    c = parse_catalog(VALID, "catalog.yaml")
    assert (c.title, c.version, c.effective, c.due_soon_days, c.school_year_start) == \
        ("Test district", "3", "2026-07-01", 21, "07-01")
    sp, bbp = c.requirements
    assert sp.applies_to.roles == ("school psychologist", "teacher")  # lowercased, spaces collapsed, deduplicated
    assert sp.satisfied_by.tags == ("suicide-prevention",)
    assert sp.satisfied_by.verbs == DEFAULT_VERBS
    assert sp.deadline is not None and sp.deadline.rule == "later"  # the default rule
    assert (sp.due_soon_days, bbp.due_soon_days) == (21, 45)  # the catalog's, or the requirement's own
    assert bbp.applies_to.attributes == (("exposure", ("high", "medium")),)
    assert (bbp.applies_to.new_hires_only, bbp.applies_to.include_inactive) == (True, False)
    assert bbp.satisfied_by.passed and bbp.satisfied_by.min_score == 0.8


def test_round_trip_and_canonical_json() -> None:
    c = parse_catalog(VALID, "catalog.yaml")
    text = c.to_json()
    assert Catalog.from_json(text) == c
    assert Catalog.from_json(text).to_json() == text
    # The same catalog written differently (JSON, keys in another order, defaults spelled out) -> same text.
    data = json.loads(text)
    data["requirements"][0]["deadline"]["rule"] = "later"
    reordered = json.dumps(dict(reversed(list(data.items()))), indent=2)
    assert parse_catalog(reordered, "catalog.json").to_json() == text


def test_several_errors_each_with_its_path() -> None:
    text = """
school_year_start: "02-29"
due_soon_days: -3
requirements:
  - id: bbp
    title: BBP
    satisfied_by: {activities: ["not an iri"]}
    recurrence: {kind: rolling}
  - id: bbp
    title: Duplicate
    satisfied_by: {activities: ["https://district.example/pd/x"]}
    recurrence: {kind: school_year}
  - id: Bad Id
    satisfied_by: {activities: ["https://district.example/pd/x"]}
    min_hours: -1
    recurrence: {kind: every_n_school_years, years: 2, months: 3}
    deadline: {month_day: "02-30", rule: sooner}
  - id: once
    title: Once
    satisfied_by: {activities: ["https://district.example/pd/x"]}
    recurrence: {kind: once_after_hire, days: true}
    deadline: {days_after_hire: 10}
  - id: cert
    title: Cert
    satisfied_by: {}
    recurrence: {kind: certificate_cycle, years: 0, ends: "13-01"}
  - id: weekly
    title: Weekly
    satisfied_by: {activities: ["https://district.example/pd/x"]}
    recurrence: {kind: weekly}
"""
    got = problems(text)
    expected = [
        "school_year_start: '02-29': February 29 does not occur every year (use 02-28 or 03-01)",
        "due_soon_days: must not be negative (-3)",
        "requirements[0].satisfied_by.activities[0]: 'not an iri' is not an absolute IRI "
        "(such as https://district.example/pd/x)",
        "requirements[0].recurrence.months: required for kind rolling",
        "requirements[1].id: duplicate id 'bbp' (also requirements[0])",
        "requirements[2].id: 'Bad Id' must be a slug: lowercase letters and digits separated by '-', '_' or '.'",
        "requirements[2].title: required",
        "requirements[2].recurrence.months: not used by kind every_n_school_years",
        "requirements[2].deadline.month_day: '02-30': February has no day 30",
        "requirements[2].deadline.rule: 'sooner' must be 'later' or 'earlier'",
        "requirements[2].min_hours: must not be negative (-1)",
        "requirements[3].recurrence.days: must be a whole number, not true (a boolean)",
        "requirements[3].deadline: not used by kind once_after_hire (it is due `recurrence.days` after the "
        "requirement starts to apply)",
        "requirements[4].recurrence.years: must be at least 1",
        "requirements[4].recurrence.ends: '13-01': month 13 does not exist",
        "requirements[4].satisfied_by: needs at least one of activities, activity_types, tags, categories",
        "requirements[5].recurrence.kind: 'weekly' is not one of school_year, rolling, every_n_school_years, "
        "once_after_hire, hours_over_years, certificate_cycle",
    ]
    assert sorted(got) == sorted(expected)


def test_unknown_keys_are_errors_with_a_suggestion() -> None:
    text = """
requirments: []
requirements:
  - id: x
    title: X
    satisfied_by: {activity: ["https://district.example/pd/x"], activities: ["https://district.example/pd/x"]}
    recurence: {kind: school_year}
    recurrence: {kind: school_year, month: 3}
    applies_to: {role: [teacher]}
"""
    got = problems(text)
    assert sorted(got) == sorted([
        "requirments: unknown key (did you mean 'requirements'?)",
        "requirements[0].satisfied_by.activity: unknown key (did you mean 'activities'?)",
        "requirements[0].recurence: unknown key (did you mean 'recurrence'?)",
        "requirements[0].recurrence.month: unknown key (did you mean 'months'?)",
        "requirements[0].applies_to.role: unknown key (did you mean 'roles'?)",
    ])


def test_duplicate_keys_and_unreadable_files() -> None:
    assert problems("requirements: []\nrequirements: []\n") == ["catalog.yaml: line 2: duplicate key 'requirements'"]
    assert problems('{"requirements": [], "requirements": []}', "c.json") == ["c.json: duplicate key 'requirements'"]
    assert problems("requirements: [", "c.yaml")[0].startswith("c.yaml: not valid YAML")
    assert problems("- just a list") == ["catalog: must be a mapping, not a list"]
    assert problems("title: no requirements") == ["requirements: required (a list of requirements)"]


def test_kind_parameters() -> None:
    text = """
requirements:
  - id: growth
    title: Growth
    satisfied_by: {tags: [graduate-credit]}
    hours_unit: semester-hour
    min_hours: 6
    recurrence: {kind: hours_over_years, hours: 6}
  - id: cert
    title: Cert
    satisfied_by: {tags: [graduate-credit]}
    hours_unit: furlong
    recurrence: {kind: certificate_cycle, years: 5}
"""
    assert sorted(problems(text)) == sorted([
        "requirements[0].recurrence.years: required for kind hours_over_years",
        "requirements[0].min_hours: not used by kind hours_over_years (set recurrence.hours)",
        "requirements[1].recurrence.ends: required for kind certificate_cycle",
        "requirements[1].hours_unit: unknown unit 'furlong' (known: ceu, clock-hour, semester-hour; "
        "add it under credit_units)",
    ])


def test_credit_units_and_effective_override() -> None:
    c = parse_catalog("""
effective: "2026-07-01"
credit_units: {quarter-hour: 10}
requirements:
  - id: q
    title: Q
    satisfied_by: {tags: [q]}
    min_hours: 3
    hours_unit: quarter-hour
    recurrence: {kind: school_year}
    effective_from: "2026-09-01"
""", "c.yaml")
    req = c.requirements[0]
    assert (req.hours_unit, req.unit_hours, req.effective_from) == ("quarter-hour", 10.0, "2026-09-01")
    assert dict(c.credit_units)["semester-hour"] == 15.0  # defaults kept
    assert c.with_effective("2026-08-01").effective == "2026-08-01"
    assert Catalog.from_json(c.to_json()) == c


def test_the_nebraska_example_parses() -> None:
    c = parse_catalog(EXAMPLE.read_text(), EXAMPLE.name)
    ids = {r.id for r in c.requirements}
    assert len(c.requirements) >= 10
    assert {"suicide-prevention", "seizure-safe-schools", "behavioral-awareness", "sro-training",
            "sro-administrator-training", "professional-growth", "certificate-renewal", "bloodborne-pathogens",
            "nutrition-director-training", "nutrition-manager-training", "nutrition-staff-training",
            "ahera-awareness", "title-ix"} <= ids
    kinds = {r.recurrence.kind for r in c.requirements}
    assert kinds == {"school_year", "rolling", "every_n_school_years", "once_after_hire", "hours_over_years",
                     "certificate_cycle"}
    assert all(r.reference for r in c.requirements)
    acts = {a for r in c.requirements for a in r.satisfied_by.activities}
    assert all(a.startswith("https://district.example/pd/") for a in acts)
    sp = c.requirement("suicide-prevention")
    assert sp is not None and sp.deadline is not None
    assert (sp.deadline.month_day, sp.deadline.days_after_hire, sp.deadline.rule) == ("12-31", 30, "later")
    admin = c.requirement("sro-administrator-training")
    assert admin is not None and admin.applies_to.attributes == (("assignment", ("sro-building",)),)
    assert Catalog.from_json(c.to_json()) == c
