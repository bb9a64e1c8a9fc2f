"""``lrs pull`` through the CLI entry point (in-process, so ``responses`` answers for Zoom, Eventbrite and Graph),
on both backends: paging, retries, an expired token, incremental pulls, ``--all`` with a failing source, the
cursor stored in the same append as the statements, pending records, and pulled = imported facts."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import responses
from responses import matchers
from sqlalchemy import select

import lrs.imports.pull as pull_service
from adapters.pull.zoom import encode_uuid
from lrs.eventlog.tables import events
from lrs.imports.pull import CURSOR_EVENT, UNREGISTERED, pulled_statement_id
from tests.integration.import_helpers import ATTENDED, IDP, REGISTERED, District, district, fixture
from tests.unit.pull.payloads import (eb_attendee, eb_event, eb_page, graph_record, graph_records, graph_report,
                                      graph_reports, zoom_instances, zoom_report, zoom_row)

__all__ = ["district"]

ZOOM, EB, GRAPH = "https://zoom.test/v2", "https://eventbrite.test/v3", "https://graph.test/v1.0"
MEETING = "85746065432"
UUID1, UUID2 = "4444AAAiAAAAAiAiAiiAii==", "/5555BBB//jBBBBBjBjjBjj=="   # the second needs double encoding
PLC = "https://district.example/xapi/activities/pd/algebra-plc"
INSTITUTE = "https://district.example/xapi/activities/pd/literacy-institute"
SEMINAR = "https://district.example/xapi/activities/pd/new-teacher-seminar"
EXT_PULL = "https://district.example/xapi/ext/pull"
INSTANCES = f"{ZOOM}/past_meetings/{MEETING}/instances"
EVENT = "717926867587"
ORGANIZER, TEAMS_MEETING = "16664f75-11dc-4870-bec6-38c1aaa81431", "MSpkYzE3Njc0Yy04MWQ5LTRhZGItYmZ"
REPORTS = f"{GRAPH}/users/{ORGANIZER}/onlineMeetings/{TEAMS_MEETING}/attendanceReports"
TOKENS = {"ZOOM_TOKEN": "zoom-secret", "EVENTBRITE_TOKEN": "eb-secret", "GRAPH_TOKEN": "graph-secret"}

SOURCES = f"""\
version: 1
http: {{max_attempts: 3, backoff_seconds: 1, max_backoff_seconds: 4}}
sources:
  - name: district-zoom
    kind: zoom
    base_url: {ZOOM}
    token_env: ZOOM_TOKEN
    meetings:
      - meeting_id: "857 4606 5432"
        activity: {PLC}
        name: Algebra PLC
        parent: https://district.example/xapi/activities/pd/math-series
  - name: district-eventbrite
    kind: eventbrite
    base_url: {EB}
    token_env: EVENTBRITE_TOKEN
    http: {{max_attempts: 2}}
    events:
      - event_id: "{EVENT}"
        activity: {INSTITUTE}
        minutes: 180
  - name: district-teams
    kind: graph
    base_url: {GRAPH}
    token_env: GRAPH_TOKEN
    meetings:
      - organizer: {ORGANIZER}
        meeting_id: {TEAMS_MEETING}
        activity: {SEMINAR}
        name: New Teacher Seminar
"""


@pytest.fixture
def sources(tmp_path: Path) -> str:
    path = tmp_path / "pull-sources.yaml"
    path.write_text(SOURCES, encoding="utf-8")
    return str(path)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits a pull asked for (none is slept)."""
    waited: list[float] = []
    monkeypatch.setattr(pull_service, "sleep_between_retries", waited.append)
    return waited


def report_url(uuid: str) -> str:
    return f"{ZOOM}/report/meetings/{encode_uuid(uuid)}/participants"


def pull(d: District, sources: str, *args: str, **env: str) -> Any:
    return d.cli("pull", *args, "--sources", sources, **{**TOKENS, **env})


def cursor_events(d: District) -> list[tuple[int, str, dict[str, Any]]]:
    e = events
    with d.services.engine.connect() as conn:
        return [(r.position, r.stream, orjson.loads(r.payload)) for r in conn.execute(
            select(e.c.position, e.c.stream, e.c.payload).where(e.c.type == CURSOR_EVENT).order_by(e.c.position))]


def pulled(d: District, verb: str | None = ATTENDED) -> dict[tuple[str, str], dict[str, Any]]:
    """{(employee id, session key): statement} of the pulled statements (of one verb, or all with None)."""
    out = {}
    for s in d.stored():
        ext = s.get("context", {}).get("extensions", {}).get(EXT_PULL)
        if ext and (verb is None or s["verb"]["id"] == verb):
            out[(ext["person"], ext["session_key"])] = s
    return out


def zoom_first_instance() -> None:
    responses.get(INSTANCES, json=zoom_instances((UUID1, "2026-09-15T20:00:00Z")))
    page1 = zoom_report([
        zoom_row("Ana Lopez", "Ana.Lopez@District.example", "2026-09-15T20:00:10Z", "2026-09-15T20:30:10Z", 1800,
                 pid="p-ana"),
        zoom_row("Ben Okafor", "ben.okafor@district.example", "2026-09-15T20:01:00Z", "2026-09-15T21:01:00Z", 3600,
                 pid="p-ben"),
    ], next_token="tok-page-2", page_count=2, total=4, page_size=2)
    page2 = zoom_report([
        zoom_row("Ana Lopez", "ana.lopez@district.example", "2026-09-15T20:35:00Z", "2026-09-15T21:00:00Z", 1500,
                 pid="p-ana"),
        zoom_row("Dev Sharma", "dev.sharma@gmail.com", "2026-09-15T20:10:00Z", "2026-09-15T20:50:00Z", 2400,
                 pid="p-dev"),
    ], page_count=2, total=4, page_size=2)
    responses.get(report_url(UUID1), json=page1, match=[matchers.query_param_matcher({"page_size": "300"})])
    responses.get(report_url(UUID1), json=page2, match=[matchers.query_param_matcher(
        {"page_size": "300", "next_page_token": "tok-page-2"})])


@responses.activate
def test_zoom_paging_cursor_incremental_and_pending(district: District, sources: str, sleeps: list[float]) -> None:
    zoom_first_instance()
    head = district.head()
    r = pull(district, sources, "district-zoom")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("district-zoom (zoom): 3 new records from 2 pages (3 requests, 0 retries): "
                               "stored 2 statements and the cursor")
    assert "pending: dev.sharma@gmail.com (Dev Sharma)" in r.stdout
    # One append: the statements' event and the cursor event, written together.
    assert district.head() == head + 2
    [(position, stream, payload)] = cursor_events(district)
    assert (position, stream) == (head + 2, "pull:district-zoom")
    assert payload["cursor"] == {"kind": "zoom", "meetings": {MEETING: {"instances": [UUID1]}}}
    assert [p["email"] for p in payload["pending"]] == ["dev.sharma@gmail.com"]
    got = pulled(district)
    ana = got[("E1001", f"zoom:{UUID1}")]
    assert ana["id"] == pulled_statement_id(f"zoom|{UUID1}|email:ana.lopez@district.example|attended")
    assert ana["actor"] == {"objectType": "Agent", "name": "Ana Lopez", "account": {"homePage": IDP, "name": "E1001"}}
    assert ana["result"]["duration"] == "PT55M"                 # 30 min, then a rejoin of 25 min on page 2
    assert ana["object"]["id"] == PLC and ana["context"]["platform"] == "Zoom"
    assert ana["context"]["contextActivities"]["parent"][0]["id"].endswith("/math-series")
    assert ana["timestamp"].startswith("2026-09-15T20:00:10")  # the first join
    assert ana["context"]["extensions"][EXT_PULL]["raw_identity"].startswith("zoom|")
    assert got[("E1002", f"zoom:{UUID1}")]["result"]["duration"] == "PT1H"
    assert sleeps == []

    # The next pull lists a second instance: only its report is fetched, only its attendance stored.
    responses.reset()
    responses.get(INSTANCES, json=zoom_instances((UUID1, "2026-09-15T20:00:00Z"), (UUID2, "2026-09-22T20:00:00Z")))
    responses.get(report_url(UUID2), json=zoom_report([
        zoom_row("Ana Lopez", "ana.lopez@district.example", "2026-09-22T20:00:00Z", "2026-09-22T20:40:00Z", 2400)]))
    r = pull(district, sources, "district-zoom")
    assert r.exit_code == 0, r.output
    assert "1 new record from 1 page (2 requests, 0 retries): stored 1 statement and the cursor" in r.stdout
    assert [c.request.url.split("?")[0] for c in responses.calls] == [INSTANCES, report_url(UUID2)]
    assert set(pulled(district)) == {("E1001", f"zoom:{UUID1}"), ("E1002", f"zoom:{UUID1}"),
                                     ("E1001", f"zoom:{UUID2}")}
    assert "pending: dev.sharma@gmail.com" in r.stdout          # still not on the roster
    # Ana: 55 minutes on the 15th and 40 on the 22nd, one entry for the series' activity this school year.
    assert district.entries("E1001") == {PLC: ("attended", "2026-09-15", round(95 / 60, 2), "workshop")}

    # Linking Dev's personal address to an employee lets the next pull store the pending record.
    assert district.cli("roster", "link", "E1003", "mbox:mailto:dev.sharma@gmail.com").exit_code == 0
    r = pull(district, sources, "district-zoom")
    assert "0 new records" in r.stdout and "stored 1 statement" in r.stdout and "pending" not in r.stdout
    assert pulled(district)[("E1003", f"zoom:{UUID1}")]["result"]["duration"] == "PT40M"
    # Nothing new at all: nothing is appended.
    head = district.head()
    r = pull(district, sources, "district-zoom")
    assert r.exit_code == 0 and "nothing new" in r.stdout and district.head() == head


@responses.activate
def test_a_429_with_retry_after_and_a_500_then_success(district: District, sources: str,
                                                       sleeps: list[float]) -> None:
    responses.get(INSTANCES, status=429, headers={"Retry-After": "7"},
                  json={"code": 429, "message": "You have exceeded the daily rate limit"})
    responses.get(INSTANCES, json=zoom_instances((UUID1, "2026-09-15T20:00:00Z")))
    responses.get(report_url(UUID1), status=500, json={"code": 500, "message": "Internal error"})
    responses.get(report_url(UUID1), json=zoom_report([
        zoom_row("Ben Okafor", "ben.okafor@district.example", "2026-09-15T20:00:00Z", "2026-09-15T21:00:00Z",
                 3600)]))
    r = pull(district, sources, "district-zoom")
    assert r.exit_code == 0, r.output
    assert "1 new record from 1 page (4 requests, 2 retries): stored 1 statement" in r.stdout
    assert sleeps[0] == 7.0                                     # Retry-After honoured, no jitter added
    assert 0.5 <= sleeps[1] <= 1.0                              # back-off 1 s with equal jitter
    assert len(pulled(district)) == 1


@responses.activate
def test_an_expired_token_names_the_source_and_stores_nothing(district: District, sources: str,
                                                              sleeps: list[float]) -> None:
    responses.get(INSTANCES, status=401, json={"code": 124, "message": "Invalid access token."})
    head = district.head()
    r = pull(district, sources, "district-zoom")
    assert r.exit_code == 1
    assert r.stderr == ("error: zoom source 'district-zoom': the API refused the token (401 Unauthorized); check "
                        "ZOOM_TOKEN (the API said: Invalid access token.); nothing stored, the cursor is "
                        "unchanged\n")
    assert district.head() == head and sleeps == []             # a refused token is not retried


@responses.activate
def test_an_interrupted_pull_stores_nothing_and_the_next_one_starts_over(district: District, sources: str,
                                                                         sleeps: list[float]) -> None:
    responses.get(INSTANCES, json=zoom_instances((UUID1, "2026-09-15T20:00:00Z")))
    responses.get(report_url(UUID1), json=zoom_report(
        [zoom_row("Ben Okafor", "ben.okafor@district.example", "2026-09-15T20:00:00Z", "2026-09-15T21:00:00Z", 3600)],
        next_token="tok-page-2", page_count=2), match=[matchers.query_param_matcher({"page_size": "300"})])
    responses.get(report_url(UUID1), status=503, json={"message": "down"}, match=[matchers.query_param_matcher(
        {"page_size": "300", "next_page_token": "tok-page-2"})])
    head = district.head()
    r = pull(district, sources, "district-zoom")
    assert r.exit_code == 1 and "gave up after 3 attempts; last: the API answered 503" in r.stderr
    assert district.head() == head and cursor_events(district) == []
    responses.reset()
    zoom_first_instance()
    r = pull(district, sources, "district-zoom")
    assert r.exit_code == 0 and "stored 2 statements" in r.stdout   # from the start: nothing was half stored


@responses.activate
def test_eventbrite_statuses_and_changed_since(district: District, sources: str, sleeps: list[float]) -> None:
    responses.get(f"{EB}/events/{EVENT}/", json=eb_event(EVENT, "Literacy Institute", "2026-10-03T14:00:00Z",
                                                         "2026-10-03T17:00:00Z"))
    responses.get(f"{EB}/events/{EVENT}/attendees/", json=eb_page([
        eb_attendee("1001", "Ana", "Lopez", "ana.lopez@district.example", changed="2026-10-03T15:00:00Z",
                    checked_in=True, event_id=EVENT),
        eb_attendee("1002", "Ben", "Okafor", "ben.okafor@district.example", changed="2026-09-20T10:00:00Z",
                    checked_in=False, event_id=EVENT),
        eb_attendee("1003", "Chloe", "Park", "chloe.park@district.example", changed="2026-09-25T10:00:00Z",
                    checked_in=False, cancelled=True, status="Not Attending", event_id=EVENT),
    ], page_number=1, page_count=1, object_count=3, continuation=None, has_more=False),
        match=[matchers.query_param_matcher({})])
    r = pull(district, sources, "district-eventbrite")
    assert r.exit_code == 0 and "stored 3 statements" in r.stdout, r.output
    stmts = pulled(district, None)
    verbs = {k[0]: s["verb"]["id"] for k, s in stmts.items()}
    assert verbs == {"E1001": ATTENDED, "E1002": REGISTERED, "E1003": UNREGISTERED}
    assert stmts[("E1001", f"eventbrite:{EVENT}")]["result"]["duration"] == "PT3H"   # minutes: 180
    [(_, _, payload)] = cursor_events(district)
    assert payload["cursor"] == {"kind": "eventbrite", "events": {EVENT: {"changed_since": "2026-10-03T15:00:00Z"}}}

    # The next pull asks for what changed since then: Ben checked in late (and Ana again: the mark is inclusive).
    responses.reset()
    responses.get(f"{EB}/events/{EVENT}/", json=eb_event(EVENT, "Literacy Institute", "2026-10-03T14:00:00Z",
                                                         "2026-10-03T17:00:00Z"))
    responses.get(f"{EB}/events/{EVENT}/attendees/", json=eb_page([
        eb_attendee("1001", "Ana", "Lopez", "ana.lopez@district.example", changed="2026-10-03T15:00:00Z",
                    checked_in=True, event_id=EVENT),
        eb_attendee("1002", "Ben", "Okafor", "ben.okafor@district.example", changed="2026-10-03T15:30:00Z",
                    checked_in=True, event_id=EVENT),
    ], page_number=1, page_count=1, object_count=2, continuation=None, has_more=False),
        match=[matchers.query_param_matcher({"changed_since": "2026-10-03T15:00:00Z"})])
    r = pull(district, sources, "district-eventbrite")
    assert r.exit_code == 0 and "stored 1 statement and the cursor (1 already stored)" in r.stdout, r.output
    assert district.entries("E1002") == {INSTITUTE: ("attended", "2026-10-03", 3.0, "workshop")}
    assert district.entries("E1003") == {INSTITUTE: ("unregistered", "2026-10-03", 0.0, "workshop")}


@responses.activate
def test_all_goes_on_past_a_failing_source(district: District, sources: str, sleeps: list[float]) -> None:
    zoom_first_instance()
    responses.get(f"{EB}/events/{EVENT}/", status=500, json={"error": "INTERNAL_ERROR"})
    responses.get(f"{REPORTS}", json=graph_reports([graph_report("rep-1", "2026-09-16T14:00:00Z",
                                                                 "2026-09-16T15:00:00Z", 1)]))
    responses.get(f"{REPORTS}/rep-1/attendanceRecords", json=graph_records([
        graph_record("chloe.park@district.example", "Chloe Park", "aad-chloe", 2700,
                     [("2026-09-16T14:00:00Z", "2026-09-16T14:45:00Z", 2700)])]))
    r = pull(district, sources, "--all")
    assert r.exit_code == 1
    assert "error: eventbrite source 'district-eventbrite': " in r.stderr and "gave up after 2 attempts" in r.stderr
    assert "district-zoom (zoom): 3 new records" in r.stdout and "district-teams (graph): 1 new record" in r.stdout
    assert {s for s, _ in pulled(district)} == {"E1001", "E1002", "E1003"}
    assert [c[1] for c in cursor_events(district)] == ["pull:district-zoom", "pull:district-teams"]
    assert district.entries("E1003") == {SEMINAR: ("attended", "2026-09-16", 0.75, "workshop")}
    # A source whose token variable is unset is reported; the others are still pulled.
    responses.reset()
    responses.get(INSTANCES, json=zoom_instances((UUID1, "2026-09-15T20:00:00Z")))
    responses.get(f"{REPORTS}", json=graph_reports([graph_report("rep-1", "2026-09-16T14:00:00Z",
                                                                 "2026-09-16T15:00:00Z", 1)]))
    r = district.cli("pull", "--all", "--sources", sources, ZOOM_TOKEN="z", GRAPH_TOKEN="g")
    assert r.exit_code == 1 and "district-eventbrite: eventbrite source 'district-eventbrite': the environment " \
                                "variable EVENTBRITE_TOKEN is not set" in r.stderr
    assert r.stdout.count("nothing new") == 2


@responses.activate
def test_pulled_and_imported_zoom_meeting_are_the_same_facts(district: District, sources: str,
                                                             sleeps: list[float]) -> None:
    # The meeting of zoom_participants.csv (15 Sep 2026, 3:00 PM CDT), imported under the pull's activity...
    assert district.cli("import", "attendance", fixture("zoom_participants.csv"), "--format", "zoom",
                        "--activity", PLC, "--skip-invalid").exit_code == 0
    # ...and pulled over HTTP: Ana's two rows, Ben's one.
    responses.get(INSTANCES, json=zoom_instances((UUID1, "2026-09-15T20:00:00Z")))
    responses.get(report_url(UUID1), json=zoom_report([
        zoom_row("Ana Lopez", "ana.lopez@district.example", "2026-09-15T20:00:10Z", "2026-09-15T20:40:00Z", 2390),
        zoom_row("Ana Lopez", "ana.lopez@district.example", "2026-09-15T20:45:00Z", "2026-09-15T21:05:00Z", 1200),
        zoom_row("Ben Okafor", "ben.okafor@district.example", "2026-09-15T20:01:00Z", "2026-09-15T21:05:00Z", 3840),
    ]))
    assert pull(district, sources, "district-zoom").exit_code == 0
    imported = [s for s in district.stored() if s["verb"]["id"] == ATTENDED and EXT_PULL not in
                s["context"]["extensions"] and s["actor"].get("name") == "Ana Lopez"][0]
    pulled_ana = pulled(district)[("E1001", f"zoom:{UUID1}")]
    # The same actor, verb and activity (definitions are not part of a statement: the file names the meeting by
    # its topic, the pull by the configured name; the transcript keeps the later definition).
    assert (imported["actor"], imported["verb"], imported["object"]["id"]) == (
        pulled_ana["actor"], pulled_ana["verb"], pulled_ana["object"]["id"])
    assert imported["context"]["contextActivities"]["category"] == pulled_ana["context"]["contextActivities"][
        "category"]
    # One transcript entry each, the day's longest duration (60 min imported, 59 min 50 s pulled), not the sum.
    assert district.entries("E1001") == {PLC: ("attended", "2026-09-15", 1.0, "workshop")}
    assert district.entries("E1002") == {PLC: ("attended", "2026-09-15", 1.07, "workshop")}


@responses.activate
def test_dry_run_stores_nothing(district: District, sources: str, sleeps: list[float]) -> None:
    zoom_first_instance()
    head = district.head()
    r = pull(district, sources, "district-zoom", "--dry-run")
    assert r.exit_code == 0 and "would store 2 statements; dry run, nothing stored" in r.stdout
    assert "attended     E1001" in r.stdout and PLC in r.stdout
    assert district.head() == head


def test_command_line_errors(district: District, sources: str, tmp_path: Path) -> None:
    cases = [
        (district.cli("pull"), "error: name one SOURCE, or pass --all (not both)\n"),
        (district.cli("pull", "x", "--all", "--sources", sources), "error: name one SOURCE, or pass --all (not both)\n"),
        (district.cli("pull", "district-zoom"), "error: no pull-sources file: pass --sources FILE or set "
                                                "LRS_PULL_SOURCES\n"),
        (district.cli("pull", "nope", "--sources", sources, **TOKENS),
         "error: pull sources: no source named 'nope' (configured: district-zoom, district-eventbrite, "
         "district-teams)\n"),
        (district.cli("pull", "district-zoom", "--sources", str(tmp_path / "none.yaml")), None),
        (district.cli("pull", "district-zoom", LRS_PULL_SOURCES=sources), None),
    ]
    for result, expected in cases:
        assert result.exit_code == 1 and result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
        if expected:
            assert result.stderr == expected
    assert "cannot read the pull-sources file" in cases[4][0].stderr
    assert "the environment variable ZOOM_TOKEN is not set" in cases[5][0].stderr   # the setting names the file


@responses.activate
def test_a_pull_with_nothing_storable_still_advances_its_cursor(district: District, sources: str,
                                                                sleeps: list[float]) -> None:
    responses.get(INSTANCES, json=zoom_instances((UUID1, "2026-09-15T20:00:00Z")))
    responses.get(report_url(UUID1), json=zoom_report([
        zoom_row("iPhone", "", "2026-09-15T20:05:00Z", "2026-09-15T20:20:00Z", 900, pid="guest-1")]))
    head = district.head()
    r = pull(district, sources, "district-zoom")
    assert r.exit_code == 0, r.output
    assert "dropped: iPhone at" in r.stdout and "no e-mail address" in r.stdout
    assert district.head() == head + 1 and pulled(district, None) == {}      # the cursor event alone
    [(_, _, payload)] = cursor_events(district)
    assert payload["cursor"]["meetings"][MEETING]["instances"] == [UUID1] and payload["statements"] == 0
