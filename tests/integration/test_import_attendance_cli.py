"""``lrs import attendance`` on the realistic fixtures of every format, into the test database (both backends):
the statements stored, the transcript hours they give, re-imports, corrections, rejected rows, refused files."""
from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl

from lrs.times import parse_time
from tests.integration.import_helpers import (ATTENDED, EXT_IMPORT, IDP, REGISTERED, VOIDED, District, by_actor,
                                              district, fixture)

__all__ = ["district"]  # the fixture, imported for the tests below

ZOOM_IRI = "https://district.example/xapi/activities/zoom/81234567890/20260915T200000Z"
WS = "https://district.example/xapi/activities/pd/summer-institute"


def minutes(stmt: dict[str, Any]) -> str:
    return str(stmt["result"]["duration"])


def at(stmt: dict[str, Any]) -> datetime:
    return parse_time(stmt["timestamp"])


# --- Zoom: a rejoin adds up, guests and strangers are rejected with their lines --------------------------------

def test_zoom_refused_then_skip_invalid_then_idempotent(district: District) -> None:
    before = district.head()
    r = district.cli("import", "attendance", fixture("zoom_participants.csv"), "--format", "zoom")
    assert r.exit_code == 1
    assert r.stdout.startswith("read UTF-8 (BOM), comma-separated, Zoom participant report for meeting 81234567890")
    assert "rejected: line 9: guest iPhone has no e-mail address" in r.stdout
    assert "rejected: line 12: Dev Sharma <dev.sharma@gmail.com>: no one in the roster" in r.stdout
    assert r.stderr == "error: 2 rows rejected; nothing stored (--skip-invalid stores the valid rows)\n"
    assert district.head() == before and district.stored() == []          # a refused file stores nothing

    r = district.cli("import", "attendance", fixture("zoom_participants.csv"), "--format", "zoom", "--skip-invalid")
    assert r.exit_code == 0, r.output
    assert "stored 4 statements, voided 0, 0 unchanged; 2 rejected rows left out" in r.stdout
    assert "rejected: line 9" in r.stdout and "rejected: line 12" in r.stdout   # still reported
    assert district.head() == before + 1                                   # one append
    got = by_actor(district.stored())
    assert {k: minutes(s) for k, s in got.items()} == {"E1000": "PT1H7M", "E1001": "PT1H", "E1002": "PT1H4M",
                                                        "E1003": "PT1H"}   # Ana: lines 6 + 8 = 40 + 20 min
    ana = got["E1001"]
    assert ana["actor"] == {"objectType": "Agent", "name": "Ana Lopez", "account": {"homePage": IDP, "name": "E1001"}}
    assert got["E1002"]["actor"]["mbox"] == "mailto:ben.okafor@district.example"
    assert ana["object"]["id"] == ZOOM_IRI and at(ana) == datetime.fromisoformat("2026-09-15T15:00:00-05:00")
    ext = ana["context"]["extensions"][EXT_IMPORT]
    assert (ext["importer"], ext["lines"], ext["file"], len(ext["file_sha256"])) == ("zoom", [6, 8],
                                                                                     "zoom_participants.csv", 64)
    assert ana["authority"]["account"]["name"] == "attendance-import"

    head = district.head()
    r = district.cli("import", "attendance", fixture("zoom_participants.csv"), "--format", "zoom", "--skip-invalid")
    assert r.exit_code == 0 and "nothing new to import: 4 unchanged; 2 rejected rows left out" in r.stdout
    assert district.head() == head                                         # the same file adds nothing

    assert district.entries("E1001") == {ZOOM_IRI: ("attended", "2026-09-15", 1.0, "webinar")}
    assert district.entries("E1002") == {ZOOM_IRI: ("attended", "2026-09-15", 1.07, "webinar")}  # 64 min


def test_zoom_corrected_file_voids_what_it_no_longer_says(district: District, tmp_path: Path) -> None:
    assert district.cli("import", "attendance", fixture("zoom_participants.csv"), "--format", "zoom",
                        "--skip-invalid").exit_code == 0
    first = by_actor(district.stored())
    lines = Path(fixture("zoom_participants.csv")).read_text(encoding="utf-8-sig").splitlines(keepends=True)
    # The corrected export: Ben left at 3:51 (50 minutes, not 64), Chloe's rows and the guest and the stranger gone.
    fixed = [ln.replace("09/15/2026 04:05:00 PM,64", "09/15/2026 03:51:00 PM,50") for ln in lines
             if not ln.startswith(("Chloe Park", "iPhone", "Dev Sharma"))]
    corrected = tmp_path / "zoom_participants.csv"
    corrected.write_text("".join(fixed), encoding="utf-8-sig")
    head = district.head()
    r = district.cli("import", "attendance", str(corrected), "--format", "zoom")
    assert r.exit_code == 0, r.output
    assert "stored 1 statement, voided 2, 2 unchanged" in r.stdout
    assert district.head() == head + 1
    live = by_actor(district.stored())
    assert {k: minutes(s) for k, s in live.items()} == {"E1000": "PT1H7M", "E1001": "PT1H", "E1002": "PT50M"}
    assert live["E1001"]["id"] == first["E1001"]["id"]                     # unchanged rows keep their statement
    voided = {s["id"] for s in district.stored(voided=True)}
    assert voided == {first["E1002"]["id"], first["E1003"]["id"]}
    voids = [s for s in district.stored() if s["verb"]["id"] == VOIDED]
    assert sorted(v["object"]["id"] for v in voids) == sorted(voided)
    assert district.entries("E1002") == {ZOOM_IRI: ("attended", "2026-09-15", 0.83, "webinar")}   # 50 min
    assert district.entries("E1003") == {}
    # Importing the first file again restores 64 minutes for Ben and Chloe under fresh ids (voided ids are never
    # reused), and voids the 50 minutes.
    r = district.cli("import", "attendance", fixture("zoom_participants.csv"), "--format", "zoom", "--skip-invalid")
    assert "stored 2 statements, voided 1, 2 unchanged" in r.stdout
    again = by_actor(district.stored())
    assert minutes(again["E1002"]) == "PT1H4M" and again["E1002"]["id"] not in voided


def test_dry_run_prints_the_plan_and_stores_nothing(district: District) -> None:
    head = district.head()
    r = district.cli("import", "attendance", fixture("zoom_participants.csv"), "--format", "zoom", "--dry-run",
                     "--skip-invalid")
    assert r.exit_code == 0
    assert "store attended  6,8    Ana Lopez (E1001)" in r.stdout
    assert "dry run: would store 4 statements and void 0; nothing stored" in r.stdout
    r = district.cli("import", "attendance", fixture("zoom_participants.csv"), "--format", "zoom", "--dry-run",
                     "--json")
    assert r.exit_code == 1                                                # it would be refused
    report = json.loads(r.stdout)
    assert report["summary"] == {"store": 4, "void": 0, "unchanged": 0, "rejected": 2, "skipped": 1, "held": 0}
    assert [(x["line"], x["code"]) for x in report["rejected"]] == [(9, "guest"), (12, "unmatched")]
    assert report["store"][0]["statement"]["verb"]["id"] == ATTENDED and report["written"]["stored"] is False
    assert district.head() == head


# --- Teams: UTF-16 with a BOM, tab-separated, sections ----------------------------------------------------------

def test_teams_utf16_report(district: District) -> None:
    r = district.cli("import", "attendance", fixture("teams_report_utf16.csv"), "--format", "teams", "--skip-invalid")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("read UTF-16LE (BOM), tab-separated, Teams attendance report with 3 sections")
    assert "rejected: line 22: Visitor (Unverified) has no e-mail address" in r.stdout
    got = by_actor(district.stored())
    # Ana 1h 2m 5s; Ben's two intervals 29m 0s + 30m 10s; Chloe 45m from section 3.
    assert {k: minutes(s) for k, s in got.items()} == {"E1001": "PT1H2M5S", "E1002": "PT59M10S", "E1003": "PT45M"}
    iri = got["E1001"]["object"]["id"]
    assert iri == "https://district.example/xapi/activities/teams/grade-4-math-plc/20260915T200005Z"
    assert got["E1001"]["context"]["platform"] == "Microsoft Teams"
    assert district.entries("E1001") == {iri: ("attended", "2026-09-15", 1.03, "webinar")}   # 3725 s
    assert district.entries("E1002")[iri][2] == 0.99                                           # 3550 s


# --- Eventbrite: both layouts; checked in = registered + attended ------------------------------------------------

def test_eventbrite_current_layout(district: District, tmp_path: Path) -> None:
    mapping = tmp_path / "eb.yaml"
    mapping.write_text("session: {start: 2026-09-19T08:00:00, minutes: 180}\nparent: {iri: %s, name: PD series}\n"
                       % "https://district.example/xapi/activities/pd/series-2026", encoding="utf-8")
    r = district.cli("import", "attendance", fixture("eventbrite_current.csv"), "--format", "eventbrite",
                     "--activity", WS, "--mapping", str(mapping))
    assert r.exit_code == 1 and "rejected: line 5: " in r.stdout and "skipped: line 4: " in r.stdout
    assert district.stored() == []
    r = district.cli("import", "attendance", fixture("eventbrite_current.csv"), "--format", "eventbrite",
                     "--activity", WS, "--mapping", str(mapping), "--skip-invalid")
    assert r.exit_code == 0, r.output
    stored = district.stored()
    assert sorted((by_actor([s], s["verb"]["id"]).popitem()[0], s["verb"]["id"]) for s in stored) == [
        ("E1001", ATTENDED), ("E1001", REGISTERED), ("E1002", REGISTERED)]
    attended = by_actor(stored)["E1001"]
    assert minutes(attended) == "PT3H" and at(attended) == datetime.fromisoformat("2026-09-19T08:00:00-05:00")
    assert attended["context"]["contextActivities"]["parent"][0]["id"].endswith("series-2026")
    registered = by_actor(stored, REGISTERED)
    assert at(registered["E1001"]) == datetime.fromisoformat("2026-08-20T10:15:22-05:00")   # the order date
    assert "result" not in registered["E1002"]
    assert district.entries("E1001") == {WS: ("attended", "2026-09-19", 3.0, "workshop")}
    assert district.entries("E1002") == {WS: ("registered", "2026-08-21", 0.0, "workshop")}


def test_eventbrite_older_layout(district: District, tmp_path: Path) -> None:
    mapping = tmp_path / "eb.yaml"
    mapping.write_text("session: {minutes: 90}\n", encoding="utf-8")
    r = district.cli("import", "attendance", fixture("eventbrite_older.csv"), "--format", "eventbrite",
                     "--activity", WS, "--mapping", str(mapping))
    assert r.exit_code == 0, r.output                                      # Chloe refunded: skipped, not rejected
    assert "skipped: line 4: " in r.stdout and "stored 3 statements" in r.stdout
    attended = by_actor(district.stored())["E1001"]
    assert at(attended) == datetime.fromisoformat("2026-09-19T08:00:00-05:00")               # Date Attending
    assert district.entries("E1001") == {WS: ("attended", "2026-09-19", 1.5, "workshop")}


# --- Google Forms: a sign-in sheet with a session question --------------------------------------------------------

def test_google_forms_sign_in_sheet(district: District, tmp_path: Path) -> None:
    mapping = tmp_path / "gf.yaml"
    mapping.write_text("timezone: America/Chicago\nsession: {minutes: 75}\n", encoding="utf-8")
    series = "https://district.example/xapi/activities/pd/fall-kickoff"
    r = district.cli("import", "attendance", fixture("google_forms_us.csv"), "--format", "google-forms",
                     "--activity", series, "--mapping", str(mapping), "--skip-invalid")
    assert r.exit_code == 0, r.output
    assert "rejected: line 5: " in r.stdout and "rejected: line 6: Zed Unknown" in r.stdout
    got = by_actor(district.stored())
    keynote = f"{series}/sessions/morning-literacy-keynote"
    workshop = f"{series}/sessions/afternoon-writing-workshop"
    assert got["E1001"]["object"]["id"] == keynote and got["E1002"]["object"]["id"] == workshop
    assert got["E1001"]["context"]["extensions"][EXT_IMPORT]["lines"] == [2, 4]   # signed in twice, counted once
    assert at(got["E1001"]) == datetime.fromisoformat("2026-09-15T15:04:05-05:00")
    assert district.entries("E1001") == {keynote: ("attended", "2026-09-15", 1.25, "workshop")}
    assert district.entries("E1002") == {workshop: ("attended", "2026-09-15", 1.25, "workshop")}


# --- generic: a CSV with a mapping, and an XLSX workbook ------------------------------------------------------------

def test_generic_csv_conference_sessions(district: District) -> None:
    r = district.cli("import", "attendance", fixture("generic_durations.csv"), "--format", "generic",
                     "--mapping", fixture("generic_durations_mapping.yaml"), "--skip-invalid")
    assert r.exit_code == 0, r.output
    assert "rejected: line 6: " in r.stdout and "(bad_duration)" in r.stdout           # Chloe's "two hours"
    base = "https://district.example/xapi/activities/conference/nlc-2026/sessions/"
    t = district.transcript("E1001")
    assert {e["activity"]: (e["hours"], e["delivery_model"], e["provider"]) for e in t["entries"]} == {
        base + "NLC-101": (1.5, "conference", "ESU 3"), base + "NLC-205": (0.75, "conference", "ESU 3")}
    assert t["totals"]["hours"] == 2.25
    assert district.entries("E1002") == {base + "NLC-101": ("attended", "2026-10-02", 1.5, "conference"),
                                         base + "NLC-205": ("attended", "2026-10-02", 0.75, "conference")}  # 0:45


def test_generic_xlsx_workbook(district: District, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    ws = wb.create_sheet("Attendance")
    ws.append(["District PD sign-in, Instructional Model day 1"])
    ws.append([])
    ws.append(["Staff ID", "Participant", "Date", "Start", "End", "Status"])
    ws.append(["E1001", "Ana Lopez", date(2026, 9, 21), time(8, 0), time(11, 30), "Present"])
    ws.append(["E1002", "Ben Okafor", datetime(2026, 9, 21), time(8, 15), time(11, 30), "present"])
    ws.append(["E1003", "Chloe Park", date(2026, 9, 21), None, None, "Absent"])
    ws.append([1004, "Nobody Known", date(2026, 9, 21), time(8, 0), time(9, 0), "Present"])
    ws.append(["E1005", "Dana Late", date(2026, 9, 21), time(11, 0), time(10, 0), "Present"])
    book = tmp_path / "sign-in.xlsx"
    wb.save(book)
    r = district.cli("import", "attendance", str(book), "--format", "generic", "--mapping",
                     fixture("generic_xlsx_mapping.yaml"))
    assert r.exit_code == 1
    assert "rejected: line 7: " in r.stdout and "rejected: line 8: " in r.stdout and "skipped: line 6" in r.stdout
    assert district.stored() == []
    r = district.cli("import", "attendance", str(book), "--format", "generic", "--mapping",
                     fixture("generic_xlsx_mapping.yaml"), "--skip-invalid")
    assert r.exit_code == 0 and r.stdout.startswith("read XLSX workbook (sheet 'Attendance')")
    iri = "https://district.example/xapi/activities/pd/instructional-model-day-1"
    assert district.entries("E1001") == {iri: ("attended", "2026-09-21", 3.5, "workshop")}     # 8:00-11:30
    assert district.entries("E1002") == {iri: ("attended", "2026-09-21", 3.25, "workshop")}    # 8:15-11:30
    assert district.entries("E1003") == {}                                                      # absent


# --- one-line errors -------------------------------------------------------------------------------------------

def test_one_line_errors(district: District, tmp_path: Path) -> None:
    head = district.head()
    cases = [
        (("import", "attendance", fixture("zoom_participants.csv"), "--format", "webex"),
         "error: zoom_participants.csv: unknown format 'webex'; choose one of zoom, teams, eventbrite, google-forms, "
         "generic; nothing imported"),
        (("import", "attendance", str(tmp_path / "missing.csv"), "--format", "zoom"),
         f"error: cannot read {tmp_path / 'missing.csv'}: no such file"),
        (("import", "attendance", fixture("teams_report_utf16.csv"), "--format", "zoom"), None),
        (("import", "attendance", fixture("generic_durations.csv"), "--format", "generic"), None),
    ]
    for args, expected in cases:
        r = district.cli(*args)
        assert r.exit_code == 1, r.output
        assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: ") and "Traceback" not in r.output
        if expected:
            assert r.stderr == expected + "\n"
    teams_as_zoom = district.cli(*cases[2][0]).stderr
    assert "this looks like a Microsoft Teams attendance report: use --format teams" in teams_as_zoom
    assert "needs --mapping FILE" in district.cli(*cases[3][0]).stderr
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert "it is a PNG image" in district.cli("import", "attendance", str(binary), "--format", "zoom").stderr
    r = district.cli("import", "attendance", str(tmp_path), "--format", "zoom")
    assert r.stderr == f"error: cannot read {tmp_path}: it is a directory\n"
    assert district.head() == head
