"""From attendance records to xAPI statements, with ids derived from what the statement says.

Statement ids
-------------
Statements are immutable, so a re-import must be able to tell "already stored" from "changed". Each id is a
UUIDv5 under ``ID_NAMESPACE`` (a fixed UUID of ours) of::

    attendance-import/v1|<session activity IRI>|<employee id>|<attended|registered>|<seconds>|<timestamp UTC>

* The same person at the same session, credited with the same time at the same date, gets the same id from any
  file that says so (the original, a re-export, a corrected file where their row did not change, even another
  importer for the same session IRI) — so re-importing stores nothing new.
* A corrected file with different minutes (or a corrected date, or a status change) gives a different id: the
  old statement is voided and the new one stored.
* The person is the roster's employee id, not the e-mail in the file, so an e-mail fixed in a corrected file
  keeps the id; the file name, line numbers and file hash are in the statement but not in the id.
* Voided ids are never reused: if the id that comes out was voided before (minutes corrected 60 -> 75 -> back
  to 60), ``|r2``, ``|r3``, ... is appended until the id is fresh. The caller passes the voided ids it knows.

Voiding statements are ordinary xAPI voiding statements (verb ``voided``, object StatementRef) with id
UUIDv5(``attendance-import/v1|void|<target id>``): voiding a statement happens once, whichever file asks.
"""
from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from adapters.errors import RowError
from adapters.options import DEFAULT_IRI_BASE
from adapters.people import PersonMatch
from adapters.records import ATTENDED, REGISTERED, Attendance, ParseResult, Session
from adapters.times import iso_duration, parse_duration

ID_NAMESPACE = uuid.UUID("2b7f4c1e-5a9d-4e3b-8f60-7c1d2e9a4b58")
ID_SCHEME = "attendance-import/v1"
VERB_IRIS = {ATTENDED: "http://adlnet.gov/expapi/verbs/attended",
             REGISTERED: "http://adlnet.gov/expapi/verbs/registered"}
VERBS_BY_IRI = {iri: short for short, iri in VERB_IRIS.items()}
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
ATTENDANCE_RECIPE = "http://id.tincanapi.com/recipe/attendance/base/0_0_1"
TRAINING_PROVIDER = "http://id.tincanapi.com/extension/training-provider"
IMPORT_EXTENSION = "import"  # <iri_base>ext/import


@lru_cache(maxsize=4096)  # most statements of a file share their session's start
def _utc(ts: datetime | None) -> str:
    return ts.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if ts else ""


def statement_timestamp(att: Attendance, session: Session) -> datetime | None:
    """Attended: the session's start, else the person's first join, else when they signed in. Registered:
    when they registered (the order date), if the file says."""
    if att.status == REGISTERED:
        return att.at
    return session.start or att.first_join or att.at


def statement_id(session_iri: str, person_key: str, verb: str, seconds: int | None, timestamp: datetime | None,
                 revision: int = 1) -> str:
    """The deterministic id (see the module docstring); ``verb`` is ``attended`` or ``registered``."""
    name = f"{ID_SCHEME}|{session_iri}|{person_key}|{verb}|{'' if seconds is None else seconds}|{_utc(timestamp)}"
    if revision > 1:
        name += f"|r{revision}"
    return str(uuid.uuid5(ID_NAMESPACE, name))


def fresh_statement_id(session_iri: str, person_key: str, verb: str, seconds: int | None,
                       timestamp: datetime | None, voided: Collection[str] = ()) -> str:
    """statement_id with the first revision whose id has not been voided."""
    revision = 1
    while True:
        sid = statement_id(session_iri, person_key, verb, seconds, timestamp, revision)
        if sid not in voided:
            return sid
        revision += 1


def void_id(target_id: str) -> str:
    """The id of the statement voiding ``target_id``."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{ID_SCHEME}|void|{target_id.lower()}"))


def _activity(iri: str, activity_type: str | None, name: str | None, language: str) -> dict[str, Any]:
    activity: dict[str, Any] = {"objectType": "Activity", "id": iri}
    definition: dict[str, Any] = {}
    if activity_type:
        definition["type"] = activity_type
    if name:
        definition["name"] = {language: name}
    if definition:
        activity["definition"] = definition
    return activity


def import_extension(parsed: ParseResult, **fields: Any) -> dict[str, Any]:
    """The ``<iri_base>ext/import`` value: importer, format (layout), file name and SHA-256, plus ``fields``."""
    value: dict[str, Any] = {"importer": parsed.importer, "format": parsed.layout, "file": parsed.source.name,
                             "file_sha256": parsed.source.sha256}
    value.update(fields)
    return value


def build_statement(att: Attendance, session: Session, match: PersonMatch, *, statement_id: str,
                    parsed: ParseResult) -> dict[str, Any]:
    """The attended/registered statement for one (merged) attendance of a matched roster person."""
    options = parsed.options
    language = options.language
    context_activities: dict[str, Any] = {"category": [{"objectType": "Activity", "id": ATTENDANCE_RECIPE}]}
    if session.parent is not None:
        context_activities["parent"] = [_activity(session.parent.iri, session.parent.type, session.parent.name,
                                                  language)]
    lines = sorted(att.lines)
    ext_value = import_extension(parsed, line=lines[0], lines=lines, person=match.employee_id)
    if att.rows > len(lines):
        ext_value["rows"] = att.rows  # more rows than the listed lines (see records.MAX_LINES)
    if att.extra:
        ext_value["fields"] = dict(sorted(att.extra.items()))
    extensions: dict[str, Any] = {options.ext(IMPORT_EXTENSION): ext_value}
    if options.provider is not None:
        extensions[TRAINING_PROVIDER] = options.provider
    context: dict[str, Any] = {"contextActivities": context_activities, "extensions": extensions}
    if session.platform:
        context["platform"] = session.platform
    stmt: dict[str, Any] = {
        "id": statement_id,
        "actor": dict(match.agent),
        "verb": {"id": VERB_IRIS[att.status], "display": {"en-US": att.status}},
        "object": _activity(session.iri, session.activity_type, session.name, language),
        "context": context,
    }
    if att.status == ATTENDED and att.seconds is not None:
        stmt["result"] = {"duration": iso_duration(att.seconds)}
    ts = statement_timestamp(att, session)
    if ts is not None:
        stmt["timestamp"] = ts.isoformat(timespec="seconds")
    return stmt


def build_void(target_id: str, *, reason: str, parsed: ParseResult) -> dict[str, Any]:
    """An xAPI voiding statement for ``target_id``, saying which import and why."""
    options = parsed.options
    return {
        "id": void_id(target_id),
        "actor": options.voiding_actor(),
        "verb": {"id": VOIDED, "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": target_id},
        "context": {"extensions": {options.ext(IMPORT_EXTENSION): import_extension(parsed, reason=reason)}},
    }


# ---------------------------------------------------------------------------------------------------------
# What earlier imports stored
# ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PriorStatement:
    """A statement an earlier import stored (and nobody voided): the planner decides to keep or void it."""

    statement_id: str
    session_iri: str
    person_key: str                # employee id
    verb: str = ATTENDED           # attended / registered
    seconds: int | None = None     # its duration, for the report ("60 -> 75 min")


def priors_from_statements(statements: Iterable[Mapping[str, Any]], *, iri_base: str = DEFAULT_IRI_BASE
                           ) -> list[PriorStatement]:
    """PriorStatements from stored statements (those carrying our import extension; others are ignored)."""
    key = f"{iri_base}ext/{IMPORT_EXTENSION}"
    priors = []
    for stmt in statements:
        ext = (stmt.get("context") or {}).get("extensions", {}).get(key)
        verb = VERBS_BY_IRI.get((stmt.get("verb") or {}).get("id", ""))
        obj = stmt.get("object") or {}
        if not isinstance(ext, dict) or verb is None or "person" not in ext or obj.get("objectType",
                                                                                     "Activity") != "Activity":
            continue
        seconds = None
        duration = (stmt.get("result") or {}).get("duration")
        if isinstance(duration, str):
            try:
                seconds = parse_duration(duration)
            except RowError:
                seconds = None
        priors.append(PriorStatement(str(stmt["id"]), str(obj["id"]), str(ext["person"]), verb, seconds))
    return priors


def priors_from_mapping(session_iri: str, mapping: Mapping[str, str], verb: str = ATTENDED) -> list[PriorStatement]:
    """PriorStatements from {employee id: stored statement id} for one session."""
    return [PriorStatement(sid, session_iri, person, verb) for person, sid in mapping.items()]
