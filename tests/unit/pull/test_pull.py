"""A pull is all or nothing: an interruption returns nothing and leaves the caller's cursor to resume from."""
from __future__ import annotations

import copy
from typing import Any

import pytest
import requests
import responses
from responses import matchers

from adapters.pull import PullError, PullRetriesExhausted, pull
from adapters.pull.zoom import encode_uuid
from tests.unit.pull.payloads import (EVENTBRITE, EVENTBRITE_YAML, ZOOM, ZOOM_YAML, eb_attendee, eb_event,
                                      eb_page, source, zoom_instances, zoom_report, zoom_row)

MEETING = "85746065432"
OLD, NEW = "3333ZZZzZZZZZzZzZzzZzz==", "4444AAAiAAAAAiAiAiiAii=="
INSTANCES = f"{ZOOM}/past_meetings/{MEETING}/instances"
REPORT = f"{ZOOM}/report/meetings/{encode_uuid(NEW)}/participants"
TOKEN = "Tva2CuIdTgsv8wAnhyAdU3m06Y2HuLQtlh3"
PAGE1 = zoom_report([zoom_row("Ana Diaz", "ana@district.example.org", "2025-02-04T15:00:00Z",
                              "2025-02-04T15:20:00Z", 1200)], next_token=TOKEN, page_count=2, total=2, page_size=1)
PAGE2 = zoom_report([zoom_row("Ana Diaz", "ana@district.example.org", "2025-02-04T15:30:00Z",
                              "2025-02-04T16:00:00Z", 1800)], page_count=2, total=2, page_size=1)
PULLED_OLD = {"kind": "zoom", "meetings": {MEETING: {"instances": [OLD]}}}


def no_wait(seconds: float) -> None:
    pass


def register_zoom(mock: responses.RequestsMock, page2: dict | Exception) -> None:
    mock.get(INSTANCES, json=zoom_instances((OLD, "2025-01-28T15:00:00Z"), (NEW, "2025-02-04T15:00:00Z")))
    mock.get(REPORT, json=PAGE1, match=[matchers.query_param_matcher({"page_size": "300"})])
    params = matchers.query_param_matcher({"page_size": "300", "next_page_token": TOKEN})
    if isinstance(page2, Exception):
        for _ in range(3):
            mock.get(REPORT, body=page2, match=[params])
    else:
        mock.get(REPORT, json=page2, match=[params])


def test_interrupted_on_page_two_returns_nothing_and_the_next_pull_resumes() -> None:
    cursor = copy.deepcopy(PULLED_OLD)
    kept = copy.deepcopy(cursor)
    with responses.RequestsMock() as mock:
        register_zoom(mock, requests.ConnectionError("Connection reset by peer"))
        with pytest.raises(PullRetriesExhausted):
            pull(source(ZOOM_YAML), cursor, requests.Session(), sleep=no_wait)
        assert len(mock.calls) == 5  # instances, page 1, then page 2 three times
    assert cursor == kept  # the caller's cursor is untouched: nothing was marked as pulled

    # The next pull, from the same old cursor, fetches the instance whole: both of Ana's rows.
    with responses.RequestsMock() as mock:
        register_zoom(mock, PAGE2)
        result = pull(source(ZOOM_YAML), cursor, requests.Session(), sleep=no_wait)
    [ana] = result.records
    assert ana.seconds == 1200 + 1800
    assert result.new_cursor == {"kind": "zoom", "meetings": {MEETING: {"instances": [OLD, NEW]}}}


@responses.activate
def test_a_malformed_page_two_is_a_pull_error_too() -> None:
    register_zoom(responses.mock, {"participants": "not a list"})
    with pytest.raises(PullError, match="has no 'participants' list"):
        pull(source(ZOOM_YAML), PULLED_OLD, requests.Session(), sleep=no_wait)


@responses.activate
def test_an_unreadable_timestamp_is_a_pull_error_not_a_crash() -> None:
    responses.get(INSTANCES, json={"meetings": [{"uuid": NEW, "start_time": "last Tuesday"}]})
    with pytest.raises(PullError, match="unexpected answer from the API"):
        pull(source(ZOOM_YAML), None, requests.Session(), sleep=no_wait)


@responses.activate
def test_eventbrite_interrupted_on_page_two_keeps_the_mark() -> None:
    event_id = "717926867587"
    attendees = f"{EVENTBRITE}/events/{event_id}/attendees/"
    responses.get(f"{EVENTBRITE}/events/{event_id}/",
                  json=eb_event(event_id, "Literacy Coaching Institute", "2025-03-04T15:00:00Z",
                                "2025-03-04T18:00:00Z"))
    page1 = eb_page([eb_attendee("2481562390", "Dana", "Reyes", "dana@district.example.org",
                                 changed="2025-03-05T09:00:00Z", checked_in=True)],
                    page_number=1, page_count=2, object_count=2, continuation="eyJwYWdlIjogMn0", has_more=True)
    responses.get(attendees, json=page1,
                  match=[matchers.query_param_matcher({"changed_since": "2025-03-04T15:05:12Z"})])
    responses.get(attendees, status=401, json={"status_code": 401, "error": "INVALID_AUTH",
                                               "error_description": "The OAuth token you provided was invalid."},
                  match=[matchers.query_param_matcher({"changed_since": "2025-03-04T15:05:12Z",
                                                       "continuation": "eyJwYWdlIjogMn0"})])
    cursor: dict[str, Any] = {"kind": "eventbrite", "events": {event_id: {"changed_since": "2025-03-04T15:05:12Z"}}}
    with pytest.raises(PullError) as err:
        pull(source(EVENTBRITE_YAML), cursor, requests.Session(), sleep=no_wait)
    assert str(err.value).startswith("eventbrite source 'district-eventbrite': the API refused the token "
                                     "(401 Unauthorized); check EVENTBRITE_TOKEN")
    # Dana's 09:00 change on page 1 did not move the mark: the caller still has 15:05:12.
    assert cursor["events"][event_id] == {"changed_since": "2025-03-04T15:05:12Z"}


def test_a_cursor_of_another_kind_is_refused() -> None:
    with pytest.raises(PullError, match="the stored cursor is of kind 'eventbrite', not 'zoom'"):
        pull(source(ZOOM_YAML), {"kind": "eventbrite", "events": {}}, requests.Session(), sleep=no_wait)


@responses.activate
def test_records_serialise_to_json() -> None:
    register_zoom(responses.mock, PAGE2)
    [ana] = pull(source(ZOOM_YAML), PULLED_OLD, requests.Session(), sleep=no_wait).records
    assert ana.as_json() == {
        "source": "district-zoom", "kind": "zoom", "session_key": f"zoom:{NEW}",
        "activity": "https://pd.district.example.org/activities/algebra-plc", "activity_name": "Algebra PLC",
        "parent": "https://pd.district.example.org/series/math-2025",
        "activity_type": "http://adlnet.gov/expapi/activities/meeting", "email": "ana@district.example.org",
        "person_name": "Ana Diaz", "person_id": None, "start": "2025-02-04T15:00:00Z", "end": "2025-02-04T16:00:00Z",
        "seconds": 3000, "minutes": 50.0, "status": "attended",
        "raw_identity": f"zoom|{NEW}|email:ana@district.example.org|attended",
    }
