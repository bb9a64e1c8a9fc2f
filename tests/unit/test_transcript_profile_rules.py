"""The transcript's rules for the district profile's statements (docs/profile/README.md), without a database."""
from __future__ import annotations

from typing import Any

import pytest

from projections.transcript.rules import compute_entry, extract_facts
from projections.transcript.vocabulary import Vocabulary
from tests.pd_builders import activity, person, statement

ANN = person("ann@district.org", "Ann Lee")
TEST = "https://district.org/pd/ws-1/posttest"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
KIND = "http://id.tincanapi.com/extension/assessment-type"


def entry(vocab: Vocabulary, *stmts: dict[str, Any], definition: dict[str, Any] | None = None) -> dict[str, Any]:
    facts = [f for i, s in enumerate(stmts) for f in extract_facts({**s, "stored": s["timestamp"]}, i + 1, vocab)]
    e = compute_entry(facts, definition, vocab)
    assert e is not None
    return e


def pp_context(kind: str = "posttest", parent_type: str = "http://adlnet.gov/expapi/activities/meeting"
                 ) -> dict[str, Any]:
    return {"contextActivities": {"parent": [{"id": "https://district.org/pd/ws-1", "definition": {
        "type": parent_type}}]}, "extensions": {KIND: kind}}


@pytest.mark.parametrize("verb,result,outcome", [
    ("completed", {"success": True, "score": {"scaled": 0.9}}, "passed"),
    ("completed", {"success": False, "score": {"scaled": 0.4}}, "failed"),
    ("completed", {"score": {"scaled": 0.55}}, "completed"),       # a pretest without a passing score
    ("passed", {"score": {"scaled": 0.85}}, "passed"),
    ("failed", {"score": {"scaled": 0.3}}, "failed"),
])
def test_pre_post_tests_report_their_verdict_and_earn_no_hours(verb: str, result: dict[str, Any],
                                                              outcome: str) -> None:
    s = statement(ANN, verb, activity(TEST, "Posttest", ASSESSMENT), "2026-10-22T15:40:00Z",
                  result={**result, "duration": "PT12M"}, context=pp_context())
    e = entry(Vocabulary(), s, definition={"type": ASSESSMENT})
    assert (e["outcome"], e["hours"], e["hours_source"], e["score"]) == (outcome, 0.0, None,
                                                                          result["score"]["scaled"])
    assert e["delivery_model"] == "workshop"                       # the parent workshop's model


def test_a_pre_post_test_keeps_a_declared_credit_and_its_parents_model() -> None:
    vocab = Vocabulary()
    s = statement(ANN, "passed", activity(TEST), "2026-10-22T15:40:00Z", result={
        "duration": "PT12M", "extensions": {vocab.ext_credit: {"type": "clock-hour", "amount": 0.5}}},
        context=pp_context("pretest", "https://w3id.org/xapi/cmi5/activitytype/course"))
    e = entry(vocab, s)
    assert (e["hours"], e["hours_source"], e["delivery_model"]) == (0.5, "credit", "online_course")


def test_an_assessment_without_the_pre_post_marker_keeps_the_ordinary_rules() -> None:
    s = statement(ANN, "completed", activity(TEST), "2026-10-22T15:40:00Z",
                  result={"success": False, "duration": "PT12M"}, context={"extensions": {KIND: "quiz"}})
    e = entry(Vocabulary(), s)
    assert (e["outcome"], e["hours"], e["hours_source"]) == ("completed", 0.2, "result_duration")


def test_district_activity_types_under_the_districts_own_base() -> None:
    vocab = Vocabulary(district_iri="https://lps.example.org/xapi/")
    cycle = statement(ANN, "completed", activity("https://lps.example.org/c/1"), "2026-11-17T15:00:00Z")
    assert entry(vocab, cycle, definition={
        "type": "https://lps.example.org/xapi/activitytypes/coaching-cycle"})["delivery_model"] == "coaching"
    rounds_type = "https://lps.example.org/xapi/activitytypes/instructional-rounds"
    rounds = statement(ANN, "attended", activity("https://lps.example.org/r/1", "Rounds", rounds_type),
                       "2026-11-04T08:30:00Z", result={"duration": "PT3H"},
                       context={"team": {"objectType": "Group", "mbox": "mailto:n@x.org"}})
    e = entry(vocab, rounds, definition={"type": rounds_type})
    assert (e["delivery_model"], e["hours"]) == ("instructional_rounds", 3.0)   # not plc, despite the team
    # Another district's type means nothing here.
    assert entry(vocab, cycle, definition={
        "type": "https://district.example/xapi/activitytypes/coaching-cycle"})["delivery_model"] == "other"


def test_walkthroughs_surveys_and_ratings_are_not_transcript_entries() -> None:
    vocab = Vocabulary()
    for verb in (vocab.district_iri + "verbs/was-observed", "http://adlnet.gov/expapi/verbs/answered",
                 "http://id.tincanapi.com/verb/rated"):
        s = statement(ANN, verb, activity("https://district.org/walkthroughs/1"), "2026-10-14T09:20:00Z",
                      result={"score": {"raw": 3, "min": 1, "max": 4, "scaled": 0.75}})
        assert extract_facts({**s, "stored": s["timestamp"]}, 1, vocab) == []
