"""Eventbrite: continuation paging, check-in status, cancellations, the changed_since cursor."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests
import responses
from responses import matchers

from adapters.pull import PullNotFoundError, pull
from tests.unit.pull.payloads import (EVENTBRITE, EVENTBRITE_YAML, eb_attendee, eb_event, eb_page, source)

EVENT_ID = "717926867587"
EVENT_URL = f"{EVENTBRITE}/events/{EVENT_ID}/"
ATTENDEES = f"{EVENTBRITE}/events/{EVENT_ID}/attendees/"
EVENT = eb_event(EVENT_ID, "Literacy Coaching Institute", "2025-03-04T15:00:00Z", "2025-03-04T18:00:00Z")
ACTIVITY = "https://pd.district.example.org/activities/literacy-institute-2025"


def no_sleep(seconds: float) -> None:
    raise AssertionError(f"slept {seconds} s in a test that should not retry")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


DANA = eb_attendee("2481562390", "Dana", "Reyes", "Dana.Reyes@District.example.org",
                   changed="2025-03-04T15:05:12Z", checked_in=True)
ELI = eb_attendee("2481562391", "Eli", "Park", "eli.park@district.example.org",
                  changed="2025-03-01T10:00:00Z", checked_in=False)
FAY = eb_attendee("2481562392", "Fay", "Moss", "fay.moss@district.example.org",
                  changed="2025-03-03T08:00:00Z", checked_in=False, cancelled=True, status="Not Attending")


@responses.activate
def test_full_pull_follows_continuation_and_maps_check_in_status() -> None:
    responses.get(EVENT_URL, json=EVENT)
    responses.get(ATTENDEES, match=[matchers.query_param_matcher({})], json=eb_page(
        [DANA, ELI], page_number=1, page_count=2, object_count=3, continuation="eyJwYWdlIjogMn0", has_more=True))
    responses.get(ATTENDEES, match=[matchers.query_param_matcher({"continuation": "eyJwYWdlIjogMn0"})],
                  json=eb_page([FAY], page_number=2, page_count=2, object_count=3, continuation=None,
                               has_more=False))

    result = pull(source(EVENTBRITE_YAML), None, requests.Session(), sleep=no_sleep)

    by_id = {r.person_id: r for r in result.records}
    assert {k: v.status for k, v in by_id.items()} == {
        "2481562390": "attended", "2481562391": "registered", "2481562392": "cancelled"}
    dana = by_id["2481562390"]
    assert dana.email == "dana.reyes@district.example.org" and dana.person_name == "Dana Reyes"
    # No minutes configured: a check-in is credited with the event's length, 15:00-18:00 = 180 minutes.
    assert (dana.seconds, dana.minutes) == (10800, 180.0)
    assert (dana.start, dana.end) == (utc("2025-03-04T15:00:00"), utc("2025-03-04T18:00:00"))
    assert dana.activity == ACTIVITY and dana.session_key == f"eventbrite:{EVENT_ID}"
    assert dana.activity_name == "Literacy Coaching Institute"  # not configured: the event's own name
    assert dana.activity_type == "http://id.tincanapi.com/activitytype/conference-session"
    assert dana.raw_identity == f"eventbrite|{EVENT_ID}|2481562390|attended"
    assert by_id["2481562391"].seconds is None and by_id["2481562392"].seconds is None
    # The high-water mark is the latest "changed" of the three: Dana's.
    assert result.new_cursor == {"kind": "eventbrite", "events": {EVENT_ID: {"changed_since": "2025-03-04T15:05:12Z"}}}
    assert (result.pages, result.requests) == (2, 3)


@responses.activate
def test_incremental_pull_sends_changed_since_from_the_cursor() -> None:
    eli_checked_in = eb_attendee("2481562391", "Eli", "Park", "eli.park@district.example.org",
                                 changed="2025-03-04T16:20:00Z", checked_in=True)
    responses.get(EVENT_URL, json=EVENT)
    # changed_since is inclusive, so Dana (changed exactly at the mark) comes back too.
    responses.get(ATTENDEES, match=[matchers.query_param_matcher({"changed_since": "2025-03-04T15:05:12Z"})],
                  json=eb_page([DANA, eli_checked_in], page_number=1, page_count=1, object_count=2,
                               continuation=None, has_more=False))
    cursor = {"kind": "eventbrite", "events": {EVENT_ID: {"changed_since": "2025-03-04T15:05:12Z"}}}

    result = pull(source(EVENTBRITE_YAML), cursor, requests.Session(), sleep=no_sleep)

    assert getattr(responses.calls[1].request, "params") == {"changed_since": "2025-03-04T15:05:12Z"}
    assert [(r.person_id, r.status) for r in result.records] == [("2481562390", "attended"),
                                                                  ("2481562391", "attended")]
    # Dana's record is the same fact as in the first pull, so the same identity: it adds nothing downstream.
    assert result.records[0].raw_identity == f"eventbrite|{EVENT_ID}|2481562390|attended"
    assert result.new_cursor["events"][EVENT_ID] == {"changed_since": "2025-03-04T16:20:00Z"}
    # The cursor passed in is not modified: the caller still holds the old one until it stores the new.
    assert cursor == {"kind": "eventbrite", "events": {EVENT_ID: {"changed_since": "2025-03-04T15:05:12Z"}}}


@responses.activate
def test_nothing_changed_keeps_the_mark() -> None:
    responses.get(EVENT_URL, json=EVENT)
    responses.get(ATTENDEES, json=eb_page([], page_number=1, page_count=1, object_count=0, continuation=None,
                                          has_more=False))
    cursor = {"kind": "eventbrite", "events": {EVENT_ID: {"changed_since": "2025-03-04T15:05:12Z"}}}
    result = pull(source(EVENTBRITE_YAML), cursor, requests.Session(), sleep=no_sleep)
    assert result.records == () and result.new_cursor == cursor


@responses.activate
def test_configured_minutes_override_the_event_length() -> None:
    yaml_text = EVENTBRITE_YAML + "        minutes: 150\n"
    responses.get(EVENT_URL, json=EVENT)
    responses.get(ATTENDEES, json=eb_page([DANA], page_number=1, page_count=1, object_count=1, continuation=None,
                                          has_more=False))
    [dana] = pull(source(yaml_text), None, requests.Session(), sleep=no_sleep).records
    assert (dana.seconds, dana.minutes) == (9000, 150.0)


@responses.activate
def test_unknown_event_is_named() -> None:
    responses.get(EVENT_URL, status=404, json={"status_code": 404, "error_description": "The event you requested "
                                               "does not exist.", "error": "NOT_FOUND"})
    with pytest.raises(PullNotFoundError, match=f"Eventbrite event {EVENT_ID} was not found"):
        pull(source(EVENTBRITE_YAML), None, requests.Session(), sleep=no_sleep)


@responses.activate
def test_an_answer_without_continuation_pages_by_number() -> None:
    responses.get(EVENT_URL, json=EVENT)
    responses.get(ATTENDEES, match=[matchers.query_param_matcher({})], json=eb_page(
        [DANA], page_number=1, page_count=2, object_count=2, continuation=None, has_more=True))
    responses.get(ATTENDEES, match=[matchers.query_param_matcher({"page": "2"})], json=eb_page(
        [ELI], page_number=2, page_count=2, object_count=2, continuation=None, has_more=False))
    result = pull(source(EVENTBRITE_YAML), None, requests.Session(), sleep=no_sleep)
    assert [r.person_id for r in result.records] == ["2481562390", "2481562391"]
