"""Append to and read from the event log.

Ordering: positions are assigned as ``head + 1`` inside :func:`lrs.db.write_transaction`, which holds the
database's single writer lock (``BEGIN IMMEDIATE`` on SQLite, a transaction advisory lock on PostgreSQL). So
positions are dense and become visible in order: a reader that has seen position n and next asks for
``position > n`` cannot miss an event that commits later with a smaller number, the bug behind
EventStoreDB #627 and Marten #1629. Because nothing else takes the lock, the locked section is only the
work done inside ``with store.write() as tx`` — callers prepare payloads before entering.
"""
from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, func, insert, select

from lrs.db.engine import write_transaction
from lrs.eventlog.integrity import GENESIS, chain_hash
from lrs.eventlog.tables import events
from lrs.times import format_time, parse_time, utc_now

NOTIFY_CHANNEL = "lrs_events"


def dumps(obj: Any) -> str:
    """Canonical JSON: sorted keys, no whitespace, UTF-8."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS).decode()


@dataclass(frozen=True)
class NewEvent:
    """An event to append: ``type`` such as ``statements.stored``, ``stream`` such as ``statements``."""

    type: str
    stream: str
    payload: dict[str, Any]
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass(frozen=True)
class RecordedEvent:
    """An event as stored in the log."""

    position: int
    event_id: str
    type: str
    stream: str
    payload: dict[str, Any]
    recorded_at: str
    hash: str


class WriteTx:
    """One write transaction holding the log lock: append events and write index rows atomically."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn = conn
        self.now = now
        self._head: tuple[int, str] | None = None
        self.appended: list[RecordedEvent] = []

    def _load_head(self) -> tuple[int, str]:
        if self._head is None:
            row = self.conn.execute(
                select(events.c.position, events.c.hash, events.c.recorded_at)
                .order_by(events.c.position.desc()).limit(1)
            ).first()
            self._head = (row.position, row.hash) if row else (0, GENESIS)
            # Recorded times must not go backwards along the log (a clock stepped back, or two servers on one
            # database), or position_at's "last position recorded by T" would not cut the log at a prefix.
            if row is not None and format_time(self.now) < row.recorded_at:
                self.now = parse_time(row.recorded_at)
        return self._head

    def append(self, new: Sequence[NewEvent]) -> list[RecordedEvent]:
        """Append events after the current head; returns them with their positions and hashes."""
        position, prev = self._load_head()
        recorded_at = format_time(self.now)
        rows, out = [], []
        for ev in new:
            position += 1
            payload = dumps(ev.payload)
            h = chain_hash(prev, position, ev.event_id, ev.type, ev.stream, recorded_at, payload)
            rows.append({"position": position, "event_id": ev.event_id, "type": ev.type, "stream": ev.stream,
                         "payload": payload, "recorded_at": recorded_at, "prev_hash": prev, "hash": h})
            out.append(RecordedEvent(position, ev.event_id, ev.type, ev.stream, ev.payload, recorded_at, h))
            prev = h
        if rows:
            # One multi-row INSERT statement, so PostgreSQL's statement trigger sends one NOTIFY per append.
            self.conn.execute(insert(events).values(rows))
            self._head = (position, prev)
            self.appended.extend(out)
        return out


class EventStore:
    """The event log on one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextlib.contextmanager
    def write(self) -> Iterator[WriteTx]:
        """Open a write transaction; everything appended or written through ``tx.conn`` commits together."""
        with write_transaction(self.engine) as conn:
            tx = WriteTx(conn, utc_now())
            tx._load_head()  # settles tx.now before the caller stamps read-table rows with it
            yield tx
            # On PostgreSQL a trigger on the events table NOTIFYs NOTIFY_CHANNEL (lrs.eventlog.tables).

    def append(self, new: Sequence[NewEvent]) -> list[RecordedEvent]:
        """Append events in a transaction of their own."""
        with self.write() as tx:
            return tx.append(new)

    def head(self, conn: Connection | None = None) -> int:
        """The position of the newest event (0 for an empty log)."""
        q = select(func.coalesce(func.max(events.c.position), 0))
        if conn is not None:
            return int(conn.execute(q).scalar_one())
        with self.engine.connect() as c:
            return int(c.execute(q).scalar_one())

    def read(self, after: int = 0, limit: int = 1000, *, upto: int | None = None,
             types: Sequence[str] | None = None, conn: Connection | None = None) -> list[RecordedEvent]:
        """Events with ``after < position (<= upto)``, in position order, at most ``limit``."""
        q = select(events).where(events.c.position > after).order_by(events.c.position).limit(limit)
        if upto is not None:
            q = q.where(events.c.position <= upto)
        if types:
            q = q.where(events.c.type.in_(list(types)))
        if conn is None:
            with self.engine.connect() as c:
                rows = c.execute(q).all()
        else:
            rows = conn.execute(q).all()
        return [RecordedEvent(r.position, r.event_id, r.type, r.stream, orjson.loads(r.payload), r.recorded_at,
                              r.hash) for r in rows]

    def iter_all(self, after: int = 0, *, upto: int | None = None, batch: int = 2000) -> Iterator[RecordedEvent]:
        """Every event after ``after`` (up to ``upto``), read in batches so memory stays flat."""
        while True:
            chunk = self.read(after, batch, upto=upto)
            if not chunk:
                return
            yield from chunk
            after = chunk[-1].position

    def position_at(self, when: str | datetime) -> int:
        """The last position recorded at or before ``when``, an ISO 8601 time (as-of reads by time)."""
        # Compared as the log's own fixed-width UTC text: "…05Z" or "…06+01:00" compared raw would not sort.
        cutoff = format_time(parse_time(when))
        with self.engine.connect() as c:
            return int(c.execute(select(func.coalesce(func.max(events.c.position), 0))
                                 .where(events.c.recorded_at <= cutoff)).scalar_one())
