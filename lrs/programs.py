"""Loading the program catalog and importing outcome aggregates: each as one event, validated first.

* ``programs.loaded`` (stream ``programs``) ``{"catalog": ProgramCatalog.to_json(), "source": {"file",
  "sha256"}}``: the catalog in force from then on. An invalid file appends nothing (the catalog in force stays);
  loading the catalog already in force appends nothing either.
* ``outcomes.imported`` (stream ``outcomes``) ``{"rows": [OutcomeRow.to_json()], "source": {"file", "sha256"},
  "unchanged": n}``: the aggregates that are new or whose figure changed (a row replaces the earlier figure of its
  measure, period, group and program). Re-importing a file appends nothing.

Both validate before taking the log's writer lock and re-check the state under it (as the roster import does), so
two concurrent loads cannot both decide a change is new.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, select

from lrs.eventlog.store import EventStore, NewEvent, dumps
from lrs.eventlog.tables import events
from projections.evaluation.catalog import ProgramCatalog, parse_programs
from projections.evaluation.outcomes import DEFAULT_MIN_N, OutcomeRow, parse_outcomes
from projections.evaluation.projection import OUTCOMES_IMPORTED, OUTCOMES_STREAM, PROGRAMS_LOADED, PROGRAMS_STREAM


@dataclass
class LoadResult:
    """What ``lrs programs load`` did: the catalog, and the event's position (None: it was already in force)."""

    catalog: ProgramCatalog
    position: int | None


@dataclass
class OutcomesResult:
    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    position: int | None = None
    measures: list[str] = field(default_factory=list)


def _stream(conn: Connection, stream: str, after: int = 0) -> list[Any]:
    e = events
    return list(conn.execute(select(e.c.position, e.c.type, e.c.payload)
                             .where(e.c.stream == stream, e.c.position > after).order_by(e.c.position)))


def catalog_in_force(conn: Connection, known: tuple[int, dict[str, Any] | None] = (0, None)
                     ) -> tuple[int, dict[str, Any] | None]:
    """``(position read up to, canonical JSON of the latest programs.loaded event or None)``, continuing from
    ``known`` (so the writer lock is held only to read what came since)."""
    last, catalog = known
    for r in _stream(conn, PROGRAMS_STREAM, last):
        last = r.position
        if r.type == PROGRAMS_LOADED:
            catalog = orjson.loads(r.payload)["catalog"]
    return last, catalog


def load_programs(store: EventStore, text: str, filename: str = "programs.yaml") -> LoadResult:
    """Validate a catalog file and record it; raises ``CatalogError`` (every problem, by path) when invalid."""
    catalog = parse_programs(text, filename)
    canonical = orjson.loads(dumps(catalog.to_json()))
    payload = {"catalog": canonical, "source": {"file": filename, "sha256": hashlib.sha256(text.encode()).hexdigest()}}
    with store.engine.connect() as conn:
        known = catalog_in_force(conn)
    with store.write() as tx:
        if catalog_in_force(tx.conn, known)[1] == canonical:
            return LoadResult(catalog, None)
        ev = tx.append([NewEvent(PROGRAMS_LOADED, PROGRAMS_STREAM, payload)])[0]
    return LoadResult(catalog, ev.position)


def outcomes_in_force(conn: Connection, state: dict[tuple[str, str, str, str], OutcomeRow] | None = None,
                      after: int = 0) -> tuple[int, dict[tuple[str, str, str, str], OutcomeRow]]:
    """``(position read up to, every aggregate as the log records it)`` (the latest figure of each key),
    continuing from ``state``/``after``."""
    out = dict(state or {})
    last = after
    for r in _stream(conn, OUTCOMES_STREAM, after):
        last = r.position
        if r.type == OUTCOMES_IMPORTED:
            for raw in orjson.loads(r.payload).get("rows") or []:
                row = OutcomeRow.from_json(raw)
                out[row.key] = row
    return last, out


def import_outcomes(store: EventStore, text: str, filename: str = "outcomes.csv", *,
                    min_n: int = DEFAULT_MIN_N) -> OutcomesResult:
    """Validate an outcomes file and record its new or changed aggregates; raises ``OutcomesError``."""
    rows = parse_outcomes(text, filename, min_n=min_n)
    result = OutcomesResult(rows=len(rows), measures=sorted({r.measure for r in rows}))
    sha = hashlib.sha256(text.encode()).hexdigest()
    with store.engine.connect() as conn:
        last, current = outcomes_in_force(conn)
    with store.write() as tx:
        _, current = outcomes_in_force(tx.conn, current, last)
        changed: list[OutcomeRow] = []
        for r in rows:
            old = current.get(r.key)
            if old == r:
                result.unchanged += 1
                continue
            if old is None:
                result.new += 1
            else:
                result.changed += 1
            changed.append(r)
        if not changed:
            return result
        ev = tx.append([NewEvent(OUTCOMES_IMPORTED, OUTCOMES_STREAM, {
            "rows": [r.to_json() for r in changed], "unchanged": result.unchanged,
            "source": {"file": filename, "sha256": sha}})])[0]
        result.position = ev.position
    return result


def min_group_size(settings: Mapping[str, Any]) -> int:
    """LRS_OUTCOME_MIN_N (the smallest group of students an outcome aggregate may describe)."""
    return max(1, int(settings.get("OUTCOME_MIN_N") or DEFAULT_MIN_N))
