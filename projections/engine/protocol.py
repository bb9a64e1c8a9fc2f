"""The projection protocol: what a read model implements, and the optional prepare/apply split.

A projection's ``handle`` applies a batch of events inside the caller's transaction; the engine guarantees it is
called exactly once per event per generation (see :mod:`projections.engine`). A projection that splits its work
into ``prepare`` (per-event work, no database, picklable result) and ``apply`` (the writes) lets a rebuild do the
first half in another process.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import Connection, Table, delete

from lrs.eventlog.store import RecordedEvent


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
