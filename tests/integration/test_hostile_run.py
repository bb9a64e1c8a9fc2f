"""A bounded hostile-input run: property-based inputs over the xAPI resources (hypothesis) and over every operation of
the reporting API's OpenAPI document (schemathesis), with honest writers running beside it.

Asserted: no 5xx and no stack trace in any answer, the honest writers see no error at all and every statement they
were acknowledged is stored, and the log still verifies. The number of examples is bounded for CI
(``LRS_HOSTILE_EXAMPLES``, default 30 per property, half that per OpenAPI operation and mode); raise it for a
longer hunt.
"""
from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from sqlalchemy import func, select

from lrs.eventlog.integrity import verify_chain
from lrs.store.tables import statements
from tests.builders import make_statement
from tests.conftest import basic_auth

EXAMPLES = int(os.environ.get("LRS_HOSTILE_EXAMPLES", "30"))
V1, V2 = {"X-Experience-API-Version": "1.0.3"}, {"X-Experience-API-Version": "2.0.0"}
AUTH = {"Authorization": basic_auth()}
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.filter_too_much, HealthCheck.data_too_large])

# Any JSON value, nested; text drawn from all of Unicode (NUL, surrogates excluded by JSON itself, line breaks...).
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2 ** 70), max_value=2 ** 70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20)
KEYS = ("actor", "verb", "object", "result", "context", "timestamp", "id", "attachments", "authority", "version",
        "stored", "objectType", "mbox", "account", "name", "extensions", "duration", "score", "contextActivities")


def _mutations(stmt: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A valid statement with one part replaced, removed or added (deep paths included)."""
    def paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        out = [prefix]
        if isinstance(obj, dict):
            for k, v in obj.items():
                out += paths(v, prefix + (k,))
        return out

    def apply(path: tuple[Any, ...], value: Any, drop: bool) -> Any:
        s = json.loads(json.dumps(stmt))
        if not path:
            return value
        node = s
        for k in path[:-1]:
            node = node[k]
        if drop:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value
        return s

    return st.builds(apply, st.sampled_from(paths(stmt)), json_values, st.booleans())


class Honest:
    """Writers posting valid statements the whole time; every answer must be 200."""

    def __init__(self, app: Any, threads: int = 3) -> None:
        self.app, self.stop = app, threading.Event()
        self.statuses: list[int] = []
        self.acked: list[str] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run) for _ in range(threads)]

    def _run(self) -> None:
        c = self.app.test_client()
        while not self.stop.is_set():
            body = [make_statement(), make_statement()]
            r = c.post("/xapi/statements", data=json.dumps(body),
                       headers={**AUTH, **V1, "Content-Type": "application/json"})
            with self.lock:
                self.statuses.append(r.status_code)
                if r.status_code == 200:
                    self.acked.extend(r.json)

    def __enter__(self) -> Honest:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(60)


def _no_server_error(r: Any, what: Any) -> None:
    body = r.get_data(as_text=True)
    assert r.status_code < 500, (r.status_code, what, body[:300])
    assert "Traceback" not in body and 'File "' not in body, (what, body[:300])


@pytest.fixture
def honest(app: Any) -> Iterator[Honest]:
    with Honest(app) as h:
        yield h
    assert h.statuses and set(h.statuses) == {200}, sorted(set(h.statuses))
    with app.extensions["lrs"].engine.connect() as conn:
        ids = h.acked
        stored = 0
        for i in range(0, len(ids), 500):
            stored += conn.execute(select(func.count()).select_from(statements)
                                   .where(statements.c.statement_id.in_(ids[i:i + 500]))).scalar_one()
    assert stored == len(ids)
    assert verify_chain(app.extensions["lrs"].engine).ok


@PROPERTY
@given(data=st.data())
def test_mutated_statements_beside_honest_writers(client: Any, honest: Honest, data: st.DataObject) -> None:
    stmt = make_statement(result={"duration": "PT1H", "score": {"scaled": 0.5}},
                          context={"extensions": {"http://example.org/x": {"a": [1, 2]}}})
    body = data.draw(_mutations(stmt))
    version = data.draw(st.sampled_from([V1, V2]))
    batch = data.draw(st.booleans())
    r = client.post("/xapi/statements", data=json.dumps([body] if batch else body),
                    headers={**AUTH, **version, "Content-Type": "application/json"})
    _no_server_error(r, body)
    assert r.status_code in (200, 400), (r.status_code, r.get_data(as_text=True)[:300])


params = st.dictionaries(
    st.sampled_from(["agent", "verb", "activity", "registration", "related_activities", "related_agents", "since",
                     "until", "limit", "format", "attachments", "ascending", "statementId", "voidedStatementId",
                     "stateId", "profileId", "activityId", "method", "x"]),
    st.text(max_size=30) | st.sampled_from(["true", "0", "-1", "²", "99999999999999999999", "2024-01-01T00:00:00Z",
                                            '{"mbox":"mailto:a@b.c"}', "http://example.org/a", "\x00", "%00"]),
    max_size=5)


@PROPERTY
@given(query=params, resource=st.sampled_from(["statements", "activities/state", "activities/profile",
                                                 "agents/profile", "activities", "agents", "about"]),
       method=st.sampled_from(["GET", "PUT", "POST", "DELETE"]), body=st.binary(max_size=64))
def test_random_parameters_on_every_xapi_resource(client: Any, honest: Honest, query: dict[str, str], resource: str,
                                                  method: str, body: bytes) -> None:
    r = client.open(f"/xapi/{resource}", method=method, query_string=query, data=body,
                    headers={**AUTH, **V1, "Content-Type": "application/json"})
    _no_server_error(r, (method, resource, query, body))


@PROPERTY
# (Header values cannot carry control characters at all: the HTTP client refuses to send them.)
@given(token=st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=120)
       | st.binary(max_size=90).map(lambda b: b.hex()),
       auth=st.sampled_from(["Basic", "Bearer", "basic", "Digest", ""]))
def test_random_cursors_and_credentials(client: Any, honest: Honest, token: str, auth: str) -> None:
    r = client.get(f"/xapi/statements/more/{token}", headers={**AUTH, **V1})
    _no_server_error(r, token)
    r = client.get("/xapi/statements", headers={"Authorization": f"{auth} {token}", **V1})
    _no_server_error(r, (auth, token))
    assert r.status_code in (400, 401), r.status_code


def test_every_reporting_operation_answers_without_a_server_error(app: Any, honest: Honest) -> None:
    """schemathesis generates valid (positive) and invalid (negative) requests for every operation the OpenAPI
    document describes, sent with a read-everything credential; none may answer 5xx."""
    from schemathesis import GenerationMode

    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [op.ok() for op in api.get_all_operations()]
    assert len(operations) >= 8  # the document describes the API; an empty one would prove nothing
    seen: list[str] = []
    for op in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(PROPERTY, max_examples=max(5, EXAMPLES // 2))
            @given(case=op.as_strategy(mode))
            def run(case: Any) -> None:
                r = case.call(headers=AUTH)
                assert r.status_code < 500, (case.method, case.formatted_path, case.query, r.text[:300])
                assert "Traceback" not in r.text
                case.validate_response(r, checks=[not_a_server_error])

            run()
            seen.append(f"{mode.value} {op.method.upper()} {op.path}")
    assert len(seen) == 2 * len(operations)
