"""Two real ``lrs worker`` processes on one database; one is killed with SIGKILL in the middle of a batch.

The survivor must take the projections over (PostgreSQL: the advisory locks die with the killed sessions;
SQLite: the leases expire) and finish, and every read model must equal a clean rebuild: the killed batch was
neither lost nor applied twice.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from lrs.db.engine import is_postgres
from lrs.eventlog.store import EventStore, NewEvent
from lrs.roster.importer import import_roster
from projections import registry
from projections.engine import active_generation, get_checkpoint, snapshot
from projections.replay import build_as_of
from tests.pd_builders import activity, as_stored, person, statement, voiding

PEOPLE = 40


def _fill_log(store: EventStore, events: int, seed: int = 11) -> None:
    """A roster, then ``events`` statement batches (1-4 statements each, ~3% voidings of earlier ones)."""
    rnd = random.Random(seed)
    roster = "employee_id,name,email,roles,building,supervisor_id,hire_date,status\n" + "".join(
        f"E{i},Person {i},p{i}@district.org,teacher,School {i % 4},,2015-08-01,active\n" for i in range(PEOPLE))
    assert import_roster(store, roster).ok
    verbs = ["attended", "completed", "passed", "registered", "launched"]
    sent: list[str] = []
    pending: list[NewEvent] = []
    for n in range(events):
        batch = []
        for _ in range(rnd.randint(1, 4)):
            if sent and rnd.random() < 0.03:
                batch.append(voiding(person("admin@district.org"), sent.pop(rnd.randrange(len(sent))),
                                     "2024-12-01T00:00:00Z"))
                continue
            who = person(f"p{rnd.randrange(PEOPLE + 5)}@district.org", "Learner")  # a few are not on the roster
            s = statement(who, rnd.choice(verbs), activity(f"https://district.org/pd/{rnd.randrange(60)}",
                                                             f"Activity {n % 60}", "meeting"),
                          f"2024-{rnd.randint(8, 12):02d}-{rnd.randint(1, 28):02d}T15:00:00Z",
                          result={"duration": f"PT{rnd.randint(10, 180)}M"}, id=str(uuid.UUID(int=rnd.getrandbits(128))))
            sent.append(s["id"])
            batch.append(s)
        pending.append(NewEvent("statements.stored", "statements",
                                {"statements": [as_stored(s) for s in batch], "attachments": []}))
        if len(pending) == 500:
            store.append(pending)
            pending = []
    if pending:
        store.append(pending)


def _start_worker(db_url: str, cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "LRS_DATABASE_URL": db_url, "LRS_WORKER_LEASE_TTL": "2", "LRS_LOG_LEVEL": "INFO"}
    return subprocess.Popen([sys.executable, "-m", "lrs.cli", "worker", "--batch-size", "25"], env=env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _positions(engine: Engine) -> dict[str, int]:
    out = {}
    with engine.connect() as c:
        for name in registry.names():
            gen = active_generation(c, name)
            cp = get_checkpoint(c, name, gen) if gen is not None else None
            out[name] = cp.position if cp else 0
    return out


def _in_batch(engine: Engine, pid: int) -> bool:
    """PostgreSQL: the worker process holds the row lock its checkpoint compare-and-set takes (so it is between
    that UPDATE and COMMIT: in the middle of a batch)."""
    with engine.connect() as c:
        return c.execute(text(
            "SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE a.application_name = :app AND l.relation = 'projection_checkpoints'::regclass "
            "AND l.mode = 'RowExclusiveLock' AND l.granted"), {"app": f"lrs-worker-tx {pid}"}).first() is not None


def _wait(pred: Any, timeout: float, what: str, procs: list[subprocess.Popen[str]]) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        for p in procs:
            assert p.poll() is None, f"worker exited early ({what}): {p.stdout.read() if p.stdout else ''}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


@pytest.mark.slow
def test_sigkill_mid_batch_then_the_survivor_finishes(engine: Engine, db_url: str, tmp_path: Path) -> None:
    store = EventStore(engine)
    _fill_log(store, 4000)
    head = store.head()
    a = _start_worker(db_url, tmp_path)
    b: subprocess.Popen[str] | None = None
    try:
        _wait(lambda: _positions(engine)["transcript@v1"] > head // 10, 60, "worker A to start", [a])
        b = _start_worker(db_url, tmp_path)
        time.sleep(0.5)  # B is up, waiting for the projections A owns
        if is_postgres(engine):
            _wait(lambda: _in_batch(engine, a.pid), 30, "A inside a batch", [a, b])
        killed_at = _positions(engine)
        a.send_signal(signal.SIGKILL)
        a.wait(10)
        assert min(killed_at.values()) < head, "A finished before it could be killed; grow the log"
        _wait(lambda: all(p == head for p in _positions(engine).values()), 120, "B to catch up", [b])
        b.send_signal(signal.SIGTERM)
        out, _ = b.communicate(timeout=30)
        assert b.returncode == 0, out
        assert "acquired transcript@v1" in out  # B took over what A held
    finally:
        for p in (a, b):
            if p is not None:
                if p.poll() is None:
                    p.kill()
                    p.wait()
                if p.stdout is not None:
                    p.stdout.close()
    for proj in registry.all_projections():
        with engine.connect() as c:
            gen = active_generation(c, proj.name)
        assert gen is not None
        clean = build_as_of(engine, proj, head)
        live, rebuilt = snapshot(engine, proj, gen), snapshot(engine, proj, clean.gen)
        assert live == rebuilt, proj.name
        assert sum(len(rows) for rows in live.values()) > 0
