"""One pull of a check-in system: fetch what is new since the source's cursor, store it with the new cursor.

Each source's cursor lives in the log: an ``import.cursor_advanced`` event on stream ``pull:<source name>``,
appended in the same append as the statements of the pull that reached it, so that a pull interrupted halfway
stores nothing of itself and the next one starts from the last cursor stored; a replay sees what every pull
fetched. Its payload: ``{"source", "kind", "cursor", "records", "statements", "pending": [record...]}``.

Records become statements of the same shape as the file importers' (:func:`adapters.statements.build_statement`:
the roster person's account or mbox as actor, ``attended``/``registered`` on the configured activity, the parent,
the attendance recipe, ``result.duration``, the platform), so that a Zoom meeting pulled over HTTP and the same
meeting imported as a CSV under the same activity are the same facts for the transcript (one entry, the longest
duration of the day). What differs: the statement id is UUIDv5 of the record's ``raw_identity`` (the source
system's own ids, so a re-pull adds nothing, whatever the roster says meanwhile), and the provenance extension
is ``<iri_base>ext/pull`` ``{"source", "kind", "session_key", "raw_identity", "person"}`` instead of the file
import's ``ext/import`` (so a file import never voids what a pull stored, nor the other way round).

* ``cancelled`` (an Eventbrite registration cancelled or refunded) becomes ``http://id.tincanapi.com/verb/
  unregistered``: the transcript ranks it with ``registered`` and the later one wins, so a cancellation pulled
  after the registration shows as unregistered rather than being lost. Registrations and cancellations are
  dated by the event's start (an attendee record has no time of registration).
* A record whose e-mail matches no one in the roster is not stored and not lost: it is kept in the cursor event
  (``pending``) and tried again by every later pull, so that ``lrs roster link`` followed by a pull stores it.
  A record without an e-mail (a Zoom guest) cannot be matched and is reported and dropped; so is an
  ``attended`` record of zero seconds.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from adapters.files import SourceInfo
from adapters.options import ImportOptions
from adapters.people import PersonMatch, RosterLookup
from adapters.pull import CANCELLED, PulledAttendance, PullResult, SourceConfig, pull
from adapters.pull.base import minutes_of, parse_time
from adapters.records import ATTENDED, REGISTERED, ActivityRef, Attendance, ParseResult, Session
from adapters.statements import ID_NAMESPACE, IMPORT_EXTENSION, build_statement
from lrs.bootstrap import Services
from lrs.eventlog.store import NewEvent
from lrs.imports.attendance import EVENT_STATEMENTS, XAPI_VERSION, district_options, importer_authority
from lrs.imports.stored import last_event, stored_ids
from lrs.store.statements import SaveRequest
from lrs.xapi.batch import prepare_batch

CURSOR_EVENT = "import.cursor_advanced"
PULL_EXTENSION = "pull"  # <iri_base>ext/pull
UNREGISTERED = "http://id.tincanapi.com/verb/unregistered"
PLATFORMS = {"zoom": "Zoom", "eventbrite": "Eventbrite", "graph": "Microsoft Teams"}


def sleep_between_retries(seconds: float) -> None:
    """How a pull waits between retries (tests replace it so that they never sleep)."""
    time.sleep(seconds)


def stream(source_name: str) -> str:
    """The log stream of a source's cursor events."""
    return f"pull:{source_name}"


def pulled_statement_id(raw_identity: str) -> str:
    """The statement id of a pulled record: UUIDv5 of ``pull/v1|<raw_identity>`` (under the importers'
    namespace)."""
    return str(uuid.uuid5(ID_NAMESPACE, f"pull/v1|{raw_identity}"))


def record_from_json(data: Mapping[str, Any]) -> PulledAttendance:
    """A record as :meth:`PulledAttendance.as_json` wrote it (the pending records of a cursor event)."""
    seconds = data.get("seconds")
    return PulledAttendance(
        source=str(data["source"]), kind=str(data["kind"]), session_key=str(data["session_key"]),
        activity=str(data["activity"]), activity_name=data.get("activity_name"), parent=data.get("parent"),
        activity_type=str(data["activity_type"]), email=data.get("email"), person_name=data.get("person_name"),
        person_id=data.get("person_id"), start=parse_time(data.get("start")), end=parse_time(data.get("end")),
        seconds=seconds, minutes=minutes_of(seconds), status=str(data["status"]),
        raw_identity=str(data["raw_identity"]))


def _provenance(source: SourceConfig, options: ImportOptions) -> ParseResult:
    """The ParseResult :func:`build_statement` reads its options (and the file-import extension) from."""
    return ParseResult(importer="pull", layout=source.kind, what="", row_noun="records", rows=0,
                       source=SourceInfo(source.name, "", 0, "", None), sessions={}, attendances=[], rejected=[],
                       skipped=[], warnings=[], options=options)


def record_statement(record: PulledAttendance, match: PersonMatch, provenance: ParseResult) -> dict[str, Any]:
    """The statement of one pulled record of a matched roster person (see the module docstring)."""
    options = provenance.options
    session = Session(key=record.session_key, iri=record.activity, activity_type=record.activity_type,
                      name=record.activity_name, parent=ActivityRef(record.parent) if record.parent else None,
                      platform=PLATFORMS.get(record.kind, record.kind))
    attended = record.status == ATTENDED
    att = Attendance(session=record.session_key, status=ATTENDED if attended else REGISTERED, email=record.email,
                     employee_id=None, name=record.person_name, seconds=record.seconds if attended else None,
                     first_join=record.start if attended else None, last_leave=record.end if attended else None,
                     # A registration (or its cancellation) is dated by the event's start: the APIs' attendee has no
                     # time of registration, and the event's date keeps it in the school year of the attendance.
                     at=None if attended else record.start, lines=[0])
    stmt = build_statement(att, session, match, statement_id=pulled_statement_id(record.raw_identity),
                           parsed=provenance)
    extensions = stmt["context"]["extensions"]
    del extensions[options.ext(IMPORT_EXTENSION)]
    extensions[options.ext(PULL_EXTENSION)] = {"source": record.source, "kind": record.kind,
                                               "session_key": record.session_key,
                                               "raw_identity": record.raw_identity, "person": match.employee_id}
    if record.status == CANCELLED:
        stmt["verb"] = {"id": UNREGISTERED, "display": {"en-US": "unregistered"}}
    return stmt


@dataclass
class PullOutcome:
    """What one pull of one source fetched, stored (or would store) and left pending."""

    source: SourceConfig
    result: PullResult
    dry_run: bool
    statements: list[dict[str, Any]] = field(default_factory=list)   # new statements (stored unless dry run)
    already: int = 0                                                 # records whose statement is stored already
    pending: list[PulledAttendance] = field(default_factory=list)    # no roster match yet
    dropped: list[str] = field(default_factory=list)                 # records that can never be stored, and why
    written: bool = False                                            # the append happened
    ext_key: str = ""                                                # <iri_base>ext/pull

    def render(self) -> str:
        """Lines for the terminal: a summary, then (dry run) each statement, pending records and warnings."""
        r = self.result
        head = (f"{self.source.name} ({self.source.kind}): {len(r.records)} new record"
                f"{'s' if len(r.records) != 1 else ''} from {r.pages} page{'s' if r.pages != 1 else ''} "
                f"({r.requests} request{'s' if r.requests != 1 else ''}, {r.retries} retr"
                f"{'ies' if r.retries != 1 else 'y'}): ")
        n = len(self.statements)
        if self.dry_run:
            head += f"would store {n} statement{'s' if n != 1 else ''}; dry run, nothing stored"
        elif self.written:
            head += f"stored {n} statement{'s' if n != 1 else ''} and the cursor"
        else:
            head += "nothing new"
        if self.already:
            head += f" ({self.already} already stored)"
        out = [head]
        if self.dry_run:
            for s in self.statements:
                minutes = (s.get("result") or {}).get("duration", "-")
                person = s["context"]["extensions"][self.ext_key]["person"]
                out.append(f"  {s['verb']['display']['en-US']:<12} {person:<12} {s['object']['id']}  {minutes}  "
                           f"{s['id']}")
        for p in self.pending:
            out.append(f"  pending: {p.email} ({p.person_name or 'no name'}) at {p.activity}: no one in the roster "
                       "has this e-mail; link it with lrs roster link EMPLOYEE_ID mbox:mailto:ADDRESS, the next "
                       "pull stores it")
        out += [f"  dropped: {d}" for d in self.dropped]
        out += [f"  note: {w}" for w in r.warnings]
        return "\n".join(out) + "\n"


def pull_source(services: Services, source: SourceConfig, roster: RosterLookup, *, dry_run: bool = False,
                session: requests.Session | None = None,
                sleep: Callable[[float], None] | None = None) -> PullOutcome:
    """Pull ``source`` from its stored cursor and store the new statements with the new cursor (one append).

    Raises :class:`adapters.pull.PullError` (nothing stored, the cursor stays) when the pull does not complete.
    """
    settings = services.settings
    last = last_event(services.engine, stream(source.name), CURSOR_EVENT)
    payload = last[1] if last else {}
    cursor = payload.get("cursor") if isinstance(payload.get("cursor"), dict) else None
    before = [record_from_json(p) for p in payload.get("pending") or []]
    http = session or requests.Session()
    try:
        result = pull(source, cursor, http, sleep=sleep or sleep_between_retries)
    finally:
        if session is None:
            http.close()
    records: dict[str, PulledAttendance] = {r.raw_identity: r for r in before}
    records.update((r.raw_identity, r) for r in result.records)  # a record fetched again replaces its pending copy
    provenance = _provenance(source, district_options(settings))
    outcome = PullOutcome(source, result, dry_run, ext_key=provenance.options.ext(PULL_EXTENSION))
    built: list[dict[str, Any]] = []
    for rec in records.values():
        if rec.email is None:
            outcome.dropped.append(f"{rec.person_name or 'a participant'} at {rec.activity} ({rec.session_key}) has "
                                   "no e-mail address to match to the roster")
            continue
        if rec.status == ATTENDED and rec.seconds is not None and rec.seconds <= 0:
            outcome.dropped.append(f"{rec.email} at {rec.activity} ({rec.session_key}) attended 0 seconds")
            continue
        match = roster.by_email(rec.email)
        if match is None:
            outcome.pending.append(rec)
            continue
        built.append(record_statement(rec, match, provenance))
    known = stored_ids(services.engine, (s["id"] for s in built))
    outcome.statements = [s for s in built if s["id"] not in known]
    outcome.already = len(built) - len(outcome.statements)
    pending_json = [p.as_json() for p in outcome.pending]
    changed = bool(outcome.statements) or result.new_cursor != cursor or pending_json != (payload.get("pending") or [])
    if dry_run or not changed:
        return outcome
    authority = importer_authority(settings, f"pull:{source.name}")
    prepared: list[dict[str, Any]] = []
    for i in range(0, len(outcome.statements), EVENT_STATEMENTS):
        prepared += prepare_batch(outcome.statements[i:i + EVENT_STATEMENTS], {}, version=XAPI_VERSION,
                                  authority=authority, max_batch=EVENT_STATEMENTS)
    cursor_event = NewEvent(CURSOR_EVENT, stream(source.name), {
        "source": source.name, "kind": source.kind, "cursor": result.new_cursor, "records": len(result.records),
        "statements": len(prepared), "pending": pending_json, "previous": last[0] if last else None})
    services.statements.save_group(
        [SaveRequest(prepared[i:i + EVENT_STATEMENTS], {}, f"importer:pull:{source.name}")
         for i in range(0, len(prepared), EVENT_STATEMENTS)], extra_events=[cursor_event], atomic=True)
    outcome.written = True
    return outcome
