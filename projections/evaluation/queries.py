"""Reading evaluation@v1 (with transcript@v1 and people@v1): the catalog in force, the digests of a period, and a
program's published evaluation, computed when asked.

Nothing here returns a person: :func:`evaluate` answers the published, suppressed evaluation
(``evaluate.evaluate_program``) plus its trends, and :func:`load_data` is only ever handed to those functions.
The agent keys of statements are mapped to employees through people@v1's identifier links (roster e-mail and
account, and links an administrator made); agents no roster person is linked to are not staff, so never eligible.
"""
from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
from sqlalchemy import and_, case, select

from lrs.times import format_time, utc_now
from projections.engine import get_checkpoint
from projections.evaluation.catalog import Program, ProgramCatalog
from projections.evaluation.digests import (Assessment, CoachingSession, EvaluationData, LearningFact, Observation,
                                            OutcomeAggregate, PlcMeeting, StaffMember, SurveyAnswer)
from projections.evaluation.levels import _in_scope as in_scope
from projections.evaluation.evaluate import evaluate_program
from projections.evaluation.hours import Entry, learning_facts
from projections.evaluation.memo import Memo
from projections.evaluation.metrics import eligible_staff, fact_belongs
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


def _live(table: Any, scope: ReadScope, lo: date, hi: date, *columns: str) -> Any:
    """``columns`` of a digest table's rows dated ``lo..hi`` whose statement was not voided."""
    eg = scope.gen(EVALUATION)
    v = evaluation_voids
    return (select(*(table.c[c] for c in columns))
            .select_from(table.outerjoin(v, and_(v.c.gen == eg, v.c.statement_id == table.c.statement_id)))
            .where(table.c.gen == eg, table.c.date >= lo.isoformat(), table.c.date <= hi.isoformat(),
                   v.c.statement_id.is_(None)))


class _Dates:
    """ISO date texts as dates, each distinct text parsed once."""

    def __init__(self) -> None:
        self.seen: dict[str, date] = {}

    def __call__(self, text: str) -> date:
        got = self.seen.get(text)
        if got is None:
            got = self.seen[text] = date.fromisoformat(text)
        return got


FACT_KEYS = ("statement_id", "actor_key", "entry_key", "activity_id", "verb_id", "outcome", "ts", "date", "position",
             "duration_s", "registration", "attrs")


def _learning_rows(scope: ReadScope, lo: date, hi: date) -> tuple[list[dict[str, Any]], dict[str, Entry],
                                                                 dict[str, dict[str, Any]]]:
    """The transcript's live facts dated ``lo..hi`` with their entries, and their statements' context."""
    tf, te, ec = transcript_facts, transcript_entries, evaluation_context
    tg, eg = scope.gen(TRANSCRIPT), scope.gen(EVALUATION)
    # Only join/leave facts need their attributes (the attendance intervals): the others' JSON is not even read.
    attrs = case((tf.c.verb_id.in_(sorted(INTERVAL_VERBS)), tf.c.attrs), else_=None)
    q = (select(tf.c.statement_id, tf.c.actor_key, tf.c.entry_key, tf.c.activity_id, tf.c.verb_id, tf.c.outcome,
                tf.c.ts, tf.c.date, tf.c.position, tf.c.duration_s, tf.c.registration, attrs,
                te.c.hours, te.c.hours_source, te.c.delivery_model, te.c.date, te.c.outcome, te.c.activity_type,
                te.c.start_date, te.c.end_date, ec.c.parents, ec.c.grouping, ec.c.tags, ec.c.team)
         .select_from(tf.join(te, and_(te.c.gen == tg, te.c.entry_key == tf.c.entry_key))
                      .outerjoin(ec, and_(ec.c.gen == eg, ec.c.statement_id == tf.c.statement_id)))
         .where(tf.c.gen == tg, tf.c.voided.is_(False), tf.c.date >= lo.isoformat(), tf.c.date <= hi.isoformat()))
    rows: list[dict[str, Any]] = []
    entries: dict[str, Entry] = {}
    context: dict[str, dict[str, Any]] = {}
    ids = _Ids()
    keys = FACT_KEYS
    for r in scope.conn.execute(q).all():
        fact = dict(zip(keys, r[:12]))
        fact["attrs"] = orjson.loads(r[11]) if r[11] else {}
        rows.append(fact)
        if r[2] not in entries:
            entries[r[2]] = Entry(float(r[12]), r[13], r[14], r[15], r[16], r[17], r[18], r[19])
        if r[20] is not None:
            context[r[0]] = {"parents": ids(r[20]), "grouping": ids(r[21]), "tags": ids(r[22]), "team": bool(r[23])}
    return rows, entries, context


class _Ids:
    """JSON id lists as tuples, each distinct text decoded once (statements of one program repeat them)."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[str, ...]] = {}

    def __call__(self, text: str | None) -> tuple[str, ...]:
        if not text:
            return ()
        got = self.seen.get(text)
        if got is None:
            got = self.seen[text] = tuple(orjson.loads(text))
        return got


@dataclass(frozen=True)
class PeriodData:
    """Every digest of a period (``data``, outcomes not yet assigned) and the outcome aggregates, each with the
    program its cohort split is about ('' = any program), and the log state they were read at (``key``). Never
    published as it is."""

    data: EvaluationData
    outcomes: Sequence[tuple[str, OutcomeAggregate]]
    key: tuple[Any, ...] = ()


# What was computed at one log state (see memo.py): two periods' digests, and the published evaluations.
_PERIODS: Memo[PeriodData] = Memo(2)
_EVALUATIONS: Memo[bytes] = Memo(64)


def state_key(scope: ReadScope) -> tuple[Any, ...]:
    """The log state a scope reads: the database, and each read model's generation and position."""
    at = positions(scope)
    return (str(scope.conn.engine.url), tuple(sorted((n, g, at.get(n)) for n, g in scope.gens.items())))


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block: loading and evaluating a large period makes hundreds of
    thousands of small acyclic objects, and the collector's passes over them cost a third of the time."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def load_data(scope: ReadScope, lo: date, hi: date, *,
              roles_certified: Sequence[str] = DEFAULT_CERTIFIED_ROLES) -> PeriodData:
    """Every digest dated ``lo..hi`` (and the roster on ``hi``), people as employee ids, for the evaluation
    functions."""
    key = (state_key(scope), lo, hi, tuple(roles_certified))

    def make() -> PeriodData:
        with gc_paused():
            loaded = _load_data(scope, lo, hi, roles_certified)
        return PeriodData(loaded.data, loaded.outcomes, key)
    return _PERIODS.get(key, make)


def _load_data(scope: ReadScope, lo: date, hi: date, roles_certified: Sequence[str]) -> PeriodData:
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
    ids, day = _Ids(), _Dates()
    person = links.get

    answers = [SurveyAnswer(p, sid, item, float(value), float(smin), float(smax), day(d), kind=kind, session=session,
                            presenters=ids(presenters), delivery_model=session_model.get(session or "") or model,
                            context_ids=ids(ctx))
               for key, sid, item, value, smin, smax, d, kind, session, presenters, model, ctx in conn.execute(
                   _live(evaluation_answers, scope, lo, hi, "person_key", "statement_id", "item", "value",
                         "scale_min", "scale_max", "date", "kind", "session", "presenters", "delivery_model",
                         "context_ids")).all()
               if (p := person(key)) is not None]
    tests = [Assessment(p, sid, activity, kind, ts, day(d), scaled=scaled, success=success, subject=subject,
                        context_ids=ids(ctx))
             for key, sid, activity, kind, ts, d, scaled, success, subject, ctx in conn.execute(
                 _live(evaluation_assessments, scope, lo, hi, "person_key", "statement_id", "activity", "kind", "ts",
                       "date", "scaled", "success", "subject", "context_ids")).all()
             if (p := person(key)) is not None]
    # Coaching and PLC time in the transcript's hours when it has them (the hours the teacher's transcript shows),
    # else the statement's own.
    coaching = [CoachingSession("", p, sid, day(d), float(h) if (t := hours.get((sid, key))) is None else t,
                                activity=activity, context_ids=ids(ctx))
                for key, sid, d, h, activity, ctx in conn.execute(
                    _live(evaluation_coaching, scope, lo, hi, "teacher_key", "statement_id", "date", "hours",
                          "activity", "context_ids")).all()
                if (p := person(key)) is not None]
    plc = [PlcMeeting(p, sid, day(d), float(minutes) if (t := hours.get((sid, key))) is None else round(t * 60, 4),
                      team=team, activity=activity, activity_type=atype, context_ids=ids(ctx), tags=ids(tags))
           for key, sid, d, minutes, team, activity, atype, ctx, tags in conn.execute(
               _live(evaluation_plc, scope, lo, hi, "person_key", "statement_id", "date", "minutes", "team",
                     "activity", "activity_type", "context_ids", "tags")).all()
           if (p := person(key)) is not None]
    observations = [Observation(p, sid, day(d), practice, float(level), scale_max=float(smax), scale_min=float(smin),
                                activity=activity)
                    for key, sid, d, practice, level, smax, smin, activity in conn.execute(
                        _live(evaluation_observations, scope, lo, hi, "teacher_key", "statement_id", "date",
                              "practice", "level", "scale_max", "scale_min", "activity")).all()
                    if (p := person(key)) is not None]
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
    """The data one program's evaluation reads: its eligible staff, its learning facts, and the surveys, tests,
    coaching, PLC meetings and observations of its eligible staff about it, and the outcome aggregates about it or
    about any program.

    The evaluation functions apply the same tests again (they are correct on any input); applying them once here,
    with each distinct context tested once, keeps a 5,000-staff report from scanning every digest of every program
    for every month.
    """
    d = period.data
    eligible = eligible_staff(d.staff, program)
    memo: dict[tuple[Any, ...], bool] = {}

    def belongs(f: LearningFact) -> bool:
        key = (f.activity, f.activity_type, f.tags, f.parents, f.grouping)
        got = memo.get(key)
        if got is None:
            got = memo[key] = fact_belongs(f, program)
        return got

    mine = [f for f in d.facts if belongs(f)]
    # program_activities' rule: the program's own ids and the activities of every fact that belongs to it.
    acts = set(program.activities) | set(program.grouping) | {f.activity for f in mine}

    def about(ids: Iterable[str | None]) -> bool:
        return any(i in acts for i in ids)

    targets = set(program.target_practices)
    return EvaluationData(
        staff=list(eligible.values()), facts=[f for f in mine if f.person in eligible],
        answers=[a for a in d.answers if a.person in eligible and about((a.session, *a.context_ids))],
        assessments=[t for t in d.assessments if t.person in eligible
                     and about((t.activity, t.subject, *t.context_ids))],
        coaching=[c for c in d.coaching if c.teacher in eligible
                  and in_scope(program, acts, c.activity, c.context_ids)],
        plc=[m for m in d.plc if m.person in eligible
             and in_scope(program, acts, m.activity, m.context_ids, m.activity_type, m.tags)],
        observations=[o for o in d.observations if o.teacher in eligible and (not targets or o.practice in targets)],
        outcomes=[a for prog, a in period.outcomes if prog in ("", program.id)])


def evaluate(scope: ReadScope, version: CatalogVersion, program: Program, data: PeriodData, lo: date, hi: date,
             label: str, *, granularity: str = "month", known_at: str | None = None,
             reads: Mapping[str, int] | None = None) -> dict[str, Any]:
    """One program's published evaluation with its trends (``data`` from :func:`load_data` for ``lo..hi``).

    ``source.position`` is the log position every read model had reached (the least of them): the figures include
    everything up to it, and ``known_at`` = that position reproduces them once the read models agree.
    """
    at = dict(reads) if reads is not None else positions(scope)

    def make() -> bytes:
        with gc_paused():
            mine = for_program(data, program)
            body = evaluate_program(version.catalog, program, mine, lo, hi, label, granularity=granularity,
                                    position=min(at.values()) if at else None, known_at=known_at,
                                    computed_at=format_time(utc_now()))
            body["trends"] = trends(version.catalog, program, mine, lo, hi, granularity=granularity)
        body["source"]["read_models"] = at
        body["source"]["catalog"] = {"position": version.position, "loaded_at": version.loaded_at,
                                     "source": version.source, "sha256": version.sha256}
        return orjson.dumps(body)
    if not data.key:  # data not read through load_data: nothing to key the memo on
        return dict(orjson.loads(make()))
    key = (data.key, version.sha256, version.position, program.id, lo, hi, label, granularity, known_at)
    # A fresh copy each time: callers may add to the body.
    return dict(orjson.loads(_EVALUATIONS.get(key, make)))


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
