"""Rebuilds: several projections' generations advanced in lockstep, each batch read and decoded once."""
from __future__ import annotations

import multiprocessing
import os
import queue
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, update

from lrs.eventlog.store import EventStore, RecordedEvent
from projections.engine.batch import DEFAULT_BATCH, DEFAULT_MAX_CHARS, BatchReader
from projections.engine.generations import BUILDING, _now, get_checkpoint
from projections.engine.protocol import Projection, StaleCheckpoint, apply_prepared, prepare_events
from projections.engine.tables import projection_checkpoints as cp
from projections.engine.transactions import write_conn

# A reader process prepares batches ahead when at least this many positions are left, holding at most this many
# prepared batches in its queue.
PREFETCH_MIN_EVENTS = 20_000
PREFETCH_DEPTH = 2


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
