"""One client's bad statement never fails another client's write (issue 9, defect 2).

Group commit stores concurrent requests in one transaction. Everything a client can get wrong must be refused in
validation, before a request joins a group (nesting depth, identifier lengths, NUL characters), and a failure inside
a group must fail only its own request.
"""
from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from lrs.store.group_commit import GroupCommitter
from lrs.store.statements import SaveRequest
from lrs.store.tables import statements
from lrs.xapi.limits import MAX_DEPTH, MAX_KEY_BYTES
from tests.builders import make_activity, make_agent, make_statement

EXT = "http://example.org/ext/deep"


def nested(depth: int) -> Any:
    v: Any = 1
    for _ in range(depth):
        v = {"a": v}
    return v


def post(client: Any, headers: dict[str, str], body: Any) -> Any:
    return client.post("/xapi/statements", data=json.dumps(body), headers={**headers, "Content-Type": "application/json"})


def hostile_statements() -> list[tuple[str, dict[str, Any], str]]:
    """(what, statement, a word the 400's message must contain)."""
    long_iri = "http://example.org/" + "x" * MAX_KEY_BYTES
    wide_iri = "http://example.org/" + "é" * (MAX_KEY_BYTES // 2)  # under 2,048 characters, over 2,000 bytes
    return [
        ("extensions nested 255 deep", make_statement(context={"extensions": {EXT: nested(255)}}), "nests deeper"),
        ("a result extension nested past the limit", make_statement(result={"extensions": {EXT: nested(MAX_DEPTH)}}),
         "nests deeper"),
        ("an activity IRI over the limit", make_statement(object=make_activity(long_iri)), "bytes long"),
        ("a multi-byte IRI over the byte limit", make_statement(object=make_activity(wide_iri)), "bytes long"),
        ("a verb IRI over the limit", make_statement(verb={"id": long_iri}), "bytes long"),
        ("a parent activity over the limit",
         make_statement(context={"contextActivities": {"parent": [{"id": long_iri}]}}), "bytes long"),
        ("an account name over the limit",
         make_statement(actor=make_agent("account", account={"homePage": "http://lms.example.org",
                                                             "name": "n" * MAX_KEY_BYTES})), "bytes long"),
        ("a NUL in a name", make_statement(actor=make_agent(name="bad\x00name")), "NUL"),
        ("a NUL in an extension value", make_statement(context={"extensions": {EXT: "a\x00b"}}), "NUL"),
        ("a NUL in an extension key", make_statement(context={"extensions": {EXT + "\x00": 1}}), None),
    ]


@pytest.mark.parametrize("what,stmt,word", hostile_statements(), ids=[h[0] for h in hostile_statements()])
def test_unstorable_statements_are_refused_in_validation(client: Any, xapi_headers: dict[str, str], what: str,
                                                         stmt: dict[str, Any], word: str | None) -> None:
    r = post(client, xapi_headers, stmt)
    assert r.status_code == 400, (what, r.get_data(as_text=True)[:300])
    msg = r.json["error"]["message"]
    assert msg.startswith("statement"), msg
    if word:
        assert word in msg, msg


def test_deep_but_storable_extension_is_kept(client: Any, xapi_headers: dict[str, str]) -> None:
    s = make_statement(context={"extensions": {EXT: nested(MAX_DEPTH - 8)}})
    assert post(client, xapi_headers, s).status_code == 200
    got = client.get("/xapi/statements", query_string={"statementId": s["id"]}, headers=xapi_headers).json
    assert got["context"]["extensions"][EXT] == nested(MAX_DEPTH - 8)


def test_attachment_part_with_an_oversized_content_type_is_400(client: Any, xapi_headers: dict[str, str]) -> None:
    content = b"here is a simple attachment"
    import hashlib

    sha = hashlib.sha256(content).hexdigest()
    s = make_statement(attachments=[{"usageType": "http://example.org/u", "display": {"en-US": "a"},
                                     "contentType": "text/plain", "length": len(content), "sha2": sha}])
    boundary = "xyzzy"
    body = (f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{json.dumps(s)}\r\n"
            f"--{boundary}\r\nContent-Type: text/plain; x={'y' * 300}\r\nContent-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {sha}\r\n\r\n").encode() + content + f"\r\n--{boundary}--".encode()
    r = client.post("/xapi/statements", data=body,
                    headers={**xapi_headers, "Content-Type": f"multipart/mixed; boundary={boundary}"})
    assert r.status_code == 400 and "Content-Type" in r.json["error"]["message"]


# --- a failure inside a group fails its own request only ------------------------------------------------------

class _Store:
    """A stand-in StatementStore whose transaction fails whenever the poisoned request is in it."""

    def __init__(self) -> None:
        self.groups: list[int] = []

    def save_group(self, reqs: list[SaveRequest]) -> list[Any]:
        self.groups.append(len(reqs))
        if any(r.authority_key == "poison" for r in reqs):
            raise RuntimeError("the database refused the poisoned row")
        return [[s["id"] for s in r.prepared] for r in reqs]


def _grouped(committer: GroupCommitter, reqs: list[SaveRequest]) -> list[Any]:
    """Run ``reqs`` through ``committer`` from one thread each, all queued before any leads (one group)."""
    out: list[Any] = [None] * len(reqs)
    committer._leader.acquire()  # hold leadership until every request is queued

    def run(i: int) -> None:
        try:
            out[i] = committer.save(reqs[i])
        except Exception as e:  # noqa: BLE001 - the outcome under test
            out[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(reqs))]
    for t in threads:
        t.start()
    while len(committer._pending) < len(reqs):
        threading.Event().wait(0.001)
    committer._leader.release()
    for t in threads:
        t.join(10)
    return out


def test_a_failing_request_in_a_group_fails_alone() -> None:
    store = _Store()
    committer = GroupCommitter(store)  # type: ignore[arg-type]
    reqs = [SaveRequest([{"id": f"id-{i}"}], {}, "poison" if i == 2 else f"honest-{i}") for i in range(5)]
    out = _grouped(committer, reqs)
    assert store.groups[0] == 5  # they really were one group first
    assert isinstance(out[2], RuntimeError)
    assert [out[i] for i in (0, 1, 3, 4)] == [["id-0"], ["id-1"], ["id-3"], ["id-4"]]


def test_a_real_transaction_failure_is_isolated(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the real store: a row that makes the shared transaction fail (simulated: a bug or a limit that
    validation missed) leaves the other requests of its group stored."""
    svc = app.extensions["lrs"]
    original = svc.statements._write_rows

    def failing(conn: Any, batches: Any, late_voided: Any) -> None:
        if any(key == "poison" for _, _, key in batches):
            raise ValueError("row refused by the database")
        original(conn, batches, late_voided)

    monkeypatch.setattr(svc.statements, "_write_rows", failing)
    from lrs.xapi.batch import prepare_batch

    auth = {"objectType": "Agent", "account": {"homePage": "http://lrs.test/credentials", "name": "x"}}
    reqs = [SaveRequest(prepare_batch([make_statement()], {}, version="1.0.3", authority=auth), {},
                        "poison" if i == 1 else "test-key") for i in range(4)]
    out = _grouped(svc.committer, reqs)
    assert isinstance(out[1], ValueError)
    stored = {i for i in (0, 2, 3)}
    assert all(isinstance(out[i], list) for i in stored)
    with svc.engine.connect() as conn:
        ids = set(conn.execute(select(statements.c.statement_id)).scalars())
    assert ids == {reqs[i].prepared[0]["id"] for i in stored}


def test_honest_writers_see_no_error_beside_a_hostile_one(app: Any, xapi_headers: dict[str, str]) -> None:
    """Six honest writers and one hostile client at once, through HTTP: every honest write is stored."""
    honest_results: list[int] = []
    hostile_results: list[int] = []
    lock = threading.Lock()
    bad = [s for _, s, _ in hostile_statements()]

    def honest(n: int) -> None:
        c = app.test_client()
        for _ in range(n):
            r = post(c, xapi_headers, [make_statement(), make_statement()])
            with lock:
                honest_results.append(r.status_code)

    def hostile(rounds: int) -> None:
        c = app.test_client()
        for i in range(rounds):
            r = post(c, xapi_headers, bad[i % len(bad)])
            with lock:
                hostile_results.append(r.status_code)

    threads = [threading.Thread(target=honest, args=(15,)) for _ in range(6)]
    threads.append(threading.Thread(target=hostile, args=(40,)))
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert honest_results == [200] * 90
    assert set(hostile_results) == {400}
    with app.extensions["lrs"].engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(statements)).scalar_one() == 180


# --- hostile parameters and documents (issue 9, item 5) -------------------------------------------------------

@pytest.mark.parametrize("query", ["limit=%C2%B2", "limit=-1", "limit=1e3", "verb=http://x%00y",
                                   "activity=%00", "registration=%00", "agent=%7B%22mbox%22:%22mailto:a%00@b.c%22%7D",
                                   "since=2024%00"])
def test_hostile_statement_parameters_are_400(client: Any, xapi_headers: dict[str, str], query: str) -> None:
    r = client.get(f"/xapi/statements?{query}", headers=xapi_headers)
    assert r.status_code == 400, (query, r.get_data(as_text=True)[:200])


def test_a_huge_limit_is_the_page_size_and_pages_on(client: Any, xapi_headers: dict[str, str]) -> None:
    post(client, xapi_headers, [make_statement() for _ in range(3)])
    r = client.get("/xapi/statements?limit=99999999999999999999", headers=xapi_headers)
    assert r.status_code == 200 and len(r.json["statements"]) == 3


LONG_IRI = "http://example.org/activities/" + "é" * 1500  # ~3 kB: more than a btree entry holds


@pytest.mark.parametrize("resource,params", [
    ("activities/state", {"activityId": LONG_IRI, "agent": '{"mbox":"mailto:' + "a" * 1500 + '@example.org"}',
                          "stateId": "s" * 1999}),
    ("activities/profile", {"activityId": LONG_IRI, "profileId": "p" * 1999}),
    ("agents/profile", {"agent": '{"mbox":"mailto:' + "a" * 1800 + '@example.org"}', "profileId": "é" * 1999}),
])
def test_documents_with_long_keys_are_stored_and_read(client: Any, xapi2_headers: dict[str, str], resource: str,
                                                      params: dict[str, str]) -> None:
    url = f"/xapi/{resource}"
    r = client.put(url, query_string=params, data=b'{"a": 1}',
                   headers={**xapi2_headers, "Content-Type": "application/json", "If-None-Match": "*"})
    assert r.status_code == 204, r.get_data(as_text=True)[:300]
    got = client.get(url, query_string=params, headers=xapi2_headers)
    assert got.status_code == 200 and got.json == {"a": 1}
    ids = {k: v for k, v in params.items() if k not in ("stateId", "profileId")}
    listed = client.get(url, query_string=ids, headers=xapi2_headers)
    assert listed.status_code == 200 and listed.json == [params.get("stateId") or params["profileId"]]


def test_document_ids_and_content_types_past_their_limits_are_400(client: Any, xapi2_headers: dict[str, str]) -> None:
    base = {"activityId": "http://example.org/a", "profileId": "p"}
    too_long = client.put("/xapi/activities/profile", query_string={**base, "profileId": "p" * 2001}, data=b"x",
                          headers={**xapi2_headers, "Content-Type": "text/plain", "If-None-Match": "*"})
    assert too_long.status_code == 400
    ctype = client.put("/xapi/activities/profile", query_string=base, data=b"x",
                       headers={**xapi2_headers, "Content-Type": "text/plain; x=" + "y" * 300, "If-None-Match": "*"})
    assert ctype.status_code == 400 and "Content-Type" in ctype.json["error"]["message"]
    nul = client.get("/xapi/activities/profile", query_string={**base, "profileId": "a\x00b"}, headers=xapi2_headers)
    assert nul.status_code == 400


@pytest.mark.parametrize("field,value", [("If-Match", '"abc"\r\nX-Injected: 1'), ("X-Experience-API-Version", "1.0.3\n"),
                                         ("Authorization", "Basic dGVzdC1rZXk6dGVzdC1zZWNyZXQ=\r\n")])
def test_line_breaks_in_alternate_syntax_header_fields_are_400(client: Any, field: str, value: str) -> None:
    from urllib.parse import urlencode

    form = {"X-Experience-API-Version": "1.0.3", "Authorization": "Basic dGVzdC1rZXk6dGVzdC1zZWNyZXQ=",
            field: value, "activityId": "http://example.org/a", "profileId": "p"}
    r = client.post("/xapi/activities/profile?method=GET", data=urlencode(form),
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400, r.get_data(as_text=True)[:200]


@pytest.mark.parametrize("boundary", ["ünïcode", "x" * 71, "a\tb"])
def test_unusable_multipart_boundaries_are_400(client: Any, xapi_headers: dict[str, str], boundary: str) -> None:
    body = f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{{}}\r\n--{boundary}--".encode()
    r = client.post("/xapi/statements", data=body,
                    headers={**xapi_headers, "Content-Type": f"multipart/mixed; boundary={boundary}"})
    assert r.status_code == 400, r.get_data(as_text=True)[:200]


def test_a_statements_read_while_the_database_is_down_is_503(app: Any, client: Any, xapi_headers: dict[str, str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import OperationalError

    svc = app.extensions["lrs"]

    def down(*_a: Any, **_k: Any) -> Any:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(svc.statements, "query", down)
    monkeypatch.setattr(svc.statements.engine, "connect", down)
    r = client.get("/xapi/statements", headers=xapi_headers)
    assert r.status_code == 503 and r.headers["Retry-After"]
    assert r.headers["X-Experience-API-Consistent-Through"]


def test_durations_past_a_thousand_years_are_refused(client: Any, xapi_headers: dict[str, str]) -> None:
    for d in ("P9999999999999999999999999Y", "P" + "9" * 400 + "Y", "P1001Y", "PT31557600001S"):
        r = post(client, xapi_headers, make_statement(result={"duration": d}))
        assert r.status_code == 400 and "1,000 years" in r.json["error"]["message"], d
    assert post(client, xapi_headers, make_statement(result={"duration": "P999Y"})).status_code == 200


def test_a_huge_credit_never_makes_hours_infinite(app: Any, client: Any, xapi_headers: dict[str, str]) -> None:
    """Credits in the district extension are read as numbers; 1e308 semester hours is ignored, not infinite."""
    from projections.runner import Worker

    credit = "https://district.example/xapi/ext/credit"
    actor = make_agent(mbox="mailto:huge@example.org")
    for amount in (1e308, 1.5):
        r = post(client, xapi_headers, make_statement(actor=actor, result={"extensions": {credit: {
            "type": "semester-hour", "amount": amount}}}))
        assert r.status_code == 200
    svc = app.extensions["lrs"]
    Worker(svc.engine, settings=svc.settings, poll=0.05).run(once=True)
    t = client.get("/api/v1/people/mbox:mailto:huge@example.org/transcript", headers=xapi_headers)
    assert t.status_code == 200
    assert "Infinity" not in t.get_data(as_text=True)
    assert t.json["totals"]["hours"] == 22.5  # the 1.5 semester hours (15 clock hours each); the other ignored
