"""The reporting API over the transcript and people read models: access rules, shapes, CSV, lists, status."""
from __future__ import annotations

import csv
import io
import json
from typing import Any
from urllib.parse import quote

import pytest

from lrs.roster.importer import import_roster
from projections.runner import Worker
from tests.conftest import basic_auth
from tests.pd_builders import DISTRICT, activity, person, statement, store_statements, voiding

ROSTER = (
    "employee_id,name,email,roles,building,supervisor_id,hire_date,status\n"
    "P100,Pat Principal,pat@district.org,principal,Central High,,2010-08-01,active\n"
    "T200,Ann Lee,ann@district.org,teacher;coach,Central High,P100,2019-08-15,active\n"
    "T201,Bob Ray,bob@district.org,teacher,North Middle,P100,2024-08-10,active\n"
    "T202,Cy Doe,cy@district.org,paraprofessional,North Middle,,2021-08-10,active\n"
)
ANN, BOB = person("ann@district.org", "Ann Lee"), person("bob@district.org", "Bob Ray")
GUEST = person("guest123@gmail.com", "Zoom Guest")
WS = "https://district.org/pd/engagement-workshop"
COURSE = "https://district.org/pd/suicide-prevention"


@pytest.fixture
def seeded(app: Any) -> dict[str, Any]:
    """Roster, statements (one voided), credentials for each kind of reader; workers caught up."""
    services = app.extensions["lrs"]
    store, auth = services.store, services.auth
    assert import_roster(store, ROSTER, effective_date="2024-08-01").ok
    keep = statement(ANN, "attended", activity(WS, "Engagement workshop", "meeting"), "2024-09-10T14:00:00Z",
                     result={"duration": "PT3H"})
    wrong = statement(ANN, "attended", activity("https://district.org/pd/wrong", "Wrong"), "2024-09-11T14:00:00Z",
                      result={"duration": "PT1H"})
    course = statement(ANN, "completed", activity(COURSE, "Suicide awareness and prevention", extensions={
        DISTRICT + "ext/credit": {"type": "clock-hour", "amount": 1},
        DISTRICT + "ext/classification": "training"}), "2025-03-01T10:00:00Z",
        context={"contextActivities": {"category": [{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}]}})
    store_statements(store, [keep, wrong, course])
    store_statements(store, [statement(BOB, "attended", activity(WS), "2024-09-10T14:00:00Z",
                                       result={"duration": "PT2H30M"})])
    store_statements(store, [statement(GUEST, "attended", activity(WS), "2024-09-10T14:00:00Z",
                                       result={"duration": "PT1H"})])
    store_statements(store, [voiding(ANN, wrong["id"], "2024-09-12T00:00:00Z")])
    creds = {
        "reporter": auth.create_credential("data team", ["reports/read"], key="rep", secret="s1"),
        "ann": auth.create_credential("Ann", ["reports/read/mine"], key="ann", secret="s2",
                                      person="mbox:mailto:ann@district.org"),
        "pat": auth.create_credential("Pat", ["reports/read/mine"], key="pat", secret="s3", person="P100"),
        "writer": auth.create_credential("LMS", ["statements/write"], key="lms", secret="s4"),
        "admin": auth.create_credential("Admin", ["admin"], key="adm", secret="s5"),
    }
    Worker(services.engine, settings=services.settings, poll=0.05).run(once=True)
    return {"creds": {k: {"Authorization": basic_auth(*v)} for k, v in creds.items()}, "course_id": course["id"],
            "keep_id": keep["id"], "wrong_id": wrong["id"]}


def test_transcript_shape_totals_and_voiding(client: Any, seeded: dict[str, Any]) -> None:
    r = client.get("/api/v1/people/T200/transcript", headers=seeded["creds"]["reporter"])
    assert r.status_code == 200, r.json
    body = r.json
    assert body["person"]["id"] == "T200" and body["person"]["name"] == "Ann Lee"
    assert body["person"]["building"] == "Central High" and body["person"]["matched"] is True
    entries = [(e["activity"], e["outcome"], e["date"], e["hours"], e["delivery_model"], e["classification"])
               for e in body["entries"]]
    assert entries == [
        (WS, "attended", "2024-09-10", 3.0, "workshop", "professional_development"),
        (COURSE, "completed", "2025-03-01", 1.0, "online_course", "training"),
    ]
    assert body["entries"][0]["statement_ids"] == [seeded["keep_id"]]
    assert body["entries"][0]["name"] == "Engagement workshop"
    assert body["entries"][1]["credit"] == {"type": "clock-hour", "amount": 1.0}
    assert body["totals"] == {"hours": 4.0, "entries": 2, "by_school_year": {"2024-2025": 4.0},
                              "by_delivery_model": {"online_course": 1.0, "workshop": 3.0},
                              "by_classification": {"professional_development": 3.0, "training": 1.0}}
    # Filters
    r = client.get("/api/v1/people/T200/transcript?classification=training", headers=seeded["creds"]["reporter"])
    assert [e["activity"] for e in r.json["entries"]] == [COURSE] and r.json["totals"]["hours"] == 1.0
    r = client.get("/api/v1/people/T200/transcript?from=2025-01-01", headers=seeded["creds"]["reporter"])
    assert [e["activity"] for e in r.json["entries"]] == [COURSE]


def test_transcript_by_agent_identifier_and_unmatched_agents(client: Any, seeded: dict[str, Any]) -> None:
    h = seeded["creds"]["reporter"]
    r = client.get("/api/v1/people/" + quote("mbox:mailto:Ann@district.org", safe="") + "/transcript", headers=h)
    assert r.status_code == 200 and r.json["person"]["id"] == "T200"
    r = client.get("/api/v1/people/" + quote("mbox:mailto:guest123@gmail.com", safe="") + "/transcript", headers=h)
    assert r.status_code == 200
    assert r.json["person"] == {"id": "mbox:mailto:guest123@gmail.com", "name": "Zoom Guest", "employee_id": None,
                                "matched": False, "identifiers": ["mbox:mailto:guest123@gmail.com"]}
    assert r.json["totals"]["hours"] == 1.0
    assert client.get("/api/v1/people/NOBODY/transcript", headers=h).status_code == 404
    assert client.get("/api/v1/people/mbox:mailto:nobody@x.org/transcript", headers=h).status_code == 404
    # A roster person with no learning yet has an empty transcript, not a 404.
    r = client.get("/api/v1/people/T202/transcript", headers=h)
    assert r.status_code == 200 and r.json["entries"] == [] and r.json["totals"]["hours"] == 0


@pytest.mark.parametrize("who,path,status", [
    (None, "/api/v1/people/T200/transcript", 401),
    ("writer", "/api/v1/people/T200/transcript", 403),   # an xAPI write credential reads no reports
    ("ann", "/api/v1/people/T200/transcript", 200),      # herself (credential names her by e-mail)
    ("ann", "/api/v1/people/T201/transcript", 403),      # a colleague
    ("ann", "/api/v1/people/NOBODY/transcript", 403),    # existence does not leak
    ("pat", "/api/v1/people/T200/transcript", 200),      # her supervisor
    ("pat", "/api/v1/people/T201/transcript", 200),
    ("pat", "/api/v1/people/T202/transcript", 403),      # not Pat's staff
    ("reporter", "/api/v1/people/T202/transcript", 200),
    ("admin", "/api/v1/people/T202/transcript", 200),
    ("ann", "/api/v1/people/T200", 200),
    ("ann", "/api/v1/transcripts", 403),
    ("ann", "/api/v1/people", 200),                      # her own staff: nobody
    ("pat", "/api/v1/people?unmatched=true", 403),
    ("writer", "/api/v1/status", 200),
])
def test_access_rules(client: Any, seeded: dict[str, Any], who: str | None, path: str, status: int) -> None:
    headers = seeded["creds"][who] if who else {}
    r = client.get(path, headers=headers)
    assert r.status_code == status, r.json
    if status == 401:
        assert r.headers["WWW-Authenticate"].startswith("Basic")


def test_test_credential_with_scope_all_reads_everything(client: Any, seeded: dict[str, Any]) -> None:
    assert client.get("/api/v1/people/T201/transcript", headers={"Authorization": basic_auth()}).status_code == 200


def test_transcript_csv(client: Any, seeded: dict[str, Any]) -> None:
    for kwargs in ({"headers": {**seeded["creds"]["reporter"], "Accept": "text/csv"}},
                   {"headers": seeded["creds"]["reporter"], "query_string": {"format": "csv"}}):
        r = client.get("/api/v1/people/T200/transcript", **kwargs)
        assert r.status_code == 200 and r.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
        assert [(x["person_id"], x["activity"], x["hours"], x["delivery_model"]) for x in rows] == [
            ("T200", WS, "3.0", "workshop"), ("T200", COURSE, "1.0", "online_course")]
        assert rows[1]["credit_type"] == "clock-hour" and rows[0]["statement_ids"] == seeded["keep_id"]


def test_people_lists_paginate_and_filter(client: Any, seeded: dict[str, Any]) -> None:
    h = seeded["creds"]["reporter"]
    r = client.get("/api/v1/people?limit=2", headers=h)
    assert [p["id"] for p in r.json["items"]] == ["P100", "T200"]
    nxt = r.json["next"]
    assert nxt.startswith("http://lrs.test/api/v1/people?")
    r = client.get(nxt, headers=h)
    assert [p["id"] for p in r.json["items"]] == ["T201", "T202"] and r.json["next"] is None
    assert [p["id"] for p in client.get("/api/v1/people?role=teacher", headers=h).json["items"]] == ["T200", "T201"]
    assert [p["id"] for p in client.get("/api/v1/people?building=North Middle", headers=h).json["items"]] == \
        ["T201", "T202"]
    r = client.get("/api/v1/people?unmatched=true", headers=h)
    assert [(p["id"], p["name"], p["matched"]) for p in r.json["items"]] == \
        [("mbox:mailto:guest123@gmail.com", "Zoom Guest", False)]
    # Pat (reports/read/mine) lists her own staff.
    r = client.get("/api/v1/people", headers=seeded["creds"]["pat"])
    assert [p["id"] for p in r.json["items"]] == ["T200", "T201"]
    r = client.get("/api/v1/people?format=csv", headers=h)
    assert r.mimetype == "text/csv" and "T200,Ann Lee,ann@district.org,teacher;coach" in r.get_data(as_text=True)
    assert client.get("/api/v1/people?limit=zero", headers=h).status_code == 400


def test_linking_an_identifier_through_the_api(app: Any, client: Any, seeded: dict[str, Any]) -> None:
    body = json.dumps({"identifier": "mbox:mailto:guest123@gmail.com"})
    hdr = {"Content-Type": "application/json"}
    assert client.post("/api/v1/people/T202/identifiers", data=body,
                       headers={**seeded["creds"]["reporter"], **hdr}).status_code == 403
    r = client.post("/api/v1/people/T202/identifiers", data=body, headers={**seeded["creds"]["admin"], **hdr})
    assert r.status_code == 201 and r.json["agent_key"] == "mbox:mailto:guest123@gmail.com"
    assert client.post("/api/v1/people/T202/identifiers", data=body,
                       headers={**seeded["creds"]["admin"], **hdr}).status_code == 200
    assert client.post("/api/v1/people/NOPE/identifiers", data=body,
                       headers={**seeded["creds"]["admin"], **hdr}).status_code == 404
    services = app.extensions["lrs"]
    Worker(services.engine, settings=services.settings, poll=0.05).run(once=True)
    r = client.get("/api/v1/people/T202/transcript", headers=seeded["creds"]["reporter"])
    assert r.json["totals"]["hours"] == 1.0 and "mbox:mailto:guest123@gmail.com" in r.json["person"]["identifiers"]
    assert client.get("/api/v1/people?unmatched=true", headers=seeded["creds"]["reporter"]).json["items"] == []
    r = client.delete("/api/v1/people/T202/identifiers/" + quote("mbox:mailto:guest123@gmail.com", safe=""),
                      headers=seeded["creds"]["admin"])
    assert r.status_code == 200


def test_person_detail_with_history(client: Any, seeded: dict[str, Any]) -> None:
    r = client.get("/api/v1/people/T201", headers=seeded["creds"]["reporter"])
    assert r.status_code == 200
    assert r.json["history"][0]["effective_date"] == "2024-08-10" and r.json["roles"] == ["teacher"]


def test_data_team_export_and_hours_report(client: Any, seeded: dict[str, Any]) -> None:
    h = seeded["creds"]["reporter"]
    r = client.get("/api/v1/transcripts", headers=h)
    items = r.json["items"]
    assert sorted((i["person"], i["activity"], i["hours"]) for i in items) == [
        ("T200", WS, 3.0), ("T200", COURSE, 1.0), ("T201", WS, 2.5), ("mbox:mailto:guest123@gmail.com", WS, 1.0)]
    first = client.get("/api/v1/transcripts?limit=3", headers=h).json
    rest = client.get(first["next"], headers=h).json
    assert len(first["items"]) == 3 and len(rest["items"]) == 1 and rest["next"] is None
    r = client.get("/api/v1/transcripts?unmatched=true&format=csv", headers=h)
    assert r.get_data(as_text=True).count("\r\n") == 2  # header + the guest's entry
    r = client.get("/api/v1/reports/hours?group_by=delivery_model", headers=h)
    assert r.json["items"] == [{"delivery_model": "online_course", "hours": 1.0, "entries": 1, "people": 1},
                               {"delivery_model": "workshop", "hours": 6.5, "entries": 3, "people": 3}]
    r = client.get("/api/v1/reports/hours?group_by=building,classification", headers=h)
    assert {(i["building"], i["classification"]): i["hours"] for i in r.json["items"]} == {
        (None, "professional_development"): 1.0, ("Central High", "professional_development"): 3.0,
        ("Central High", "training"): 1.0, ("North Middle", "professional_development"): 2.5}
    assert client.get("/api/v1/reports/hours?group_by=shoe_size", headers=h).status_code == 400


def test_known_at_reads_what_the_lrs_knew(app: Any, client: Any, seeded: dict[str, Any]) -> None:
    store = app.extensions["lrs"].store
    # Position of the event storing Ann's first three statements (before the voiding).
    stored_at = next(e for e in store.iter_all() if e.type == "statements.stored").position
    r = client.get(f"/api/v1/people/T200/transcript?known_at={stored_at}", headers=seeded["creds"]["reporter"])
    assert r.status_code == 200
    assert sorted(e["activity"] for e in r.json["entries"]) == sorted([WS, COURSE, "https://district.org/pd/wrong"])
    live = client.get("/api/v1/people/T200/transcript", headers=seeded["creds"]["reporter"]).json
    assert len(live["entries"]) == 2
    assert client.get("/api/v1/people/T200/transcript?known_at=yesterday",
                      headers=seeded["creds"]["reporter"]).status_code == 400


def test_status_and_openapi(app: Any, client: Any, seeded: dict[str, Any]) -> None:
    r = client.get("/api/v1/status", headers=seeded["creds"]["reporter"])
    head = app.extensions["lrs"].store.head()
    assert r.json["head"] == head
    by_name = {p["name"]: p for p in r.json["projections"]}
    assert by_name["transcript@v1"]["position"] == head and by_name["transcript@v1"]["lag"] == 0
    store_statements(app.extensions["lrs"].store, [statement(BOB, "attended", activity(WS), "2024-09-10T14:00:00Z")])
    r = client.get("/api/v1/status", headers=seeded["creds"]["reporter"])
    t = {p["name"]: p for p in r.json["projections"]}["transcript@v1"]
    assert t["lag"] == 1 and t["lag_seconds"] >= 0
    doc = client.get("/api/v1/openapi.json").json
    assert "/api/v1/people/{person}/transcript" in doc["paths"]


def test_html_transcript_page(client: Any, seeded: dict[str, Any]) -> None:
    r = client.get("/people/T200/transcript", headers=seeded["creds"]["ann"])
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert "Ann Lee" in page and "Engagement workshop" in page and "<svg" in page and "online course" in page
    assert client.get("/people/T201/transcript", headers=seeded["creds"]["ann"]).status_code == 403
    assert client.get("/people/T200/transcript").status_code == 401
