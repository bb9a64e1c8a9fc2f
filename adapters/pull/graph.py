"""Microsoft Graph (Teams): attendance reports of each configured online meeting, and their records.

Requests (Graph v1.0, Bearer token with OnlineMeetingArtifact.Read.All and an application access policy for
the organizer):

- ``GET /users/{organizer}/onlineMeetings/{meetingId}/attendanceReports`` -> ``{"value": [{"id",
  "totalParticipantCount", "meetingStartDateTime", "meetingEndDateTime"}], "@odata.nextLink"?}``: one report
  per time the meeting ran and ended.
- ``GET .../attendanceReports/{reportId}/attendanceRecords`` -> ``{"value": [{"emailAddress",
  "totalAttendanceInSeconds", "role", "identity": {"id", "displayName"}, "attendanceIntervals":
  [{"joinDateTime", "leaveDateTime", "durationInSeconds"}]}], "@odata.nextLink"?}``.

Paging follows ``@odata.nextLink`` (an absolute URL) to the end, but only on the configured API host: the
request carries the token, which must never be sent to a host a response named.

Cursor: ``{"kind": "graph", "meetings": {"<meeting id>": {"reports": [<report id>, ...]}}}``. A report is final
once Graph lists it, so the ids seen are enough.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from .base import (ATTENDED, PulledAttendance, clean_text, lower_email, merged_seconds, minutes_of, parse_time,
                   string_list)
from .config import SessionMapping, SourceConfig
from .http import HttpClient, same_origin


def _meeting_label(m: SessionMapping) -> str:
    return f"Teams meeting {m.external_id}" + (f" ({m.name})" if m.name else "")


def pull_graph(source: SourceConfig, cursor: Mapping[str, Any], client: HttpClient,
               ) -> tuple[list[PulledAttendance], dict[str, Any], list[str]]:
    """Attendance of every report not yet pulled; the new cursor; warnings."""
    old_meetings = cursor.get("meetings")
    old: Mapping[str, Any] = old_meetings if isinstance(old_meetings, Mapping) else {}
    new_meetings: dict[str, Any] = {k: v for k, v in old.items() if isinstance(v, Mapping)}
    records: list[PulledAttendance] = []
    warnings: list[str] = []
    for m in source.mappings:
        entry = old.get(m.external_id)
        seen = set(string_list(entry, "reports")) if isinstance(entry, Mapping) else set()
        label = _meeting_label(m)
        organizer = quote(m.organizer or "", safe="@")
        base = f"users/{organizer}/onlineMeetings/{quote(m.external_id, safe='')}/attendanceReports"
        reports = _collection(client, source, client.url(base), label)
        reports.sort(key=lambda r: str(r.get("meetingStartDateTime") or ""))
        for report in reports:
            report_id = clean_text(report.get("id"))
            if report_id is None:
                raise client.error(f"{label}: an attendance report without an id")
            if report_id in seen:
                continue
            what = f"{label}, attendance report {report_id}"
            rows = _collection(client, source, client.url(f"{base}/{quote(report_id, safe='')}/attendanceRecords"),
                               what)
            records.extend(_records(source, m, report, report_id, rows, warnings))
            seen.add(report_id)
        new_meetings[m.external_id] = {"reports": sorted(seen)}
    return records, {"kind": "graph", "meetings": new_meetings}, warnings


def _collection(client: HttpClient, source: SourceConfig, url: str, what: str) -> list[Mapping[str, Any]]:
    """Every item of an OData collection, following ``@odata.nextLink``."""
    out: list[Mapping[str, Any]] = []
    next_url: str | None = url
    seen: set[str] = set()
    for _ in range(source.http.max_pages):
        assert next_url is not None
        body = client.get_json(next_url, what=what)
        client.pages += 1
        page = body.get("value") if isinstance(body, Mapping) else None
        if not isinstance(page, list):
            raise client.error(f"{what}: the answer has no 'value' list")
        out.extend(item for item in page if isinstance(item, Mapping))
        link = body.get("@odata.nextLink")
        if not isinstance(link, str) or not link:
            return out
        if not same_origin(link, source.base_url):
            raise client.error(f"{what}: the next-page link points to another host ({link}); not following it "
                               f"with the token")
        if link in seen:
            raise client.error(f"{what}: the API sent the same @odata.nextLink twice; stopping")
        seen.add(link)
        next_url = link
    raise client.error(f"{what}: more than http.max_pages ({source.http.max_pages}) pages; stopping")


def _records(source: SourceConfig, m: SessionMapping, report: Mapping[str, Any], report_id: str,
             rows: list[Mapping[str, Any]], warnings: list[str]) -> list[PulledAttendance]:
    report_start = parse_time(report.get("meetingStartDateTime"))
    report_end = parse_time(report.get("meetingEndDateTime"))
    out: list[PulledAttendance] = []
    for row in rows:
        identity = row.get("identity")
        identity = identity if isinstance(identity, Mapping) else {}
        email = lower_email(row.get("emailAddress"))
        pid = clean_text(identity.get("id"))
        name = clean_text(identity.get("displayName"))
        if email:
            key = f"email:{email}"
        elif pid:
            key = f"id:{pid}"
        else:
            warnings.append(f"Teams meeting {m.external_id}, report {report_id}: attendee {name or '(no name)'} "
                            f"has neither an email nor an id; skipped")
            continue
        intervals: list[tuple[datetime, datetime]] = []
        joins: list[datetime] = []
        leaves: list[datetime] = []
        raw_intervals = row.get("attendanceIntervals")
        for iv in raw_intervals if isinstance(raw_intervals, list) else []:
            if not isinstance(iv, Mapping):
                continue
            # Graph sets join or leave to null (and the duration to 0) when it lacks the data.
            join, leave = parse_time(iv.get("joinDateTime")), parse_time(iv.get("leaveDateTime"))
            if join is not None:
                joins.append(join)
            if leave is not None:
                leaves.append(leave)
            if join is not None and leave is not None:
                intervals.append((join, leave))
        total = row.get("totalAttendanceInSeconds")
        # Graph's own total is the documented figure; the intervals are the fallback when it is missing.
        if isinstance(total, (int, float)) and not isinstance(total, bool) and total >= 0:
            seconds = int(total)
        else:
            seconds = merged_seconds(intervals)
        out.append(PulledAttendance(
            source=source.name, kind="graph", session_key=f"graph:{report_id}", activity=m.activity,
            activity_name=m.name, parent=m.parent, activity_type=m.activity_type, email=email, person_name=name,
            person_id=pid, start=min(joins) if joins else report_start, end=max(leaves) if leaves else report_end,
            seconds=seconds, minutes=minutes_of(seconds), status=ATTENDED,
            raw_identity=f"graph|{report_id}|{key}|{ATTENDED}"))
    return out
