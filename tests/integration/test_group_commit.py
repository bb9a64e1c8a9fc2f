"""Group commit: several requests in one transaction, each still one event, failures isolated."""
from __future__ import annotations

import json
import threading
from typing import Any

from lrs.eventlog import verify_chain
from lrs.store.group_commit import GroupCommitter
from lrs.store.statements import SaveRequest, StatementStore
from lrs.xapi.batch import prepare_batch
from lrs.xapi.errors import Conflict
from tests.builders import make_statement

AUTHORITY = {"objectType": "Agent", "account": {"homePage": "http://lrs.test/credentials", "name": "k"}}
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def _req(stmts: list[dict[str, Any]]) -> SaveRequest:
    return SaveRequest(prepare_batch(stmts, {}, version="1.0.3", authority=AUTHORITY), {}, "k")


def _stored_ids(app: Any) -> set[str]:
    from sqlalchemy import select

    from lrs.store.tables import statements

    with app.extensions["lrs"].engine.connect() as c:
        return set(c.execute(select(statements.c.statement_id)).scalars())


def test_a_group_is_one_transaction_of_one_event_per_request(app: Any) -> None:
    svc = app.extensions["lrs"]
    st = StatementStore(svc.engine, svc.store)
    head = svc.store.head()
    a, b = [make_statement(), make_statement()], [make_statement()]
    res = st.save_group([_req(a), _req(b)])
    assert res == [[s["id"] for s in a], [b[0]["id"]]]
    events = svc.store.read(head)
    assert [len(e.payload["statements"]) for e in events] == [2, 1]
    assert events[0].recorded_at == events[1].recorded_at  # one transaction
    assert verify_chain(svc.engine).ok


def test_a_conflicting_request_fails_alone(app: Any) -> None:
    svc = app.extensions["lrs"]
    st = StatementStore(svc.engine, svc.store)
    first = make_statement()
    st.save(_req([first]).prepared, {}, authority_key="k")
    clash = {**first, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}
    ok = make_statement()
    res = st.save_group([_req([make_statement(), clash]), _req([ok])])
    assert isinstance(res[0], Conflict)
    assert res[1] == [ok["id"]]
    assert ok["id"] in _stored_ids(app) and first["id"] in _stored_ids(app)


def test_same_id_twice_in_a_group_is_stored_once_or_conflicts(app: Any) -> None:
    svc = app.extensions["lrs"]
    st = StatementStore(svc.engine, svc.store)
    s = make_statement()
    other = {**s, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}
    res = st.save_group([_req([s]), _req([s]), _req([other])])
    assert res[0] == res[1] == [s["id"]] and isinstance(res[2], Conflict)
    head_events = svc.store.read(0, types=["statements.stored"])
    assert sum(len(e.payload["statements"]) for e in head_events) == 1


def test_voiding_and_target_in_the_same_group(app: Any, client: Any, xapi_headers: dict[str, str]) -> None:
    svc = app.extensions["lrs"]
    st = StatementStore(svc.engine, svc.store)
    target = make_statement()
    voiding = make_statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target["id"]})
    st.save_group([_req([voiding]), _req([target])])
    r = client.get("/xapi/statements", query_string={"statementId": target["id"]}, headers=xapi_headers)
    assert r.status_code == 404
    r = client.get("/xapi/statements", query_string={"voidedStatementId": target["id"]}, headers=xapi_headers)
    assert r.status_code == 200


def test_committer_serves_concurrent_threads(app: Any) -> None:
    svc = app.extensions["lrs"]
    gc = GroupCommitter(StatementStore(svc.engine, svc.store))
    batches = [[make_statement() for _ in range(3)] for _ in range(40)]
    results: dict[int, Any] = {}

    def run(i: int) -> None:
        try:
            results[i] = gc.save(_req(batches[i]))
        except Exception as e:  # recorded for the assertion below
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(batches))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert all(results[i] == [s["id"] for s in batches[i]] for i in range(len(batches)))
    assert len(_stored_ids(app)) == 120
    events = svc.store.read(0, limit=1000, types=["statements.stored"])
    assert len(events) == 40  # one event per request, however they were grouped
    assert verify_chain(svc.engine).ok


def test_http_conflict_through_the_committer(client: Any, xapi_headers: dict[str, str]) -> None:
    h = {**xapi_headers, "Content-Type": "application/json"}
    s = make_statement()
    assert client.post("/xapi/statements", data=json.dumps(s), headers=h).status_code == 200
    clash = {**s, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}
    r = client.post("/xapi/statements", data=json.dumps(clash), headers=h)
    assert r.status_code == 409 and s["id"] in r.json["error"]["message"]
