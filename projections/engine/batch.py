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

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import orjson
from sqlalchemy import Connection, Engine, and_, select, update

from lrs.eventlog.store import EventStore, RecordedEvent
from lrs.eventlog.tables import events as events_table
from projections.engine.generations import ACTIVE, Checkpoint, _now, get_checkpoint
from projections.engine.protocol import Projection, StaleCheckpoint, apply_prepared, prepare_events
from projections.engine.tables import projection_checkpoints as cp
from projections.engine.transactions import write_conn

log = logging.getLogger("lrs.projections")

DEFAULT_BATCH = 500
# A page of events is cut so its payloads stay under this many characters: a batch of 500 events that each carry
# 10,000 statements must not load gigabytes. At least one event is always taken.
DEFAULT_MAX_CHARS = 8_000_000
# Positions scanned per page, as a multiple of the batch size (other event types are skipped by the window).
WINDOW_FACTOR = 4


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
