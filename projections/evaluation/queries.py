"""Reading evaluation@v1 (with transcript@v1 and people@v1): the catalog in force, the digests of a period, and a
program's published evaluation, computed when asked.

Nothing here returns a person: :func:`evaluate` answers the published, suppressed evaluation
(``evaluate.evaluate_program``) plus its trends, and :func:`load_data` is only ever handed to those functions.
The agent keys of statements are mapped to employees through people@v1's identifier links (roster e-mail and
account, and links an administrator made); agents no roster person is linked to are not staff, so never eligible.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import orjson
from sqlalchemy import and_, select

from lrs.times import format_time, utc_now
from projections.engine import get_checkpoint
from projections.evaluation.catalog import Program, ProgramCatalog
from projections.evaluation.digests import (Assessment, CoachingSession, EvaluationData, Observation,
                                            OutcomeAggregate, PlcMeeting, StaffMember, SurveyAnswer)
from projections.evaluation.evaluate import evaluate_program
from projections.evaluation.hours import Entry, learning_facts
from projections.evaluation.metrics import fact_belongs
from projections.evaluation.projection import EvaluationProjection
from projections.evaluation.tables import (evaluation_answers, evaluation_assessments, evaluation_catalogs,
                                           evaluation_coaching, evaluation_context, evaluation_observations,
                                           evaluation_outcomes, evaluation_plc, evaluation_staff, evaluation_voids)
from projections.evaluation.trends import trends
from projections.people.projection import PeopleProjection
from projections.people.tables import person_identifiers
from projections.scope import ReadScope
from projections.transcript.projection import TranscriptProjection
from projections.transcript.tables import transcript_entries, transcript_facts
from projections.transcript.vocabulary import INTERVAL_VERBS

EVALUATION = EvaluationProjection.name
TRANSCRIPT = TranscriptProjection.name
PEOPLE = PeopleProjection.name
READ_MODELS = (EVALUATION, TRANSCRIPT, PEOPLE)
# Roles counted as certified when the roster has no ``certified`` column (LRS_CERTIFIED_ROLES).
DEFAULT_CERTIFIED_ROLES = ("teacher", "principal", "assistant principal", "counselor", "coach",
                           "instructional coach", "librarian", "media specialist", "school psychologist",
                           "speech-language pathologist", "administrator", "superintendent", "teacher leader")


def certified_roles(settings: Mapping[str, Any] | None) -> tuple[str, ...]:
    """LRS_CERTIFIED_ROLES as a tuple of lowercase role names (comma-separated; default above)."""
    raw = (settings or {}).get("CERTIFIED_ROLES")
    if not raw:
        return DEFAULT_CERTIFIED_ROLES
    return tuple(r.strip().lower() for r in str(raw).split(",") if r.strip())


@dataclass(frozen=True)
class CatalogVersion:
    """The program catalog in force and where it came from."""

    catalog: ProgramCatalog
    position: int
    loaded_at: str
    source: str | None
    sha256: str


def current_catalog(scope: ReadScope) -> CatalogVersion | None:
    """The latest loaded catalog (None when none was loaded)."""
    c = evaluation_catalogs
    r = scope.conn.execute(select(c).where(c.c.gen == scope.gen(EVALUATION)).order_by(c.c.position.desc())
                           .limit(1)).first()
    if r is None:
        return None
    return CatalogVersion(ProgramCatalog.from_json(orjson.loads(r.catalog)), int(r.position), r.recorded_at,
                          r.source, r.sha256)


def catalog_versions(scope: ReadScope) -> list[dict[str, Any]]:
    """Every catalog loaded, oldest first: position, time, source file and checksum."""
    c = evaluation_catalogs
    return [{"position": int(r.position), "loaded_at": r.recorded_at, "source": r.source, "sha256": r.sha256}
            for r in scope.conn.execute(select(c.c.position, c.c.recorded_at, c.c.source, c.c.sha256)
                                        .where(c.c.gen == scope.gen(EVALUATION)).order_by(c.c.position))]


def positions(scope: ReadScope) -> dict[str, int]:
    """The log position each read model of the scope reflects."""
    out: dict[str, int] = {}
    for name, gen in scope.gens.items():
        cp = get_checkpoint(scope.conn, name, gen)
        if cp is not None:
            out[name] = cp.position
    return out


def staff_on(scope: ReadScope, day: date, roles_certified: Sequence[str] = DEFAULT_CERTIFIED_ROLES
             ) -> list[StaffMember]:
    """Every roster person as their latest record in effect on ``day`` says (hired later: not listed)."""
    s = evaluation_staff
    latest: dict[str, Any] = {}
    for r in scope.conn.execute(select(s.c.employee_id, s.c.position, s.c.effective_date, s.c.roles, s.c.building,
                                       s.c.status, s.c.certified)
                                .where(s.c.gen == scope.gen(EVALUATION), s.c.effective_date <= day.isoformat())):
        cur = latest.get(r.employee_id)
        if cur is None or (r.effective_date, int(r.position)) >= (cur.effective_date, int(cur.position)):
            latest[r.employee_id] = r
    certified = set(roles_certified)
    out = []
    for eid in sorted(latest):
        r = latest[eid]
        roles = tuple(orjson.loads(r.roles))
        cert = bool(r.certified) if r.certified is not None else any(x in certified for x in roles)
        out.append(StaffMember(eid, roles, r.building, cert, active=r.status == "active"))
    return out


def agent_links(scope: ReadScope) -> dict[str, str]:
    """Agent match key -> employee id (people@v1)."""
    pi = person_identifiers
    return {r.agent_key: r.employee_id for r in scope.conn.execute(
        select(pi.c.agent_key, pi.c.employee_id).where(pi.c.gen == scope.gen(PEOPLE)))}


def _ids(text: str | None) -> tuple[str, ...]:
    return tuple(orjson.loads(text)) if text else ()


def _live(table: Any, scope: ReadScope, lo: date, hi: date) -> Any:
    """Rows of a digest table dated ``lo..hi`` whose statement was not voided."""
    eg = scope.gen(EVALUATION)
    v = evaluation_voids
    return (select(table).select_from(table.outerjoin(v, and_(v.c.gen == eg, v.c.statement_id == table.c.statement_id)))
            .where(table.c.gen == eg, table.c.date >= lo.isoformat(), table.c.date <= hi.isoformat(),
                   v.c.statement_id.is_(None)))


def _learning_rows(scope: ReadScope, lo: date, hi: date) -> tuple[list[dict[str, Any]], dict[str, Entry],
                                                                 dict[str, dict[str, Any]]]:
    """The transcript's live facts dated ``lo..hi`` with their entries, and their statements' context."""
    tf, te, ec = transcript_facts, transcript_entries, evaluation_context
    tg, eg = scope.gen(TRANSCRIPT), scope.gen(EVALUATION)
    q = (select(tf.c.statement_id, tf.c.actor_key, tf.c.entry_key, tf.c.activity_id, tf.c.verb_id, tf.c.outcome,
                tf.c.ts, tf.c.date, tf.c.position, tf.c.duration_s, tf.c.registration, tf.c.attrs,
                te.c.hours, te.c.hours_source, te.c.delivery_model, te.c.date.label("entry_date"),
                te.c.outcome.label("entry_outcome"), te.c.activity_type, te.c.start_date, te.c.end_date,
                ec.c.parents, ec.c.grouping, ec.c.tags, ec.c.team)
         .select_from(tf.join(te, and_(te.c.gen == tg, te.c.entry_key == tf.c.entry_key))
                      .outerjoin(ec, and_(ec.c.gen == eg, ec.c.statement_id == tf.c.statement_id)))
         .where(tf.c.gen == tg, tf.c.voided.is_(False), tf.c.date >= lo.isoformat(), tf.c.date <= hi.isoformat()))
    rows: list[dict[str, Any]] = []
    entries: dict[str, Entry] = {}
    context: dict[str, dict[str, Any]] = {}
    for r in scope.conn.execute(q):
        # Only join/leave facts need their attributes (the attendance intervals).
        attrs = orjson.loads(r.attrs) if r.verb_id in INTERVAL_VERBS else {}
        rows.append({"statement_id": r.statement_id, "actor_key": r.actor_key, "entry_key": r.entry_key,
                     "activity_id": r.activity_id, "verb_id": r.verb_id, "outcome": r.outcome, "ts": r.ts,
                     "date": r.date, "position": int(r.position), "duration_s": r.duration_s,
                     "registration": r.registration, "attrs": attrs})
        if r.entry_key not in entries:
            entries[r.entry_key] = Entry(float(r.hours), r.hours_source, r.delivery_model, r.entry_date,
                                         r.entry_outcome, r.activity_type, r.start_date, r.end_date)
        if r.parents is not None and r.statement_id not in context:
            context[r.statement_id] = {"parents": _ids(r.parents), "grouping": _ids(r.grouping),
                                       "tags": _ids(r.tags), "team": bool(r.team)}
    return rows, entries, context


@dataclass(frozen=True)
class PeriodData:
    """Every digest of a period (``data``, outcomes not yet assigned) and the outcome aggregates, each with the
    program its cohort split is about ('' = any program). Never published as it is."""

    data: EvaluationData
    outcomes: Sequence[tuple[str, OutcomeAggregate]]


def load_data(scope: ReadScope, lo: date, hi: date, *,
              roles_certified: Sequence[str] = DEFAULT_CERTIFIED_ROLES) -> PeriodData:
    """Every digest dated ``lo..hi`` (and the roster on ``hi``), people as employee ids, for the evaluation
    functions."""
    links = agent_links(scope)
    staff = staff_on(scope, hi, roles_certified)
    rows, entries, context = _learning_rows(scope, lo, hi)
    facts, hours = learning_facts(rows, entries, lo, hi, person_of=links.get, context_of=context.get)
    # Session delivery models as the transcript has them (the model of most entries of that activity), so level 1
    # "by delivery model" uses the same models as the hours.
    models: dict[str, dict[str, int]] = {}
    for f in facts:
        m = models.setdefault(f.activity, {})
        m[f.delivery_model] = m.get(f.delivery_model, 0) + 1
    session_model = {a: max(sorted(m), key=lambda k: m[k]) for a, m in models.items()}
    conn = scope.conn

    answers = []
    for r in conn.execute(_live(evaluation_answers, scope, lo, hi)):
        person = links.get(r.person_key)
        if person is not None:
            answers.append(SurveyAnswer(person, r.statement_id, r.item, float(r.value), float(r.scale_min),
                                        float(r.scale_max), date.fromisoformat(r.date), kind=r.kind,
                                        session=r.session, presenters=_ids(r.presenters),
                                        delivery_model=session_model.get(r.session or "") or r.delivery_model,
                                        context_ids=_ids(r.context_ids)))
    tests = []
    for r in conn.execute(_live(evaluation_assessments, scope, lo, hi)):
        person = links.get(r.person_key)
        if person is not None:
            tests.append(Assessment(person, r.statement_id, r.activity, r.kind, r.ts, date.fromisoformat(r.date),
                                    scaled=r.scaled, success=r.success, subject=r.subject,
                                    context_ids=_ids(r.context_ids)))
    coaching = []
    for r in conn.execute(_live(evaluation_coaching, scope, lo, hi)):
        person = links.get(r.teacher_key)
        if person is not None:
            # The transcript's hours for this session when it has them (the same hours the teacher's transcript
            # shows), else the statement's own.
            h = hours.get((r.statement_id, r.teacher_key))
            coaching.append(CoachingSession("", person, r.statement_id, date.fromisoformat(r.date),
                                            float(r.hours) if h is None else h,
                                            activity=r.activity, context_ids=_ids(r.context_ids)))
    plc = []
    for r in conn.execute(_live(evaluation_plc, scope, lo, hi)):
        person = links.get(r.person_key)
        if person is not None:
            ph = hours.get((r.statement_id, r.person_key))
            plc.append(PlcMeeting(person, r.statement_id, date.fromisoformat(r.date),
                                  round(ph * 60, 4) if ph is not None else float(r.minutes), team=r.team,
                                  activity=r.activity, activity_type=r.activity_type, context_ids=_ids(r.context_ids),
                                  tags=_ids(r.tags)))
    observations = []
    for r in conn.execute(_live(evaluation_observations, scope, lo, hi)):
        person = links.get(r.teacher_key)
        if person is not None:
            observations.append(Observation(person, r.statement_id, date.fromisoformat(r.date), r.practice,
                                            float(r.level), scale_max=float(r.scale_max),
                                            scale_min=float(r.scale_min), activity=r.activity))
    data = EvaluationData(staff=staff, facts=facts, answers=answers, assessments=tests, coaching=coaching, plc=plc,
                          observations=observations)
    return PeriodData(data, load_outcomes(scope))


def load_outcomes(scope: ReadScope) -> list[tuple[str, OutcomeAggregate]]:
    """Every outcome aggregate with the program it is about ('' = any)."""
    o = evaluation_outcomes
    return [(r.program, OutcomeAggregate(r.measure, r.period, r.grp, bool(r.participants), float(r.value), int(r.n)))
            for r in scope.conn.execute(select(o).where(o.c.gen == scope.gen(EVALUATION))
                                        .order_by(o.c.measure, o.c.period, o.c.grp, o.c.program))]


def for_program(period: PeriodData, program: Program) -> EvaluationData:
    """The data one program's evaluation reads: its learning facts only (the rest is filtered by the metrics
    themselves), and the outcome aggregates about it or about any program."""
    return replace(period.data, facts=[f for f in period.data.facts if fact_belongs(f, program)],
                   outcomes=[a for prog, a in period.outcomes if prog in ("", program.id)])


def evaluate(scope: ReadScope, version: CatalogVersion, program: Program, data: PeriodData, lo: date, hi: date,
             label: str, *, granularity: str = "month", known_at: str | None = None,
             reads: Mapping[str, int] | None = None) -> dict[str, Any]:
    """One program's published evaluation with its trends (``data`` from :func:`load_data` for ``lo..hi``).

    ``source.position`` is the log position every read model had reached (the least of them): the figures include
    everything up to it, and ``known_at`` = that position reproduces them once the read models agree.
    """
    at = dict(reads) if reads is not None else positions(scope)
    mine = for_program(data, program)
    body = evaluate_program(version.catalog, program, mine, lo, hi, label, granularity=granularity,
                            position=min(at.values()) if at else None, known_at=known_at,
                            computed_at=format_time(utc_now()))
    body["trends"] = trends(version.catalog, program, mine, lo, hi, granularity=granularity)
    body["source"]["read_models"] = at
    body["source"]["catalog"] = {"position": version.position, "loaded_at": version.loaded_at,
                                 "source": version.source, "sha256": version.sha256}
    return body


def program_json(p: Program) -> dict[str, Any]:
    """A program as ``GET /api/v1/programs`` lists it (its catalog entry, ``id`` as ``program``)."""
    from projections.evaluation.catalog import _program_json  # the catalog's canonical form of one program

    d = _program_json(p)
    return {"program": d.pop("id"), **d}


def list_programs(version: CatalogVersion | None, after: str | None, limit: int) -> tuple[list[dict[str, Any]],
                                                                                         str | None]:
    """Programs of the catalog in force, by id, keyset-paged."""
    if version is None:
        return [], None
    progs = sorted((p for p in version.catalog.programs if after is None or p.id > after), key=lambda p: p.id)
    page = progs[:limit]
    return [program_json(p) for p in page], (page[-1].id if len(progs) > limit and page else None)


def iter_programs(version: CatalogVersion | None) -> Iterable[Program]:
    return version.catalog.programs if version else ()
