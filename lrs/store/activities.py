"""Canonical Activity definitions and the names seen for each Agent, maintained from stored statements.

:func:`record_statement_metadata` runs inside the statements store's write transaction, so the ``activities``
and ``agent_names`` tables commit atomically with the events that stored the statements. It works a batch at a
time: one query loads the rows for every id in the batch, the merge happens in memory, and one upsert writes
only the rows that changed.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
from sqlalchemy import Connection, select

from lrs.db.bulk import chunks, upsert
from lrs.store.tables import activities, agent_names

from lrs.xapi.model import agent_key

IFI_PROPERTIES = ("mbox", "mbox_sha1sum", "openid", "account")
LANGUAGE_MAPS = ("name", "description")
INTERACTION_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")
# Bound parameters per IN (...) query: well under SQLite's limit (32766 since 3.32, 999 before).


def _dumps(obj: Any) -> str:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS).decode()


# --- walking statements ------------------------------------------------------------------------------------

def iter_activities(stmt: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every Activity object in a statement: object, context activities, and the same inside a SubStatement."""
    obj = stmt.get("object")
    if isinstance(obj, dict):
        ot = obj.get("objectType", "Activity")
        if ot == "Activity" and isinstance(obj.get("id"), str):
            yield obj
        elif ot == "SubStatement":
            yield from iter_activities(obj)
    ctx = stmt.get("context")
    if isinstance(ctx, dict) and isinstance(ctx.get("contextActivities"), dict):
        for kind in CONTEXT_ACTIVITY_KINDS:
            acts = ctx["contextActivities"].get(kind)
            # 1.0.3 lets a single Activity stand for a one-item array.
            for a in ([acts] if isinstance(acts, dict) else acts if isinstance(acts, list) else []):
                if isinstance(a, dict) and isinstance(a.get("id"), str):
                    yield a


def _agent_and_members(obj: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(obj, dict):
        return
    if any(obj.get(p) is not None for p in IFI_PROPERTIES):
        yield obj
    if obj.get("objectType") == "Group":
        for m in obj.get("member") or []:
            if isinstance(m, dict) and any(m.get(p) is not None for p in IFI_PROPERTIES):
                yield m


def iter_agents(stmt: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every identified Agent or Group in a statement (actor, object, members, instructor, team, context agents
    and groups, authority), recursing into a SubStatement."""
    yield from _agent_and_members(stmt.get("actor"))
    obj = stmt.get("object")
    if isinstance(obj, dict):
        if obj.get("objectType") in ("Agent", "Group"):
            yield from _agent_and_members(obj)
        elif obj.get("objectType") == "SubStatement":
            yield from iter_agents(obj)
    ctx = stmt.get("context")
    if isinstance(ctx, dict):
        yield from _agent_and_members(ctx.get("instructor"))
        yield from _agent_and_members(ctx.get("team"))
        for ca in ctx.get("contextAgents") or []:  # xAPI 2.0
            if isinstance(ca, dict):
                yield from _agent_and_members(ca.get("agent"))
        for cg in ctx.get("contextGroups") or []:
            if isinstance(cg, dict):
                yield from _agent_and_members(cg.get("group"))
    yield from _agent_and_members(stmt.get("authority"))


def ifi_of(agent: dict[str, Any]) -> dict[str, Any]:
    """The identifying property of an Agent or identified Group, e.g. ``{"mbox": "mailto:a@b.org"}``."""
    for p in IFI_PROPERTIES:
        if agent.get(p) is not None:
            return {p: agent[p]}
    return {}


# --- merging definitions -----------------------------------------------------------------------------------

def _merge_components(old: list[Any], new: list[Any]) -> list[Any]:
    """The new component list, each component keeping descriptions in languages only the old one had."""
    old_by_id = {c.get("id"): c for c in old if isinstance(c, dict)}
    out = []
    for c in new:
        prev = old_by_id.get(c.get("id")) if isinstance(c, dict) else None
        if prev is not None and isinstance(prev.get("description"), dict) and isinstance(c.get("description"), dict):
            c = {**c, "description": {**prev["description"], **c["description"]}}
        out.append(c)
    return out


def merge_definition(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The canonical definition after receiving ``new``: language maps (name, description, interaction component
    descriptions) merge language by language, every other property is replaced by the newest value.

    This keeps a translation sent in one statement when another statement sends the same Activity in a different
    language (xAPI 1.0.3 Communication 2.5, conformance XAPI-00254), while corrections (a new type, moreInfo,
    extensions) take effect as the spec's "SHOULD update the stored Activity Definition" asks.
    """
    out = dict(old)
    for k, v in new.items():
        prev = out.get(k)
        if k in LANGUAGE_MAPS and isinstance(v, dict) and isinstance(prev, dict):
            out[k] = {**prev, **v}
        elif k in INTERACTION_COMPONENT_LISTS and isinstance(v, list) and isinstance(prev, list):
            out[k] = _merge_components(prev, v)
        else:
            out[k] = v
    return out


# --- the write-side entry point ----------------------------------------------------------------------------

def _upsert(conn: Connection, table: Any, key: str, rows: list[dict[str, Any]], update_cols: list[str]) -> None:
    """Insert ``rows`` or update ``update_cols`` of the rows whose ``key`` exists; rows are unique per key."""
    upsert(conn, table, rows, [key], update_cols)


def record_statement_metadata(conn: Connection, statements: list[dict[str, Any]], position: int, *,
                              can_define: bool = True) -> None:
    """Merge the Activity definitions and Agent names in ``statements`` into ``activities`` / ``agent_names``.

    Call inside the write transaction that stores the statements, with ``position`` the log position of the
    event that stores them. Statements are taken in order, so within a batch the later definition wins.

    ``can_define`` is whether the storing credential holds the ``define`` scope (or ``all``): without it the
    LRS records new Activity ids but does not (re)define Activities (xAPI 1.0.3 Communication 4.2, scope
    ``define``). Agent names are always recorded: they are what was seen, not a canonical definition.
    """
    seen_defs: dict[str, list[dict[str, Any]]] = {}
    seen_agents: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for stmt in statements:
        for act in iter_activities(stmt):
            defs = seen_defs.setdefault(act["id"], [])
            d = act.get("definition")
            if can_define and isinstance(d, dict) and d:
                defs.append(d)
        for ag in iter_agents(stmt):
            k = agent_key(ag)
            if k is None:  # e.g. an account without a name: nothing to key it by
                continue
            entry = seen_agents.get(k)
            if entry is None:
                entry = seen_agents[k] = (ifi_of(ag), [])
            name = ag.get("name")
            if isinstance(name, str) and name and name not in entry[1]:
                entry[1].append(name)
    _record_activities(conn, seen_defs, position)
    _record_agents(conn, seen_agents)


def _record_activities(conn: Connection, seen: dict[str, list[dict[str, Any]]], position: int) -> None:
    if not seen:
        return
    ids = list(seen)
    existing: dict[str, str] = {}
    for chunk in chunks(ids):
        for r in conn.execute(select(activities.c.activity_id, activities.c.definition)
                              .where(activities.c.activity_id.in_(chunk))):
            existing[r.activity_id] = r.definition
    rows = []
    for aid in ids:
        old_text = existing.get(aid)
        if old_text is None:
            merged: dict[str, Any] = {}
        elif not seen[aid]:
            continue  # known, and nothing new to merge
        else:
            merged = orjson.loads(old_text)
        for d in seen[aid]:
            merged = merge_definition(merged, d)
        text = _dumps(merged)
        if text != old_text:
            rows.append({"activity_id": aid, "definition": text, "updated_position": position})
    _upsert(conn, activities, "activity_id", rows, ["definition", "updated_position"])


def _record_agents(conn: Connection, seen: dict[str, tuple[dict[str, Any], list[str]]]) -> None:
    if not seen:
        return
    keys = list(seen)
    existing: dict[str, list[str]] = {}
    for chunk in chunks(keys):
        for r in conn.execute(select(agent_names.c.agent_key, agent_names.c.names)
                              .where(agent_names.c.agent_key.in_(chunk))):
            existing[r.agent_key] = orjson.loads(r.names)
    rows = []
    for k in keys:
        ifi, names = seen[k]
        old = existing.get(k)
        if old is None:
            rows.append({"agent_key": k, "agent": _dumps(ifi), "names": _dumps(names)})
        else:
            new = old + [n for n in names if n not in old]
            if len(new) != len(old):
                rows.append({"agent_key": k, "agent": _dumps(ifi), "names": _dumps(new)})
    _upsert(conn, agent_names, "agent_key", rows, ["names"])


# --- the read side -----------------------------------------------------------------------------------------

def get_activity(conn: Connection, activity_id: str) -> dict[str, Any]:
    """The canonical Activity object for ``activity_id``; just ``{"objectType", "id"}`` when nothing is known."""
    text = conn.execute(select(activities.c.definition).where(activities.c.activity_id == activity_id)).scalar()
    out: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if text:
        definition = orjson.loads(text)
        if definition:
            out["definition"] = definition
    return out


def person_for_agent(conn: Connection, agent: dict[str, Any]) -> dict[str, Any]:
    """The Person object (xAPI Communication 2.4) for a valid Agent: every identifier and name the LRS links to
    it. Today that is the Agent's own identifier and the names seen with it in statements (plus the one given);
    extend here when a roster links more identifiers of the same person.
    """
    key = agent_key(agent)
    names: list[str] = []
    text = conn.execute(select(agent_names.c.names).where(agent_names.c.agent_key == key)).scalar() if key else None
    if text:
        names.extend(orjson.loads(text))
    if isinstance(agent.get("name"), str) and agent["name"] and agent["name"] not in names:
        names.append(agent["name"])
    person: dict[str, Any] = {"objectType": "Person"}
    if names:
        person["name"] = names
    for prop, value in ifi_of(agent).items():
        if prop == "account":
            value = {"homePage": value.get("homePage"), "name": value.get("name")}
        person[prop] = [value]
    return person
