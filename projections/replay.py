"""Rebuilding projections from the log: blue/green rebuilds and as-of builds.

A rebuild allocates a new generation (status ``building``), runs the projection over the log from position zero
while the live worker keeps serving and advancing the active generation, and when it has caught up flips the
pointer in one transaction (old ``active`` -> ``retired``, new ``building`` -> ``active``) and drops the old rows.
Readers look up the active generation inside their own read transaction, so they see either the old read model or
the new one, never a mix. A live worker in the middle of a batch on the old generation loses the race harmlessly:
its checkpoint compare-and-set requires ``status = 'active'`` and rolls back.

An as-of build is a generation frozen at a log position (status ``as_of``): "what the LRS knew then". It is kept
and reused by position, so reporting code can call :func:`build_as_of` for every ``known_at=`` request.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, select, update

from lrs.eventlog.store import EventStore
from lrs.times import format_time, parse_time, utc_now
from projections import registry
from projections.engine import (ACTIVE, AS_OF, AS_OF_BUILDING, BUILDING, RETIRED, GroupProcessor, Processor,
                                Projection, drop_generation, list_checkpoints, new_generation, write_conn)
from projections.engine.tables import projection_checkpoints as cp

Progress = Callable[[str, int, int], None]  # (projection name, position reached, head)
# Rebuilds use bigger batches than the live worker: nobody waits on their latency, and per-batch costs
# (queries, commits, SQLite index pages rewritten) amortise over more events.
REBUILD_BATCH = 2000
# As-of builds kept per projection (the most recently used); the worker drops older ones.
AS_OF_KEEP = 5


@dataclass(frozen=True)
class RebuildResult:
    name: str
    gen: int
    position: int
    events: int
    seconds: float

    @property
    def rate(self) -> float:
        """Events applied per second."""
        return self.events / self.seconds if self.seconds > 0 else float("inf")


@dataclass(frozen=True)
class AsOfBuild:
    """A read model as the log stood at ``position``: read its tables with ``gen``."""

    name: str
    gen: int
    position: int


def _projection(p: Projection | str, settings: Mapping[str, Any] | None) -> Projection:
    return registry.get(p, settings) if isinstance(p, str) else p


def rebuild(engine: Engine, projection: Projection | str, *, store: EventStore | None = None,
            settings: Mapping[str, Any] | None = None, batch_size: int = REBUILD_BATCH,
            progress: Progress | None = None) -> RebuildResult:
    """Rebuild one projection into a fresh generation and make it the active one once caught up."""
    return rebuild_group(engine, [_projection(projection, settings)], store=store, batch_size=batch_size,
                         progress=progress)[0]


def rebuild_group(engine: Engine, projections: Sequence[Projection], *, store: EventStore | None = None,
                  batch_size: int = REBUILD_BATCH, progress: Progress | None = None) -> list[RebuildResult]:
    """Rebuild several projections in one pass over the log (each batch read and decoded once), then switch
    readers to all the new generations in one transaction."""
    store = store or EventStore(engine)
    started = time.perf_counter()
    members = [(p, new_generation(engine, p.name, BUILDING)) for p in projections]
    proc = GroupProcessor(engine, store, members, status=BUILDING, batch_size=batch_size)
    applied = 0
    try:
        # Chase the head: new events keep arriving while we rebuild; stop when a pass found nothing new.
        while True:
            head = store.head()
            applied += proc.run_until(head, on_batch=(lambda pos, n: progress("+".join(p.name for p in projections),
                                                                              pos, head)) if progress else None)
            if store.head() == head:
                break
        positions = _swap(engine, members)
    except BaseException:
        for p, g in members:
            drop_generation(engine, p, g)
        raise
    seconds = time.perf_counter() - started  # readers have switched: the rebuild is done
    # Dropping the old rows is cleanup (the worker would also do it within a minute).
    for p, _ in members:
        drop_retired(engine, p)
    return [RebuildResult(p.name, g, positions[p.name], applied, seconds) for p, g in members]


def _swap(engine: Engine, members: Sequence[tuple[Projection, int]]) -> dict[str, int]:
    positions: dict[str, int] = {}
    with write_conn(engine) as conn:
        for proj, gen in members:
            # Retire the old active generation first: on PostgreSQL this UPDATE waits for a live batch holding
            # that checkpoint row and, once it runs, makes any later batch on the old generation fail its status
            # check.
            conn.execute(update(cp).where(cp.c.name == proj.name, cp.c.status == ACTIVE)
                         .values(status=RETIRED, updated_at=format_time(utc_now())))
            res = conn.execute(update(cp).where(cp.c.name == proj.name, cp.c.gen == gen, cp.c.status == BUILDING)
                               .values(status=ACTIVE, updated_at=format_time(utc_now())))
            if res.rowcount != 1:
                raise RuntimeError(f"{proj.name} generation {gen} vanished during the rebuild")
            positions[proj.name] = int(conn.execute(select(cp.c.position).where(cp.c.name == proj.name,
                                                                                  cp.c.gen == gen)).scalar_one())
    return positions


def drop_retired(engine: Engine, projection: Projection, *, stale_building_after: float | None = None) -> int:
    """Drop retired generations (and, if asked, ``building`` ones idle for that many seconds); returns how many."""
    dropped = 0
    with engine.connect() as conn:
        cps = list_checkpoints(conn, projection.name)
        rows = {r.gen: r.updated_at for r in conn.execute(select(cp.c.gen, cp.c.updated_at)
                                                          .where(cp.c.name == projection.name))}
    cutoff = None
    if stale_building_after is not None:
        cutoff = format_time(utc_now() - timedelta(seconds=stale_building_after))
    for c in cps:
        if c.status == RETIRED or (cutoff and c.status in (BUILDING, AS_OF_BUILDING) and rows[c.gen] < cutoff):
            drop_generation(engine, projection, c.gen)
            dropped += 1
    return dropped


def rebuild_all(engine: Engine, *, store: EventStore | None = None, settings: Mapping[str, Any] | None = None,
                names: Sequence[str] | None = None, batch_size: int = REBUILD_BATCH,
                progress: Progress | None = None) -> list[RebuildResult]:
    """Rebuild every projection (or those named) in one pass over the log."""
    projs = [registry.get(n, settings) for n in (names or registry.names())]
    return rebuild_group(engine, projs, store=store, batch_size=batch_size, progress=progress)


def build_as_of(engine: Engine, projection: Projection | str, position: int, *, store: EventStore | None = None,
                settings: Mapping[str, Any] | None = None, batch_size: int = REBUILD_BATCH) -> AsOfBuild:
    """The projection as the log stood at ``position`` (events ``<= position``), built once and reused.

    The live generation is not touched. The build stays in the database (status ``as_of``) until
    :func:`drop_as_of` removes it, so repeated ``known_at=`` reads at one position cost one build.
    """
    proj = _projection(projection, settings)
    store = store or EventStore(engine)
    position = min(int(position), store.head())
    existing = find_as_of(engine, proj.name, position)
    if existing is not None:
        with write_conn(engine) as conn:  # mark it used, for drop_old_as_of
            conn.execute(update(cp).where(cp.c.name == proj.name, cp.c.gen == existing.gen)
                         .values(updated_at=format_time(utc_now())))
        return existing
    gen = new_generation(engine, proj.name, AS_OF_BUILDING, upto=position)
    try:
        Processor(engine, store, proj, gen, status=AS_OF_BUILDING, batch_size=batch_size).run_until(position)
        with write_conn(engine) as conn:
            conn.execute(update(cp).where(cp.c.name == proj.name, cp.c.gen == gen)
                         .values(status=AS_OF, updated_at=format_time(utc_now())))
    except BaseException:
        drop_generation(engine, proj, gen)
        raise
    return AsOfBuild(proj.name, gen, position)


def drop_old_as_of(engine: Engine, projection: Projection, keep: int = AS_OF_KEEP) -> int:
    """Drop all but the ``keep`` most recently used as-of builds of a projection; returns how many went.

    Every as-of build is a full copy of the read model at some position, and the live tables share their indexes
    with it, so they must not pile up.
    """
    with engine.connect() as conn:
        gens = list(conn.execute(select(cp.c.gen).where(cp.c.name == projection.name, cp.c.status == AS_OF)
                                 .order_by(cp.c.updated_at.desc(), cp.c.gen.desc())).scalars())
    for gen in gens[keep:]:
        drop_generation(engine, projection, int(gen))
    return max(0, len(gens) - keep)


def find_as_of(engine: Engine, name: str, position: int) -> AsOfBuild | None:
    """A finished as-of build of ``name`` at exactly ``position``, if one exists."""
    with engine.connect() as conn:
        gen = conn.execute(select(cp.c.gen).where(cp.c.name == name, cp.c.status == AS_OF, cp.c.upto == position)
                           .order_by(cp.c.gen).limit(1)).scalar()
    return AsOfBuild(name, int(gen), position) if gen is not None else None


def build_all_as_of(engine: Engine, position: int, *, store: EventStore | None = None,
                    settings: Mapping[str, Any] | None = None, names: list[str] | None = None
                    ) -> dict[str, AsOfBuild]:
    """As-of builds of every projection (or those named) at one position, keyed by projection name."""
    return {b.name: b for b in (build_as_of(engine, n, position, store=store, settings=settings)
                                for n in (names or registry.names()))}


def drop_as_of(engine: Engine, build: AsOfBuild, settings: Mapping[str, Any] | None = None) -> None:
    """Remove an as-of build."""
    drop_generation(engine, registry.get(build.name, settings), build.gen)


def resolve_position(store: EventStore, as_of: str) -> int:
    """``--as-of``: a log position (digits) or an ISO 8601 time (the last position recorded by then)."""
    text = as_of.strip()
    if text.isdigit():
        return int(text)
    return store.position_at(format_time(parse_time(text)))  # ValueError for anything else
