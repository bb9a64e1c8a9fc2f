"""Mutated statements and bodies never produce a 500, and a rejected batch stores nothing."""
from __future__ import annotations

import copy
import json
import random
from typing import Any

from tests.builders import make_statement

JUNK: list[Any] = [None, True, 0, -1, 1.5, "", "x", "not an iri", "mailto:", [], {}, [1], {"a": 1}, "2024-13-45",
                   "P1Y2M", "\u0000", "é" * 300, 10 ** 30]


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, prefix + (i,))
    return out


def _mutate(stmt: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    s = copy.deepcopy(stmt)
    path = rng.choice(_paths(s)[1:])
    parent = s
    for p in path[:-1]:
        parent = parent[p]
    action = rng.random()
    if action < 0.6:
        parent[path[-1]] = rng.choice(JUNK)
    elif action < 0.8 and isinstance(parent, dict):
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[rng.choice(["extra", "objectType", "id", "mbox"])] = rng.choice(JUNK)
    return s


def _rich_statement() -> dict[str, Any]:
    return make_statement(
        result={"score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10}, "success": True, "completion": True,
                "duration": "PT1H"},
        context={"registration": "6f0a6f5e-6c1b-4f26-9a44-0f6b4b2f4e7a",
                 "instructor": {"objectType": "Agent", "mbox": "mailto:coach@example.org"},
                 "contextActivities": {"parent": [{"id": "http://example.org/course"}]},
                 "language": "en-US", "extensions": {"http://example.org/ext": {"a": 1}}},
    )


def test_mutated_statements_get_200_or_400_never_500(client: Any, xapi_headers: dict[str, str]) -> None:
    rng = random.Random(20261122)
    h = {**xapi_headers, "Content-Type": "application/json"}
    statuses: dict[int, int] = {}
    for _ in range(300):
        bad = _mutate(_rich_statement(), rng)
        r = client.post("/xapi/statements", data=json.dumps(bad), headers=h)
        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        assert r.status_code in (200, 400), (r.status_code, bad, r.data)
        if r.status_code == 400:
            assert r.json["error"]["message"]
    # The mutator must actually produce invalid statements most of the time, or this test proves nothing.
    assert statuses.get(400, 0) > 100


def test_rejected_batch_leaves_no_trace(app: Any, client: Any, xapi_headers: dict[str, str]) -> None:
    rng = random.Random(7)
    h = {**xapi_headers, "Content-Type": "application/json"}
    store = app.extensions["lrs"].store
    for _ in range(40):
        batch = [make_statement() for _ in range(5)]
        batch.append(_mutate(_rich_statement(), rng))
        head = store.head()
        r = client.post("/xapi/statements", data=json.dumps(batch), headers=h)
        if r.status_code == 400:
            assert store.head() == head
            got = client.get("/xapi/statements", query_string={"statementId": batch[0]["id"]}, headers=xapi_headers)
            assert got.status_code == 404
        else:
            assert r.status_code == 200


def test_random_bytes_and_headers_never_500(client: Any, xapi_headers: dict[str, str]) -> None:
    rng = random.Random(3)
    for ctype in ("application/json", "multipart/mixed; boundary=xyz", "multipart/mixed", "text/plain",
                  "application/x-www-form-urlencoded"):
        for _ in range(15):
            body = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 200)))
            for url in ("/xapi/statements", "/xapi/statements?method=PUT"):
                r = client.post(url, data=body, headers={**xapi_headers, "Content-Type": ctype})
                assert r.status_code < 500, (ctype, url, body, r.data)
