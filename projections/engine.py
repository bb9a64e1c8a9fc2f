"""The projection protocol, generations, and the checkpointed batch transaction.

Exactly-once, in one paragraph: a projection's effects for the events ``(p, q]`` and the move of its checkpoint
from ``p`` to ``q`` are written in one database transaction, and that transaction *starts* with a compare-and-set
on the checkpoint row (``UPDATE … SET position = q WHERE position = p``). If the row no longer says ``p`` (another
worker, or this one before a crash, already applied the batch) no row is updated and the whole transaction rolls
back: nothing is applied twice. If the process dies anywhere before COMMIT, the database discards both the
read-model writes and the checkpoint move: nothing is lost. Doing the compare-and-set first (rather than last)
also makes it a mutex on PostgreSQL: a second worker's UPDATE blocks on the row lock until the first commits,
then re-checks ``position = p``, finds it false and gives up before doing any work (READ COMMITTED re-evaluates
the WHERE clause on the updated row).

Events are read *outside* that transaction, a bounded window of positions at a time (:class:`BatchReader`), which
is safe because log positions are dense and committed in order (see ``lrs.eventlog.store``): once the head is ``h``
every event up to ``h`` is visible and immutable. Only the handler and the checkpoint write hold the (SQLite)
write lock.
"""
from __future__ import annotations

import contextlib
import functools
import logging
import multiprocessing
import os
import queue
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import orjson
from sqlalchemy import Connection, Engine, Table, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from lrs.db.engine import is_postgres
from lrs.eventlog.store import EventStore, RecordedEvent
from lrs.times import format_time, utc_now
from lrs.eventlog.tables import events as events_table
from projections.tables import projection_checkpoints as cp

log = logging.getLogger("lrs.projections")

ACTIVE, BUILDING, RETIRED, AS_OF_BUILDING, AS_OF = "active", "building", "retired", "as_of_building", "as_of"
DEFAULT_BATCH = 500
# A page of events is cut so its payloads stay under this many characters: a batch of 500 events that each carry
# 10,000 statements must not load gigabytes. At least one event is always taken.
DEFAULT_MAX_CHARS = 8_000_000
# Positions scanned per page, as a multiple of the batch size (other event types are skipped by the window).
WINDOW_FACTOR = 4
# GroupProcessor: a reader process prepares batches ahead when at least this many positions are left, holding at
# most this many prepared batches in its queue.
PREFETCH_MIN_EVENTS = 20_000
PREFETCH_DEPTH = 2
# SQLite rebuild transactions: WAL pages before an automatic checkpoint (4 KiB pages: ~40 MB of WAL at most).
REBUILD_WAL_PAGES = 10_000


@runtime_checkable
class Projection(Protocol):
    """A named, versioned read model built from the log.

    ``handle`` applies a batch of events (already filtered to ``event_types``, in position order) inside the
    caller's transaction, writing only rows of generation ``gen``; it must be deterministic (the same events give
    the same rows, whatever the batch boundaries) and idempotent per natural key. ``reset`` deletes a generation.
    """

    name: str
    event_types: frozenset[str]
    tables: Sequence[Table]

    def handle(self, conn: Connection, gen: int, events: Sequence[RecordedEvent]) -> None: ...

    def reset(self, conn: Connection, gen: int) -> None: ...


class BaseProjection:
    """Shared behaviour: ``reset`` deletes the generation's rows from every table in ``tables``."""

    name: str = ""
    event_types: frozenset[str] = frozenset()
    tables: Sequence[Table] = ()

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        self.settings = dict(settings or {})

    def handle(self, conn: Connection, gen: int, events: Sequence[RecordedEvent]) -> None:
        raise NotImplementedError

    # Optional split of ``handle`` (see :func:`prepare_events`): ``prepare`` does the per-event work that needs
    # no database and returns something picklable; ``apply`` writes it. ``handle(c, g, e)`` must equal
    # ``apply(c, g, prepare(e))``. The defaults keep everything in ``handle``.
    def prepare(self, events: Sequence[RecordedEvent]) -> Any:
        return list(events)

    def apply(self, conn: Connection, gen: int, prepared: Any) -> None:
        self.handle(conn, gen, prepared)

    def reset(self, conn: Connection, gen: int) -> None:
        for t in self.tables:
            conn.execute(delete(t).where(t.c.gen == gen))


class StaleCheckpoint(Exception):
    """The checkpoint moved under us (a duplicate batch, or the generation changed status): rolled back."""


class LostOwnership(Exception):
    """The worker no longer owns the projection (lease taken over, lock connection gone): rolled back."""


@dataclass(frozen=True)
class Checkpoint:
    name: str
    gen: int
    status: str
    position: int
    upto: int | None


# ---------------------------------------------------------------------------------------------------------------
# Transactions
# ---------------------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def write_conn(engine: Engine, *, durable: bool = True) -> Iterator[Connection]:
    """A transaction for read-model writes.

    SQLite: ``BEGIN IMMEDIATE`` (execution option ``lrs_write``): the handler reads read-model rows and then
    writes, and a deferred transaction that must upgrade to a writer after another connection committed fails at
    once with SQLITE_BUSY instead of waiting. PostgreSQL: an ordinary READ COMMITTED transaction; it does not take
    the event log's append lock, so projections never slow down ingestion there.

    ``durable=False`` (PostgreSQL only) commits without waiting for the WAL flush (``SET LOCAL
    synchronous_commit = off``). That is safe for anything built from the log: the read-model rows and the
    checkpoint commit in one transaction, so a commit lost in a server crash loses both together and the batch is
    simply applied again from the old checkpoint (the log itself is always committed synchronously). Rebuilds use
    it; the live worker could too (a lost commit only means reprocessing), but keeps the default so a reader never
    sees a read model move backwards after a server crash.
    """
    with engine.connect() as conn:
        pg = is_postgres(conn)
        if not pg:
            conn = conn.execution_options(lrs_write=True)
        with _sqlite_rebuild_checkpoints(conn, enabled=not pg and not durable), conn.begin():
            if pg and not durable:
                conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
                # psycopg prepares a statement after 5 executions, and PostgreSQL may then switch to a generic
                # plan; with the statistics of a table whose new generation is still small, the generic plan
                # for "gen = $1 AND entry_key IN (...)" scans the whole generation by ``gen`` and filters (seen:
                # 300 ms per query, a rebuild quadratic in the log). Custom plans use the (gen, key) index.
                conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
            yield conn


@functools.lru_cache(maxsize=None)
def _splits(cls: type) -> bool:
    """Whether a projection class's ``prepare``/``apply`` may stand in for its ``handle``: only when no subclass
    overrides ``handle`` below where they are defined (a subclass that wraps ``handle``, like a test's crashing
    projection, must keep being called through ``handle``)."""
    def depth(name: str) -> int:
        return next((i for i, k in enumerate(cls.__mro__) if name in vars(k)), -1)

    h, p, a = depth("handle"), depth("prepare"), depth("apply")
    return p >= 0 and a >= 0 and h >= p and h >= a


def prepare_events(projection: Projection, events: Sequence[RecordedEvent]) -> Any:
    """``projection.prepare(events)`` when it splits its handler, else the events themselves."""
    if _splits(type(projection)):
        return projection.prepare(events)  # type: ignore[attr-defined]
    return list(events)


def apply_prepared(projection: Projection, conn: Connection, gen: int, prepared: Any) -> None:
    """The write half: ``projection.apply`` when it splits its handler, else ``handle``."""
    if _splits(type(projection)):
        projection.apply(conn, gen, prepared)  # type: ignore[attr-defined]
    else:
        projection.handle(conn, gen, prepared)


@contextlib.contextmanager
def _sqlite_rebuild_checkpoints(conn: Connection, enabled: bool) -> Iterator[None]:
    """SQLite, rebuild transactions only: let the WAL grow to :data:`REBUILD_WAL_PAGES` pages before the committing
    connection copies it back into the database (the default is 1,000 pages, which a rebuild batch exceeds, so
    every commit checkpointed and index pages dirtied again by the next batch were written back each time).
    Set on the raw connection around the transaction (the checkpoint runs at COMMIT) and restored afterwards, as
    the connection goes back to the pool."""
    if not enabled:
        yield
        return
    raw: Any = conn.connection.driver_connection
    prev = raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    raw.execute(f"PRAGMA wal_autocheckpoint = {REBUILD_WAL_PAGES}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA wal_autocheckpoint = {int(prev)}")


# ---------------------------------------------------------------------------------------------------------------
# Generations and checkpoints
# ---------------------------------------------------------------------------------------------------------------

def _now() -> str:
    return format_time(utc_now())


def get_checkpoint(conn: Connection, name: str, gen: int) -> Checkpoint | None:
    """The checkpoint row of one generation, or None."""
    r = conn.execute(select(cp).where(cp.c.name == name, cp.c.gen == gen)).first()
    return Checkpoint(r.name, r.gen, r.status, int(r.position), r.upto) if r else None


def list_checkpoints(conn: Connection, name: str | None = None) -> list[Checkpoint]:
    """Every generation (of one projection, or of all), by name then generation."""
    q = select(cp).order_by(cp.c.name, cp.c.gen)
    if name:
        q = q.where(cp.c.name == name)
    return [Checkpoint(r.name, r.gen, r.status, int(r.position), r.upto) for r in conn.execute(q)]


def active_generation(conn: Connection, name: str) -> int | None:
    """The generation readers should use, or None before the projection first ran."""
    return conn.execute(select(func.max(cp.c.gen)).where(cp.c.name == name, cp.c.status == ACTIVE)).scalar()


def new_generation(engine: Engine, name: str, status: str, upto: int | None = None) -> int:
    """Allocate the next generation number with ``status`` at position 0."""
    for _ in range(20):
        try:
            with write_conn(engine) as conn:
                gen = int(conn.execute(select(func.coalesce(func.max(cp.c.gen), 0)).where(cp.c.name == name))
                          .scalar_one()) + 1
                now = _now()
                conn.execute(insert(cp).values(name=name, gen=gen, status=status, position=0, upto=upto,
                                               created_at=now, updated_at=now))
                return gen
        except IntegrityError:  # another process took that number first
            continue
    raise RuntimeError(f"could not allocate a generation for {name}")


def ensure_active(engine: Engine, name: str) -> int:
    """The active generation, creating one at position 0 the first time a projection runs."""
    with engine.connect() as conn:
        gen = active_generation(conn, name)
    if gen is not None:
        return gen
    try:
        with write_conn(engine) as conn:
            if active_generation(conn, name) is None:
                # The next number (an as-of build may already hold 1). Two workers doing this at once pick the
                # same number and the primary key lets only one of them in.
                gen = int(conn.execute(select(func.coalesce(func.max(cp.c.gen), 0)).where(cp.c.name == name))
                          .scalar_one()) + 1
                now = _now()
                conn.execute(insert(cp).values(name=name, gen=gen, status=ACTIVE, position=0, upto=None,
                                               created_at=now, updated_at=now))
    except IntegrityError:
        pass  # a concurrent worker created it
    with engine.connect() as conn:
        gen = active_generation(conn, name)
    if gen is None:
        raise RuntimeError(f"{name} has no active generation")
    return gen


def drop_generation(engine: Engine, projection: Projection, gen: int) -> None:
    """Delete a generation's rows and its checkpoint (retired generations and as-of builds)."""
    with write_conn(engine) as conn:
        projection.reset(conn, gen)
        conn.execute(delete(cp).where(cp.c.name == projection.name, cp.c.gen == gen))


# ---------------------------------------------------------------------------------------------------------------
# The batch transaction
# ---------------------------------------------------------------------------------------------------------------

Fence = Callable[[Connection], None]


def apply_batch(engine: Engine, projection: Projection, gen: int, status: str, after: int, new_position: int,
                events: Sequence[RecordedEvent], fence: Fence | None = None) -> None:
    """Apply ``events`` (positions in ``(after, new_position]``) and move the checkpoint, atomically.

    Raises :class:`StaleCheckpoint` (nothing written) when the generation is not at ``after`` with ``status``
    any more, and :class:`LostOwnership` when ``fence`` finds this worker no longer owns the projection.
    """
    if new_position <= after:
        return
    # Per-event work first, outside the transaction: on SQLite nothing else can write while it is open.
    prepared = prepare_events(projection, events) if events else None
    with write_conn(engine) as conn:
        # Compare-and-set first: the row lock it takes serialises competing workers (module docstring). The
        # ``position < new`` half is the duplicate rule; ``position = after`` also refuses a gap.
        res = conn.execute(
            update(cp)
            .where(cp.c.name == projection.name, cp.c.gen == gen, cp.c.status == status,
                   cp.c.position == after, cp.c.position < new_position)
            .values(position=new_position, updated_at=_now()))
        if res.rowcount != 1:
            raise StaleCheckpoint(f"{projection.name} gen {gen} is no longer {status} at {after}")
        if fence is not None:
            fence(conn)  # raises LostOwnership, rolling everything back
        if events:
            apply_prepared(projection, conn, gen, prepared)


@dataclass
class BatchReader:
    """Pages through the events a projection cares about, bounded in count and in payload size."""

    store: EventStore
    event_types: frozenset[str]
    batch_size: int = DEFAULT_BATCH
    max_chars: int = DEFAULT_MAX_CHARS

    def next_batch(self, after: int, upto: int) -> tuple[list[RecordedEvent], int]:
        """(events, new checkpoint) for the next batch after ``after``, never beyond ``upto``.

        Events of other types are skipped without being loaded; when no wanted event is left up to ``upto`` the
        checkpoint still advances to ``upto``, so lag is measured against the real head.
        """
        # Every read is bounded to a window of positions, not just by LIMIT: a planner without statistics on a
        # freshly loaded log (PostgreSQL before ANALYZE) turns "position > a AND position <= head ... LIMIT n"
        # into a scan of everything up to the head plus a sort, which makes a catch-up quadratic.
        window_end = min(upto, after + self.batch_size * WINDOW_FACTOR)
        e = events_table
        conds = [e.c.position > after, e.c.position <= window_end]
        if self.event_types:
            conds.append(e.c.type.in_(sorted(self.event_types)))
        q = select(e).where(and_(*conds)).order_by(e.c.position).limit(self.batch_size)
        batch: list[RecordedEvent] = []
        cut = False
        total = 0
        with self.store.engine.connect() as conn:
            # Streamed (a server-side cursor on PostgreSQL), so reading stops at the size cap without the
            # rest of the page ever reaching this process.
            result = conn.execution_options(stream_results=True, yield_per=100).execute(q)
            for r in result:
                size = len(r.payload)
                if batch and total + size > self.max_chars:
                    cut = True
                    break
                total += size
                batch.append(RecordedEvent(r.position, r.event_id, r.type, r.stream, orjson.loads(r.payload),
                                           r.recorded_at, r.hash))
            result.close()
        if not batch:
            return [], window_end  # nothing wanted in the window: skip it whole
        # A page shorter than the limit, read whole, holds every wanted event of the window.
        exhausted = not cut and len(batch) < self.batch_size
        return batch, (window_end if exhausted else batch[-1].position)


@dataclass
class Processor:
    """Advances one generation of one projection batch by batch."""

    engine: Engine
    store: EventStore
    projection: Projection
    gen: int
    status: str = ACTIVE
    batch_size: int = DEFAULT_BATCH
    max_chars: int = DEFAULT_MAX_CHARS
    fence: Fence | None = None

    def checkpoint(self) -> Checkpoint | None:
        with self.engine.connect() as conn:
            return get_checkpoint(conn, self.projection.name, self.gen)

    def run_until(self, upto: int, should_stop: Callable[[], bool] | None = None,
                  on_batch: Callable[[int, int], None] | None = None) -> int:
        """Process batches until the checkpoint reaches ``upto``; returns how many events were applied.

        Stops early (without error) when the generation changes status (a replay swapped it out) or
        ``should_stop`` says so; ownership loss propagates as :class:`LostOwnership`.
        """
        reader = BatchReader(self.store, self.projection.event_types, self.batch_size, self.max_chars)
        applied = 0
        cp_ = self.checkpoint()
        while cp_ is not None and cp_.status == self.status and cp_.position < upto:
            if should_stop is not None and should_stop():
                break
            batch, new_position = reader.next_batch(cp_.position, upto)
            try:
                apply_batch(self.engine, self.projection, self.gen, self.status, cp_.position, new_position,
                            batch, self.fence)
            except StaleCheckpoint:
                log.info("%s gen %s: checkpoint moved, re-reading", self.projection.name, self.gen)
                cp_ = self.checkpoint()
                continue
            applied += len(batch)
            if on_batch is not None:
                on_batch(new_position, len(batch))
            cp_ = Checkpoint(cp_.name, cp_.gen, cp_.status, new_position, cp_.upto)
        return applied


@dataclass
class GroupProcessor:
    """Advances several projections' generations in lockstep, reading and decoding each batch of events once.

    Used by rebuilds: one transaction per batch compare-and-sets every member's checkpoint and runs every member's
    handler, so the group is applied exactly once as a whole (same reasoning as :func:`apply_batch`).

    With ``prefetch`` (the default, where ``fork`` exists) and more than :data:`PREFETCH_MIN_EVENTS` positions to
    go, a child process reads, decodes and *prepares* the batches (``Projection.prepare``: facts, learners seen)
    while this process writes the previous one (``Projection.apply``), so the two halves of the work overlap on
    two cores. The child only reads the log; every write, and the checkpoint compare-and-set, stay here, so the
    exactly-once argument is unchanged. At most :data:`PREFETCH_DEPTH` prepared batches wait in the queue, so
    memory stays bounded by the batch size whatever the log's length.
    """

    engine: Engine
    store: EventStore
    members: Sequence[tuple[Projection, int]]
    status: str = BUILDING
    batch_size: int = DEFAULT_BATCH
    max_chars: int = DEFAULT_MAX_CHARS
    prefetch: bool = True
    # Transactions of a rebuild commit asynchronously on PostgreSQL (see write_conn).
    durable: bool = False

    def run_until(self, upto: int, on_batch: Callable[[int, int], None] | None = None) -> int:
        """Process batches until every member reaches ``upto``; returns how many events were read."""
        with self.engine.connect() as conn:
            positions = {get_checkpoint(conn, p.name, g).position for p, g in self.members}  # type: ignore[union-attr]
        if len(positions) != 1:
            raise ValueError("a group's generations must start at one position")
        after = positions.pop()
        if after >= upto:
            return 0
        use_child = (self.prefetch and upto - after > PREFETCH_MIN_EVENTS
                     and "fork" in multiprocessing.get_all_start_methods())
        batches = self._prefetched(after, upto) if use_child else self._inline(after, upto)
        applied = 0
        try:
            for new_position, count, prepared in batches:
                self._apply(after, new_position, prepared)
                applied += count
                after = new_position
                if on_batch is not None:
                    on_batch(new_position, count)
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()  # stops the child process (generator cleanup) when applying failed
        return applied

    def _types(self) -> frozenset[str]:
        return frozenset().union(*(p.event_types for p, _ in self.members))

    def _prepare(self, batch: Sequence[RecordedEvent]) -> list[Any]:
        out: list[Any] = []
        for proj, _gen in self.members:
            mine = [e for e in batch if e.type in proj.event_types]
            out.append(prepare_events(proj, mine) if mine else None)
        return out

    def _inline(self, after: int, upto: int) -> Iterator[tuple[int, int, list[Any]]]:
        reader = BatchReader(self.store, self._types(), self.batch_size, self.max_chars)
        while after < upto:
            batch, new_position = reader.next_batch(after, upto)
            yield new_position, len(batch), self._prepare(batch)
            after = new_position

    def _prefetched(self, after: int, upto: int) -> Iterator[tuple[int, int, list[Any]]]:
        ctx = multiprocessing.get_context("fork")
        q: Any = ctx.Queue(maxsize=PREFETCH_DEPTH)
        child = ctx.Process(target=self._child, args=(q, after, upto, os.getpid()), daemon=True,
                            name="lrs-replay-reader")
        child.start()
        try:
            while True:
                try:
                    item = q.get(timeout=1.0)
                except queue.Empty:
                    if not child.is_alive():
                        raise RuntimeError(f"replay reader process exited with status {child.exitcode}") from None
                    continue
                if item[0] == "done":
                    return
                if item[0] == "error":
                    raise RuntimeError(f"replay reader process failed:\n{item[1]}")
                yield item[1], item[2], item[3]
        finally:
            if child.is_alive():
                child.terminate()
            child.join(5)
            q.close()
            q.cancel_join_thread()

    def _child(self, q: Any, after: int, upto: int, parent: int) -> None:
        """The reader process: forked, so it must not touch the parent's pooled connections."""
        self.engine.dispose(close=False)  # new connections of its own (SQLAlchemy's rule for forked processes)

        def put(item: tuple[Any, ...]) -> None:
            while True:
                try:
                    q.put(item, timeout=1.0)
                    return
                except queue.Full:
                    if os.getppid() != parent:  # the parent died: nobody will read this
                        os._exit(1)

        try:
            for new_position, count, prepared in self._inline(after, upto):
                put(("batch", new_position, count, prepared))
            put(("done",))
        except BaseException:  # noqa: BLE001 - reported to the parent, which raises
            put(("error", traceback.format_exc()))
        finally:
            q.close()
            q.join_thread()

    def _apply(self, after: int, new_position: int, prepared: list[Any]) -> None:
        with write_conn(self.engine, durable=self.durable) as conn:
            now = _now()
            for proj, gen in self.members:
                res = conn.execute(update(cp).where(cp.c.name == proj.name, cp.c.gen == gen,
                                                    cp.c.status == self.status, cp.c.position == after)
                                   .values(position=new_position, updated_at=now))
                if res.rowcount != 1:
                    raise StaleCheckpoint(f"{proj.name} gen {gen} is no longer {self.status} at {after}")
            for (proj, gen), prep in zip(self.members, prepared):
                if prep is not None:
                    apply_prepared(proj, conn, gen, prep)


# ---------------------------------------------------------------------------------------------------------------
# Comparing read models
# ---------------------------------------------------------------------------------------------------------------

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
