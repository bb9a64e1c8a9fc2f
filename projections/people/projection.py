"""people@v1: the staff roster with its history, the identifiers linked to each person, and learners seen.

Inputs: ``roster.person_upserted`` (written by ``lrs roster import``, see ``lrs.roster.importer``),
``person.identifier_linked`` / ``person.identifier_unlinked`` (an administrator linking an agent to an employee),
and ``statements.stored`` (every agent a transcript credits, so agents not on the roster can be listed as
unmatched). The current ``people`` row is the version with the greatest (effective date, position), so a
back-dated correction lands in the history without overriding a later change.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete, select

from lrs.eventlog.store import RecordedEvent, dumps
from projections.engine import BaseProjection
from lrs.roster.identity import credited_agents, email_keys, match_key
from lrs.xapi.model import VOIDED_VERB_ID
from projections.transcript.vocabulary import COACHING_VERBS
from lrs.db.bulk import chunks, insert_rows, upsert
from projections.people.tables import people, people_agents, people_roles, people_versions, person_identifiers

PERSON_UPSERTED = "roster.person_upserted"
IDENTIFIER_LINKED = "person.identifier_linked"
IDENTIFIER_UNLINKED = "person.identifier_unlinked"
STATEMENTS_STORED = "statements.stored"
# (learners seen: agent key -> name, first/last position and stored time; roster and identifier events in order)
Prepared = tuple[dict[str, dict[str, Any]], list[RecordedEvent]]
PERSON_FIELDS = ("name", "email", "roles", "building", "supervisor_id", "hire_date", "status",
                 "account_homepage", "account_name")


def person_keys(person: Mapping[str, Any]) -> list[str]:
    """The agent match keys a roster person is known by (e-mail as mbox and mbox_sha1sum, the account)."""
    keys: list[str] = []
    if person.get("email"):
        keys.extend(email_keys(str(person["email"])))
    if person.get("account_homepage") and person.get("account_name"):
        k = match_key({"account": {"homePage": person["account_homepage"], "name": person["account_name"]}})
        if k:
            keys.append(k)
    return keys


def learners(stmt: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The agents a statement is about as learners: its actor(s), or the coachee of a coaching statement."""
    verb = (stmt.get("verb") or {}).get("id")
    if verb == VOIDED_VERB_ID:
        return []
    obj = stmt.get("object") or {}
    if verb in COACHING_VERBS and obj.get("objectType") in ("Agent", "Group"):
        return list(credited_agents(obj))
    return list(credited_agents(stmt.get("actor")))


class PeopleProjection(BaseProjection):
    """Projection ``people@v1`` (tables ``people``, ``people_roles``, ``people_versions``, ``person_identifiers``,
    ``people_agents``)."""

    name = "people@v1"
    event_types = frozenset({PERSON_UPSERTED, IDENTIFIER_LINKED, IDENTIFIER_UNLINKED, STATEMENTS_STORED})
    tables: Sequence[Table] = (people, people_roles, people_versions, person_identifiers, people_agents)

    def handle(self, conn: Connection, gen: int, events: Sequence[RecordedEvent]) -> None:
        self.apply(conn, gen, self.prepare(events))

    def prepare(self, events: Sequence[RecordedEvent]) -> Prepared:
        """The per-statement work, without the database: the learners seen in statements (folded per agent) and
        the roster/identifier events, in log order, for :meth:`apply`."""
        seen: dict[str, dict[str, Any]] = {}
        others: list[RecordedEvent] = []
        for ev in events:
            if ev.type == STATEMENTS_STORED:
                for stmt in ev.payload.get("statements") or []:
                    stored = str(stmt.get("stored") or ev.recorded_at)
                    for key, agent in learners(stmt):
                        name = agent.get("name") if isinstance(agent.get("name"), str) else None
                        s = seen.get(key)
                        if s is None:
                            seen[key] = {"name": name, "first_position": ev.position, "last_position": ev.position,
                                         "first_stored": stored, "last_stored": stored}
                        else:
                            s["name"] = name or s["name"]
                            s["last_position"], s["last_stored"] = ev.position, max(stored, s["last_stored"])
            elif ev.type in (PERSON_UPSERTED, IDENTIFIER_LINKED, IDENTIFIER_UNLINKED):
                others.append(ev)
        return seen, others

    def apply(self, conn: Connection, gen: int, prepared: Prepared) -> None:
        """Write what :meth:`prepare` found into generation ``gen``."""
        seen, others = prepared
        # Consecutive roster events are applied together (a few statements per table instead of five per
        # person); the run is flushed before a link/unlink so person_identifiers still sees the log's order.
        # (Statements only touch people_agents, so their place in the order does not matter.)
        run: list[RecordedEvent] = []
        for ev in others:
            if ev.type == PERSON_UPSERTED:
                run.append(ev)
            elif ev.type == IDENTIFIER_LINKED:
                self._upsert_people(conn, gen, run)
                run = []
                p = ev.payload
                upsert(conn, person_identifiers, [{"gen": gen, "agent_key": p["agent_key"],
                                                   "employee_id": p["employee_id"], "source": "linked",
                                                   "position": ev.position}],
                       ["gen", "agent_key"], ["employee_id", "source", "position"])
            elif ev.type == IDENTIFIER_UNLINKED:
                self._upsert_people(conn, gen, run)
                run = []
                p = ev.payload
                pi = person_identifiers
                conn.execute(delete(pi).where(pi.c.gen == gen, pi.c.agent_key == p["agent_key"],
                                              pi.c.employee_id == p["employee_id"]))
        self._upsert_people(conn, gen, run)
        if seen:
            self._record_agents(conn, gen, seen)

    def _upsert_people(self, conn: Connection, gen: int, run: Sequence[RecordedEvent]) -> None:
        """Apply consecutive ``roster.person_upserted`` events; the same rows as applying them one by one."""
        if not run:
            return
        eids = {ev.payload["employee_id"] for ev in run}
        current: dict[str, tuple[str, int]] = {}
        for chunk in chunks(sorted(eids)):
            for r in conn.execute(select(people.c.employee_id, people.c.effective_date, people.c.position)
                                  .where(people.c.gen == gen, people.c.employee_id.in_(chunk))):
                current[r.employee_id] = (r.effective_date, int(r.position))
        versions: dict[tuple[str, int], dict[str, Any]] = {}
        winners: dict[str, tuple[dict[str, Any], list[str]]] = {}
        idents: dict[str, dict[str, Any]] = {}  # by agent key: the last event's value wins, as with one-by-one
        for ev in run:
            p = ev.payload
            eid, eff, person = p["employee_id"], p["effective_date"], p["person"]
            fields = {f: person.get(f) for f in PERSON_FIELDS}
            roles = list(fields["roles"] or [])
            fields["roles"] = dumps(roles)
            versions.setdefault((eid, ev.position), {
                "gen": gen, "employee_id": eid, "position": ev.position, "effective_date": eff,
                **{k: fields[k] for k in ("name", "email", "roles", "building", "supervisor_id", "hire_date",
                                          "status")},
                "changed": dumps(p.get("changed") or []),
            })
            cur = current.get(eid)
            if cur is None or (eff, ev.position) >= cur:
                current[eid] = (eff, ev.position)
                winners[eid] = ({"gen": gen, "employee_id": eid, "effective_date": eff, "position": ev.position,
                                 **fields}, sorted(set(roles)))
            # Identifiers accumulate: statements made under a previous e-mail address still belong to this person.
            for k in person_keys(person):
                idents[k] = {"gen": gen, "agent_key": k, "employee_id": eid, "source": "roster",
                             "position": ev.position}
        upsert(conn, people_versions, list(versions.values()), ["gen", "employee_id", "position"])
        if winners:
            changed = sorted(winners)
            for chunk in chunks(changed):
                conn.execute(delete(people).where(people.c.gen == gen, people.c.employee_id.in_(chunk)))
                conn.execute(delete(people_roles).where(people_roles.c.gen == gen,
                                                        people_roles.c.employee_id.in_(chunk)))
            insert_rows(conn, people, [winners[e][0] for e in changed])
            insert_rows(conn, people_roles, [{"gen": gen, "employee_id": e, "role": r}
                                             for e in changed for r in winners[e][1]])
        upsert(conn, person_identifiers, list(idents.values()), ["gen", "agent_key"],
               ["employee_id", "source", "position"])

    def _record_agents(self, conn: Connection, gen: int, seen: dict[str, dict[str, Any]]) -> None:
        pa = people_agents
        for keys in chunks(sorted(seen)):
            existing = {r.agent_key: r for r in conn.execute(select(pa).where(pa.c.gen == gen,
                                                                              pa.c.agent_key.in_(keys)))}
            rows = []
            for k in keys:
                s, old = seen[k], existing.get(k)
                if old is not None:
                    # min/max make re-application harmless (the handler stays idempotent per agent).
                    s = {"name": s["name"] or old.name,
                         "first_position": min(int(old.first_position), s["first_position"]),
                         "last_position": max(int(old.last_position), s["last_position"]),
                         "first_stored": min(old.first_stored, s["first_stored"]),
                         "last_stored": max(old.last_stored, s["last_stored"])}
                rows.append({"gen": gen, "agent_key": k, **s})
            upsert(conn, pa, rows, ["gen", "agent_key"],
                   ["name", "first_position", "last_position", "first_stored", "last_stored"])
