"""The raw-insert baseline: the rows a stored batch produces, inserted with SQLAlchemy Core and nothing else.

Per batch, in one transaction: one ``events`` row carrying the batch as JSON (as ``statements.stored`` does),
the ``statements`` rows, and their ``statement_agents`` / ``statement_activities`` index rows, into the product's
own tables (same columns and indexes) in a fresh database of the same kind. All rows are built before the clock
starts, so this is what the database and the driver cost, the ceiling for ingest. Left out, and so counted as
product overhead: the writer lock, the duplicate-id check, the hash chain, voiding checks, activity/agent
metadata upserts and NOTIFY.
"""
from __future__ import annotations

import hashlib
import time
import uuid
from typing import Any

import orjson
from sqlalchemy import insert

from common import Database, log
from datagen import statements as gen_statements
from loadgen import percentile
from lrs.db import make_engine, metadata
from lrs.xapi import model

AUTHORITY = {"objectType": "Agent", "name": "bench", "account": {"homePage": "http://127.0.0.1", "name": "benchkey"}}


def _rows(batch: list[dict[str, Any]], position: int, seq0: int, stored: str) -> dict[str, list[dict[str, Any]]]:
    payload = orjson.dumps({"statements": batch, "attachments": []}, option=orjson.OPT_SORT_KEYS).decode()
    ev = {"position": position, "event_id": str(uuid.uuid4()), "type": "statements.stored", "stream": "statements",
          "payload": payload, "recorded_at": stored, "prev_hash": "0" * 64,
          "hash": hashlib.sha256(payload.encode()).hexdigest()}
    st, ag, ac = [], [], []
    for i, s in enumerate(batch):
        seq = seq0 + i
        s = {**s, "stored": stored, "authority": AUTHORITY, "version": "1.0.0"}
        ctx = s.get("context") or {}
        st.append({"seq": seq, "statement_id": s["id"], "position": position, "stored": stored,
                   "timestamp": s.get("timestamp", stored), "verb_id": s["verb"]["id"],
                   "actor_key": model.agent_key(s["actor"]), "registration": ctx.get("registration"),
                   "voided": False, "voids": None, "ref_id": None, "authority_key": "benchkey",
                   "version": "1.0.0", "has_attachments": False, "data": orjson.dumps(s).decode()})
        direct, related = model.referenced_agents(s)
        ag += [{"seq": seq, "agent_key": k, "direct": True} for k in direct]
        ag += [{"seq": seq, "agent_key": k, "direct": False} for k in related - direct]
        direct, related = model.referenced_activities(s)
        ac += [{"seq": seq, "activity_id": k, "direct": True} for k in direct]
        ac += [{"seq": seq, "activity_id": k, "direct": False} for k in related - direct]
    return {"events": [ev], "statements": st, "statement_agents": ag, "statement_activities": ac}


def prepare(db: Database, batch_size: int, *, max_statements: int, seed: int) -> dict[str, Any]:
    """Create the tables in ``db`` and build the rows of ``max_statements // batch_size`` batches."""
    import lrs.eventlog.tables  # noqa: F401  (declare the tables on the shared metadata)
    import lrs.store.tables  # noqa: F401
    from sqlalchemy import func, select

    engine = make_engine(db.url)
    metadata.create_all(engine)
    tables = {t: metadata.tables[t] for t in ("events", "statements", "statement_agents", "statement_activities")}
    with engine.connect() as c:
        position = int(c.execute(select(func.coalesce(func.max(tables["events"].c.position), 0))).scalar_one())
        seq = int(c.execute(select(func.coalesce(func.max(tables["statements"].c.seq), 0))).scalar_one())
    n_batches = max(1, max_statements // batch_size)
    stored = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
    batches = []
    buf: list[dict[str, Any]] = []
    for s in gen_statements(n_batches * batch_size, seed=seed):
        buf.append(s)
        if len(buf) == batch_size:
            position += 1
            batches.append(_rows(buf, position, seq + 1, stored))
            seq += batch_size
            buf = []
    log(f"raw insert: {len(batches)} batches of {batch_size} prepared")
    return {"engine": engine, "tables": tables, "batches": batches, "batch_size": batch_size}


def run(db: Database, prepared: dict[str, Any], *, max_seconds: float) -> dict[str, Any]:
    """Insert the prepared batches, one transaction each, until done or ``max_seconds``.

    The engine stays open (the caller disposes of it) so that the database session's CPU is still countable
    when the phase ends."""
    engine, tables, batch_size = prepared["engine"], prepared["tables"], prepared["batch_size"]
    lat: list[float] = []
    t0 = time.perf_counter()
    deadline = t0 + max_seconds
    done = 0
    for rows in prepared["batches"]:
        if time.perf_counter() >= deadline:
            break
        b0 = time.perf_counter()
        with engine.begin() as conn:
            for name, table in tables.items():
                if rows[name]:
                    conn.execute(insert(table), rows[name])
        lat.append((time.perf_counter() - b0) * 1000)
        done += 1
    secs = time.perf_counter() - t0
    lat.sort()
    return {"batches": done, "batch_size": batch_size, "seconds": round(secs, 3),
            "requests_per_s": round(done / secs, 1), "items_per_s": round(done * batch_size / secs, 1),
            "p50_ms": round(percentile(lat, 50), 2), "p95_ms": round(percentile(lat, 95), 2)}
