"""Canonical Activities, Agent names and the /xapi/activities and /xapi/agents resources."""
from __future__ import annotations

import json
import time
import uuid
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from lrs.store.activities import get_activity, merge_definition, person_for_agent, record_statement_metadata
from lrs.store.tables import activities, agent_names
from tests.conftest import basic_auth

MEETING = "http://www.example.com/meetings/occurances/34534"
VERB = {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-US": "attended"}}
TEACHER = {"objectType": "Agent", "name": "Pat Teacher", "mbox": "mailto:pat@district.example"}


def stmt(obj: dict[str, Any], actor: dict[str, Any] = TEACHER, **extra: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "actor": actor, "verb": VERB, "object": obj, **extra}


def activity(aid: str = MEETING, **definition: Any) -> dict[str, Any]:
    a: dict[str, Any] = {"objectType": "Activity", "id": aid}
    if definition:
        a["definition"] = definition
    return a


def record(engine: Any, statements: list[dict[str, Any]], position: int = 1, **kw: Any) -> None:
    with engine.begin() as conn:
        record_statement_metadata(conn, statements, position, **kw)


def canonical(engine: Any, aid: str = MEETING) -> dict[str, Any]:
    with engine.connect() as conn:
        return get_activity(conn, aid)


def names_of(engine: Any, key: str) -> list[str] | None:
    with engine.connect() as conn:
        text = conn.execute(select(agent_names.c.names).where(agent_names.c.agent_key == key)).scalar()
    return None if text is None else list(orjson.loads(text))


# --- definition merge rules --------------------------------------------------------------------------------

def test_language_maps_merge_and_other_properties_take_the_newest() -> None:
    old = {"type": "http://adlnet.gov/expapi/activities/meeting", "name": {"en-US": "meeting", "en-GB": "meeting"},
           "description": {"en-US": "d"}, "moreInfo": "http://a.example", "extensions": {"http://x/a": 1}}
    new = {"type": "http://adlnet.gov/expapi/activities/course", "name": {"fr-FR": "réunion", "en-GB": "Meeting"},
           "extensions": {"http://x/b": 2}}
    assert merge_definition(old, new) == {
        "type": "http://adlnet.gov/expapi/activities/course",
        "name": {"en-US": "meeting", "en-GB": "Meeting", "fr-FR": "réunion"},
        "description": {"en-US": "d"}, "moreInfo": "http://a.example", "extensions": {"http://x/b": 2}}


def test_interaction_components_keep_translations_per_component() -> None:
    old = {"interactionType": "choice", "correctResponsesPattern": ["a"],
           "choices": [{"id": "a", "description": {"en-US": "Alpha"}}, {"id": "b", "description": {"en-US": "B"}}]}
    new = {"interactionType": "choice", "correctResponsesPattern": ["b"],
           "choices": [{"id": "a", "description": {"es": "Alfa"}}, {"id": "c", "description": {"es": "Ce"}}]}
    merged = merge_definition(old, new)
    assert merged["correctResponsesPattern"] == ["b"]
    assert merged["choices"] == [{"id": "a", "description": {"en-US": "Alpha", "es": "Alfa"}},
                                 {"id": "c", "description": {"es": "Ce"}}]


def test_merge_does_not_modify_its_inputs() -> None:
    old = {"name": {"en-US": "a"}}
    new = {"name": {"fr": "b"}}
    merge_definition(old, new)
    assert old == {"name": {"en-US": "a"}} and new == {"name": {"fr": "b"}}


# --- record_statement_metadata -----------------------------------------------------------------------------

def test_definitions_from_two_statements_in_one_batch_merge(engine: Any) -> None:
    """Conformance XAPI-00254: two statements, different languages, same id -> both languages."""
    a1 = activity(type="http://adlnet.gov/expapi/activities/meeting",
                  name={"en-GB": "example meeting", "en-US": "example meeting"})
    a2 = activity(type="http://adlnet.gov/expapi/activities/meeting",
                  name={"en-GB": "example meeting", "fr-FR": "réunion"})
    record(engine, [stmt(a1), stmt(a2)])
    got = canonical(engine)
    assert got["objectType"] == "Activity" and got["id"] == MEETING
    assert got["definition"]["name"] == {"en-GB": "example meeting", "en-US": "example meeting",
                                         "fr-FR": "réunion"}


def test_later_batches_update_the_canonical_definition(engine: Any) -> None:
    record(engine, [stmt(activity(name={"en-US": "Meeting"}, moreInfo="http://old.example"))], position=1)
    record(engine, [stmt(activity(name={"es": "Reunión"}, moreInfo="http://new.example"))], position=7)
    got = canonical(engine)
    assert got["definition"] == {"name": {"en-US": "Meeting", "es": "Reunión"}, "moreInfo": "http://new.example"}
    with engine.connect() as conn:
        assert conn.execute(select(activities.c.updated_position)).scalar_one() == 7


def test_statement_without_definition_leaves_definition_alone(engine: Any) -> None:
    record(engine, [stmt(activity(name={"en-US": "Meeting"}))], position=1)
    record(engine, [stmt({"id": MEETING})], position=2)  # objectType defaults to Activity
    with engine.connect() as conn:
        row = conn.execute(select(activities)).one()
    assert orjson.loads(row.definition) == {"name": {"en-US": "Meeting"}} and row.updated_position == 1


def test_every_activity_in_a_statement_is_recorded(engine: Any) -> None:
    ctx = {"contextActivities": {
        "parent": [activity("https://district.example/pd/course", name={"en-US": "Course"})],
        "grouping": activity("https://district.example/pd/program"),  # 1.0.3 single-object form
        "category": [activity("https://district.example/profile/pd")],
        "other": [activity("https://district.example/other")]}}
    sub = {"objectType": "SubStatement", "actor": TEACHER, "verb": VERB,
           "object": activity("https://district.example/pd/sub-object", name={"en-US": "Sub"}),
           "context": {"contextActivities": {"parent": [activity("https://district.example/pd/sub-parent")]}}}
    record(engine, [stmt(activity(name={"en-US": "Meeting"}), context=ctx), stmt(sub),
                    stmt({"objectType": "Agent", "mbox": "mailto:x@y.org"}),
                    stmt({"objectType": "StatementRef", "id": str(uuid.uuid4())})])
    with engine.connect() as conn:
        ids = sorted(r.activity_id for r in conn.execute(select(activities.c.activity_id)))
    assert ids == sorted([MEETING, "https://district.example/pd/course", "https://district.example/pd/program",
                          "https://district.example/profile/pd", "https://district.example/other",
                          "https://district.example/pd/sub-object", "https://district.example/pd/sub-parent"])
    assert canonical(engine, "https://district.example/pd/course")["definition"] == {"name": {"en-US": "Course"}}
    assert canonical(engine, "https://district.example/pd/sub-object")["definition"] == {"name": {"en-US": "Sub"}}
    assert "definition" not in canonical(engine, "https://district.example/pd/program")


def test_without_define_scope_ids_are_saved_but_definitions_are_not_changed(engine: Any) -> None:
    record(engine, [stmt(activity(name={"en-US": "Meeting"}))], position=1)
    record(engine, [stmt(activity(name={"en-US": "Hijacked"})),
                    stmt(activity("https://district.example/new", name={"en-US": "New"}))],
           position=2, can_define=False)
    assert canonical(engine)["definition"] == {"name": {"en-US": "Meeting"}}
    assert canonical(engine, "https://district.example/new") == {"objectType": "Activity",
                                                                 "id": "https://district.example/new"}
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(activities)).scalar_one() == 2


def test_agents_and_their_names_are_recorded_everywhere_they_appear(engine: Any) -> None:
    coach = {"objectType": "Agent", "name": "Coach Kim", "account": {"homePage": "https://sis.example",
                                                                     "name": "E7"}}
    team = {"objectType": "Group", "name": "PLC", "mbox": "mailto:plc@district.example",
            "member": [{"name": "Ann", "mbox_sha1sum": "A" * 40}, {"openid": "https://id.example/bo"}]}
    anon = {"objectType": "Group", "member": [{"name": "Cy", "mbox": "mailto:cy@district.example"}]}
    authority = {"objectType": "Agent", "name": "vendor", "account": {"homePage": "https://lrs.example",
                                                                      "name": "key1"}}
    s1 = stmt(activity(), actor=anon, context={"instructor": coach, "team": team}, authority=authority)
    s2 = stmt({"objectType": "Agent", "name": "Pat T.", "mbox": "mailto:pat@DISTRICT.example"})
    s3 = stmt({"objectType": "SubStatement", "actor": {"name": "Dee", "mbox": "mailto:dee@district.example"},
               "verb": VERB, "object": activity()})
    s4 = stmt(activity(), context={"contextAgents": [{"objectType": "contextAgent",
                                                      "agent": {"name": "Eve", "mbox": "mailto:eve@d.example"}}],
                                   "contextGroups": [{"objectType": "contextGroup",
                                                      "group": {"objectType": "Group", "name": "G",
                                                                "openid": "https://id.example/g"}}]})
    record(engine, [s1, s2, s3, s4])
    assert names_of(engine, "mbox:mailto:pat@district.example") == ["Pat Teacher", "Pat T."]
    assert names_of(engine, "account:https://sis.example|E7") == ["Coach Kim"]
    assert names_of(engine, "mbox:mailto:plc@district.example") == ["PLC"]
    assert names_of(engine, "mbox_sha1sum:" + "a" * 40) == ["Ann"]
    assert names_of(engine, "openid:https://id.example/bo") == []
    assert names_of(engine, "mbox:mailto:cy@district.example") == ["Cy"]
    assert names_of(engine, "account:https://lrs.example|key1") == ["vendor"]
    assert names_of(engine, "mbox:mailto:dee@district.example") == ["Dee"]
    assert names_of(engine, "mbox:mailto:eve@d.example") == ["Eve"]
    assert names_of(engine, "openid:https://id.example/g") == ["G"]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(agent_names)).scalar_one() == 10
        ifi = conn.execute(select(agent_names.c.agent).where(
            agent_names.c.agent_key == "account:https://sis.example|E7")).scalar_one()
    assert orjson.loads(ifi) == {"account": {"homePage": "https://sis.example", "name": "E7"}}


def test_new_names_are_added_on_later_batches(engine: Any) -> None:
    record(engine, [stmt(activity())])
    record(engine, [stmt(activity(), actor={**TEACHER, "name": "Patricia Teacher"}), stmt(activity())])
    assert names_of(engine, "mbox:mailto:pat@district.example") == ["Pat Teacher", "Patricia Teacher"]


def test_bulk_batches_are_equivalent_to_one_statement_at_a_time(engine: Any, db_url: str) -> None:
    def batch(n: int) -> list[dict[str, Any]]:
        out = []
        for i in range(n):
            lang = ["en-US", "es", "fr"][i % 3]
            a = activity(f"https://district.example/pd/{i % 37}", name={lang: f"Course {i % 37} {lang}"},
                         type=f"https://district.example/type/{i % 5}")
            actor = {"name": f"Teacher {i % 53}/{i % 2}", "mbox": f"mailto:t{i % 53}@district.example"}
            out.append(stmt(a, actor=actor))
        return out

    stmts = batch(300)
    record(engine, stmts, position=1)
    with engine.connect() as conn:
        bulk_acts = sorted(tuple(r) for r in conn.execute(select(activities.c.activity_id, activities.c.definition)))
        bulk_names = sorted(tuple(r) for r in conn.execute(select(agent_names)))
    with engine.begin() as conn:
        conn.execute(activities.delete())
        conn.execute(agent_names.delete())
    for s in stmts:
        record(engine, [s], position=1)
    with engine.connect() as conn:
        one_acts = sorted(tuple(r) for r in conn.execute(select(activities.c.activity_id, activities.c.definition)))
        one_names = sorted(tuple(r) for r in conn.execute(select(agent_names)))
    assert bulk_acts == one_acts and bulk_names == one_names
    assert len(bulk_acts) == 37 and len(bulk_names) == 53


def test_recording_a_batch_costs_the_same_queries_whatever_its_size(engine: Any) -> None:
    """Guard against per-statement queries creeping in: recording 1,000 statements (about 2,000 activities and
    agents) sends no more SQL statements than recording 10 (bulk reads and writes per table, chunked by 500)."""
    from sqlalchemy import event

    def batch(offset: int, n: int) -> list[dict[str, Any]]:
        return [stmt(activity(f"https://district.example/pd/{offset + i}", name={"en-US": f"PD {i}"}),
                     actor={"name": f"T{i}", "mbox": f"mailto:t{offset + i}@district.example"})
                for i in range(n)]

    def queries(stmts: list[dict[str, Any]], position: int) -> int:
        seen: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            record(engine, stmts, position=position)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    small = queries(batch(0, 10), 1)
    # 1,000 statements are two chunks of 500 per lookup: at most twice the small batch's statements.
    large = queries(batch(1000, 1000), 2)
    assert large <= 2 * small + 2, (small, large)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(activities)).scalar_one() == 1010


# --- the Activities resource --------------------------------------------------------------------------------

@pytest.fixture(params=["1.0.3", "2.0.0"])
def hv(request: Any) -> dict[str, str]:
    return {"Authorization": basic_auth(), "X-Experience-API-Version": request.param}


def test_unknown_activity_is_an_activity_object(client: Any, hv: dict[str, str]) -> None:
    aid = f"http://www.example.com/never-before-seen-activityId/{uuid.uuid4()}"
    r = client.get("/xapi/activities", query_string={"activityId": aid}, headers=hv)
    assert r.status_code == 200
    assert r.get_json() == {"objectType": "Activity", "id": aid}


def test_known_activity_returns_the_complete_object(app: Any, client: Any, hv: dict[str, str]) -> None:
    definition = {"type": "http://adlnet.gov/expapi/activities/meeting",
                  "name": {"en-GB": "example meeting", "en-US": "example meeting"},
                  "moreInfo": "http://virtualmeeting.example.com/345256",
                  "extensions": {"http://example.com/profiles/meetings/extension/reporter": {"name": "Thomas"}}}
    obj = activity("http://www.example.com/verify/complete/34534", **definition)
    record(app.extensions["lrs"].engine, [stmt(obj)])
    r = client.get("/xapi/activities", query_string={"activityId": obj["id"]}, headers=hv)
    assert r.status_code == 200 and r.get_json() == obj
    h = client.head("/xapi/activities", query_string={"activityId": obj["id"]}, headers=hv)
    assert h.status_code == 200 and h.data == b""


@pytest.mark.parametrize("query", [{}, {"activityId": "true"}, {"activityId": ""},
                                   {"activityId": MEETING, "agent": json.dumps(TEACHER)},
                                   {"activityid": MEETING}])
def test_activities_rejects_bad_parameters(client: Any, hv: dict[str, str], query: dict[str, str]) -> None:
    r = client.get("/xapi/activities", query_string=query, headers=hv)
    assert r.status_code == 400 and r.get_json()["error"]["message"]


def test_activities_accepts_only_get(client: Any, xapi2_headers: dict[str, str]) -> None:
    r = client.post("/xapi/activities", query_string={"activityId": MEETING}, json={}, headers=xapi2_headers)
    assert r.status_code == 405
    assert client.put("/xapi/activities", query_string={"activityId": MEETING}, json={},
                      headers=xapi2_headers).status_code == 405


def test_activity_definition_posted_through_statements_is_served(client: Any, hv: dict[str, str]) -> None:
    """End to end through the Statement resource (which calls record_statement_metadata)."""
    aid = f"http://www.example.com/verify/complete/{uuid.uuid4()}"
    s1 = stmt(activity(aid, name={"en-US": "example meeting"}))
    s2 = stmt(activity(aid, name={"fr-FR": "réunion"}))
    r = client.post("/xapi/statements", json=[s1, s2], headers=hv)
    assert r.status_code == 200, r.data
    got = client.get("/xapi/activities", query_string={"activityId": aid}, headers=hv).get_json()
    assert got["definition"]["name"] == {"en-US": "example meeting", "fr-FR": "réunion"}
    person = client.get("/xapi/agents", query_string={"agent": json.dumps({"mbox": TEACHER["mbox"]})},
                        headers=hv).get_json()
    assert person == {"objectType": "Person", "name": ["Pat Teacher"], "mbox": [TEACHER["mbox"]]}


# --- the Agents resource ------------------------------------------------------------------------------------

def test_unknown_agent_gets_a_person_with_what_was_asked(client: Any, hv: dict[str, str]) -> None:
    agent = {"objectType": "Agent", "name": "Rick James",
             "account": {"homePage": "http://www.example.com/agentId/1", "name": "Rick James"}}
    r = client.get("/xapi/agents", query_string={"agent": json.dumps(agent)}, headers=hv)
    assert r.status_code == 200
    assert r.get_json() == {"objectType": "Person", "name": ["Rick James"],
                            "account": [{"homePage": "http://www.example.com/agentId/1", "name": "Rick James"}]}


@pytest.mark.parametrize("ifi", [{"mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975"},
                                 {"openid": "http://openid.example.org/12345"},
                                 {"mbox": "mailto:xapi@adlnet.gov"}])
def test_person_properties_are_arrays(client: Any, hv: dict[str, str], ifi: dict[str, str]) -> None:
    r = client.get("/xapi/agents", query_string={"agent": json.dumps({"objectType": "Agent", **ifi})},
                   headers=hv)
    assert r.status_code == 200
    (prop, value), = ifi.items()
    assert r.get_json() == {"objectType": "Person", prop: [value]}


def test_person_includes_names_seen_in_statements(app: Any, client: Any, hv: dict[str, str]) -> None:
    record(app.extensions["lrs"].engine, [stmt(activity()), stmt(activity(), actor={**TEACHER, "name": "P. T."})])
    r = client.get("/xapi/agents", query_string={"agent": json.dumps({"mbox": TEACHER["mbox"], "name": "Pat"})},
                   headers=hv)
    assert r.get_json() == {"objectType": "Person", "name": ["Pat Teacher", "P. T.", "Pat"],
                            "mbox": [TEACHER["mbox"]]}


def test_person_for_agent_is_the_extension_point(engine: Any) -> None:
    with engine.connect() as conn:
        assert person_for_agent(conn, {"openid": "https://id.example/x"}) == {
            "objectType": "Person", "openid": ["https://id.example/x"]}


@pytest.mark.parametrize("query", [
    {},
    {"agent": "not json"},
    {"agent": "true"},
    {"agent": json.dumps({"objectType": "Agent", "name": "Rick James"})},  # no identifier (XAPI-00249)
    {"agent": json.dumps({"objectType": "Group", "mbox": "mailto:g@example.org"})},  # a Group is not an Agent
    {"agent": json.dumps({"mbox": "a@b.org"})},
    {"agent": json.dumps(TEACHER), "activityId": MEETING},
])
def test_agents_rejects_bad_parameters(client: Any, hv: dict[str, str], query: dict[str, str]) -> None:
    r = client.get("/xapi/agents", query_string=query, headers=hv)
    assert r.status_code == 400 and r.get_json()["error"]["message"]


def test_agents_and_activities_scopes(app: Any, client: Any) -> None:
    def creds(*scopes: str) -> dict[str, str]:
        key, secret = app.extensions["lrs"].auth.create_credential("scoped", list(scopes))
        return {"Authorization": basic_auth(key, secret), "X-Experience-API-Version": "2.0.0"}

    agent_q = {"agent": json.dumps(TEACHER)}
    act_q = {"activityId": MEETING}
    reader, writer, state_only = creds("all/read"), creds("statements/write"), creds("state")
    assert client.get("/xapi/agents", query_string=agent_q, headers=reader).status_code == 200
    assert client.get("/xapi/agents", query_string=agent_q, headers=writer).status_code == 403
    assert client.get("/xapi/agents", query_string=agent_q, headers=state_only).status_code == 403
    assert client.get("/xapi/activities", query_string=act_q, headers=writer).status_code == 200
    assert client.get("/xapi/activities", query_string=act_q, headers=state_only).status_code == 200
    reports = creds("reports/read")
    assert client.get("/xapi/activities", query_string=act_q, headers=reports).status_code == 403
