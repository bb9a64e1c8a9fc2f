"""``more`` cursors are signed and the reader's restrictions are re-applied on every page (issue 9, defect 1).

Before, the cursor was readable base64 JSON whose ``authority`` field was trusted: a ``statements/read/mine``
credential could forge ``{"authority": ""}`` and read every statement in the store.
"""
from __future__ import annotations

import base64
import json
import random
from typing import Any

import orjson
import pytest

from lrs.store.statements import StatementQuery, cursor_signer
from lrs.xapi.errors import BadRequest
from tests.builders import make_statement
from tests.conftest import basic_auth

MINE = {"Authorization": basic_auth("mine", "s3cret"), "X-Experience-API-Version": "1.0.3"}


@pytest.fixture
def stocked(app: Any, client: Any, xapi_headers: dict[str, str]) -> dict[str, list[str]]:
    """12 statements by the test credential, 5 by a read/mine credential; returns the ids of each."""
    app.extensions["lrs"].auth.create_credential("mine", ["statements/write", "statements/read/mine"],
                                                 key="mine", secret="s3cret")
    theirs = [s["id"] for s in (make_statement() for _ in range(12))]
    own = [s["id"] for s in (make_statement() for _ in range(5))]
    for headers, ids in ((xapi_headers, theirs), (MINE, own)):
        body = [make_statement(id=i) for i in ids]
        r = client.post("/xapi/statements", data=json.dumps(body), headers={**headers, "Content-Type": "application/json"})
        assert r.status_code == 200, r.json
    return {"theirs": theirs, "own": own}


def _pages(client: Any, headers: dict[str, str], first: str) -> tuple[list[str], int]:
    ids: list[str] = []
    url, pages = first, 0
    while url:
        r = client.get(url, headers=headers)
        assert r.status_code == 200, r.get_data(as_text=True)
        ids += [s["id"] for s in r.json["statements"]]
        url, pages = r.json["more"], pages + 1
    return ids, pages


def _b64(obj: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(obj)).decode().rstrip("=")


def test_forged_cursor_with_empty_authority_is_refused(client: Any, stocked: dict[str, list[str]]) -> None:
    for forged in (_b64({"authority": ""}), _b64({}), _b64({"authority": "test-key"}), _b64({"limit": 1000})):
        r = client.get(f"/xapi/statements/more/{forged}", headers=MINE)
        assert r.status_code == 400, forged
        assert "cursor" in r.json["error"]["message"]


def test_read_mine_pages_show_only_own_statements(client: Any, stocked: dict[str, list[str]]) -> None:
    ids, pages = _pages(client, MINE, "/xapi/statements?limit=2")
    assert pages == 3
    assert sorted(ids) == sorted(stocked["own"])


def test_cursor_handed_to_a_restricted_credential_keeps_its_restriction(
        client: Any, xapi_headers: dict[str, str], stocked: dict[str, list[str]]) -> None:
    # A cursor made for the read-all credential, then followed by the read/mine one: still only its own.
    first = client.get("/xapi/statements?limit=3", headers=xapi_headers).json
    assert len(first["statements"]) == 3 and first["more"]
    ids, _ = _pages(client, MINE, first["more"])
    assert set(ids) <= set(stocked["own"])
    # ... and the read-all credential following the restricted one's cursor sees everything after it.
    mine_first = client.get("/xapi/statements?limit=1", headers=MINE).json
    everyone, _ = _pages(client, xapi_headers, mine_first["more"])
    assert set(everyone) & set(stocked["theirs"])


def test_tampered_and_fuzzed_cursors_answer_400_never_500(app: Any, client: Any, xapi_headers: dict[str, str],
                                                          stocked: dict[str, list[str]]) -> None:
    good = client.get("/xapi/statements?limit=2", headers=xapi_headers).json["more"].rsplit("/", 1)[1]
    signer = app.extensions["lrs"].cursors

    def same_cursor(c: str) -> bool:
        # A changed last base64 character can leave the decoded bytes as they were (unused low bits).
        try:
            return bool(signer.loads(c) == signer.loads(good))
        except Exception:
            return False

    rng = random.Random(7)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.="
    cases = [good[:-1] + ("A" if good[-1] != "A" else "B"), good[:10], good + "x", "", "...", "a.b", "%00"]
    for _ in range(300):
        t = list(good)
        for _ in range(rng.randint(1, 4)):
            t[rng.randrange(len(t))] = rng.choice(alphabet)
        cases.append("".join(t))
        cases.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 80))))
    cases += [_b64(v) for v in ({"limit": "x"}, {"after_seq": True}, [1, 2], "str", {"head_seq": 1.5})]
    statuses = {}
    for c in cases:
        if not c or same_cursor(c):
            continue
        r = client.get(f"/xapi/statements/more/{c}", headers=xapi_headers)
        statuses[c] = r.status_code
    assert set(statuses.values()) <= {400, 404}, {k: v for k, v in statuses.items() if v not in (400, 404)}
    assert list(statuses.values()).count(400) >= 500


def test_cursor_signed_with_another_key_or_wrong_types_is_400() -> None:
    mine, other = cursor_signer("a" * 48), cursor_signer("b" * 48)
    q = StatementQuery(verb="http://example.org/v", after_seq=5, head_seq=9)
    assert StatementQuery.from_token(q.to_token(mine), mine) == q
    with pytest.raises(BadRequest):
        StatementQuery.from_token(q.to_token(other), mine)
    # Even a correctly signed cursor must have the types this version of the code writes.
    for bad in ({"after_seq": "5"}, {"ascending": 1}, {"limit": True}, {"unknown": 1}, ["x"]):
        with pytest.raises(BadRequest):
            StatementQuery.from_token(mine.dumps(bad), mine)
