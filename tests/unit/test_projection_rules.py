"""The transcript's domain rules, without a database."""
from __future__ import annotations

from typing import Any

import pytest

from lrs.roster.identity import credited_agents, email_keys, key_to_agent, match_key, normalize_key
from projections.readers import parse_duration, school_year
from projections.transcript.rules import compute_entry, extract_facts, voided_target
from projections.transcript.vocabulary import Vocabulary
from tests.pd_builders import (CMI5_CATEGORY, DISTRICT, activity, person, statement, voiding)

V = Vocabulary()
ANN = person("ann@district.org", "Ann Lee")
W1 = "https://district.org/pd/workshop-1"
TYPES_MEETING = "http://adlnet.gov/expapi/activities/meeting"


def facts(*stmts: dict[str, Any], start: int = 1) -> list[dict[str, Any]]:
    out = []
    for i, s in enumerate(stmts):
        s = {**s, "stored": s["timestamp"]}
        out.extend(extract_facts(s, start + i, V))
    return out


def entry(*stmts: dict[str, Any], definition: dict[str, Any] | None = None) -> dict[str, Any]:
    e = compute_entry(facts(*stmts), definition, V)
    assert e is not None
    return e


@pytest.mark.parametrize("text,seconds", [
    ("PT1H30M", 5400.0), ("PT45M", 2700.0), ("PT0.5H", 1800.0), ("PT1,5H", 5400.0), ("P1DT2H", 93600.0),
    ("PT90S", 90.0), ("P1W", 604800.0), ("PT2H0M0.25S", 7200.25),
])
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "P", "PT", "1H", "PT1H30", "P1DT", None, 5400, "PT-1H"])
def test_parse_duration_rejects_malformed(bad: Any) -> None:
    assert parse_duration(bad) is None


@pytest.mark.parametrize("date,start,expected", [
    ("2024-07-01", (7, 1), "2024-2025"), ("2024-06-30", (7, 1), "2023-2024"), ("2025-01-15", (7, 1), "2024-2025"),
    ("2024-08-31", (9, 1), "2023-2024"), ("2024-09-01", (9, 1), "2024-2025"), ("2024-12-31", (1, 1), "2024"),
])
def test_school_year(date: str, start: tuple[int, int], expected: str) -> None:
    assert school_year(date, start) == expected


def test_vocabulary_reads_school_year_start_and_district_iri() -> None:
    v = Vocabulary.from_settings({"SCHOOL_YEAR_START": "09-01", "DISTRICT_IRI": "https://lps.example/x"})
    assert v.school_year_start == (9, 1)
    assert v.ext_credit == "https://lps.example/x/ext/credit"


def test_dates_in_the_district_time_zone() -> None:
    late = statement(ANN, "completed", activity(W1), "2024-07-01T01:00:00Z")  # 8 pm, June 30 in Nebraska
    utc = extract_facts({**late, "stored": late["timestamp"]}, 1, V)[0]
    local = extract_facts({**late, "stored": late["timestamp"]}, 1,
                          Vocabulary.from_settings({"TIME_ZONE": "America/Chicago"}))[0]
    assert (utc["date"], local["date"]) == ("2024-07-01", "2024-06-30")
    assert utc["entry_key"] != local["entry_key"]  # different school years


def test_identity_keys() -> None:
    assert match_key({"mbox": "mailto:Ann.Lee@District.ORG"}) == "mbox:mailto:ann.lee@district.org"
    assert match_key({"account": {"homePage": "https://idp.example", "name": "E1"}}) == "account:https://idp.example|E1"
    assert match_key({"name": "nobody"}) is None
    assert normalize_key("mbox:Ann@X.org") == "mbox:mailto:ann@x.org"
    assert normalize_key("mbox%3Amailto%3Aann%40x.org") == "mbox:mailto:ann@x.org"
    assert key_to_agent("account:https://idp.example|E1") == {
        "objectType": "Agent", "account": {"homePage": "https://idp.example", "name": "E1"}}
    keys = email_keys("Ann@X.org")
    assert keys[0] == "mbox:mailto:ann@x.org" and len(keys) == 3  # mbox + sha1 of both spellings
    with pytest.raises(ValueError):
        key_to_agent("E1234")


def test_group_actor_credits_its_members_not_the_group() -> None:
    group = {"objectType": "Group", "name": "PLC 3", "mbox": "mailto:plc3@district.org",
             "member": [person("ann@district.org"), person("bob@district.org"), {"name": "no ifi"}]}
    assert [k for k, _ in credited_agents(group)] == ["mbox:mailto:ann@district.org", "mbox:mailto:bob@district.org"]


def test_voiding_and_irrelevant_statements_make_no_facts() -> None:
    v = voiding(ANN, "E3B0C442-98FC-1C14-9AFB-F4C8996FB924", "2024-09-10T10:00:00Z")
    assert voided_target(v) == "e3b0c442-98fc-1c14-9afb-f4c8996fb924"
    assert facts(v) == []
    assert facts(statement(ANN, "experienced", activity(W1), "2024-09-10T10:00:00Z")) == []


def test_attended_with_duration_is_a_workshop_of_professional_development() -> None:
    e = entry(statement(ANN, "attended", activity(W1, "Workshop", "meeting"), "2024-09-10T14:00:00-05:00",
                        result={"duration": "PT1H30M"}))
    assert (e["outcome"], e["hours"], e["hours_source"]) == ("attended", 1.5, "attendance")
    assert (e["delivery_model"], e["classification"]) == ("workshop", "professional_development")
    assert (e["date"], e["school_year"]) == ("2024-09-10", "2024-2025")


def test_attendance_longest_per_day_and_sum_over_days() -> None:
    e = entry(
        statement(ANN, "attended", activity(W1), "2024-09-10T14:00:00Z", result={"duration": "PT1H"}),
        statement(ANN, "attended", activity(W1), "2024-09-10T14:00:00Z", result={"duration": "PT1H30M"}),  # re-sent
        statement(ANN, "attended", activity(W1), "2024-09-17T14:00:00Z", result={"duration": "PT45M"}),
    )
    assert e["hours"] == 2.25
    assert (e["start_date"], e["end_date"], e["date"]) == ("2024-09-10", "2024-09-17", "2024-09-10")
    assert len(e["statement_ids"]) == 3


def test_join_leave_intervals_add_up() -> None:
    e = entry(
        statement(ANN, "join", activity(W1), "2024-10-01T13:00:00Z"),
        statement(ANN, "leave", activity(W1), "2024-10-01T13:40:00Z"),
        statement(ANN, "join", activity(W1), "2024-10-01T14:00:00Z"),
        statement(ANN, "leave", activity(W1), "2024-10-01T14:50:00Z"),
    )
    assert (e["outcome"], e["hours"], e["hours_source"]) == ("attended", 1.5, "attendance")


def test_hours_precedence_credit_then_attendance_then_declared_then_result() -> None:
    credit = {DISTRICT + "ext/credit": {"type": "clock-hour", "amount": 3}}
    declared = {"http://id.tincanapi.com/extension/duration": "PT2H"}
    att = statement(ANN, "attended", activity(W1), "2024-09-10T14:00:00Z", result={"duration": "PT1H"})
    done = statement(ANN, "completed", activity(W1), "2024-09-10T14:00:00Z", result={"duration": "PT20M"})
    assert (entry(att, definition={"extensions": credit})["hours"],
            entry(att, definition={"extensions": credit})["hours_source"]) == (3.0, "credit")
    assert entry(att, definition={"extensions": declared})["hours_source"] == "attendance"
    assert (entry(done, definition={"extensions": declared})["hours"],
            entry(done, definition={"extensions": declared})["hours_source"]) == (2.0, "declared")
    assert (entry(done)["hours"], entry(done)["hours_source"]) == (round(20 / 60, 4), "result_duration")
    ceu = entry(done, definition={"extensions": {DISTRICT + "ext/credit": {"type": "CEU", "amount": 0.5}}})
    assert (ceu["hours"], ceu["credit_type"], ceu["credit_amount"]) == (5.0, "ceu", 0.5)


def test_credit_on_the_statement_result_wins_over_the_definition() -> None:
    s = statement(ANN, "completed", activity(W1), "2024-09-10T14:00:00Z",
                  result={"extensions": {DISTRICT + "ext/credit": {"type": "semester-hour", "amount": 1}}})
    e = entry(s, definition={"extensions": {DISTRICT + "ext/credit": {"type": "clock-hour", "amount": 3}}})
    assert (e["hours"], e["credit_type"]) == (15.0, "semester-hour")


def test_outcome_precedence_and_dates() -> None:
    reg = statement(ANN, "registered", activity(W1), "2024-08-01T09:00:00Z")
    failed = statement(ANN, "failed", activity(W1), "2024-09-01T09:00:00Z", result={"duration": "PT1H"})
    passed = statement(ANN, "passed", activity(W1), "2024-09-05T09:00:00Z", result={"duration": "PT1H",
                                                                                     "score": {"scaled": 0.9}})
    again = statement(ANN, "passed", activity(W1), "2024-09-20T09:00:00Z", result={"duration": "PT2H"})
    e = entry(reg, failed, passed, again)
    assert (e["outcome"], e["date"], e["score"]) == ("passed", "2024-09-05", 0.9)  # first pass; best score
    assert e["hours"] == 2.0  # the longest credited result duration
    assert entry(reg)["hours"] == 0 and entry(failed)["hours"] == 0
    unreg = statement(ANN, "unregistered", activity(W1), "2024-08-03T09:00:00Z")
    assert entry(reg, unreg)["outcome"] == "unregistered"
    absent = statement(ANN, "attended", activity(W1), "2024-08-05T09:00:00Z", result={"completion": False})
    assert (entry(absent)["outcome"], entry(absent)["hours"]) == ("absent", 0)


def test_voided_facts_drop_out() -> None:
    f = facts(statement(ANN, "attended", activity(W1), "2024-09-10T14:00:00Z", result={"duration": "PT1H"}))
    assert compute_entry([{**x, "voided": True} for x in f], None, V) is None


@pytest.mark.parametrize("stmt_kwargs,definition,model", [
    ({}, {"type": "http://adlnet.gov/expapi/activities/meeting"}, "workshop"),
    ({"context": {"team": {"objectType": "Group", "mbox": "mailto:plc@d.org"}}}, None, "plc"),
    ({"context": {"contextActivities": {"category": [{"id": CMI5_CATEGORY}]}}}, None, "online_course"),
    ({"context": {"contextActivities": {"parent": [{"id": "https://c.org/conf", "definition": {
        "type": "http://id.tincanapi.com/activitytype/conference"}}]}}}, None, "conference"),
    ({}, {"type": "https://w3id.org/xapi/video/activity-type/video"}, "video"),
    ({"context": {"contextActivities": {"category": [{"id": DISTRICT + "delivery/institute"}]}}},
     {"type": "http://adlnet.gov/expapi/activities/meeting"}, "institute"),
    ({"context": {"extensions": {DISTRICT + "ext/delivery-model": "instructional rounds"}}}, None,
     "instructional_rounds"),
    ({}, {"extensions": {DISTRICT + "ext/delivery-model": "network"}, "type": TYPES_MEETING}, "network"),
])
def test_delivery_model(stmt_kwargs: dict[str, Any], definition: dict[str, Any] | None, model: str) -> None:
    s = statement(ANN, "attended", activity(W1), "2024-09-10T14:00:00Z", **stmt_kwargs)
    assert entry(s, definition=definition)["delivery_model"] == model



def test_launched_course_is_online_and_completion_keeps_it() -> None:
    e = entry(statement(ANN, "launched", activity(W1), "2024-09-10T14:00:00Z"),
              statement(ANN, "completed", activity(W1), "2024-09-10T15:00:00Z", result={"duration": "PT50M"}))
    assert (e["delivery_model"], e["outcome"]) == ("online_course", "completed")


@pytest.mark.parametrize("context,definition,expected", [
    ({"extensions": {DISTRICT + "ext/classification": "training"}}, None, "training"),
    ({"contextActivities": {"category": [{"id": DISTRICT + "classification/legal-requirement"}]}}, None, "training"),
    ({"extensions": {"http://id.tincanapi.com/extension/tags": ["job-target"]}}, None, "training"),
    (None, {"extensions": {DISTRICT + "ext/classification": "training"}}, "training"),
    (None, None, "professional_development"),
])
def test_classification(context: dict[str, Any] | None, definition: dict[str, Any] | None, expected: str) -> None:
    s = statement(ANN, "completed", activity(W1), "2024-09-10T14:00:00Z", context=context)
    assert entry(s, definition=definition)["classification"] == expected


def test_coaching_credits_the_coachee_and_xapi2_instructors_are_listed() -> None:
    coach = person("coach@district.org", "Cora Coach")
    s = statement(coach, "mentored", ANN, "2024-10-02T15:00:00Z", result={"duration": "PT45M"})
    fs = facts(s)
    assert [f["actor_key"] for f in fs] == ["mbox:mailto:ann@district.org"]
    e = compute_entry(fs, None, V)
    assert e is not None and (e["delivery_model"], e["hours"], e["outcome"]) == ("coaching", 0.75, "attended")
    assert e["activity_id"].startswith("urn:lrs:coaching:") and e["name"] == "Coaching with Cora Coach"
    s2 = statement(ANN, "attended", activity(W1), "2024-10-02T15:00:00Z", version="2.0.0", context={
        "contextAgents": [{"objectType": "contextAgent", "agent": person("t@district.org", "Tia Trainer"),
                           "relevantTypes": ["https://w3id.org/xapi/cmi5/activities/instructor"]},
                          {"objectType": "contextAgent", "agent": person("obs@district.org", "Obs")}],
        "instructor": person("lead@district.org", "Lee Lead")})
    assert entry(s2)["instructors"] == ["Lee Lead", "Tia Trainer"]


def test_entries_split_by_registration_else_by_school_year() -> None:
    a = facts(statement(ANN, "completed", activity(W1), "2024-09-10T14:00:00Z"))[0]
    b = facts(statement(ANN, "completed", activity(W1), "2025-09-10T14:00:00Z"))[0]
    c = facts(statement(ANN, "completed", activity(W1), "2024-10-10T14:00:00Z"))[0]
    assert a["entry_key"] != b["entry_key"] and a["entry_key"] == c["entry_key"]
    r1 = facts(statement(ANN, "completed", activity(W1), "2024-09-10T14:00:00Z",
                         context={"registration": "6fa459ea-ee8a-3ca4-894e-db77e160355e"}))[0]
    assert r1["entry_key"] != a["entry_key"]


def test_provider_from_context_extension() -> None:
    s = statement(ANN, "attended", activity(W1), "2024-09-10T14:00:00Z",
                  context={"extensions": {"http://id.tincanapi.com/extension/training-provider": "ESU 3"}})
    assert entry(s)["provider"] == "ESU 3"
