"""Microsoft Graph: attendance reports and records, @odata.nextLink paging, the report cursor."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests
import responses

from adapters.pull import PullError, pull
from tests.unit.pull.payloads import (GRAPH, GRAPH_YAML, graph_record, graph_records, graph_report,
                                      graph_reports, source)

USER = "16664f75-11dc-4870-bec6-38c1aaa81431"
MEETING = "MSpkYzE3Njc0Yy04MWQ5LTRhZGItYmZ"
REPORTS = f"{GRAPH}/users/{USER}/onlineMeetings/{MEETING}/attendanceReports"
R1 = "c9b6db1c-d5eb-427d-a5c0-20088d9b22d7"
R2 = "2c2c2454-7613-4d6e-9c7c-4cf7a6cdce89"


def no_sleep(seconds: float) -> None:
    raise AssertionError(f"slept {seconds} s in a test that should not retry")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


FREDERICK = graph_record("Frederick.Cormier@contoso.com", "Frederick Cormier", "dc17674c-81d9-4adb-bfb2-8f6a442e4623",
                         322, [("2021-10-05T04:38:27.6027225Z", "2021-10-05T04:43:49.7702391Z", 322)],
                         role="Organizer")
LISA = graph_record("lisa.adkins@contoso.com", "Lisa Adkins", "57caaef9-5ed0-48d5-8862-e5abfa71b3e9", 1500,
                    [("2021-10-05T04:38:30Z", "2021-10-05T04:50:00Z", 690),
                     ("2021-10-05T04:55:00Z", "2021-10-05T05:08:30Z", 810)])


@responses.activate
def test_reports_and_records_follow_next_links() -> None:
    # The report list has two pages; R1's records have two pages too.
    responses.get(REPORTS, json=graph_reports(
        [graph_report(R1, "2021-10-05T04:38:23.945Z", "2021-10-05T05:10:00Z", 2)],
        next_link=f"{REPORTS}?$skiptoken=page2"))
    responses.get(f"{REPORTS}?$skiptoken=page2", json=graph_reports(
        [graph_report(R2, "2021-10-04T23:13:31.658Z", "2021-10-04T23:18:57.563Z", 1)]))
    responses.get(f"{REPORTS}/{R1}/attendanceRecords",
                  json=graph_records([FREDERICK], next_link=f"{REPORTS}/{R1}/attendanceRecords?$skiptoken=x1"))
    responses.get(f"{REPORTS}/{R1}/attendanceRecords?$skiptoken=x1", json=graph_records([LISA]))
    responses.get(f"{REPORTS}/{R2}/attendanceRecords", json=graph_records([
        graph_record("lisa.adkins@contoso.com", "Lisa Adkins", "57caaef9-5ed0-48d5-8862-e5abfa71b3e9", 314,
                     [("2021-10-04T23:13:43.3776519Z", "2021-10-04T23:18:57.5639338Z", 314)])]))

    result = pull(source(GRAPH_YAML), None, requests.Session(), sleep=no_sleep)

    # Reports come out oldest first: R2 (Oct 4) before R1 (Oct 5).
    assert [(r.session_key, r.email, r.seconds) for r in result.records] == [
        (f"graph:{R2}", "lisa.adkins@contoso.com", 314),
        (f"graph:{R1}", "frederick.cormier@contoso.com", 322),
        (f"graph:{R1}", "lisa.adkins@contoso.com", 1500),
    ]
    lisa = result.records[2]
    # totalAttendanceInSeconds is taken as given; first join and last leave bound the record.
    assert lisa.minutes == 25.0
    assert (lisa.start, lisa.end) == (utc("2021-10-05T04:38:30"), utc("2021-10-05T05:08:30"))
    assert lisa.person_id == "57caaef9-5ed0-48d5-8862-e5abfa71b3e9" and lisa.person_name == "Lisa Adkins"
    assert lisa.activity == "https://pd.district.example.org/activities/new-teacher-seminar"
    assert lisa.raw_identity == f"graph|{R1}|email:lisa.adkins@contoso.com|attended"
    frederick = result.records[1]
    assert frederick.start == datetime(2021, 10, 5, 4, 38, 27, 602722, tzinfo=timezone.utc)
    assert result.new_cursor == {"kind": "graph", "meetings": {MEETING: {"reports": sorted([R1, R2])}}}
    assert (result.pages, result.requests) == (5, 5)


@responses.activate
def test_reports_already_seen_are_not_fetched_again() -> None:
    responses.get(REPORTS, json=graph_reports([
        graph_report(R1, "2021-10-05T04:38:23.945Z", "2021-10-05T05:10:00Z", 2),
        graph_report(R2, "2021-10-04T23:13:31.658Z", "2021-10-04T23:18:57.563Z", 1)]))
    responses.get(f"{REPORTS}/{R1}/attendanceRecords", json=graph_records([FREDERICK]))
    cursor = {"kind": "graph", "meetings": {MEETING: {"reports": [R2]}}}
    result = pull(source(GRAPH_YAML), cursor, requests.Session(), sleep=no_sleep)
    assert [r.session_key for r in result.records] == [f"graph:{R1}"]
    assert len(responses.calls) == 2


@responses.activate
def test_a_next_link_to_another_host_is_not_followed_with_the_token() -> None:
    responses.get(REPORTS, json=graph_reports([], next_link="https://evil.example.net/v1.0/steal?$skiptoken=1"))
    with pytest.raises(PullError, match="points to another host"):
        pull(source(GRAPH_YAML), None, requests.Session(), sleep=no_sleep)
    assert len(responses.calls) == 1
