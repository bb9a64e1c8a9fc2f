"""Retries (429 with Retry-After, 5xx, connection errors), back-off with jitter, and refused tokens."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests
import responses

from adapters.pull import PullAuthError, PullError, PullRetriesExhausted, pull
from adapters.pull.http import backoff_delay, parse_retry_after
from adapters.pull.zoom import encode_uuid
from tests.unit.pull.payloads import (GRAPH, GRAPH_YAML, ZOOM, ZOOM_YAML, source, zoom_instances, zoom_report,
                                      zoom_row)

MEETING = "85746065432"
UUID1 = "4444AAAiAAAAAiAiAiiAii=="
INSTANCES = f"{ZOOM}/past_meetings/{MEETING}/instances"
REPORT = f"{ZOOM}/report/meetings/{encode_uuid(UUID1)}/participants"
ONE_ROW = zoom_report([zoom_row("Ana Diaz", "ana@district.example.org", "2025-02-04T15:00:00Z",
                                "2025-02-04T16:00:00Z", 3600)])


class Sleeps(list[float]):
    """Records the waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def half() -> float:
    return 0.5


def ok_report() -> None:
    responses.get(REPORT, json=ONE_ROW)


@responses.activate
def test_429_waits_what_retry_after_says() -> None:
    responses.get(INSTANCES, status=429, headers={"Retry-After": "2"},
                  json={"code": 429, "message": "You have reached the maximum per-second rate limit for this API."})
    responses.get(INSTANCES, json=zoom_instances((UUID1, "2025-02-04T15:00:00Z")))
    ok_report()
    sleeps = Sleeps()
    result = pull(source(ZOOM_YAML), None, requests.Session(), sleep=sleeps, rand=half)
    assert sleeps == [2.0]  # exactly the server's figure: no jitter on a Retry-After
    assert (result.requests, result.retries) == (3, 1)
    assert [r.email for r in result.records] == ["ana@district.example.org"]


@responses.activate
def test_retry_after_as_an_http_date() -> None:
    responses.get(INSTANCES, status=503, headers={"Retry-After": "Tue, 04 Feb 2025 16:00:07 GMT"})
    responses.get(INSTANCES, json=zoom_instances((UUID1, "2025-02-04T15:00:00Z")))
    ok_report()
    sleeps = Sleeps()
    pull(source(ZOOM_YAML), None, requests.Session(), sleep=sleeps, rand=half,
         clock=lambda: datetime(2025, 2, 4, 16, 0, 0, tzinfo=timezone.utc))
    assert sleeps == [7.0]


@responses.activate
def test_500_then_success_backs_off_with_jitter() -> None:
    responses.get(INSTANCES, status=500, json={"code": 500, "message": "Internal error"})
    responses.get(INSTANCES, json=zoom_instances((UUID1, "2025-02-04T15:00:00Z")))
    ok_report()
    sleeps = Sleeps()
    result = pull(source(ZOOM_YAML), None, requests.Session(), sleep=sleeps, rand=half)
    # First back-off of 1 s, half kept and half jittered: 0.5 + 0.5 * 0.5.
    assert sleeps == [0.75]
    assert result.retries == 1 and len(result.records) == 1


@responses.activate
def test_repeated_503_exhausts_the_attempts() -> None:
    for _ in range(3):
        responses.get(INSTANCES, status=503, body="Service Unavailable")
    sleeps = Sleeps()
    with pytest.raises(PullRetriesExhausted) as err:
        pull(source(ZOOM_YAML), None, requests.Session(), sleep=sleeps, rand=half)
    # max_attempts is 3 in the file: 3 requests, 2 waits (1 s then 2 s before jitter), no wait after the last.
    assert len(responses.calls) == 3
    assert sleeps == [0.75, 1.5]
    assert str(err.value) == ("zoom source 'district-zoom': Zoom meeting 85746065432 (Algebra PLC): gave up after "
                              "3 attempts; last: the API answered 503 Service Unavailable")
    assert err.value.source == "district-zoom"


@responses.activate
def test_connection_error_then_success() -> None:
    responses.get(INSTANCES, body=requests.ConnectionError("Connection refused"))
    responses.get(INSTANCES, json=zoom_instances((UUID1, "2025-02-04T15:00:00Z")))
    ok_report()
    sleeps = Sleeps()
    result = pull(source(ZOOM_YAML), None, requests.Session(), sleep=sleeps, rand=half)
    assert sleeps == [0.75]
    assert (result.requests, result.retries, len(result.records)) == (3, 1, 1)


@responses.activate
def test_expired_token_is_a_clear_error_and_not_retried() -> None:
    responses.get(INSTANCES, status=401, json={"code": 124, "message": "Access token is expired."})
    sleeps = Sleeps()
    with pytest.raises(PullAuthError) as err:
        pull(source(ZOOM_YAML), None, requests.Session(), sleep=sleeps)
    assert str(err.value) == ("zoom source 'district-zoom': the API refused the token (401 Unauthorized); "
                              "check ZOOM_TOKEN (the API said: Access token is expired.)")
    assert sleeps == [] and len(responses.calls) == 1


@responses.activate
def test_forbidden_names_the_variable_and_the_permissions() -> None:
    reports = (f"{GRAPH}/users/16664f75-11dc-4870-bec6-38c1aaa81431/onlineMeetings/"
               f"MSpkYzE3Njc0Yy04MWQ5LTRhZGItYmZ/attendanceReports")
    responses.get(reports, status=403, json={"error": {"code": "Forbidden", "message": "Application is not "
                                                       "allowed to perform operations on the user."}})
    with pytest.raises(PullAuthError) as err:
        pull(source(GRAPH_YAML), None, requests.Session(), sleep=Sleeps())
    assert str(err.value) == ("graph source 'district-teams': the API refused the token (403 Forbidden); check "
                              "GRAPH_TOKEN and the scopes or permissions granted to it (the API said: Application "
                              "is not allowed to perform operations on the user.)")


@responses.activate
def test_a_retry_after_beyond_the_limit_fails_at_once() -> None:
    responses.get(INSTANCES, status=429, headers={"Retry-After": "3600"})
    sleeps = Sleeps()
    with pytest.raises(PullRetriesExhausted, match="asked to wait 3600 s"):
        pull(source(ZOOM_YAML), None, requests.Session(), sleep=sleeps)
    assert sleeps == []


@responses.activate
def test_other_client_errors_are_not_retried() -> None:
    responses.get(INSTANCES, status=400, json={"code": 300, "message": "Invalid meeting id."})
    with pytest.raises(PullError) as err:
        pull(source(ZOOM_YAML), None, requests.Session(), sleep=Sleeps())
    assert str(err.value).endswith("the API answered 400 Bad Request: Invalid meeting id.")
    assert len(responses.calls) == 1


def test_parse_retry_after() -> None:
    now = datetime(2025, 2, 4, 16, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("2", now) == 2.0
    assert parse_retry_after(" 120 ", now) == 120.0
    assert parse_retry_after("Tue, 04 Feb 2025 16:01:30 GMT", now) == 90.0
    assert parse_retry_after("Tue, 04 Feb 2025 15:59:00 GMT", now) == 0.0  # already past: no wait
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_backoff_doubles_up_to_the_cap() -> None:
    # base 1, cap 8: 1, 2, 4, 8, 8 before jitter; jitter keeps the lower half.
    assert [backoff_delay(n, 1.0, 8.0, 0.0) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert [backoff_delay(n, 1.0, 8.0, 1.0) for n in range(1, 6)] == [1.0, 2.0, 4.0, 8.0, 8.0]
