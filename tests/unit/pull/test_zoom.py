"""Zoom: instances, participant-report paging, per-person summing, the instance cursor."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests
import responses
from responses import matchers

from adapters.pull import PullNotFoundError, pull
from adapters.pull.zoom import encode_uuid
from tests.unit.pull.payloads import ZOOM, ZOOM_YAML, source, zoom_instances, zoom_report, zoom_row

MEETING = "85746065432"
UUID1 = "4444AAAiAAAAAiAiAiiAii=="
UUID2 = "5555BBBjBBBBBjBjBjjBjj=="
INSTANCES = f"{ZOOM}/past_meetings/{MEETING}/instances"


def report_url(uuid: str) -> str:
    return f"{ZOOM}/report/meetings/{encode_uuid(uuid)}/participants"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def no_sleep(seconds: float) -> None:
    raise AssertionError(f"slept {seconds} s in a test that should not retry")


@responses.activate
def test_two_pages_and_a_rejoin_sum_per_person() -> None:
    responses.get(INSTANCES, json=zoom_instances((UUID1, "2025-02-04T15:00:00Z")))
    # Ana's first join is on page 1 and her rejoin on page 2: the two rows are one person.
    page1 = zoom_report([
        zoom_row("Ana Diaz", "Ana.Diaz@District.example.org", "2025-02-04T15:00:10Z", "2025-02-04T15:30:10Z",
                 1800, pid="30R7kT7bTIKSNUFEuH_Qlg"),
        zoom_row("Ben Okafor", "ben.okafor@district.example.org", "2025-02-04T14:58:00Z", "2025-02-04T15:02:00Z",
                 240, pid="Zx1kT7bTIKSNUFEuH_Ab", status="in_waiting_room"),
    ], next_token="Tva2CuIdTgsv8wAnhyAdU3m06Y2HuLQtlh3", page_count=2, total=4, page_size=2)
    page2 = zoom_report([
        zoom_row("Ben Okafor", "ben.okafor@district.example.org", "2025-02-04T15:02:00Z", "2025-02-04T15:58:00Z",
                 3360, pid="Zx1kT7bTIKSNUFEuH_Ab"),
        zoom_row("Ana Diaz", "ana.diaz@district.example.org", "2025-02-04T15:35:00Z", "2025-02-04T16:00:00Z",
                 1500, pid="30R7kT7bTIKSNUFEuH_Qlg"),
    ], next_token="", page_count=2, total=4, page_size=2)
    responses.get(report_url(UUID1), json=page1,
                  match=[matchers.query_param_matcher({"page_size": "300"})])
    responses.get(report_url(UUID1), json=page2, match=[matchers.query_param_matcher(
        {"page_size": "300", "next_page_token": "Tva2CuIdTgsv8wAnhyAdU3m06Y2HuLQtlh3"})])

    result = pull(source(ZOOM_YAML), None, requests.Session(), sleep=no_sleep)

    by_email = {r.email: r for r in result.records}
    assert set(by_email) == {"ana.diaz@district.example.org", "ben.okafor@district.example.org"}
    ana = by_email["ana.diaz@district.example.org"]
    # 15:00:10-15:30:10 is 1800 s, 15:35:00-16:00:00 is 1500 s: 3300 s = 55 minutes.
    assert (ana.seconds, ana.minutes) == (3300, 55.0)
    assert ana.start == utc("2025-02-04T15:00:10") and ana.end == utc("2025-02-04T16:00:00")
    assert ana.person_name == "Ana Diaz" and ana.person_id == "30R7kT7bTIKSNUFEuH_Qlg"
    assert ana.session_key == f"zoom:{UUID1}" and ana.status == "attended"
    assert ana.activity == "https://pd.district.example.org/activities/algebra-plc"
    assert ana.activity_name == "Algebra PLC"
    assert ana.parent == "https://pd.district.example.org/series/math-2025"
    assert ana.activity_type == "http://adlnet.gov/expapi/activities/meeting"
    assert ana.raw_identity == f"zoom|{UUID1}|email:ana.diaz@district.example.org|attended"
    # Ben's 4 minutes in the waiting room do not count: 15:02-15:58 is 56 minutes.
    ben = by_email["ben.okafor@district.example.org"]
    assert (ben.seconds, ben.start) == (3360, utc("2025-02-04T15:02:00"))
    assert result.new_cursor == {"kind": "zoom", "meetings": {MEETING: {"instances": [UUID1]}}}
    assert (result.pages, result.requests, result.retries) == (2, 3, 0)
    # Every request carries the token and a timeout.
    for call in responses.calls:
        assert call.request.headers["Authorization"] == "Bearer zoom-secret"
        assert getattr(call.request, "req_kwargs")["timeout"] == 30.0  # recorded by responses


@responses.activate
def test_overlapping_devices_count_once_and_rows_without_identity_are_skipped() -> None:
    responses.get(INSTANCES, json=zoom_instances((UUID1, "2025-02-04T15:00:00Z")))
    responses.get(report_url(UUID1), json=zoom_report([
        zoom_row("Cara Lind", "cara@district.example.org", "2025-02-04T15:00:00Z", "2025-02-04T15:40:00Z", 2400),
        zoom_row("Cara's iPhone", "cara@district.example.org", "2025-02-04T15:30:00Z", "2025-02-04T16:00:00Z",
                 1800),
        zoom_row("Guest", "", "2025-02-04T15:00:00Z", "2025-02-04T15:10:00Z", 600),
    ]))
    result = pull(source(ZOOM_YAML), None, requests.Session(), sleep=no_sleep)
    [cara] = result.records
    # 15:00-15:40 and 15:30-16:00 overlap; together they cover 15:00-16:00 = 3600 s, not 2400 + 1800.
    assert cara.seconds == 3600
    assert result.warnings == (f"Zoom meeting {MEETING}, instance {UUID1}: participant Guest has neither an "
                               f"email nor an id; skipped",)


@responses.activate
def test_second_pull_fetches_only_new_instances_and_empty_reports_are_retried() -> None:
    responses.get(INSTANCES, json=zoom_instances((UUID2, "2025-02-11T15:00:00Z"), (UUID1, "2025-02-04T15:00:00Z")))
    # UUID1 was pulled before; UUID2's report is not built yet (empty), so it must stay unpulled.
    responses.get(report_url(UUID2), json=zoom_report([]))
    cursor = {"kind": "zoom", "meetings": {MEETING: {"instances": [UUID1]}}}

    result = pull(source(ZOOM_YAML), cursor, requests.Session(), sleep=no_sleep)

    assert result.records == ()
    assert result.new_cursor == cursor
    assert [str(c.request.url).split("?")[0] for c in responses.calls] == [INSTANCES, report_url(UUID2)]
    assert "will try again" in result.warnings[0]


@responses.activate
def test_unknown_meeting_is_a_clear_error() -> None:
    responses.get(INSTANCES, status=404, json={"code": 3001, "message": f"Meeting does not exist: {MEETING}."})
    with pytest.raises(PullNotFoundError) as err:
        pull(source(ZOOM_YAML), None, requests.Session(), sleep=no_sleep)
    assert str(err.value) == (
        f"zoom source 'district-zoom': Zoom meeting {MEETING} (Algebra PLC) was not found (404 Not Found); "
        f"check its id in the pull-sources file (the API said: Meeting does not exist: {MEETING}.)")


def test_uuid_encoding_follows_zooms_double_encoding_rule() -> None:
    assert encode_uuid("4444AAAiAAAAAiAiAiiAii==") == "4444AAAiAAAAAiAiAiiAii%3D%3D"
    assert encode_uuid("ab/cd+e=") == "ab%2Fcd%2Be%3D"  # a single "/" inside: encoded once
    assert encode_uuid("/ajXp112QmuoKj4854875==") == "%252FajXp112QmuoKj4854875%253D%253D"
    assert encode_uuid("ab//cd") == "ab%252F%252Fcd"


@responses.activate
def test_an_instance_without_a_report_yet_is_skipped_and_left_for_later() -> None:
    responses.get(INSTANCES, json=zoom_instances((UUID1, "2025-02-04T15:00:00Z"), (UUID2, "2025-02-11T15:00:00Z")))
    responses.get(report_url(UUID1), json=zoom_report([
        zoom_row("Ana Diaz", "ana@district.example.org", "2025-02-04T15:00:00Z", "2025-02-04T15:45:00Z", 2700)]))
    responses.get(report_url(UUID2), status=404, json={"code": 3001, "message": "This meeting is not available."})
    result = pull(source(ZOOM_YAML), None, requests.Session(), sleep=no_sleep)
    assert [(r.session_key, r.seconds) for r in result.records] == [(f"zoom:{UUID1}", 2700)]
    assert result.new_cursor["meetings"][MEETING] == {"instances": [UUID1]}
    assert result.warnings == (f"Zoom meeting {MEETING} (Algebra PLC): no participant report yet for instance "
                               f"{UUID2}; will try again",)
