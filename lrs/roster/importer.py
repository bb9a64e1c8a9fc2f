"""The staff roster: importing the district's CSV as events, and linking agent identifiers to employees.

Every change is an event on stream ``roster``:

* ``roster.person_upserted`` ``{"employee_id", "effective_date", "person": {name, email, roles, building,
  supervisor_id, hire_date, status, account_homepage, account_name}, "changed": [fields], "extra": {column:
  value}, "source": {"file", "sha256", "line"}}`` — the person's full record after the change, so the history of
  roles, buildings, supervisors and status is the sequence of these events (``people_versions``).
* ``person.identifier_linked`` / ``person.identifier_unlinked`` ``{"employee_id", "agent_key", "agent", "by"}``.

An import validates every row first and writes nothing if any row is invalid; otherwise it appends one event per
new or changed person (comparing with the roster as the log records it), so re-importing a file adds nothing.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson
from sqlalchemy import select

from lrs.eventlog.store import EventStore, NewEvent, RecordedEvent
from lrs.eventlog.tables import events as events_table
from lrs.roster.identity import key_to_agent, match_key, normalize_key
from lrs.times import format_date, parse_date

STREAM = "roster"
PERSON_UPSERTED = "roster.person_upserted"
IDENTIFIER_LINKED = "person.identifier_linked"
IDENTIFIER_UNLINKED = "person.identifier_unlinked"
REQUIRED_COLUMNS = ("employee_id", "name", "email", "roles", "building", "supervisor_id", "hire_date", "status")
OPTIONAL_COLUMNS = ("account_homepage", "account_name", "effective_date")
FIELDS = ("name", "email", "roles", "building", "supervisor_id", "hire_date", "status", "account_homepage",
          "account_name")
STATUSES = ("active", "inactive")

# The roster's columns as the people read model stores them (varchar lengths).
_MAX_LENGTHS = {"name": 300, "email": 320, "building": 200, "account_homepage": 2000, "account_name": 300}
_EMPLOYEE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
_ROLE = re.compile(r"^[a-z0-9][a-z0-9 _/-]{0,99}$")


class RosterError(Exception):
    """A request the roster refuses (unknown employee, malformed identifier)."""


@dataclass(frozen=True)
class RowError:
    line: int
    employee_id: str | None
    message: str

    def __str__(self) -> str:
        who = f" (employee_id {self.employee_id})" if self.employee_id else ""
        return f"line {self.line}{who}: {self.message}"


@dataclass
class ImportResult:
    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------------------------------------------------------
# Parsing and validation
# ---------------------------------------------------------------------------------------------------------------

def _iso_date(value: str) -> str | None:
    try:
        return format_date(parse_date(value))
    except ValueError:
        return None


def _roles(value: str) -> list[str]:
    out: list[str] = []
    for r in value.split(";"):
        r = " ".join(r.strip().lower().split())
        if r and r not in out:
            out.append(r)
    return out


def parse_roster(text: str, known_ids: Iterable[str] = ()) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Validate a roster CSV. Returns (rows, errors); rows are normalised person records with ``line``,
    ``employee_id``, ``effective_date`` (or None) and ``extra`` (the columns the roster does not use)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return [], [RowError(1, None, f"missing column(s): {', '.join(missing)} (need {', '.join(REQUIRED_COLUMNS)})")]
    reader.fieldnames = header
    raw_rows = []
    for raw in reader:
        line = reader.line_num
        if not any((v or "").strip() for k, v in raw.items() if k is not None):
            continue  # a blank line
        raw_rows.append((line, raw))
    ids_in_file = {(raw.get("employee_id") or "").strip() for _, raw in raw_rows}
    known = set(known_ids) | ids_in_file
    rows: list[dict[str, Any]] = []
    errors: list[RowError] = []
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for line, raw in raw_rows:
        if None in raw:
            errors.append(RowError(line, None, "more fields than header columns"))
            continue
        v = {k: (val or "").strip() for k, val in raw.items()}
        eid = v.get("employee_id", "")
        problems: list[str] = []
        if not _EMPLOYEE_ID.match(eid):
            problems.append(f"employee_id {eid!r} must be 1-100 letters, digits, '.', '_' or '-'")
        elif eid in seen_ids:
            problems.append(f"employee_id {eid!r} already appears on line {seen_ids[eid]}")
        if not v.get("name"):
            problems.append("name is empty")
        for col, most in _MAX_LENGTHS.items():
            if len(v.get(col) or "") > most:
                problems.append(f"{col} is longer than {most} characters")
        if any("\x00" in (val or "") for val in v.values()):
            problems.append("a field contains a NUL character")
        email = v.get("email", "")
        home, acct = v.get("account_homepage", ""), v.get("account_name", "")
        if email and not _EMAIL.match(email):
            problems.append(f"email {email!r} is not a valid address")
        elif email and email.lower() in seen_emails:
            problems.append(f"email {email!r} already appears on line {seen_emails[email.lower()]}")
        if bool(home) != bool(acct):
            problems.append("account_homepage and account_name go together")
        elif home and not re.match(r"^https?://\S+$", home):
            problems.append(f"account_homepage {home!r} is not an http(s) IRI")
        if not email and not home:
            problems.append("needs an email or an account_homepage/account_name to link statements to")
        roles = _roles(v.get("roles", ""))
        if not roles:
            problems.append("roles is empty (a ';'-separated list such as 'teacher;coach')")
        bad_roles = [r for r in roles if not _ROLE.match(r)]
        if bad_roles:
            problems.append(f"role(s) {', '.join(repr(r) for r in bad_roles)} contain characters other than "
                            "letters, digits, spaces, '_', '-', '/'")
        sup = v.get("supervisor_id", "")
        if sup and sup == eid:
            problems.append("supervisor_id is the employee's own id")
        elif sup and sup not in known:
            problems.append(f"supervisor_id {sup!r} is neither in this file nor on the roster")
        hire = _iso_date(v.get("hire_date", "")) if v.get("hire_date") else None
        if not v.get("hire_date"):
            problems.append("hire_date is empty")
        elif hire is None:
            problems.append(f"hire_date {v['hire_date']!r} is not an ISO 8601 date (YYYY-MM-DD)")
        status = v.get("status", "").lower()
        if status not in STATUSES:
            problems.append(f"status {v.get('status', '')!r} must be one of {', '.join(STATUSES)}")
        eff = None
        if v.get("effective_date"):
            eff = _iso_date(v["effective_date"])
            if eff is None:
                problems.append(f"effective_date {v['effective_date']!r} is not an ISO 8601 date")
        if problems:
            errors.extend(RowError(line, eid or None, p) for p in problems)
            continue
        seen_ids[eid] = line
        if email:
            seen_emails[email.lower()] = line
        rows.append({
            "line": line, "employee_id": eid, "effective_date": eff,
            "person": {"name": v["name"], "email": email or None, "roles": roles, "building": v.get("building") or None,
                       "supervisor_id": sup or None, "hire_date": hire, "status": status,
                       "account_homepage": home or None, "account_name": acct or None},
            "extra": {k: val for k, val in v.items() if k not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS and val},
        })
    return rows, errors


# ---------------------------------------------------------------------------------------------------------------
# The roster as the log records it
# ---------------------------------------------------------------------------------------------------------------

@dataclass
class RosterState:
    """Each employee's latest record (greatest effective date, then position) and the identifier links."""

    people: dict[str, tuple[str, int, dict[str, Any]]] = field(default_factory=dict)  # eid -> (eff, pos, person)
    links: dict[str, str] = field(default_factory=dict)  # agent_key -> employee_id
    position: int = 0

    def apply(self, ev: RecordedEvent) -> None:
        p = ev.payload
        if ev.type == PERSON_UPSERTED:
            cur = self.people.get(p["employee_id"])
            if cur is None or (p["effective_date"], ev.position) >= (cur[0], cur[1]):
                self.people[p["employee_id"]] = (p["effective_date"], ev.position, p["person"])
        elif ev.type == IDENTIFIER_LINKED:
            self.links[p["agent_key"]] = p["employee_id"]
        elif ev.type == IDENTIFIER_UNLINKED:
            if self.links.get(p["agent_key"]) == p["employee_id"]:
                del self.links[p["agent_key"]]
        self.position = max(self.position, ev.position)


def load_state(store: EventStore, state: RosterState | None = None, conn: Any = None) -> RosterState:
    """Fold the roster stream (from ``state.position`` on, if given) — read page by page."""
    state = state or RosterState()
    e = events_table
    while True:
        q = (select(e).where(e.c.stream == STREAM, e.c.position > state.position).order_by(e.c.position)
             .limit(2000))
        if conn is not None:
            rows = conn.execute(q).all()
        else:
            with store.engine.connect() as c:
                rows = c.execute(q).all()
        if not rows:
            return state
        for r in rows:
            state.apply(RecordedEvent(r.position, r.event_id, r.type, r.stream, orjson.loads(r.payload),
                                      r.recorded_at, r.hash))


def _same(a: Mapping[str, Any], b: Mapping[str, Any], f: str) -> bool:
    x, y = a.get(f), b.get(f)
    if f == "roles":
        return sorted(x or []) == sorted(y or [])
    if f == "email":
        return (x or "").lower() == (y or "").lower()
    return (x or None) == (y or None)


# ---------------------------------------------------------------------------------------------------------------
# Import and linking
# ---------------------------------------------------------------------------------------------------------------

def import_roster(store: EventStore, text: str, *, effective_date: str | None = None, source: str = "roster.csv",
                  dry_run: bool = False) -> ImportResult:
    """Validate and import a roster CSV (see the module docstring). Nothing is written when any row fails."""
    default_eff = _iso_date(effective_date) if effective_date else format_date(date.today())
    if default_eff is None:
        return ImportResult(errors=[RowError(0, None, f"effective date {effective_date!r} is not an ISO 8601 date")])
    state = load_state(store)
    rows, errors = parse_roster(text, known_ids=state.people)
    result = ImportResult(rows=len(rows) + len({e.line for e in errors}), errors=errors)
    if errors:
        return result
    sha = hashlib.sha256(text.encode()).hexdigest()
    with store.write() as tx:
        # Fold anything appended since the read above, under the log's writer lock, so two concurrent imports
        # cannot both decide a change is new.
        load_state(store, state, conn=tx.conn)
        new_events: list[NewEvent] = []
        for row in rows:
            eid, person = row["employee_id"], row["person"]
            cur = state.people.get(eid)
            if cur is None:
                changed = [f for f in FIELDS if person.get(f) not in (None, [], "")]
                # A person's first record holds from their hire date: the best knowledge of when their roles began.
                eff = row["effective_date"] or person["hire_date"] or default_eff
                result.new += 1
            else:
                changed = [f for f in FIELDS if not _same(cur[2], person, f)]
                if not changed:
                    result.unchanged += 1
                    continue
                eff = row["effective_date"] or default_eff
                result.changed += 1
            new_events.append(NewEvent(PERSON_UPSERTED, STREAM, {
                "employee_id": eid, "effective_date": eff, "person": person, "changed": changed,
                "extra": row["extra"], "source": {"file": source, "sha256": sha, "line": row["line"]}}))
        if dry_run or not new_events:
            return result
        result.positions = [ev.position for ev in tx.append(new_events)]
    return result


def link_identifier(store: EventStore, employee_id: str, identifier: str | Mapping[str, Any],
                    by: str | None = None) -> RecordedEvent | None:
    """Record that an agent identifier belongs to an employee; None when it already does (idempotent)."""
    if isinstance(identifier, Mapping):
        key = match_key(identifier)
        if key is None:
            raise RosterError("the agent has no identifier (mbox, mbox_sha1sum, openid or account)")
    else:
        key = normalize_key(identifier)
    try:
        agent = key_to_agent(key)
    except ValueError as e:
        raise RosterError(str(e)) from None
    state = load_state(store)
    with store.write() as tx:
        load_state(store, state, conn=tx.conn)
        if employee_id not in state.people:
            raise RosterError(f"employee {employee_id!r} is not on the roster")
        if state.links.get(key) == employee_id:
            return None
        return tx.append([NewEvent(IDENTIFIER_LINKED, STREAM, {"employee_id": employee_id, "agent_key": key,
                                                                "agent": agent, "by": by})])[0]


def unlink_identifier(store: EventStore, employee_id: str, identifier: str, by: str | None = None
                      ) -> RecordedEvent | None:
    """Undo a manual link; None when the identifier was not linked to that employee."""
    key = normalize_key(identifier)
    state = load_state(store)
    with store.write() as tx:
        load_state(store, state, conn=tx.conn)
        if state.links.get(key) != employee_id:
            return None
        return tx.append([NewEvent(IDENTIFIER_UNLINKED, STREAM, {"employee_id": employee_id, "agent_key": key,
                                                                  "by": by})])[0]
