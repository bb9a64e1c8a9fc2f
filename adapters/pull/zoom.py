"""Zoom: past instances of each configured meeting, and the participant report of each new instance.

Requests (Zoom API v2, Bearer token of a Server-to-Server OAuth app with the report scopes):

- ``GET /past_meetings/{meetingId}/instances`` -> ``{"meetings": [{"uuid", "start_time"}]}``: the ended
  instances of a (recurring or one-off) meeting.
- ``GET /report/meetings/{meetingUUID}/participants?page_size=300[&next_page_token=...]`` ->
  ``{"page_count", "page_size", "total_records", "next_page_token", "participants": [{"id", "user_id", "name",
  "user_email", "join_time", "leave_time", "duration" (seconds), "status", "registrant_id", ...}]}``.
  One row per join: a person who drops and rejoins has two rows, summed here.

Cursor: ``{"kind": "zoom", "meetings": {"<meeting id>": {"instances": [<uuid>, ...]}}}``, the instance UUIDs
already pulled. A set rather than a "latest start" mark because reports of an older instance can appear after a
newer one's, and an instance whose report is still empty is left out so the next pull tries it again.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from .base import (ATTENDED, PulledAttendance, PullNotFoundError, clean_text, lower_email, merged_seconds,
                   minutes_of, parse_time, string_list)
from .config import SessionMapping, SourceConfig
from .http import HttpClient

DEFAULT_PAGE_SIZE = 300  # the report API's maximum


def encode_uuid(uuid: str) -> str:
    """A meeting UUID as a URL path segment.

    Zoom's rule: a UUID that begins with ``/`` or contains ``//`` must be encoded twice, or the API reads it
    as a path; any other UUID is encoded once (it may still hold ``/``, ``+`` or ``=``).
    """
    once = quote(uuid, safe="")
    if uuid.startswith("/") or "//" in uuid:
        return quote(once, safe="")
    return once


def _meeting_label(m: SessionMapping) -> str:
    return f"Zoom meeting {m.external_id}" + (f" ({m.name})" if m.name else "")


def pull_zoom(source: SourceConfig, cursor: Mapping[str, Any], client: HttpClient,
              ) -> tuple[list[PulledAttendance], dict[str, Any], list[str]]:
    """All attendance of instances not yet pulled; the new cursor; warnings about skipped rows."""
    old_meetings = cursor.get("meetings")
    old: Mapping[str, Any] = old_meetings if isinstance(old_meetings, Mapping) else {}
    records: list[PulledAttendance] = []
    warnings: list[str] = []
    # Meetings no longer configured keep their entry: configuring one again must not pull it twice.
    new_meetings: dict[str, Any] = {k: v for k, v in old.items() if isinstance(v, Mapping)}
    for m in source.mappings:
        entry = old.get(m.external_id)
        done = set(string_list(entry, "instances")) if isinstance(entry, Mapping) else set()
        label = _meeting_label(m)
        body = client.get_json(client.url(f"past_meetings/{quote(m.external_id, safe='')}/instances"), what=label)
        instances = _instances(body, label, client)
        for uuid, _start in instances:
            if uuid in done:
                continue
            try:
                rows = _participants(client, source, uuid, label)
            except PullNotFoundError:
                # The instance exists (Zoom listed it) but its report does not, yet: Zoom builds reports some
                # time after a meeting ends. Not marked as pulled, so the next pull asks again.
                warnings.append(f"{label}: no participant report yet for instance {uuid}; will try again")
                continue
            if not rows:
                warnings.append(f"{label}: the participant report of instance {uuid} is empty; will try again")
                continue
            records.extend(_records(source, m, uuid, rows, warnings))
            done.add(uuid)
        new_meetings[m.external_id] = {"instances": sorted(done)}
    return records, {"kind": "zoom", "meetings": new_meetings}, warnings


def _instances(body: Any, label: str, client: HttpClient) -> list[tuple[str, datetime | None]]:
    items = body.get("meetings") if isinstance(body, Mapping) else None
    if items is None:
        return []
    if not isinstance(items, list):
        raise client.error(f"{label}: the instances answer has no 'meetings' list")
    out: list[tuple[str, datetime | None]] = []
    for item in items:
        uuid = item.get("uuid") if isinstance(item, Mapping) else None
        if not isinstance(uuid, str) or not uuid:
            raise client.error(f"{label}: an instance without a uuid in the instances answer")
        out.append((uuid, parse_time(item.get("start_time"))))
    # Oldest first, so records come out in the order the sessions happened.
    out.sort(key=lambda pair: (pair[1] is None, pair[1] or datetime.min, pair[0]))
    unique: list[tuple[str, datetime | None]] = []
    seen: set[str] = set()
    for pair in out:
        if pair[0] not in seen:
            seen.add(pair[0])
            unique.append(pair)
    return unique


def _participants(client: HttpClient, source: SourceConfig, uuid: str, label: str) -> list[Mapping[str, Any]]:
    """Every row of one instance's participant report, following next_page_token to the end."""
    url = client.url(f"report/meetings/{encode_uuid(uuid)}/participants")
    what = f"{label}, instance {uuid}"
    rows: list[Mapping[str, Any]] = []
    token = ""
    tokens_seen: set[str] = set()
    for _ in range(source.http.max_pages):
        params: dict[str, Any] = {"page_size": source.page_size or DEFAULT_PAGE_SIZE}
        if token:
            params["next_page_token"] = token
        body = client.get_json(url, params, what=what)
        client.pages += 1
        page = body.get("participants") if isinstance(body, Mapping) else None
        if not isinstance(page, list):
            raise client.error(f"{what}: the report answer has no 'participants' list")
        rows.extend(r for r in page if isinstance(r, Mapping))
        token = str(body.get("next_page_token") or "")
        if not token:
            return rows
        if token in tokens_seen:
            raise client.error(f"{what}: the API sent the same next_page_token twice; stopping")
        tokens_seen.add(token)
    raise client.error(f"{what}: more than http.max_pages ({source.http.max_pages}) pages; stopping")


def _records(source: SourceConfig, m: SessionMapping, uuid: str, rows: list[Mapping[str, Any]],
             warnings: list[str]) -> list[PulledAttendance]:
    """One record per person: their rows' intervals merged and summed."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        if row.get("status") == "in_waiting_room":
            continue  # time in the waiting room is not time in the session
        email = lower_email(row.get("user_email"))
        pid = clean_text(row.get("id")) or clean_text(row.get("participant_user_id"))
        if email:
            key = f"email:{email}"
        elif pid:
            key = f"id:{pid}"
        else:
            warnings.append(f"Zoom meeting {m.external_id}, instance {uuid}: participant "
                            f"{clean_text(row.get('name')) or '(no name)'} has neither an email nor an id; skipped")
            continue
        groups.setdefault(key, []).append(row)
    out: list[PulledAttendance] = []
    for key, group in groups.items():
        intervals: list[tuple[datetime, datetime]] = []
        untimed = 0
        joins: list[datetime] = []
        leaves: list[datetime] = []
        for row in group:
            join, leave = parse_time(row.get("join_time")), parse_time(row.get("leave_time"))
            if join is not None:
                joins.append(join)
            if leave is not None:
                leaves.append(leave)
            if join is not None and leave is not None:
                intervals.append((join, leave))
            else:
                duration = row.get("duration")
                untimed += int(duration) if isinstance(duration, (int, float)) and duration > 0 else 0
        seconds = merged_seconds(intervals) + untimed
        email = next((lower_email(r.get("user_email")) for r in group if lower_email(r.get("user_email"))), None)
        name = next((clean_text(r.get("name")) for r in group if clean_text(r.get("name"))), None)
        pid = next((clean_text(r.get("id")) or clean_text(r.get("participant_user_id")) for r in group
                    if clean_text(r.get("id")) or clean_text(r.get("participant_user_id"))), None)
        out.append(PulledAttendance(
            source=source.name, kind="zoom", session_key=f"zoom:{uuid}", activity=m.activity,
            activity_name=m.name, parent=m.parent, activity_type=m.activity_type, email=email, person_name=name,
            person_id=pid, start=min(joins) if joins else None, end=max(leaves) if leaves else None,
            seconds=seconds, minutes=minutes_of(seconds), status=ATTENDED,
            raw_identity=f"zoom|{uuid}|{key}|{ATTENDED}"))
    return out
