"""Response bodies shaped like the APIs' documented responses, and sources built through the real config loader.

Shapes follow: Zoom "Get meeting participant reports" (report/meetings/{meetingId}/participants) and "List
past meeting instances"; Eventbrite v3 "List Attendees by Event" with the pagination object and the Attendee
object example; Microsoft Graph v1.0 "List meetingAttendanceReports" and "List attendanceRecords".
"""
from __future__ import annotations

from typing import Any

from adapters.pull import SourceConfig, load_sources

ZOOM = "https://zoom.test/v2"
EVENTBRITE = "https://eventbrite.test/v3"
GRAPH = "https://graph.test/v1.0"

ZOOM_YAML = f"""
version: 1
sources:
  - name: district-zoom
    kind: zoom
    base_url: {ZOOM}
    token_env: ZOOM_TOKEN
    http: {{max_attempts: 3, backoff_seconds: 1, max_backoff_seconds: 8}}
    meetings:
      - meeting_id: "857 4606 5432"
        activity: https://pd.district.example.org/activities/algebra-plc
        name: Algebra PLC
        parent: https://pd.district.example.org/series/math-2025
"""

EVENTBRITE_YAML = f"""
sources:
  - name: district-eventbrite
    kind: eventbrite
    base_url: {EVENTBRITE}
    token_env: EVENTBRITE_TOKEN
    events:
      - event_id: "717926867587"
        activity: https://pd.district.example.org/activities/literacy-institute-2025
        parent: https://pd.district.example.org/series/literacy
        activity_type: http://id.tincanapi.com/activitytype/conference-session
"""

GRAPH_YAML = f"""
sources:
  - name: district-teams
    kind: graph
    base_url: {GRAPH}
    token_env: GRAPH_TOKEN
    meetings:
      - organizer: 16664f75-11dc-4870-bec6-38c1aaa81431
        meeting_id: MSpkYzE3Njc0Yy04MWQ5LTRhZGItYmZ
        activity: https://pd.district.example.org/activities/new-teacher-seminar
        name: New Teacher Seminar
"""

ENV = {"ZOOM_TOKEN": "zoom-secret", "EVENTBRITE_TOKEN": "eb-secret", "GRAPH_TOKEN": "graph-secret"}


def source(yaml_text: str) -> SourceConfig:
    """The one source of a YAML document, loaded through load_sources."""
    [s] = load_sources(yaml_text, ENV)
    return s


# --- Zoom -------------------------------------------------------------------------------------------------

def zoom_instances(*pairs: tuple[str, str]) -> dict[str, Any]:
    """GET /past_meetings/{meetingId}/instances."""
    return {"meetings": [{"uuid": uuid, "start_time": start} for uuid, start in pairs]}


def zoom_row(name: str, email: str, join: str, leave: str, duration: int, *, pid: str = "",
             status: str = "in_meeting", user_id: str = "16778240") -> dict[str, Any]:
    """One participants[] row of the participant report (one join/leave)."""
    return {
        "customer_key": "", "duration": duration, "failover": False, "id": pid, "join_time": join,
        "leave_time": leave, "name": name, "registrant_id": "", "status": status, "user_email": email,
        "user_id": user_id, "bo_mtg_id": "", "participant_user_id": pid,
    }


def zoom_report(rows: list[dict[str, Any]], *, next_token: str = "", page_count: int = 1,
                total: int | None = None, page_size: int = 300) -> dict[str, Any]:
    """GET /report/meetings/{meetingUUID}/participants, one page."""
    return {"page_count": page_count, "page_size": page_size, "total_records": total if total is not None
            else len(rows), "next_page_token": next_token, "participants": rows}


# --- Eventbrite -------------------------------------------------------------------------------------------

def eb_event(event_id: str, name: str, start_utc: str, end_utc: str) -> dict[str, Any]:
    """GET /v3/events/{event_id}/ (the fields used, plus some of the rest)."""
    return {
        "name": {"text": name, "html": name}, "description": {"text": None, "html": None},
        "id": event_id, "url": f"https://www.eventbrite.com/e/{event_id}",
        "start": {"timezone": "America/Chicago", "local": "2025-03-04T09:00:00", "utc": start_utc},
        "end": {"timezone": "America/Chicago", "local": "2025-03-04T12:00:00", "utc": end_utc},
        "organization_id": "26063413", "created": "2025-01-10T16:00:00Z", "changed": "2025-03-04T18:30:00Z",
        "capacity": 120, "status": "completed", "currency": "USD", "online_event": False,
    }


def _money() -> dict[str, Any]:
    return {"display": "$0.00", "currency": "USD", "value": 0, "major_value": "0.00"}


def eb_attendee(attendee_id: str, first: str, last: str, email: str, *, changed: str, checked_in: bool,
                cancelled: bool = False, refunded: bool = False, status: str | None = None,
                event_id: str = "717926867587") -> dict[str, Any]:
    """One attendees[] entry, shaped like the documented Attendee object."""
    return {
        "team": None,
        "costs": {"base_price": _money(), "eventbrite_fee": _money(), "gross": _money(), "payment_fee": _money(),
                  "tax": _money()},
        "resource_uri": f"https://www.eventbriteapi.com/v3/events/{event_id}/attendees/{attendee_id}/",
        "id": attendee_id, "changed": changed, "created": "2025-02-01T12:00:00Z", "quantity": 1,
        "variant_id": None,
        "profile": {"first_name": first, "last_name": last, "email": email, "name": f"{first} {last}",
                    "addresses": {"home": {}, "ship": {}, "work": {}, "bill": {}}},
        "barcodes": [{"status": "used" if checked_in else "unused", "barcode": f"{attendee_id}1000001",
                      "created": "2025-02-01T12:00:00Z", "changed": changed, "checkin_type": 0,
                      "is_printed": False}],
        "answers": [], "checkin_status": [], "checked_in": checked_in, "cancelled": cancelled,
        "refunded": refunded, "affiliate": None, "guestlist_id": None, "invited_by": None,
        "status": status or ("Checked In" if checked_in else "Attending"),
        "ticket_class_name": "General Admission", "delivery_method": "electronic", "event_id": event_id,
        "order_id": f"9{attendee_id}", "ticket_class_id": "1445011557",
    }


def eb_page(attendees: list[dict[str, Any]], *, page_number: int, page_count: int, object_count: int,
            continuation: str | None, has_more: bool) -> dict[str, Any]:
    """GET /v3/events/{event_id}/attendees/, one page, with the documented pagination object."""
    pagination: dict[str, Any] = {"object_count": object_count, "page_number": page_number, "page_size": 50,
                                  "page_count": page_count, "has_more_items": has_more}
    if continuation is not None:
        pagination["continuation"] = continuation
    return {"pagination": pagination, "attendees": attendees}


# --- Microsoft Graph --------------------------------------------------------------------------------------

def graph_reports(reports: list[dict[str, Any]], next_link: str | None = None) -> dict[str, Any]:
    """GET .../onlineMeetings/{meetingId}/attendanceReports."""
    body: dict[str, Any] = {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('16664f75-11dc-4870-bec6-"
                          "38c1aaa81431')/onlineMeetings('MSpkYzE3Njc0Yy04MWQ5LTRhZGItYmZ')/attendanceReports",
        "value": reports,
    }
    if next_link:
        body["@odata.nextLink"] = next_link
    return body


def graph_report(report_id: str, start: str, end: str, count: int) -> dict[str, Any]:
    return {"id": report_id, "totalParticipantCount": count, "meetingStartDateTime": start,
            "meetingEndDateTime": end, "attendanceRecords": []}


def graph_record(email: str, name: str, person_id: str, total: int, intervals: list[tuple[str, str, int]],
                 role: str = "Attendee") -> dict[str, Any]:
    return {
        "emailAddress": email, "totalAttendanceInSeconds": total, "role": role,
        "identity": {"id": person_id, "displayName": name, "tenantId": None},
        "attendanceIntervals": [{"joinDateTime": j, "leaveDateTime": l, "durationInSeconds": d}
                                for j, l, d in intervals],
    }


def graph_records(records: list[dict[str, Any]], next_link: str | None = None) -> dict[str, Any]:
    """GET .../attendanceReports/{reportId}/attendanceRecords."""
    body: dict[str, Any] = {"value": records}
    if next_link:
        body["@odata.nextLink"] = next_link
    return body
