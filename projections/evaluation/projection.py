"""evaluation@v1: the digests program evaluation reads (projections/evaluation/tables.py).

Inputs: ``statements.stored`` (exit surveys, pre/post tests, coaching, PLC meetings, walkthroughs, following the
district xAPI Profile, read by :func:`projections.evaluation.extract.extract`; and the context of learning
statements, for program membership), ``roster.person_upserted`` (staff: roles, building, status, certified),
``programs.loaded`` (the program catalog) and ``outcomes.imported`` (student-outcome aggregates).

Every digest is keyed by its natural key (statement id, person key, item...), so applying an event twice writes the
same rows; voiding is recorded on its own (``evaluation_voids``) and applied when reading, so a voiding that
arrives before its target needs nothing special. Evaluations are computed when read
(:mod:`projections.evaluation.queries`), never stored: what a program is and which period is asked can change
without a replay.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table

from lrs.db.bulk import upsert
from lrs.eventlog.store import RecordedEvent, dumps
from lrs.xapi.model import VOIDED_VERB_ID
from projections.engine import BaseProjection
from projections.evaluation.extract import extract
from projections.evaluation.outcomes import OutcomeRow
from projections.evaluation.tables import (TABLES, evaluation_answers, evaluation_assessments, evaluation_catalogs,
                                           evaluation_coaching, evaluation_context, evaluation_observations,
                                           evaluation_outcomes, evaluation_plc, evaluation_staff, evaluation_voids)
from projections.readers import as_dict, context_activities, statement_tags
from projections.transcript.vocabulary import COACHING_VERBS, VERB_OUTCOMES, Vocabulary

STATEMENTS_STORED = "statements.stored"
PERSON_UPSERTED = "roster.person_upserted"
PROGRAMS_LOADED = "programs.loaded"
OUTCOMES_IMPORTED = "outcomes.imported"
PROGRAMS_STREAM = "programs"
OUTCOMES_STREAM = "outcomes"

_TRUE = ("1", "true", "yes", "y", "certified", "licensed")
_FALSE = ("0", "false", "no", "n", "non-certified", "noncertified", "non_certified", "classified")


def certified_flag(extra: Mapping[str, Any] | None) -> bool | None:
    """The roster's optional ``certified`` column (true/false, yes/no, certified/classified), else None."""
    for k, v in (extra or {}).items():
        if k.strip().lower() in ("certified", "certification", "is_certified") and isinstance(v, str):
            t = v.strip().lower()
            if t in _TRUE:
                return True
            if t in _FALSE:
                return False
    return None


@dataclass
class Prepared:
    """What a batch of events contributes, rows keyed by their primary keys (a later event replaces)."""

    staff: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    catalogs: dict[int, dict[str, Any]] = field(default_factory=dict)
    outcomes: dict[tuple[str, str, str, str], dict[str, Any]] = field(default_factory=dict)
    voids: dict[str, int] = field(default_factory=dict)
    context: dict[str, dict[str, Any]] = field(default_factory=dict)
    answers: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    assessments: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    coaching: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    plc: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    observations: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)


def _learning_context(stmt: Mapping[str, Any]) -> dict[str, Any] | None:
    """The program-membership context of a statement the transcript reads as learning, or None."""
    verb = (stmt.get("verb") or {}).get("id")
    if verb not in VERB_OUTCOMES and verb not in COACHING_VERBS:
        return None
    ctx = as_dict(stmt.get("context"))
    parents = [a["id"] for a in context_activities(ctx, "parent") if isinstance(a.get("id"), str)]
    grouping = [a["id"] for a in context_activities(ctx, "grouping") if isinstance(a.get("id"), str)]
    tags = statement_tags(ctx)
    team = isinstance(ctx.get("team"), dict)
    if not (parents or grouping or tags or team):
        return None
    return {"parents": dumps(parents), "grouping": dumps(grouping), "tags": dumps(tags), "team": team}


class EvaluationProjection(BaseProjection):
    """Projection ``evaluation@v1`` (tables ``evaluation_*``)."""

    name = "evaluation@v1"
    event_types = frozenset({STATEMENTS_STORED, PERSON_UPSERTED, PROGRAMS_LOADED, OUTCOMES_IMPORTED})
    tables: Sequence[Table] = TABLES

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        # Dates in the district's zone and its IRI base, exactly as the transcript reads them.
        self.vocab = Vocabulary.from_settings(settings)

    def handle(self, conn: Connection, gen: int, events: Sequence[RecordedEvent]) -> None:
        self.apply(conn, gen, self.prepare(events))

    def prepare(self, events: Sequence[RecordedEvent]) -> Prepared:
        """The per-event work, without the database: digests of statements, staff, catalogs, outcomes."""
        out = Prepared()
        for ev in events:
            if ev.type == STATEMENTS_STORED:
                for stmt in ev.payload.get("statements") or []:
                    self._statement(out, stmt, ev.position)
            elif ev.type == PERSON_UPSERTED:
                p = ev.payload
                person = p.get("person") or {}
                out.staff[(p["employee_id"], ev.position)] = {
                    "employee_id": p["employee_id"], "position": ev.position, "effective_date": p["effective_date"],
                    "roles": dumps(list(person.get("roles") or [])), "building": person.get("building"),
                    "status": person.get("status") or "active", "certified": certified_flag(p.get("extra"))}
            elif ev.type == PROGRAMS_LOADED:
                cat = ev.payload["catalog"]
                text = dumps(cat)
                out.catalogs[ev.position] = {
                    "position": ev.position, "recorded_at": ev.recorded_at, "catalog": text,
                    "sha256": hashlib.sha256(text.encode()).hexdigest(),
                    "source": ((ev.payload.get("source") or {}).get("file") or None)}
            elif ev.type == OUTCOMES_IMPORTED:
                for raw in ev.payload.get("rows") or []:
                    r = OutcomeRow.from_json(raw)
                    out.outcomes[r.key] = {"measure": r.measure, "period": r.period, "grp": r.group,
                                           "program": r.program, "group_type": r.group_type,
                                           "participants": r.participants, "value": r.value, "n": r.n,
                                           "position": ev.position}
        return out

    def _statement(self, out: Prepared, stmt: Mapping[str, Any], position: int) -> None:
        verb = (stmt.get("verb") or {}).get("id")
        sid = str(stmt.get("id", "")).lower()
        if verb == VOIDED_VERB_ID:
            obj = stmt.get("object") or {}
            if obj.get("objectType") == "StatementRef" and isinstance(obj.get("id"), str):
                out.voids.setdefault(str(obj["id"]).lower(), position)
            return
        ctx = _learning_context(stmt)
        if ctx is not None:
            out.context[sid] = {"statement_id": sid, **ctx}
        found = extract(stmt, district_iri=self.vocab.district_iri, tz=self.vocab.time_zone)
        for a in found.answers:
            out.answers[(sid, a.person, a.item)] = {
                "statement_id": sid, "person_key": a.person, "item": a.item, "kind": a.kind, "value": a.value,
                "scale_min": a.scale_min, "scale_max": a.scale_max, "date": a.date.isoformat(),
                "session": a.session, "presenters": dumps(list(a.presenters)), "delivery_model": a.delivery_model,
                "context_ids": dumps(list(a.context_ids))}
        for t in found.assessments:
            out.assessments[(sid, t.person)] = {
                "statement_id": sid, "person_key": t.person, "activity": t.activity, "kind": t.kind,
                "ts": t.timestamp, "date": t.date.isoformat(), "scaled": t.scaled, "success": t.success,
                "subject": t.subject, "context_ids": dumps(list(t.context_ids))}
        for c in found.coaching:
            out.coaching[(sid, c.teacher)] = {
                "statement_id": sid, "teacher_key": c.teacher, "date": c.date.isoformat(), "hours": c.hours,
                "activity": c.activity, "context_ids": dumps(list(c.context_ids))}
        for m in found.plc:
            out.plc[(sid, m.person)] = {
                "statement_id": sid, "person_key": m.person, "date": m.date.isoformat(), "minutes": m.minutes,
                "team": m.team, "activity": m.activity, "activity_type": m.activity_type,
                "context_ids": dumps(list(m.context_ids)), "tags": dumps(list(m.tags))}
        for o in found.observations:
            out.observations[(sid, o.teacher, o.practice)] = {
                "statement_id": sid, "teacher_key": o.teacher, "practice": o.practice, "date": o.date.isoformat(),
                "level": o.level, "scale_min": o.scale_min, "scale_max": o.scale_max, "activity": o.activity}

    def apply(self, conn: Connection, gen: int, prepared: Prepared) -> None:
        """Write what :meth:`prepare` found into generation ``gen`` (upserts: re-applying changes nothing)."""
        p = prepared

        def write(table: Table, rows: Mapping[Any, dict[str, Any]], keys: Sequence[str]) -> None:
            if not rows:
                return
            data = [{"gen": gen, **r} for r in rows.values()]
            update = [c for c in data[0] if c not in keys]
            upsert(conn, table, data, keys, update)

        write(evaluation_staff, p.staff, ("gen", "employee_id", "position"))
        write(evaluation_catalogs, p.catalogs, ("gen", "position"))
        write(evaluation_outcomes, p.outcomes, ("gen", "measure", "period", "grp", "program"))
        # The first voiding of an id is the one recorded (later ones change nothing).
        if p.voids:
            upsert(conn, evaluation_voids, [{"gen": gen, "statement_id": s, "position": pos}
                                            for s, pos in p.voids.items()], ["gen", "statement_id"])
        write(evaluation_context, p.context, ("gen", "statement_id"))
        write(evaluation_answers, p.answers, ("gen", "statement_id", "person_key", "item"))
        write(evaluation_assessments, p.assessments, ("gen", "statement_id", "person_key"))
        write(evaluation_coaching, p.coaching, ("gen", "statement_id", "teacher_key"))
        write(evaluation_plc, p.plc, ("gen", "statement_id", "person_key"))
        write(evaluation_observations, p.observations, ("gen", "statement_id", "teacher_key", "practice"))
