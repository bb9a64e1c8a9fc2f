"""X-Experience-API-Consistent-Through never claims a time whose statements are not all visible yet."""
from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from lrs.eventlog.store import NewEvent
from tests.builders import make_statement
from tests.conftest import BACKEND


def test_header_on_every_statements_response(client: Any, xapi_headers: dict[str, str]) -> None:
    ok = client.get("/xapi/statements", headers=xapi_headers)
    bad = client.get("/xapi/statements", query_string={"limit": "x"}, headers=xapi_headers)
    post = client.post("/xapi/statements", data=json.dumps(make_statement()),
                       headers={**xapi_headers, "Content-Type": "application/json"})
    for r in (ok, bad, post):
        assert r.headers["X-Experience-API-Consistent-Through"].endswith("Z")
    assert bad.status_code == 400


@pytest.mark.skipif(BACKEND != "postgres", reason="another writer's lock is visible on PostgreSQL only")
def test_a_writer_inside_the_lock_holds_the_time_back(app: Any, client: Any, xapi_headers: dict[str, str]) -> None:
    store = app.extensions["lrs"].store
    client.post("/xapi/statements", data=json.dumps(make_statement()),
                headers={**xapi_headers, "Content-Type": "application/json"})
    head_at = store.read(0, limit=1000)[-1].recorded_at
    inside, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        with store.write() as tx:
            tx.append([NewEvent("test.slow", "test", {})])
            inside.set()
            release.wait(10)

    t = threading.Thread(target=slow_writer)
    t.start()
    try:
        assert inside.wait(10)
        time.sleep(0.01)
        held = client.get("/xapi/statements", headers=xapi_headers).headers["X-Experience-API-Consistent-Through"]
        assert held == head_at  # not "now": the writer inside the lock may still commit statements stored after it
    finally:
        release.set()
        t.join(10)
    after = client.get("/xapi/statements", headers=xapi_headers).headers["X-Experience-API-Consistent-Through"]
    assert after > head_at
