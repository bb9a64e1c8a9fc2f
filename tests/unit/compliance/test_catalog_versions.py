"""Catalog changes with effective dates: a later version replaces the earlier from its effective date."""
from __future__ import annotations

from typing import Any

import pytest

from projections.compliance import CatalogVersion, parse_catalog_data, person_timelines

from .helpers import PD, fact, statuses, teacher, why


def catalog(*requirements: dict[str, Any], effective: str | None = None) -> Any:
    data: dict[str, Any] = {"requirements": list(requirements)}
    if effective:
        data["effective"] = effective
    return parse_catalog_data(data)


def annual(min_hours: float, **more: Any) -> dict[str, Any]:
    return {"id": "sp", "title": "Suicide prevention", "applies_to": {"roles": ["teacher"]},
            "satisfied_by": {"activities": [PD + "sp"]}, "min_hours": min_hours,
            "recurrence": {"kind": "school_year"}, "deadline": {"month_day": "10-31"}, **more}


def test_rules_switch_at_the_effective_date() -> None:
    v1 = catalog(annual(1), effective="2025-07-01")
    v2 = catalog(annual(2), effective="2026-01-01")  # the board raises the hours mid-year
    v3 = catalog(effective="2026-07-01")  # and then drops the requirement
    facts = [fact("s1", "2025-09-15", activity="sp", hours=1)]
    got = person_timelines(teacher("2020-08-01"), [v3, v1, v2], facts, [], "2026-12-31")
    segs = got["sp"]
    # Under v1, 1 hour on 2025-09-15 is enough.
    assert statuses(segs, "2025-09-14", "2025-09-15", "2025-12-31") == ["pending", "compliant", "compliant"]
    # From 2026-01-01 v2 needs 2 hours in the same school year, due 2025-10-31: overdue at once.
    assert statuses(segs, "2026-01-01") == ["overdue"]
    assert why(segs, "2026-01-01") == "overdue since 2025-10-31; 1 of 2 hours completed"
    # From 2026-07-01 the catalog no longer has it.
    assert statuses(segs, "2026-07-01", "2026-11-01") == ["not_applicable", "not_applicable"]


def test_a_new_requirement_gives_existing_staff_the_new_hire_grace() -> None:
    bbp = {"id": "bbp", "title": "BBP", "applies_to": {"roles": ["teacher"]},
           "satisfied_by": {"activities": [PD + "bbp"]}, "recurrence": {"kind": "rolling", "months": 12},
           "deadline": {"days_after_hire": 30}}
    v1 = catalog(annual(1), effective="2025-07-01")
    v2 = catalog(annual(1), bbp, effective="2026-02-01")
    got = person_timelines(teacher("2020-08-01"), [v1, v2], [], [], "2026-12-31")
    assert statuses(got["bbp"], "2026-01-31", "2026-02-01", "2026-03-04") == ["not_applicable", "due_soon", "overdue"]
    assert why(got["bbp"], "2026-02-01") == "due 2026-03-03 (30 days after the requirement took effect); not completed"
    # The unchanged requirement runs on across the version change as one timeline.
    assert statuses(got["sp"], "2026-01-31", "2026-02-01") == ["overdue", "overdue"]


def test_same_effective_date_the_later_load_wins() -> None:
    a = CatalogVersion("2025-07-01", catalog(annual(1)), seq=10)
    b = CatalogVersion("2025-07-01", catalog(annual(3)), seq=20)
    facts = [fact("s1", "2025-09-15", activity="sp", hours=1)]
    for order in ([a, b], [b, a]):
        segs = person_timelines(teacher("2020-08-01"), order, facts, [], "2026-06-30")["sp"]
        assert why(segs, "2025-09-15") == "due 2025-10-31; 1 of 3 hours completed"


def test_new_hires_only_true_means_hired_since_the_rule_came_into_force() -> None:
    rule = annual(1, applies_to={"roles": ["teacher"], "new_hires_only": True})
    v1 = catalog(annual(1), effective="2025-07-01")
    v2 = catalog(rule, effective="2026-01-01")
    v3 = catalog(dict(rule, title="Renamed"), effective="2026-07-01")
    old = person_timelines(teacher("2020-08-01"), [v1, v2, v3], [], [], "2026-12-31")["sp"]
    new = person_timelines(teacher("2026-03-01"), [v1, v2, v3], [], [], "2026-12-31")["sp"]
    assert statuses(old, "2025-12-31", "2026-01-01", "2026-09-01") == ["overdue", "not_applicable", "not_applicable"]
    # Hired after 2026-01-01, when new_hires_only came into force; v3 changes only the title, so it still counts
    # from 2026-01-01 (not from v3's 2026-07-01).
    assert statuses(new, "2026-03-01", "2026-09-01") == ["overdue", "pending"]


def test_catalog_without_effective_date_is_refused() -> None:
    with pytest.raises(ValueError):
        person_timelines(teacher("2020-08-01"), [catalog(annual(1))], [], [], "2026-06-30")
