"""Comparing read models (tests, replay checks) and waiting for one to catch up (read-your-writes)."""
from __future__ import annotations

import time
from typing import Any

import orjson
from sqlalchemy import Engine, select

from projections.engine.generations import active_generation, get_checkpoint
from projections.engine.protocol import Projection


def snapshot(engine: Engine, projection: Projection, gen: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of a generation, without the ``gen`` column, sorted: equal snapshots mean equal read models."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for t in projection.tables:
            cols = [c for c in t.c if c.name != "gen"]
            rows = conn.execute(select(*cols).where(t.c.gen == gen)).all()
            out[t.name] = sorted((tuple(r) for r in rows), key=lambda r: orjson.dumps(r, default=str))
    return out


def wait_for(engine: Engine, name: str, position: int, timeout: float = 10.0) -> bool:
    """Block until the active generation of ``name`` has reached ``position`` (read-your-writes for tests/tools)."""
    deadline = time.monotonic() + timeout
    while True:
        with engine.connect() as conn:
            gen = active_generation(conn, name)
            c = get_checkpoint(conn, name, gen) if gen is not None else None
        if c is not None and c.position >= position:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
