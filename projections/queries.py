"""Reading the people and transcript read models (used by the reporting API; reusable by other read models).

Every function takes a :class:`ReadScope`: a connection plus the generation to read for each projection — the
active ones (:func:`active_scope`) or as-of builds (:func:`as_of_scope`, "what the LRS knew at position P").
Open the scope's connection in one transaction so a concurrent replay swap is never seen half-way.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import orjson
from sqlalchemy import Connection, Engine, and_, func, or_, select

from lrs.times import parse_time, utc_now
from projections.engine import active_generation
from projections.identity import is_agent_key, normalize_key
from projections.people import PeopleProjection
from projections.tables import (people, people_agents, people_roles, people_versions, person_identifiers,
                                transcript_entries)
from projections.transcript import TranscriptProjection

PEOPLE = PeopleProjection.name
TRANSCRIPT = TranscriptProjection.name


@dataclass
class ReadScope:
    conn: Connection
    gens: dict[str, int]

    def gen(self, name: str) -> int:
        """The generation to read for ``name``; -1 (no rows) before the projection first ran."""
        return self.gens.get(name, -1)


def active_scope(conn: Connection, names: Iterable[str] = (PEOPLE, TRANSCRIPT)) -> ReadScope:
    """Read the active generations."""
    gens = {}
    for n in names:
        g = active_generation(conn, n)
        if g is not None:
            gens[n] = g
    return ReadScope(conn, gens)


def as_of_scope(conn: Connection, builds: Mapping[str, Any]) -> ReadScope:
    """Read as-of builds (``projections.replay.build_all_as_of`` results)."""
    return ReadScope(conn, {name: b.gen for name, b in builds.items()})


@dataclass
class PersonRef:
    """A person: a roster employee (with every linked identifier), or an unmatched agent on its own."""

    id: str
    employee_id: str | None
    name: str | None
    identifiers: list[str]
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def matched(self) -> bool:
        return self.employee_id is not None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "employee_id": self.employee_id,
                               "matched": self.matched}
        for k in ("email", "roles", "building", "supervisor_id", "hire_date", "status"):
            if k in self.record:
                out[k] = self.record[k]
        out["identifiers"] = self.identifiers
        return out


def _person_row(r: Any) -> dict[str, Any]:
    return {"employee_id": r.employee_id, "name": r.name, "email": r.email, "roles": orjson.loads(r.roles),
            "building": r.building, "supervisor_id": r.supervisor_id, "hire_date": r.hire_date,
            "status": r.status, "effective_date": r.effective_date}


def resolve_person(scope: ReadScope, person: str) -> PersonRef | None:
    """The person an API ``{person}`` names: an employee id, or an agent identifier (linked or not)."""
    conn, pg = scope.conn, scope.gen(PEOPLE)
    person = person.strip()
    employee_id: str | None = None
    key: str | None = None
    if is_agent_key(person) or is_agent_key(unquote(person)):
        key = normalize_key(person)
        employee_id = conn.execute(select(person_identifiers.c.employee_id).where(
            person_identifiers.c.gen == pg, person_identifiers.c.agent_key == key)).scalar()
    else:
        employee_id = person
    if employee_id is not None:
        r = conn.execute(select(people).where(people.c.gen == pg, people.c.employee_id == employee_id)).first()
        if r is not None:
            ids = sorted(conn.execute(select(person_identifiers.c.agent_key).where(
                person_identifiers.c.gen == pg, person_identifiers.c.employee_id == employee_id)).scalars())
            return PersonRef(r.employee_id, r.employee_id, r.name, ids, _person_row(r))
        if key is None:
            return None
    assert key is not None
    seen = conn.execute(select(people_agents.c.name).where(people_agents.c.gen == pg,
                                                           people_agents.c.agent_key == key)).first()
    if seen is None:
        has_entries = conn.execute(select(transcript_entries.c.entry_key).where(
            transcript_entries.c.gen == scope.gen(TRANSCRIPT), transcript_entries.c.actor_key == key).limit(1)).first()
        if has_entries is None:
            return None
    return PersonRef(key, None, seen.name if seen else None, [key])


def supervises(scope: ReadScope, supervisor: PersonRef, person: PersonRef) -> bool:
    """True when ``supervisor`` is ``person``'s supervisor on the current roster."""
    return bool(supervisor.employee_id and person.record.get("supervisor_id") == supervisor.employee_id)


# ---------------------------------------------------------------------------------------------------------------
# Transcript
# ---------------------------------------------------------------------------------------------------------------

ENTRY_FIELDS = ("activity", "name", "activity_type", "outcome", "date", "start_date", "end_date", "school_year",
                "hours", "hours_source", "credit_type", "credit_amount", "delivery_model", "classification",
                "provider", "instructors", "score", "registration", "agent", "statement_ids")


def _entry_json(r: Any) -> dict[str, Any]:
    return {
        "activity": r.activity_id, "name": r.name or r.activity_id, "activity_type": r.activity_type,
        "outcome": r.outcome, "date": r.date, "start_date": r.start_date, "end_date": r.end_date,
        "school_year": r.school_year, "hours": round(float(r.hours), 2), "hours_source": r.hours_source,
        "credit": {"type": r.credit_type, "amount": r.credit_amount} if r.credit_type else None,
        "delivery_model": r.delivery_model, "classification": r.classification, "provider": r.provider,
        "instructors": orjson.loads(r.instructors), "score": r.score, "registration": r.registration,
        "agent": r.actor_key, "statement_ids": orjson.loads(r.statement_ids),
    }


def _entry_filters(filters: Mapping[str, Any]) -> list[Any]:
    te = transcript_entries
    conds = []
    for col, key in (("school_year", "school_year"), ("delivery_model", "delivery_model"),
                     ("classification", "classification"), ("outcome", "outcome"), ("activity_id", "activity")):
        if filters.get(key):
            conds.append(te.c[col] == filters[key])
    if filters.get("from"):
        conds.append(te.c.date >= filters["from"])
    if filters.get("to"):
        conds.append(te.c.date <= filters["to"])
    return conds


def totals(entries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Hours in total, by school year, by delivery model and by classification (credited entries only)."""
    out: dict[str, Any] = {"hours": 0.0, "entries": len(entries), "by_school_year": {}, "by_delivery_model": {},
                           "by_classification": {}}
    for e in entries:
        h = float(e["hours"])
        out["hours"] += h
        for key, field_ in (("by_school_year", "school_year"), ("by_delivery_model", "delivery_model"),
                            ("by_classification", "classification")):
            out[key][e[field_]] = out[key].get(e[field_], 0.0) + h
    out["hours"] = round(out["hours"], 2)
    for key in ("by_school_year", "by_delivery_model", "by_classification"):
        out[key] = {k: round(v, 2) for k, v in sorted(out[key].items())}
    return out


def transcript(scope: ReadScope, person: PersonRef, filters: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The transcript JSON of interfaces.md: ``{"person", "entries", "totals"}``, entries in date order."""
    te = transcript_entries
    q = (select(te).where(te.c.gen == scope.gen(TRANSCRIPT), te.c.actor_key.in_(person.identifiers),
                          *_entry_filters(filters or {}))
         .order_by(te.c.date, te.c.activity_id, te.c.entry_key))
    entries = [_entry_json(r) for r in scope.conn.execute(q)] if person.identifiers else []
    return {"person": person.as_json(), "entries": entries, "totals": totals(entries)}


# ---------------------------------------------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------------------------------------------

def list_people(scope: ReadScope, filters: Mapping[str, Any], limit: int, after: str | None
                ) -> tuple[list[dict[str, Any]], str | None]:
    """Roster people (keyset-paged by employee id); returns (items, cursor of the next page or None)."""
    conn, pg = scope.conn, scope.gen(PEOPLE)
    q = select(people).where(people.c.gen == pg)
    if filters.get("building"):
        q = q.where(people.c.building == filters["building"])
    if filters.get("status"):
        q = q.where(people.c.status == filters["status"])
    if filters.get("supervisor"):
        q = q.where(people.c.supervisor_id == filters["supervisor"])
    if filters.get("role"):
        q = q.where(people.c.employee_id.in_(select(people_roles.c.employee_id).where(
            people_roles.c.gen == pg, people_roles.c.role == str(filters["role"]).lower())))
    if filters.get("q"):
        like = f"%{str(filters['q']).lower()}%"
        q = q.where(or_(func.lower(people.c.name).like(like), func.lower(people.c.email).like(like),
                        func.lower(people.c.employee_id).like(like)))
    if after:
        q = q.where(people.c.employee_id > after)
    rows = conn.execute(q.order_by(people.c.employee_id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    ids = [r.employee_id for r in rows]
    idents: dict[str, list[str]] = {}
    if ids:
        for r in conn.execute(select(person_identifiers.c.employee_id, person_identifiers.c.agent_key)
                              .where(person_identifiers.c.gen == pg, person_identifiers.c.employee_id.in_(ids))
                              .order_by(person_identifiers.c.agent_key)):
            idents.setdefault(r.employee_id, []).append(r.agent_key)
    items = [{"id": r.employee_id, **_person_row(r), "matched": True, "identifiers": idents.get(r.employee_id, [])}
             for r in rows]
    return items, (rows[-1].employee_id if more and rows else None)


def list_unmatched(scope: ReadScope, filters: Mapping[str, Any], limit: int, after: str | None
                   ) -> tuple[list[dict[str, Any]], str | None]:
    """Learner agents seen in statements that no roster person is linked to (for an administrator to link)."""
    conn, pg = scope.conn, scope.gen(PEOPLE)
    pa, pi = people_agents, person_identifiers
    q = (select(pa).outerjoin(pi, and_(pi.c.gen == pg, pi.c.agent_key == pa.c.agent_key))
         .where(pa.c.gen == pg, pi.c.agent_key.is_(None)))
    if filters.get("q"):
        like = f"%{str(filters['q']).lower()}%"
        q = q.where(or_(func.lower(pa.c.name).like(like), func.lower(pa.c.agent_key).like(like)))
    if after:
        q = q.where(pa.c.agent_key > after)
    rows = conn.execute(q.order_by(pa.c.agent_key).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [{"id": r.agent_key, "name": r.name, "matched": False, "identifiers": [r.agent_key],
              "first_seen": r.first_stored, "last_seen": r.last_stored} for r in rows]
    return items, (rows[-1].agent_key if more and rows else None)


def person_history(scope: ReadScope, employee_id: str) -> list[dict[str, Any]]:
    """Every roster version of an employee, oldest effective date first."""
    pv = people_versions
    rows = scope.conn.execute(select(pv).where(pv.c.gen == scope.gen(PEOPLE), pv.c.employee_id == employee_id)
                              .order_by(pv.c.effective_date, pv.c.position))
    return [{"effective_date": r.effective_date, "name": r.name, "email": r.email, "roles": orjson.loads(r.roles),
             "building": r.building, "supervisor_id": r.supervisor_id, "hire_date": r.hire_date,
             "status": r.status, "changed": orjson.loads(r.changed), "position": r.position} for r in rows]


def person_on(scope: ReadScope, employee_id: str, on_date: str) -> dict[str, Any] | None:
    """An employee's roster record in effect on ``on_date`` (roles, building... for compliance rules)."""
    pv = people_versions
    r = scope.conn.execute(select(pv).where(pv.c.gen == scope.gen(PEOPLE), pv.c.employee_id == employee_id,
                                            pv.c.effective_date <= on_date)
                           .order_by(pv.c.effective_date.desc(), pv.c.position.desc()).limit(1)).first()
    if r is None:
        return None
    return {"employee_id": r.employee_id, "name": r.name, "email": r.email, "roles": orjson.loads(r.roles),
            "building": r.building, "supervisor_id": r.supervisor_id, "hire_date": r.hire_date,
            "status": r.status, "effective_date": r.effective_date}


def list_entries(scope: ReadScope, filters: Mapping[str, Any], limit: int, after: str | None
                 ) -> tuple[list[dict[str, Any]], str | None]:
    """Every transcript entry with its person (a flat export for data teams), keyset-paged by entry key."""
    te, pi, p = transcript_entries, person_identifiers, people
    pg, tg = scope.gen(PEOPLE), scope.gen(TRANSCRIPT)
    q = (select(te, pi.c.employee_id, p.c.name.label("person_name"), p.c.building, p.c.roles)
         .outerjoin(pi, and_(pi.c.gen == pg, pi.c.agent_key == te.c.actor_key))
         .outerjoin(p, and_(p.c.gen == pg, p.c.employee_id == pi.c.employee_id))
         .where(te.c.gen == tg, *_entry_filters(filters)))
    if filters.get("building"):
        q = q.where(p.c.building == filters["building"])
    if filters.get("role"):
        q = q.where(pi.c.employee_id.in_(select(people_roles.c.employee_id).where(
            people_roles.c.gen == pg, people_roles.c.role == str(filters["role"]).lower())))
    if filters.get("unmatched") is not None:
        q = q.where(pi.c.employee_id.is_(None) if filters["unmatched"] else pi.c.employee_id.is_not(None))
    if after:
        q = q.where(te.c.entry_key > after)
    rows = scope.conn.execute(q.order_by(te.c.entry_key).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [{"entry": r.entry_key, "person": r.employee_id or r.actor_key, "employee_id": r.employee_id,
              "person_name": r.person_name, "building": r.building, **_entry_json(r)} for r in rows]
    return items, (rows[-1].entry_key if more and rows else None)


def hours_report(scope: ReadScope, group_by: Sequence[str], filters: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Hours, entries and distinct people grouped by any of school_year, delivery_model, classification,
    outcome, building (current roster), activity — the board report's "PD hours by delivery model"."""
    te, pi, p = transcript_entries, person_identifiers, people
    pg, tg = scope.gen(PEOPLE), scope.gen(TRANSCRIPT)
    cols = {"school_year": te.c.school_year, "delivery_model": te.c.delivery_model,
            "classification": te.c.classification, "outcome": te.c.outcome, "building": p.c.building,
            "activity": te.c.activity_id}
    keys = [cols[g].label(g) for g in group_by]
    person = func.coalesce(pi.c.employee_id, te.c.actor_key)
    q = (select(*keys, func.sum(te.c.hours).label("hours"), func.count().label("entries"),
                func.count(person.distinct()).label("people"))
         .select_from(te)
         .outerjoin(pi, and_(pi.c.gen == pg, pi.c.agent_key == te.c.actor_key))
         .outerjoin(p, and_(p.c.gen == pg, p.c.employee_id == pi.c.employee_id))
         .where(te.c.gen == tg, *_entry_filters(filters)))
    if filters.get("building"):
        q = q.where(p.c.building == filters["building"])
    if keys:
        q = q.group_by(*keys).order_by(*keys)
    return [{**{g: getattr(r, g) for g in group_by}, "hours": round(float(r.hours or 0), 2),
             "entries": int(r.entries), "people": int(r.people)} for r in scope.conn.execute(q)]


def status(engine: Engine) -> dict[str, Any]:
    """The log head and every projection generation's position and lag (events and seconds)."""
    from lrs.eventlog.tables import events
    from projections import registry
    from projections.engine import list_checkpoints
    from projections.tables import projection_leases

    with engine.connect() as conn:
        head_row = conn.execute(select(events.c.position, events.c.recorded_at)
                                .order_by(events.c.position.desc()).limit(1)).first()
        head = int(head_row.position) if head_row else 0
        cps = list_checkpoints(conn)
        owners = {r.name: (r.owner, r.expires_at) for r in conn.execute(select(projection_leases))}
        out = []
        now = utc_now()
        for name in sorted(set(registry.names()) | {c.name for c in cps}):
            gens = [c for c in cps if c.name == name]
            active = next((c for c in gens if c.status == "active"), None)
            item: dict[str, Any] = {"name": name, "generation": active.gen if active else None,
                                    "position": active.position if active else 0}
            item["lag"] = head - item["position"]
            lag_s = 0.0
            if item["lag"] > 0:
                first = conn.execute(select(events.c.recorded_at).where(events.c.position == item["position"] + 1)
                                     ).scalar()
                t = parse_time(first) if first else None
                lag_s = max(0.0, (now - t).total_seconds()) if t else 0.0
            item["lag_seconds"] = round(lag_s, 3)
            if name in owners:
                item["lease_owner"] = owners[name][0]
            item["builds"] = [{"generation": c.gen, "status": c.status, "position": c.position, "upto": c.upto}
                              for c in gens if c is not active]
            out.append(item)
    return {"head": head, "head_recorded_at": head_row.recorded_at if head_row else None, "projections": out}
