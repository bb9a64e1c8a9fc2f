"""Reading transcript@v1: a person's transcript, the district export, hours grouped for reports."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import and_, func, select

from projections.people.queries import PEOPLE, TRANSCRIPT, PersonRef
from projections.people.tables import people, people_roles, person_identifiers
from projections.scope import ReadScope
from projections.transcript.tables import transcript_entries


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
