"""Evidence facts from xAPI statements, and matching them against a requirement."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from projections.compliance import fact_from_statement, facts_from_statement, matches, waives

from .helpers import ATTENDED, COMPLETED, FAILED, PASSED, PD, WAIVED, fact, requirement

CREDIT = "https://district.example/xapi/ext/credit"


def stmt(**kw: Any) -> dict[str, Any]:
    s: dict[str, Any] = {
        "id": "6F1C9E4A-0000-4000-8000-000000000001",
        "actor": {"objectType": "Agent", "mbox": "mailto:Ana@District.Example"},
        "verb": {"id": COMPLETED},
        "object": {"objectType": "Activity", "id": PD + "suicide-prevention",
                   "definition": {"type": "http://adlnet.gov/expapi/activities/course"}},
        "timestamp": "2026-09-15T02:30:00Z",
    }
    s.update(kw)
    return s


def test_fact_fields_and_district_time_zone() -> None:
    f = fact_from_statement(stmt(
        result={"duration": "PT1H30M", "score": {"scaled": 0.9}, "success": True},
        context={"extensions": {"http://id.tincanapi.com/extension/tags": ["Legal-Requirement", "suicide"]},
                 "contextActivities": {"category": [{"id": "https://district.example/categories/mandated"}]}}),
        "America/Chicago")
    assert f is not None
    # 02:30 UTC on 09-15 is 21:30 on 09-14 in Nebraska.
    assert (f.date, f.actor, f.statement_id) == ("2026-09-14", "mbox:mailto:ana@district.example",
                                                 "6f1c9e4a-0000-4000-8000-000000000001")
    assert (f.hours, f.score_scaled, f.success) == (1.5, 0.9, True)
    assert f.tags == ("legal-requirement", "suicide")
    assert f.categories == ("https://district.example/categories/mandated",)
    assert f.activity_type == "http://adlnet.gov/expapi/activities/course"
    # Without a time zone the timestamp's own offset decides.
    assert fact_from_statement(stmt()).date == "2026-09-15"  # type: ignore[union-attr]


def test_hours_from_credit_extension_before_duration() -> None:
    f = fact_from_statement(stmt(result={"duration": "PT1H", "extensions": {CREDIT: {"type": "semester-hour",
                                                                                     "amount": 3}}}))
    assert f is not None and f.hours == 45.0  # 3 semester hours x 15 clock hours
    ceu = fact_from_statement(stmt(context={"extensions": {CREDIT: {"type": "CEU", "amount": 0.5}}}))
    assert ceu is not None and ceu.hours == 5.0
    custom = fact_from_statement(stmt(result={"extensions": {CREDIT: {"type": "ceu", "amount": 1}}}),
                                 credit_hours={"ceu": 12.0})
    assert custom is not None and custom.hours == 12.0
    unknown_unit = fact_from_statement(stmt(result={"duration": "PT45M", "extensions": {CREDIT: {"type": "x",
                                                                                                 "amount": 9}}}))
    assert unknown_unit is not None and unknown_unit.hours == 0.75
    assert fact_from_statement(stmt()).hours == 0.0  # type: ignore[union-attr]


def test_waived_valid_until_and_reason() -> None:
    f = fact_from_statement(stmt(verb={"id": WAIVED}, result={"extensions": {
        "https://w3id.org/xapi/cmi5/result/extensions/reason": "Tested Out",
        "http://id.tincanapi.com/extension/valid-until": "2027-07-01T04:00:00Z"}}), "America/Chicago")
    assert f is not None and f.waived
    assert (f.waived_reason, f.valid_until) == ("Tested Out", "2027-06-30")


def test_statements_without_evidence() -> None:
    assert fact_from_statement(stmt(verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
                                    object={"objectType": "StatementRef", "id": "x"})) is None
    assert fact_from_statement(stmt(object={"objectType": "Agent", "mbox": "mailto:b@x.org"})) is None
    # Jisc attendance: attended with completion false records an absence.
    assert fact_from_statement(stmt(verb={"id": ATTENDED}, result={"completion": False})) is None


def test_group_actor_credits_each_member() -> None:
    group = {"objectType": "Group", "member": [{"mbox": "mailto:a@x.org"}, {"account": {
        "homePage": "https://idp.district.example", "name": "E42"}}]}
    facts = facts_from_statement(stmt(actor=group))
    assert [f.actor for f in facts] == ["mbox:mailto:a@x.org", "account:https://idp.district.example|E42"]
    assert fact_from_statement(stmt(actor=group)) is None


def test_matching_rules() -> None:
    req = requirement({"kind": "school_year"}, satisfied_by={
        "activities": [PD + "a"], "activity_types": ["http://adlnet.gov/expapi/activities/course"],
        "tags": ["suicide-prevention", "https://district.example/categories/mandated"],
        "categories": ["https://district.example/categories/sp"]})
    base = fact("s1", "2026-09-01", activity="other")
    assert not matches(req, base)
    assert matches(req, fact("s1", "2026-09-01", activity="a"))
    assert matches(req, replace(base, activity_type="http://adlnet.gov/expapi/activities/course"))
    assert matches(req, replace(base, tags=("Suicide-Prevention",)))
    assert matches(req, replace(base, categories=("https://district.example/categories/mandated",)))  # tag as IRI
    assert matches(req, replace(base, categories=("https://district.example/categories/sp",)))
    a = fact("s1", "2026-09-01", activity="a")
    for verb, ok in ((COMPLETED, True), (PASSED, True), (ATTENDED, True), (FAILED, False), (WAIVED, False)):
        assert matches(req, replace(a, verb=verb)) is ok, verb
    assert not matches(req, replace(a, voided=True))
    assert waives(req, replace(a, verb=WAIVED)) and not waives(req, replace(a, verb=WAIVED, voided=True))
    assert not waives(req, a)


def test_passed_and_custom_verbs() -> None:
    passed = requirement({"kind": "school_year"}, satisfied_by={"activities": [PD + "a"], "passed": True})
    a = fact("s1", "2026-09-01", activity="a")
    assert not matches(passed, a)
    assert matches(passed, replace(a, success=True))
    assert matches(passed, replace(a, verb=PASSED))
    only_attended = requirement({"kind": "school_year"}, satisfied_by={"activities": [PD + "a"],
                                                                       "verbs": [ATTENDED]})
    assert not matches(only_attended, a) and matches(only_attended, replace(a, verb=ATTENDED))
