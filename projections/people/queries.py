"""Reading people@v1: resolving a person, the roster, its history, the agents no one is linked to."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import orjson
from sqlalchemy import and_, func, or_, select

from lrs.roster.identity import is_agent_key, normalize_key
from projections.people.projection import PeopleProjection
from projections.people.tables import people, people_agents, people_roles, people_versions, person_identifiers
from projections.scope import ReadScope
from projections.transcript.projection import TranscriptProjection
from projections.transcript.tables import transcript_entries

PEOPLE = PeopleProjection.name
TRANSCRIPT = TranscriptProjection.name


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
