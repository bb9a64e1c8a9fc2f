"""Eventbrite: the attendees of each configured event, incrementally with ``changed_since``.

Requests (Eventbrite API v3, Bearer private token or OAuth token):

- ``GET /events/{event_id}/`` -> ``{"name": {"text"}, "start": {"utc"}, "end": {"utc"}, ...}``: the event's
  scheduled times (an attendee record has no check-in time, so the session's times are the event's).
- ``GET /events/{event_id}/attendees/[?changed_since=...][&continuation=...]`` ->
  ``{"pagination": {"object_count", "page_number", "page_size", "page_count", "continuation",
  "has_more_items"}, "attendees": [{"id", "created", "changed", "profile": {"name", "email", "first_name",
  "last_name"}, "checked_in", "cancelled", "refunded", "status", "barcodes": [...], "event_id", "order_id",
  ...}]}``. One attendee per ticket.

Status: ``checked_in`` -> attended; else cancelled, refunded or status "Not Attending"/"Deleted" -> cancelled;
else registered.

Cursor: ``{"kind": "eventbrite", "events": {"<event id>": {"changed_since": "<UTC time>"}}}``, the highest
``changed`` seen. ``changed_since`` is inclusive, so the next pull fetches the attendees changed in that very
second again; their records have the same identity, so they add nothing downstream, whereas a mark one second
later could miss a change made in the same second after this pull.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from .base import (ATTENDED, CANCELLED, REGISTERED, PulledAttendance, clean_text, format_time, lower_email,
                   minutes_of, parse_time)
from .config import SessionMapping, SourceConfig
from .http import HttpClient

NOT_ATTENDING = {"not attending", "deleted", "cancelled", "refunded", "transferred"}


def _event_label(m: SessionMapping) -> str:
    return f"Eventbrite event {m.external_id}" + (f" ({m.name})" if m.name else "")


def pull_eventbrite(source: SourceConfig, cursor: Mapping[str, Any], client: HttpClient,
                    ) -> tuple[list[PulledAttendance], dict[str, Any], list[str]]:
    """Attendees changed since the cursor's mark, per configured event; the new cursor; warnings."""
    old_events = cursor.get("events")
    old: Mapping[str, Any] = old_events if isinstance(old_events, Mapping) else {}
    new_events: dict[str, Any] = {k: v for k, v in old.items() if isinstance(v, Mapping)}
    records: list[PulledAttendance] = []
    warnings: list[str] = []
    for m in source.mappings:
        label = _event_label(m)
        event_path = f"events/{quote(m.external_id, safe='')}/"
        event = client.get_json(client.url(event_path), what=label)
        if not isinstance(event, Mapping):
            raise client.error(f"{label}: the event answer is not an object")
        start = parse_time(_nested(event, "start", "utc"))
        end = parse_time(_nested(event, "end", "utc"))
        name = m.name or clean_text(_nested(event, "name", "text"))
        entry = old.get(m.external_id)
        since = entry.get("changed_since") if isinstance(entry, Mapping) else None
        since_text = since if isinstance(since, str) and since else None
        attendees = _attendees(client, source, event_path + "attendees/", since_text, label)
        high = parse_time(since_text) if since_text else None
        for a in attendees:
            changed = parse_time(a.get("changed"))
            if changed is not None and (high is None or changed > high):
                high = changed
            record = _record(source, m, name, start, end, a, warnings)
            if record is not None:
                records.append(record)
        # Whole seconds, as Eventbrite writes times; dropping a fraction moves the inclusive mark earlier, never
        # later, so nothing is missed.
        new_events[m.external_id] = {"changed_since": format_time(high.replace(microsecond=0))} if high else {}
    return records, {"kind": "eventbrite", "events": new_events}, warnings


def _nested(body: Mapping[str, Any], key: str, sub: str) -> Any:
    inner = body.get(key)
    return inner.get(sub) if isinstance(inner, Mapping) else None


def _attendees(client: HttpClient, source: SourceConfig, path: str, since: str | None,
               label: str) -> list[Mapping[str, Any]]:
    """Every attendee page, following ``continuation`` while ``has_more_items``."""
    url = client.url(path)
    out: list[Mapping[str, Any]] = []
    continuation: str | None = None
    page_number: int | None = None
    seen: set[str] = set()
    for _ in range(source.http.max_pages):
        params: dict[str, Any] = {}
        if since:
            params["changed_since"] = since
        if continuation:
            params["continuation"] = continuation
        elif page_number is not None:
            params["page"] = page_number
        body = client.get_json(url, params, what=f"{label}, attendees")
        client.pages += 1
        page = body.get("attendees") if isinstance(body, Mapping) else None
        if not isinstance(page, list):
            raise client.error(f"{label}: the attendees answer has no 'attendees' list")
        out.extend(a for a in page if isinstance(a, Mapping))
        pagination = body.get("pagination")
        pagination = pagination if isinstance(pagination, Mapping) else {}
        if not pagination.get("has_more_items"):
            return out
        token = pagination.get("continuation")
        if isinstance(token, str) and token:
            if token in seen:
                raise client.error(f"{label}: the API sent the same continuation twice; stopping")
            seen.add(token)
            continuation, page_number = token, None
        else:
            # Older answers page by number only ("keep incrementing the page number"); follow that instead.
            current = pagination.get("page_number")
            if not isinstance(current, int):
                raise client.error(f"{label}: has_more_items is true but the answer gives no continuation")
            continuation, page_number = None, current + 1
    raise client.error(f"{label}: more than http.max_pages ({source.http.max_pages}) attendee pages; stopping")


def _status(a: Mapping[str, Any]) -> str:
    # A check-in is the fact that matters: someone refunded after attending still attended.
    if a.get("checked_in") is True:
        return ATTENDED
    status = str(a.get("status") or "").strip().lower()
    if a.get("cancelled") is True or a.get("refunded") is True or status in NOT_ATTENDING:
        return CANCELLED
    return REGISTERED


def _record(source: SourceConfig, m: SessionMapping, name: str | None, start: datetime | None,
            end: datetime | None, a: Mapping[str, Any], warnings: list[str]) -> PulledAttendance | None:
    attendee_id = clean_text(a.get("id"))
    if attendee_id is None:
        warnings.append(f"Eventbrite event {m.external_id}: an attendee without an id; skipped")
        return None
    profile = a.get("profile")
    profile = profile if isinstance(profile, Mapping) else {}
    email = lower_email(profile.get("email"))
    person = clean_text(profile.get("name")) or clean_text(
        " ".join(str(p) for p in (profile.get("first_name"), profile.get("last_name")) if p))
    status = _status(a)
    seconds: int | None = None
    if status == ATTENDED:
        if m.minutes is not None:
            seconds = int(round(m.minutes * 60))
        elif start is not None and end is not None and end > start:
            seconds = int((end - start).total_seconds())
    return PulledAttendance(
        source=source.name, kind="eventbrite", session_key=f"eventbrite:{m.external_id}", activity=m.activity,
        activity_name=name, parent=m.parent, activity_type=m.activity_type, email=email, person_name=person,
        person_id=attendee_id, start=start, end=end, seconds=seconds, minutes=minutes_of(seconds), status=status,
        # Per attendee (one ticket), so a ticket that moves from registered to attended is a new fact.
        raw_identity=f"eventbrite|{m.external_id}|{attendee_id}|{status}")
