"""The Statement resource through HTTP, on the backend under test."""
from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import pytest

from lrs.api.multipart import build_multipart, parse_multipart
from tests.builders import make_statement
from tests.conftest import basic_auth, key_file_for

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def post(client: Any, headers: dict[str, str], body: Any, **kw: Any) -> Any:
    return client.post("/xapi/statements", data=json.dumps(body), headers={**headers, "Content-Type": "application/json"}, **kw)


def get(client: Any, headers: dict[str, str], **params: Any) -> Any:
    return client.get("/xapi/statements", query_string=params, headers=headers)


def test_post_then_get_by_id_round_trips(client: Any, xapi_headers: dict[str, str]) -> None:
    s = make_statement()
    r = post(client, xapi_headers, s)
    assert r.status_code == 200, r.json
    sid = r.json[0]
    assert sid == s["id"]
    r = get(client, xapi_headers, statementId=sid)
    assert r.status_code == 200
    got = r.json
    assert got["id"] == sid and got["verb"] == s["verb"] and got["actor"] == s["actor"]
    assert got["stored"] and got["timestamp"] and got["version"] == "1.0.0"
    assert got["authority"]["account"]["name"] == "test-key"
    assert r.headers["Last-Modified"]
    assert r.headers["X-Experience-API-Version"] == "1.0.3"
    assert r.headers["X-Experience-API-Consistent-Through"]


def test_put_requires_statement_id_and_detects_conflicts(client: Any, xapi_headers: dict[str, str]) -> None:
    s = make_statement()
    sid = s.pop("id")
    h = {**xapi_headers, "Content-Type": "application/json"}
    assert client.put("/xapi/statements", data=json.dumps(s), headers=h).status_code == 400
    assert client.put(f"/xapi/statements?statementId={sid}", data=json.dumps(s), headers=h).status_code == 204
    # The same statement again: 204, nothing changes.
    assert client.put(f"/xapi/statements?statementId={sid}", data=json.dumps(s), headers=h).status_code == 204
    changed = {**s, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}
    r = client.put(f"/xapi/statements?statementId={sid}", data=json.dumps(changed), headers=h)
    assert r.status_code == 409
    assert get(client, xapi_headers, statementId=sid).json["verb"]["id"] == s["verb"]["id"]


def test_batch_with_duplicate_ids_is_rejected_whole(client: Any, xapi_headers: dict[str, str]) -> None:
    a = make_statement()
    b = make_statement()
    r = post(client, xapi_headers, [a, b, {**a}])
    assert r.status_code == 400
    assert get(client, xapi_headers, statementId=b["id"]).status_code == 404


def test_invalid_statement_in_batch_stores_nothing(client: Any, xapi_headers: dict[str, str]) -> None:
    good = make_statement()
    bad = make_statement()
    bad["actor"] = {"objectType": "Agent", "mbox": "not-an-email"}
    r = post(client, xapi_headers, [good, bad])
    assert r.status_code == 400
    assert "statement[1].actor" in r.json["error"]["message"]
    assert get(client, xapi_headers, statementId=good["id"]).status_code == 404


def test_voiding_hides_target_and_voided_id_reaches_it(client: Any, xapi_headers: dict[str, str]) -> None:
    target = make_statement()
    post(client, xapi_headers, target)
    voiding = make_statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target["id"]})
    assert post(client, xapi_headers, voiding).status_code == 200
    assert get(client, xapi_headers, statementId=target["id"]).status_code == 404
    r = get(client, xapi_headers, voidedStatementId=target["id"])
    assert r.status_code == 200 and r.json["id"] == target["id"]
    ids = [s["id"] for s in get(client, xapi_headers).json["statements"]]
    assert target["id"] not in ids and voiding["id"] in ids
    # A voiding statement cannot be voided: voiding it leaves it visible.
    post(client, xapi_headers, make_statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": voiding["id"]}))
    assert get(client, xapi_headers, statementId=voiding["id"]).status_code == 200


def test_voiding_before_target_arrives(client: Any, xapi_headers: dict[str, str]) -> None:
    target = make_statement()
    post(client, xapi_headers, make_statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target["id"]}))
    post(client, xapi_headers, target)
    assert get(client, xapi_headers, statementId=target["id"]).status_code == 404
    assert get(client, xapi_headers, voidedStatementId=target["id"]).status_code == 200


def test_filters_and_paging(client: Any, xapi_headers: dict[str, str]) -> None:
    alice = {"objectType": "Agent", "mbox": f"mailto:alice-{uuid.uuid4().hex[:6]}@example.org"}
    act = f"http://example.org/act/{uuid.uuid4()}"
    reg = str(uuid.uuid4())
    mine = [make_statement(actor=alice, object={"id": act, "objectType": "Activity"},
                           context={"registration": reg}) for _ in range(5)]
    others = [make_statement() for _ in range(3)]
    post(client, xapi_headers, mine + others)
    agent = json.dumps(alice)
    got = get(client, xapi_headers, agent=agent).json["statements"]
    assert [s["id"] for s in got] == [s["id"] for s in reversed(mine)]
    assert len(get(client, xapi_headers, activity=act).json["statements"]) == 5
    assert len(get(client, xapi_headers, registration=reg).json["statements"]) == 5
    # Paging: limit 2 walks all five through `more` links, newest first, no repeats.
    seen: list[str] = []
    r = get(client, xapi_headers, agent=agent, limit=2)
    while True:
        body = r.json
        seen += [s["id"] for s in body["statements"]]
        if not body["more"]:
            break
        r = client.get(body["more"], headers=xapi_headers)
        assert r.status_code == 200
    assert seen == [s["id"] for s in reversed(mine)]
    asc = get(client, xapi_headers, agent=agent, ascending="true").json["statements"]
    assert [s["id"] for s in asc] == [s["id"] for s in mine]


def test_related_activities_and_statement_ref_targeting(client: Any, xapi_headers: dict[str, str]) -> None:
    parent = f"http://example.org/course/{uuid.uuid4()}"
    child = make_statement(context={"contextActivities": {"parent": [{"id": parent}]}})
    post(client, xapi_headers, child)
    assert get(client, xapi_headers, activity=parent).json["statements"] == []
    assert len(get(client, xapi_headers, activity=parent, related_activities="true").json["statements"]) == 1
    # A statement referring to `child` matches the filters `child` matches.
    ref = make_statement(verb={"id": "http://example.org/verbs/confirmed"},
                         object={"objectType": "StatementRef", "id": child["id"]})
    post(client, xapi_headers, ref)
    ids = {s["id"] for s in get(client, xapi_headers, activity=parent, related_activities="true").json["statements"]}
    assert ids == {child["id"], ref["id"]}


def test_single_statement_params_cannot_mix(client: Any, xapi_headers: dict[str, str]) -> None:
    sid = str(uuid.uuid4())
    assert get(client, xapi_headers, statementId=sid, verb="http://x.org/v").status_code == 400
    assert get(client, xapi_headers, statementId=sid, voidedStatementId=sid).status_code == 400
    assert get(client, xapi_headers, statementId=sid, format="ids").status_code == 404


def test_missing_version_header_and_bad_auth(client: Any, xapi_headers: dict[str, str]) -> None:
    assert client.get("/xapi/statements", headers={"Authorization": basic_auth()}).status_code == 400
    r = client.get("/xapi/statements", headers={"X-Experience-API-Version": "1.0.3",
                                                 "Authorization": basic_auth("test-key", "wrong")})
    assert r.status_code == 401
    r = client.get("/xapi/statements", headers={**xapi_headers, "X-Experience-API-Version": "1.1.0"})
    assert r.status_code == 400


def test_attachments_multipart_round_trip(client: Any, xapi_headers: dict[str, str]) -> None:
    data = b"\x00\x01binary certificate\xff"
    sha = hashlib.sha256(data).hexdigest()
    s = make_statement(attachments=[{"usageType": "http://id.tincanapi.com/attachment/certificate-of-completion",
                                     "display": {"en-US": "Certificate"}, "contentType": "application/pdf",
                                     "length": len(data), "sha2": sha}])
    body, ctype = build_multipart(json.dumps(s).encode(), [(sha, "application/pdf", data)])
    r = client.post("/xapi/statements", data=body, headers={**xapi_headers, "Content-Type": ctype})
    assert r.status_code == 200, r.json
    r = get(client, xapi_headers, statementId=s["id"], attachments="true")
    assert r.headers["Content-Type"].startswith("multipart/mixed")
    parts = parse_multipart(r.data, r.headers["Content-Type"])
    assert json.loads(parts[0].body)["id"] == s["id"]
    assert parts[1].body == data and parts[1].headers["X-Experience-API-Hash"] == sha


def test_attachment_without_part_is_rejected(client: Any, xapi_headers: dict[str, str]) -> None:
    s = make_statement(attachments=[{"usageType": "http://example.org/u", "display": {"en-US": "x"},
                                     "contentType": "text/plain", "length": 3, "sha2": "ab" * 32}])
    assert post(client, xapi_headers, s).status_code == 400


def test_read_mine_scope_sees_only_its_own(app: Any, client: Any, xapi_headers: dict[str, str]) -> None:
    auth = app.extensions["lrs"].auth
    auth.create_credential("mine", ["statements/write", "statements/read/mine"], key="mine", secret="s3cret")
    h = {"Authorization": basic_auth("mine", "s3cret"), "X-Experience-API-Version": "1.0.3"}
    other = make_statement()
    post(client, xapi_headers, other)
    own = make_statement()
    assert post(client, h, own).status_code == 200
    ids = [s["id"] for s in get(client, h).json["statements"]]
    assert ids == [own["id"]]
    assert get(client, h, statementId=other["id"]).status_code == 404


def test_write_only_credential_cannot_read(app: Any, client: Any) -> None:
    app.extensions["lrs"].auth.create_credential("w", ["statements/write"], key="w", secret="w")
    h = {"Authorization": basic_auth("w", "w"), "X-Experience-API-Version": "1.0.3"}
    assert get(client, h).status_code == 403


@pytest.mark.parametrize("body", [b"{not json", b"", b"[1, 2]", b'"text"'])
def test_garbage_bodies_get_400(client: Any, xapi_headers: dict[str, str], body: bytes) -> None:
    r = client.post("/xapi/statements", data=body, headers={**xapi_headers, "Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json["error"]["message"]


def test_body_over_limit_gets_413(db_url: str) -> None:
    from lrs.app import create_app

    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY_FILE": key_file_for(db_url), "API_KEY": "test-key", "API_SECRET": "test-secret",
                      "MAX_BODY_BYTES": 2000})
    c = app.test_client()
    h = {"Authorization": basic_auth(), "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}
    r = c.post("/xapi/statements", data=json.dumps([make_statement() for _ in range(30)]), headers=h)
    assert r.status_code == 413
    app.extensions["lrs"].engine.dispose()


def test_alternate_request_syntax_get_and_put(client: Any, xapi_headers: dict[str, str]) -> None:
    s = make_statement()
    sid = s["id"]
    from urllib.parse import urlencode

    form = urlencode({"statementId": sid, "content": json.dumps(s), "Authorization": basic_auth(),
                      "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"})
    r = client.post("/xapi/statements?method=PUT", data=form,
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 204, r.data
    form = urlencode({"statementId": sid, "Authorization": basic_auth(), "X-Experience-API-Version": "1.0.3"})
    r = client.post("/xapi/statements?method=GET", data=form,
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and r.json["id"] == sid


def test_every_batch_is_one_event_and_chain_verifies(app: Any, client: Any, xapi_headers: dict[str, str]) -> None:
    from lrs.eventlog import verify_chain

    store = app.extensions["lrs"].store
    before = store.head()
    post(client, xapi_headers, [make_statement() for _ in range(10)])
    evs = store.read(before)
    assert [e.type for e in evs] == ["statements.stored"]
    assert len(evs[0].payload["statements"]) == 10
    assert verify_chain(store.engine).ok


def test_format_ids_and_canonical(client: Any, xapi_headers: dict[str, str]) -> None:
    act = f"http://example.org/act/{uuid.uuid4()}"
    s = make_statement(object={"objectType": "Activity", "id": act,
                               "definition": {"name": {"en-US": "Course", "fr": "Cours"}}})
    post(client, xapi_headers, s)
    ids = get(client, xapi_headers, statementId=s["id"], format="ids").json
    assert ids["object"] == {"objectType": "Activity", "id": act} or ids["object"] == {"id": act}
    assert set(ids["verb"]) == {"id"}
    canon = client.get("/xapi/statements", query_string={"statementId": s["id"], "format": "canonical"},
                       headers={**xapi_headers, "Accept-Language": "fr"}).json
    assert canon["object"]["definition"]["name"] == {"fr": "Cours"}


def test_since_and_until_split_at_stored_times(client: Any, xapi_headers: dict[str, str]) -> None:
    import time

    agent = {"objectType": "Agent", "mbox": f"mailto:t-{uuid.uuid4().hex[:6]}@example.org"}
    first = [make_statement(actor=agent) for _ in range(3)]
    post(client, xapi_headers, first)
    time.sleep(0.01)
    second = [make_statement(actor=agent) for _ in range(2)]
    post(client, xapi_headers, second)
    stored_first = get(client, xapi_headers, statementId=first[0]["id"]).json["stored"]
    a = json.dumps(agent)
    since = get(client, xapi_headers, agent=a, since=stored_first).json["statements"]
    assert {s["id"] for s in since} == {s["id"] for s in second}  # since is exclusive: the whole first batch is out
    until = get(client, xapi_headers, agent=a, until=stored_first, ascending="true").json["statements"]
    assert [s["id"] for s in until] == [s["id"] for s in first]  # until is inclusive
    assert get(client, xapi_headers, agent=a, since="2000-01-01T00:00:00Z", until="2000-01-02T00:00:00Z") \
        .json["statements"] == []


def test_since_and_until_at_the_year_edges(client: Any, xapi_headers: dict[str, str]) -> None:
    """since/until compare fixed-width stored text: year 999 must be written 0999, or it sorts after 2026."""
    agent = {"objectType": "Agent", "mbox": f"mailto:y-{uuid.uuid4().hex[:6]}@example.org"}
    body = [make_statement(actor=agent) for _ in range(2)]
    post(client, xapi_headers, body)
    a = json.dumps(agent)
    ids = {s["id"] for s in body}
    for early in ("0999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "0999-06-01T00:00:00+05:00"):
        assert {s["id"] for s in get(client, xapi_headers, agent=a, since=early).json["statements"]} == ids
        assert get(client, xapi_headers, agent=a, until=early).json["statements"] == []
    assert {s["id"] for s in get(client, xapi_headers, agent=a, until="9999-12-31T23:59:59Z").json["statements"]} \
        == ids


def test_related_agents_includes_the_actor_and_the_instructor(client: Any, xapi_headers: dict[str, str]) -> None:
    coach = {"objectType": "Agent", "mbox": f"mailto:coach-{uuid.uuid4().hex[:6]}@example.org"}
    as_actor = make_statement(actor=coach)
    as_instructor = make_statement(context={"instructor": coach})
    post(client, xapi_headers, [as_actor, as_instructor])
    a = json.dumps(coach)
    assert [s["id"] for s in get(client, xapi_headers, agent=a).json["statements"]] == [as_actor["id"]]
    related = get(client, xapi_headers, agent=a, related_agents="true").json["statements"]
    assert {s["id"] for s in related} == {as_actor["id"], as_instructor["id"]}
