"""No acknowledged statement is ever lost: writers load a real ``lrs serve`` while it is SIGKILLed (master and web
workers at once, no chance to flush anything) and restarted, several times; afterwards every statement the server
answered 200 for is stored, exactly once, and the log verifies.

The count of acknowledged statements checked is printed (``-s`` shows it) and must be large enough for the test to
mean something.
"""
from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from lrs.db import make_engine
from lrs.eventlog.integrity import verify_chain
from lrs.store.tables import statements
from tests.builders import make_statement
from tests.conftest import basic_auth
from tests.e2e.live import KEY, SECRET, start_server

pytestmark = pytest.mark.slow

ROUNDS = 3
SECONDS_PER_ROUND = 3.0
WRITERS = 6


def _writer(base: str, stop: threading.Event, acked: list[str], lock: threading.Lock, batch: int) -> None:
    session = requests.Session()
    headers = {"Authorization": basic_auth(KEY, SECRET), "X-Experience-API-Version": "1.0.3",
               "Content-Type": "application/json"}
    while not stop.is_set():
        body = [make_statement(id=str(uuid.uuid4())) for _ in range(batch)]
        try:
            r = session.post(base + "/xapi/statements", data=json.dumps(body if batch > 1 else body[0]),
                             headers=headers, timeout=10)
        except requests.RequestException:
            time.sleep(0.05)  # the server is down (being killed or restarting): not acknowledged, try again
            continue
        if r.status_code == 200:
            with lock:
                acked.extend(r.json())
        elif r.status_code != 503:
            raise AssertionError(f"unexpected {r.status_code}: {r.text[:200]}")


def test_no_acknowledged_statement_is_lost_across_repeated_sigkills(db_url: str) -> None:
    acked: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    srv = start_server(db_url, "--no-worker", workers=2, threads=4)
    base_port = srv.base
    errors: list[BaseException] = []

    def run(batch: int) -> None:
        try:
            _writer(base_port, stop, acked, lock, batch)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(1 if i % 2 else 25,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    try:
        for _ in range(ROUNDS):
            time.sleep(SECONDS_PER_ROUND)
            os.killpg(srv.proc.pid, signal.SIGKILL)  # the whole server at once, mid-write
            srv.proc.wait(10)
            port = base_port.rsplit(":", 1)[1]
            srv = _restart(db_url, int(port))
        time.sleep(SECONDS_PER_ROUND)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
        srv.stop()
    assert errors == []
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            stored = set()
            ids = list(set(acked))
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                stored.update(conn.execute(select(statements.c.statement_id)
                                           .where(statements.c.statement_id.in_(chunk))).scalars())
            total = conn.execute(select(func.count()).select_from(statements)).scalar_one()
        lost = sorted(set(acked) - stored)
        print(f"\ncrash test: {len(acked)} acknowledged statements checked after {ROUNDS} SIGKILLs, "
              f"{len(lost)} lost; {total} stored in all")
        assert lost == []
        assert len(acked) == len(set(acked))  # no id acknowledged twice
        assert len(acked) >= 300, "too few writes got through for this test to mean anything"
        assert verify_chain(engine).ok
    finally:
        engine.dispose()


def _restart(db_url: str, port: int) -> Any:
    """The server again on the same port (the writers keep their base URL)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return start_server(db_url, "--no-worker", workers=2, threads=4, port=port)
        except RuntimeError:  # the port is still being released by the killed processes
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
