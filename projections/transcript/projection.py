"""transcript@v1: every person's learning experiences, with outcome, hours, delivery model and evidence.

Write side: each relevant statement becomes *facts* (one per credited agent, ``rules.extract_facts``); an *entry*
(one learning experience) is recomputed from all its facts whenever one of them arrives, is voided, or its
activity's definition changes (``rules.compute_entry``). Recomputing from facts, rather than patching entries
incrementally, is what makes the result independent of batch boundaries and of the order in which a voiding and
its target arrive, so the live worker and a replay converge on identical rows.

Entries are keyed by the learner's agent identifier, not by employee: linking an identifier to an employee (or a
roster change) needs no transcript rewrite, the read side joins ``person_identifiers`` (people@v1).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, Table, delete, select, update

from lrs.eventlog.store import RecordedEvent, dumps
from projections.engine import BaseProjection
from lrs.db.bulk import chunks, upsert
from projections.transcript.rules import compute_entry, extract_facts, voided_target
from projections.transcript.vocabulary import EXT_DURATION, EXT_PROVIDER, Vocabulary
from projections.transcript.tables import transcript_activities, transcript_entries, transcript_facts, transcript_voids

STATEMENTS_STORED = "statements.stored"
FACT_COLUMNS = ("statement_id", "actor_key", "entry_key", "activity_id", "verb_id", "outcome", "ts", "date",
                "position", "duration_s", "registration", "attrs", "voided")
ENTRY_UPDATE = [c.name for c in transcript_entries.c if c.name not in ("gen", "entry_key")]
# (facts, voided id -> position of the first voiding, activity id -> [(position, trimmed definition)])
Prepared = tuple[list[dict[str, Any]], dict[str, int], dict[str, list[tuple[int, dict[str, Any]]]]]


def _trim_definition(definition: Mapping[str, Any], vocab: Vocabulary) -> dict[str, Any]:
    """The part of an activity definition the transcript uses (names, type, the extensions it reads)."""
    out: dict[str, Any] = {}
    if isinstance(definition.get("name"), dict):
        out["name"] = dict(definition["name"])
    if isinstance(definition.get("type"), str):
        out["type"] = definition["type"]
    exts = definition.get("extensions")
    if isinstance(exts, dict):
        keep = {EXT_DURATION, EXT_PROVIDER, vocab.ext_credit, vocab.ext_delivery, vocab.ext_classification}
        picked = {k: v for k, v in exts.items() if k in keep}
        if picked:
            out["extensions"] = picked
    return out


def _merge(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = dict(old or {})
    for k, v in new.items():
        out[k] = {**out[k], **v} if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


class TranscriptProjection(BaseProjection):
    """Projection ``transcript@v1`` (tables ``transcript_*``)."""

    name = "transcript@v1"
    event_types = frozenset({STATEMENTS_STORED})
    tables: Sequence[Table] = (transcript_facts, transcript_voids, transcript_activities, transcript_entries)

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        self.vocab = Vocabulary.from_settings(settings)

    def handle(self, conn: Connection, gen: int, events: Sequence[RecordedEvent]) -> None:
        self.apply(conn, gen, self.prepare(events))

    def prepare(self, events: Sequence[RecordedEvent]) -> Prepared:
        """The per-statement work, without the database (so a rebuild can do it in another process, and nothing
        of it runs while SQLite's write lock is held): facts, voided ids and activity definitions."""
        facts: list[dict[str, Any]] = []
        voids: dict[str, int] = {}
        definitions: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        vocab = self.vocab
        for ev in events:
            if ev.type != STATEMENTS_STORED:
                continue
            for stmt in ev.payload.get("statements") or []:
                target = voided_target(stmt)
                if target:
                    voids.setdefault(target, ev.position)
                    continue
                found = extract_facts(stmt, ev.position, vocab)
                if not found:
                    continue
                facts.extend(found)
                obj = stmt.get("object") or {}
                if isinstance(obj.get("definition"), dict) and obj.get("objectType", "Activity") == "Activity":
                    trimmed = _trim_definition(obj["definition"], vocab)
                    if trimmed:
                        definitions.setdefault(obj["id"], []).append((ev.position, trimmed))
        return facts, voids, definitions

    def apply(self, conn: Connection, gen: int, prepared: Prepared) -> None:
        """Write what :meth:`prepare` found into generation ``gen``."""
        facts, voids, definitions = prepared
        if not facts and not voids:
            return
        # Order matters only for cost, not for the result (entries are pure functions of their facts):
        # activities and voids first, then the stored facts of every touched entry are read *before* this
        # batch's facts are inserted, so nothing written here is read back.
        touched: set[str] = {f["entry_key"] for f in facts}
        touched |= self._merge_activities(conn, gen, definitions)
        touched |= self._apply_voids(conn, gen, facts, voids)
        stored = self._load_facts(conn, gen, touched)
        self._write_entries(conn, gen, touched, stored, facts)
        self._insert_facts(conn, gen, facts)

    # -- activities ------------------------------------------------------------------------------------------

    def _merge_activities(self, conn: Connection, gen: int,
                          definitions: dict[str, list[tuple[int, dict[str, Any]]]]) -> set[str]:
        """Fold new definitions in; returns entries of *other* statements whose activity changed."""
        if not definitions:
            return set()
        known = _load_definitions(conn, gen, definitions)
        rows, changed = [], []
        for aid, defs in definitions.items():
            merged, changed_at = known.get(aid), None
            for pos, d in defs:
                step = _merge(merged, d)
                if step != merged:
                    # The position of the last definition that changed anything: the same whatever the batching.
                    merged, changed_at = step, pos
            if changed_at is not None and merged is not None:
                rows.append({"gen": gen, "activity_id": aid, "definition": dumps(merged), "position": changed_at})
                if aid in known:
                    changed.append(aid)
        upsert(conn, transcript_activities, rows, ["gen", "activity_id"], ["definition", "position"])
        touched: set[str] = set()
        te = transcript_entries
        for ids in chunks(changed):
            touched.update(conn.execute(select(te.c.entry_key).where(te.c.gen == gen, te.c.activity_id.in_(ids)))
                           .scalars())
        return touched

    # -- facts and voiding -----------------------------------------------------------------------------------

    def _apply_voids(self, conn: Connection, gen: int, facts: list[dict[str, Any]], voids: dict[str, int]) -> set[str]:
        """Record voided ids, mark this batch's voided facts, and mark stored facts voided by this batch.

        Returns the entries of stored facts that were just voided (a voiding that arrives after its target).
        """
        tv, tf = transcript_voids, transcript_facts
        upsert(conn, tv, [{"gen": gen, "statement_id": sid, "position": pos} for sid, pos in voids.items()],
               ["gen", "statement_id"])
        # A voiding earlier in the log (this batch or before) voids its target as the target lands.
        voided: set[str] = set(voids)
        ids = {f["statement_id"] for f in facts} - voided
        for chunk in chunks(ids):
            voided.update(conn.execute(select(tv.c.statement_id)
                                       .where(tv.c.gen == gen, tv.c.statement_id.in_(chunk))).scalars())
        for f in facts:
            f["voided"] = f["statement_id"] in voided
        touched: set[str] = set()
        for chunk in chunks(voids):
            hit = conn.execute(select(tf.c.entry_key).where(tf.c.gen == gen, tf.c.statement_id.in_(chunk),
                                                            tf.c.voided.is_(False))).scalars().all()
            if hit:
                touched.update(hit)
                conn.execute(update(tf).where(tf.c.gen == gen, tf.c.statement_id.in_(chunk)).values(voided=True))
        return touched

    def _load_facts(self, conn: Connection, gen: int, keys: set[str]) -> dict[str, list[dict[str, Any]]]:
        tf = transcript_facts
        cols = [tf.c[n] for n in FACT_COLUMNS]
        out: dict[str, list[dict[str, Any]]] = {}
        for chunk in chunks(keys):
            for r in conn.execute(select(*cols).where(tf.c.gen == gen, tf.c.entry_key.in_(chunk))):
                f = dict(zip(FACT_COLUMNS, r))
                f["attrs"] = orjson.loads(f["attrs"])
                out.setdefault(f["entry_key"], []).append(f)
        return out

    def _insert_facts(self, conn: Connection, gen: int, facts: list[dict[str, Any]]) -> None:
        upsert(conn, transcript_facts, [{
            "gen": gen, "statement_id": f["statement_id"], "actor_key": f["actor_key"], "entry_key": f["entry_key"],
            "activity_id": f["activity_id"], "verb_id": f["verb_id"], "outcome": f["outcome"], "ts": f["ts"],
            "date": f["date"], "position": f["position"], "duration_s": f["duration_s"],
            "registration": f["registration"], "attrs": dumps(f["attrs"]), "voided": f["voided"],
        } for f in facts], ["gen", "statement_id", "actor_key"])

    # -- entries ---------------------------------------------------------------------------------------------

    def _write_entries(self, conn: Connection, gen: int, touched: set[str], stored: dict[str, list[dict[str, Any]]],
                       batch: list[dict[str, Any]]) -> None:
        by_entry = stored
        for f in batch:
            fs = by_entry.setdefault(f["entry_key"], [])
            # A fact already stored (the same event applied again) is not counted twice.
            if not any(g["statement_id"] == f["statement_id"] and g["actor_key"] == f["actor_key"] for g in fs):
                fs.append(f)
        te = transcript_entries
        defs = _load_definitions(conn, gen, {fs[0]["activity_id"] for fs in by_entry.values() if fs})
        rows, gone = [], []
        for key in touched:
            entry_facts = by_entry.get(key)
            e = compute_entry(entry_facts, defs.get(entry_facts[0]["activity_id"]), self.vocab) if entry_facts else None
            if e is None:
                gone.append(key)
                continue
            e["instructors"] = dumps(e["instructors"])
            e["statement_ids"] = dumps(e["statement_ids"])
            rows.append({"gen": gen, "entry_key": key, **e})
        for chunk in chunks(gone):
            conn.execute(delete(te).where(te.c.gen == gen, te.c.entry_key.in_(chunk)))
        upsert(conn, te, rows, ["gen", "entry_key"], ENTRY_UPDATE)


def _load_definitions(conn: Connection, gen: int, activity_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The generation's merged definitions of ``activity_ids`` that it knows."""
    ta = transcript_activities
    out: dict[str, dict[str, Any]] = {}
    for chunk in chunks(activity_ids):
        for r in conn.execute(select(ta.c.activity_id, ta.c.definition)
                              .where(ta.c.gen == gen, ta.c.activity_id.in_(chunk))):
            out[r.activity_id] = orjson.loads(r.definition)
    return out
