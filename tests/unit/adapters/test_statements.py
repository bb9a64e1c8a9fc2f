"""Statements built from attendance: vocabulary, duration, extensions, deterministic ids, validation."""
from __future__ import annotations

import hashlib
import uuid
from typing import Any

from lrs.xapi.validation import validate_statement

from adapters.options import load_mapping, options_from_mapping
from adapters.plan import ImportPlan, plan_import
from adapters.registry import read_attendance
from adapters.statements import ID_NAMESPACE, fresh_statement_id, priors_from_statements, statement_id, void_id
from tests.unit.adapters.support import (ACTIVITY, ATTENDED, CHICAGO, EXT_IMPORT, REGISTERED, VOIDED, fixture,
                                         make_roster, read_text)

ZOOM_IRI = "https://district.example/xapi/activities/zoom/81234567890/20260915T200000Z"


def zoom_plan() -> ImportPlan:
    return plan_import(read_attendance(fixture("zoom_participants.csv"), "zoom", CHICAGO), make_roster())


def by_person(plan: ImportPlan) -> dict[tuple[str, str], dict[str, Any]]:
    return {(p.person_key, p.verb): p.statement for p in plan.store}


def test_zoom_attended_statement() -> None:
    stmts = by_person(zoom_plan())
    ana = stmts[("E1001", "attended")]
    sha = hashlib.sha256(fixture("zoom_participants.csv").read_bytes()).hexdigest()
    # The id is UUIDv5 of scheme|session|employee|verb|seconds|start-in-UTC (15:00 CDT = 20:00Z).
    expected_id = str(uuid.uuid5(ID_NAMESPACE,
                                 f"attendance-import/v1|{ZOOM_IRI}|E1001|attended|3600|2026-09-15T20:00:00Z"))
    assert ana == {
        "id": expected_id,
        "actor": {"objectType": "Agent", "name": "Ana Lopez",
                  "account": {"homePage": "https://idp.district.example", "name": "E1001"}},
        "verb": {"id": ATTENDED, "display": {"en-US": "attended"}},
        "object": {"objectType": "Activity", "id": ZOOM_IRI,
                   "definition": {"type": "http://id.tincanapi.com/activitytype/webinar",
                                  "name": {"en-US": "Literacy PLC: Close Reading"}}},
        "result": {"duration": "PT1H"},
        "timestamp": "2026-09-15T15:00:00-05:00",
        "context": {
            "platform": "Zoom",
            "contextActivities": {"category": [{"objectType": "Activity",
                                                "id": "http://id.tincanapi.com/recipe/attendance/base/0_0_1"}]},
            "extensions": {EXT_IMPORT: {"importer": "zoom", "format": "zoom-participants",
                                        "file": "zoom_participants.csv", "file_sha256": sha, "line": 6,
                                        "lines": [6, 8], "person": "E1001"}},
        },
    }
    # No account in the roster: the actor is the mbox.
    assert stmts[("E1002", "attended")]["actor"] == {"objectType": "Agent", "name": "Ben Okafor",
                                                     "mbox": "mailto:ben.okafor@district.example"}
    assert stmts[("E1002", "attended")]["result"] == {"duration": "PT1H4M"}
    for stmt in stmts.values():
        validate_statement(stmt, version="1.0.3")


def test_ids_are_stable_across_runs_and_change_with_the_minutes() -> None:
    first = {k: s["id"] for k, s in by_person(zoom_plan()).items()}
    again = {k: s["id"] for k, s in by_person(zoom_plan()).items()}
    assert first == again
    text = fixture("zoom_participants.csv").read_text(encoding="utf-8-sig")
    corrected = text.replace("ben.okafor@district.example,09/15/2026 03:01:00 PM,09/15/2026 04:05:00 PM,64",
                             "ben.okafor@district.example,09/15/2026 03:01:00 PM,09/15/2026 04:05:00 PM,54")
    assert corrected != text
    changed = {k: s["id"] for k, s in by_person(plan_import(read_text(corrected, "zoom", CHICAGO,
                                                                      name="corrected.csv"), make_roster())).items()}
    assert changed[("E1002", "attended")] != first[("E1002", "attended")]
    # Everyone else keeps their id although the file (name, hash) differs.
    assert {k: v for k, v in changed.items() if k[0] != "E1002"} == {k: v for k, v in first.items() if k[0] != "E1002"}


def test_teams_durations_and_role() -> None:
    plan = plan_import(read_attendance(fixture("teams_report_utf16.csv"), "teams", CHICAGO), make_roster())
    stmts = by_person(plan)
    assert stmts[("E1001", "attended")]["result"]["duration"] == "PT1H2M5S"
    assert stmts[("E1002", "attended")]["result"]["duration"] == "PT59M10S"
    assert stmts[("E1003", "attended")]["result"]["duration"] == "PT45M"
    assert stmts[("E1002", "attended")]["context"]["extensions"][EXT_IMPORT]["fields"] == {"role": "Presenter"}
    assert stmts[("E1002", "attended")]["context"]["extensions"][EXT_IMPORT]["lines"] == [19, 20]
    assert stmts[("E1001", "attended")]["timestamp"] == "2026-09-15T15:00:05-05:00"
    for stmt in stmts.values():
        validate_statement(stmt, version="1.0.3")


def test_conference_parent_and_provider() -> None:
    opts = options_from_mapping(load_mapping(fixture("generic_durations_mapping.yaml")))
    plan = plan_import(read_attendance(fixture("generic_durations.csv"), "generic", opts), make_roster())
    keynote = next(p.statement for p in plan.store if p.person_key == "E1002" and p.session_iri.endswith("NLC-101"))
    assert keynote["context"]["contextActivities"]["parent"] == [{
        "objectType": "Activity", "id": "https://district.example/xapi/activities/conference/nlc-2026",
        "definition": {"type": "http://id.tincanapi.com/activitytype/conference",
                       "name": {"en-US": "Nebraska Literacy Conference 2026"}}}]
    assert keynote["context"]["extensions"]["http://id.tincanapi.com/extension/training-provider"] == "ESU 3"
    assert keynote["object"]["definition"]["name"] == {"en-US": "Keynote: Reading Science"}
    assert keynote["result"] == {"duration": "PT1H30M"}
    assert keynote["timestamp"] == "2026-10-02T00:00:00-05:00"
    assert "platform" not in keynote["context"]
    for p in plan.store:
        validate_statement(p.statement, version="1.0.3")


def test_eventbrite_registered_and_attended() -> None:
    plan = plan_import(read_attendance(fixture("eventbrite_current.csv"), "eventbrite",
                                       CHICAGO.with_activity(ACTIVITY)), make_roster())
    stmts = by_person(plan)
    registered = stmts[("E1001", "registered")]
    assert registered["verb"]["id"] == REGISTERED and "result" not in registered
    assert registered["timestamp"] == "2026-08-20T10:15:22-05:00"
    attended = stmts[("E1001", "attended")]
    assert attended["verb"]["id"] == ATTENDED and "timestamp" not in attended and "result" not in attended
    assert set(stmts) == {("E1001", "registered"), ("E1001", "attended"), ("E1002", "registered")}
    assert any("no session date: 1 attended statement" in w for w in plan.warnings)
    for stmt in stmts.values():
        validate_statement(stmt, version="1.0.3")


def test_voided_ids_are_never_reused() -> None:
    first = statement_id(ACTIVITY, "E1", "attended", 3600, None)
    assert fresh_statement_id(ACTIVITY, "E1", "attended", 3600, None, ()) == first
    second = fresh_statement_id(ACTIVITY, "E1", "attended", 3600, None, {first})
    assert second == str(uuid.uuid5(ID_NAMESPACE, f"attendance-import/v1|{ACTIVITY}|E1|attended|3600||r2"))
    assert fresh_statement_id(ACTIVITY, "E1", "attended", 3600, None, {first, second}) not in {first, second}


def test_void_ids_are_deterministic_and_priors_read_back_from_statements() -> None:
    plan = zoom_plan()
    stored = [p.statement for p in plan.store]
    priors = priors_from_statements(stored + [{"id": str(uuid.uuid4()), "verb": {"id": ATTENDED},
                                               "object": {"id": ZOOM_IRI}, "actor": {}}])
    # The statement without our extension is not one of ours.
    assert sorted((p.person_key, p.seconds) for p in priors) == [("E1000", 67 * 60), ("E1001", 3600),
                                                                 ("E1002", 64 * 60), ("E1003", 3600)]
    assert {p.session_iri for p in priors} == {ZOOM_IRI}
    target = plan.store[0].id
    assert void_id(target) == void_id(target.upper()) == str(uuid.uuid5(ID_NAMESPACE,
                                                                         f"attendance-import/v1|void|{target}"))
    assert VOIDED.endswith("/voided")
