"""Builders for professional-learning statements and log events (projection and transcript tests)."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from lrs.eventlog.store import EventStore, NewEvent, RecordedEvent
from lrs.times import format_time, utc_now

DISTRICT = "https://district.example/xapi/"
ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "registered": ADL + "registered", "attended": ADL + "attended", "completed": ADL + "completed",
    "passed": ADL + "passed", "failed": ADL + "failed", "launched": ADL + "launched",
    "initialized": ADL + "initialized", "terminated": ADL + "terminated", "voided": ADL + "voided",
    "experienced": ADL + "experienced",
    "waived": "https://w3id.org/xapi/adl/verbs/waived", "satisfied": "https://w3id.org/xapi/adl/verbs/satisfied",
    "unregistered": "http://id.tincanapi.com/verb/unregistered", "mentored": "http://id.tincanapi.com/verb/mentored",
    "join": "http://activitystrea.ms/join", "leave": "http://activitystrea.ms/leave",
}
TYPES = {
    "meeting": "http://adlnet.gov/expapi/activities/meeting",
    "cmi5_course": "https://w3id.org/xapi/cmi5/activitytype/course",
    "conference": "http://id.tincanapi.com/activitytype/conference",
    "session": "http://id.tincanapi.com/activitytype/conference-session",
    "video": "https://w3id.org/xapi/video/activity-type/video",
    "plc": "https://w3id.org/xapi/acrossx/activities/face-to-face-discussion",
    "tutor": "http://id.tincanapi.com/activitytype/tutor-session",
}
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"


def person(email: str, name: str | None = None) -> dict[str, Any]:
    """An Agent identified by e-mail."""
    a: dict[str, Any] = {"objectType": "Agent", "mbox": f"mailto:{email}"}
    if name:
        a["name"] = name
    return a


def account(home: str, name: str, display: str | None = None) -> dict[str, Any]:
    a: dict[str, Any] = {"objectType": "Agent", "account": {"homePage": home, "name": name}}
    if display:
        a["name"] = display
    return a


def activity(iri: str, name: str | None = None, type_: str | None = None,
             extensions: dict[str, Any] | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {}
    if name:
        d["name"] = {"en-US": name}
    if type_:
        d["type"] = TYPES.get(type_, type_)
    if extensions:
        d["extensions"] = extensions
    out: dict[str, Any] = {"objectType": "Activity", "id": iri}
    if d:
        out["definition"] = d
    return out


def statement(actor: dict[str, Any], verb: str, obj: dict[str, Any], timestamp: str, *,
              result: dict[str, Any] | None = None, context: dict[str, Any] | None = None,
              id: str | None = None, version: str = "1.0.0") -> dict[str, Any]:
    """A statement as the client sends it (no stored/authority)."""
    s: dict[str, Any] = {"id": id or str(uuid.uuid4()), "actor": actor,
                         "verb": {"id": VERBS.get(verb, verb), "display": {"en-US": verb}},
                         "object": obj, "timestamp": timestamp}
    if result:
        s["result"] = result
    if context:
        s["context"] = context
    if version != "1.0.0":
        s["version"] = version
    return s


def voiding(actor: dict[str, Any], target_id: str, timestamp: str) -> dict[str, Any]:
    return statement(actor, "voided", {"objectType": "StatementRef", "id": target_id}, timestamp)


def as_stored(s: dict[str, Any]) -> dict[str, Any]:
    """The statement as the LRS stores it (stored, authority, version)."""
    out = dict(s)
    out.setdefault("stored", format_time(utc_now()))
    out.setdefault("version", "1.0.0")
    out.setdefault("authority", {"objectType": "Agent", "name": "test",
                                 "account": {"homePage": "http://lrs.test/credentials", "name": "test-key"}})
    return out


def store_statements(store: EventStore, statements: Sequence[dict[str, Any]]) -> RecordedEvent:
    """Append one ``statements.stored`` event holding ``statements`` (as the statements API does)."""
    return store.append([NewEvent("statements.stored", "statements",
                                  {"statements": [as_stored(s) for s in statements], "attachments": []})])[0]


def other_event(store: EventStore, type_: str = "documents.state_put") -> RecordedEvent:
    """An event no transcript projection cares about."""
    return store.append([NewEvent(type_, "documents:x", {"doc": "x", "content": "…"})])[0]
