"""A district's autumn, end to end: roster CSV through ``lrs roster import``, statements through
``POST /xapi/statements``, real ``lrs worker --once`` processes, transcripts through the reporting API compared with
values worked out by hand; then corrections (a voiding, an identifier link, a roster change) and ``lrs replay``.

Hours by hand (district time zone America/Chicago, school year from July 1):

* Ann Lee (T200): suicide-prevention course passed 2024-08-20 = 1 clock-hour credit (training); engagement
  workshop 3 h (sent under her IdP account, not her e-mail); grade-5 PLC 45 + 45 + 60 min = 2.5 h; a conference
  session 1.5 h that is later voided. Phase 1: 8.0 h; after the voiding: 6.5 h.
* Bob Ray (T201): leadership institute, registered 07-15, attended 07-22 for 6 h; a video completed at 21:00 on
  09-14 local (02:00 UTC on 09-15) in 12 min = 0.2 h; coached by Ann for 40 min = 0.67 h. Phase 1: 6.87 h. He also
  joined the workshop from a personal Zoom address for 2 h 45 min; once that address is linked: 9.62 h.
* Nia Ngata (N300, xAPI 2.0 client): seizure course completed 20:30 on 2024-06-30 local (01:30 UTC on 07-01) with
  a declared length of 1 h — school year 2023-2024; bloodborne-pathogens training 2 h with instructor Tia
  (contextAgents) — 2024-2025.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import API_KEY, API_SECRET, basic_auth, key_file_for
from tests.pd_builders import CMI5_CATEGORY, DISTRICT, TYPES, account, activity, person, statement, voiding

TZ = "America/Chicago"
ROSTER = (
    "employee_id,name,email,roles,building,supervisor_id,hire_date,status,account_homepage,account_name\n"
    "P100,Pat Principal,pat@district.org,principal,Central High,,2010-08-01,active,,\n"
    "T200,Ann Lee,ann.lee@district.org,teacher;coach,Central High,P100,2019-08-15,active,https://idp.district.org,alee\n"
    "T201,Bob Ray,bob@district.org,teacher,Central High,P100,2024-08-10,active,,\n"
    "N300,Nia Ngata,nia@district.org,nurse,Central High,P100,2015-01-05,active,,\n"
)
ANN = person("ann.lee@district.org", "Ann Lee")
ANN_IDP = account("https://idp.district.org", "alee", "Ann Lee")
BOB, BOB_ZOOM = person("bob@district.org", "Bob Ray"), person("bob.personal@gmail.com", "Bob R")
NIA = person("nia@district.org", "Nia Ngata")
SP = "https://district.org/pd/suicide-prevention"
ENG = "https://district.org/pd/engagement-workshop"
PLC = "https://district.org/plc/central-grade5"
CONF, CONF_SESSION = "https://nesa.example/conf/2024", "https://nesa.example/conf/2024/session-12"
INST, VIDEO = "https://district.org/pd/leadership-institute-2024", "https://district.org/video/classroom-mgmt"
SEIZ, BBP = "https://district.org/pd/seizure-safe-schools", "https://district.org/pd/bloodborne-pathogens"
R1 = "8f4c3b8e-1d0a-4c55-9b7e-2a6f1d3c9e01"
LEGAL = {"contextActivities": {"category": [{"id": CMI5_CATEGORY}, {"id": DISTRICT + "classification/legal-requirement"}]},
         "registration": R1}


def _phase1_statements() -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    sp = activity(SP, "Suicide Awareness and Prevention", extensions={
        DISTRICT + "ext/credit": {"type": "clock-hour", "amount": 1}})
    team = {"objectType": "Group", "name": "Grade 5 PLC", "mbox": "mailto:g5plc@district.org"}
    plc = activity(PLC, "Grade 5 PLC", "plc")
    conf_session = statement(ANN, "attended", activity(CONF_SESSION, "Formative assessment", "session"),
                             "2024-10-03T16:00:00Z", result={"duration": "PT1H30M"},
                             context={"contextActivities": {"parent": [{"id": CONF, "definition": {
                                 "type": TYPES["conference"], "name": {"en-US": "NeSA 2024"}}}]}})
    v1 = [
        statement(ANN, "launched", sp, "2024-08-20T15:00:00Z", context=LEGAL),
        statement(ANN, "completed", sp, "2024-08-20T15:55:00Z", result={"duration": "PT55M"}, context=LEGAL),
        statement(ANN, "passed", sp, "2024-08-20T15:56:00Z",
                  result={"duration": "PT56M", "score": {"scaled": 0.9}}, context=LEGAL),
        statement(ANN_IDP, "attended", activity(ENG, "Instructional model: engagement", "meeting"),
                  "2024-09-10T14:00:00Z", result={"duration": "PT3H"},
                  context={"extensions": {"http://id.tincanapi.com/extension/training-provider": "ESU 3"}}),
        statement(ANN, "attended", plc, "2024-09-12T20:30:00Z", result={"duration": "PT45M"}, context={"team": team}),
        statement(ANN, "attended", plc, "2024-09-19T20:30:00Z", result={"duration": "PT45M"}, context={"team": team}),
        statement(ANN, "attended", plc, "2024-09-26T20:30:00Z", result={"duration": "PT1H"}, context={"team": team}),
        conf_session,
        statement(BOB, "registered", activity(INST, "Summer leadership institute"), "2024-07-15T13:00:00Z",
                  context={"contextActivities": {"category": [{"id": DISTRICT + "delivery/institute"}]}}),
        statement(BOB, "attended", activity(INST), "2024-07-22T13:00:00Z", result={"duration": "PT6H"},
                  context={"contextActivities": {"category": [{"id": DISTRICT + "delivery/institute"}]}}),
        statement(BOB_ZOOM, "attended", activity(ENG), "2024-09-10T14:00:00Z", result={"duration": "PT2H45M"}),
        statement(BOB, "completed", activity(VIDEO, "Classroom management in 12 minutes", "video"),
                  "2024-09-15T02:00:00Z", result={"duration": "PT12M"}),
        statement(ANN, "mentored", BOB, "2024-10-08T19:00:00Z", result={"duration": "PT40M"}),
    ]
    v2 = [
        statement(NIA, "completed", activity(SEIZ, "Seizure Safe Schools", extensions={
            "http://id.tincanapi.com/extension/duration": "PT1H"}), "2024-07-01T01:30:00Z",
            context={"contextActivities": {"category": [{"id": CMI5_CATEGORY}]}}),
        statement(NIA, "attended", activity(BBP, "Bloodborne pathogens", "meeting", extensions={
            DISTRICT + "ext/classification": "training"}), "2024-08-15T14:00:00Z", result={"duration": "PT2H"},
            context={"contextAgents": [{"objectType": "contextAgent", "agent": person("tia@esu3.org", "Tia Trainer"),
                                        "relevantTypes": ["https://w3id.org/xapi/cmi5/activities/instructor"]}]}),
    ]
    return v1, v2, conf_session


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lrs.cli", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def _summary(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(e["activity"], e["outcome"], e["date"], e["hours"], e["delivery_model"], e["classification"])
            for e in body["entries"]]


@pytest.mark.slow
def test_a_districts_autumn(db_url: str, tmp_path: Path) -> None:
    from lrs.app import create_app

    env = {**os.environ, "LRS_DATABASE_URL": db_url, "LRS_TIME_ZONE": TZ, "LRS_LOG_LEVEL": "WARNING"}
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    r = _run(["roster", "import", str(roster), "--effective-date", "2024-08-01"], env, tmp_path)
    assert r.returncode == 0 and "4 new" in r.stdout, r.stderr

    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY_FILE": key_file_for(db_url), "API_KEY": API_KEY, "API_SECRET": API_SECRET, "WORKER": False,
                      "BASE_URL": "http://lrs.test", "TIME_ZONE": TZ})
    client = app.test_client()
    auth = app.extensions["lrs"].auth
    auth.create_credential("reports", ["reports/read"], key="rep", secret="rep-secret")
    auth.create_credential("admin", ["admin"], key="adm", secret="adm-secret")
    auth.create_credential("Pat", ["reports/read/mine"], key="pat", secret="pat-secret", person="P100")
    rep = {"Authorization": basic_auth("rep", "rep-secret")}

    v1, v2, conf_session = _phase1_statements()
    xapi1 = {"Authorization": basic_auth(), "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}
    xapi2 = {**xapi1, "X-Experience-API-Version": "2.0.0"}
    assert client.post("/xapi/statements", data=json.dumps(v1[:8]), headers=xapi1).status_code == 200
    for s in v1[8:]:  # one statement per request, as a vendor's LMS would send them
        assert client.post("/xapi/statements", data=json.dumps(s), headers=xapi1).status_code == 200
    rr = client.post("/xapi/statements", data=json.dumps(v2), headers=xapi2)
    assert rr.status_code == 200, rr.get_data(as_text=True)

    r = _run(["worker", "--once"], env, tmp_path)
    assert r.returncode == 0, r.stderr
    status = client.get("/api/v1/status", headers=rep).json
    assert all(p["lag"] == 0 for p in status["projections"]), status

    ann = client.get("/api/v1/people/T200/transcript", headers=rep).json
    assert _summary(ann) == [
        (SP, "passed", "2024-08-20", 1.0, "online_course", "training"),
        (ENG, "attended", "2024-09-10", 3.0, "workshop", "professional_development"),
        (PLC, "attended", "2024-09-12", 2.5, "plc", "professional_development"),
        (CONF_SESSION, "attended", "2024-10-03", 1.5, "conference", "professional_development"),
    ]
    assert ann["totals"] == {"hours": 8.0, "entries": 4, "by_school_year": {"2024-2025": 8.0},
                             "by_delivery_model": {"conference": 1.5, "online_course": 1.0, "plc": 2.5,
                                                   "workshop": 3.0},
                             "by_classification": {"professional_development": 7.0, "training": 1.0}}
    sp_entry = ann["entries"][0]
    assert len(sp_entry["statement_ids"]) == 3 and sp_entry["score"] == 0.9 and sp_entry["registration"] == R1
    assert ann["entries"][1]["provider"] == "ESU 3" and ann["entries"][1]["agent"] == "account:https://idp.district.org|alee"
    assert ann["entries"][2]["end_date"] == "2024-09-26"

    bob = client.get("/api/v1/people/T201/transcript", headers=rep).json
    coaching = next(e for e in bob["entries"] if e["delivery_model"] == "coaching")
    assert _summary(bob) == [
        (INST, "attended", "2024-07-22", 6.0, "institute", "professional_development"),
        (VIDEO, "completed", "2024-09-14", 0.2, "video", "professional_development"),
        (coaching["activity"], "attended", "2024-10-08", 0.67, "coaching", "professional_development"),
    ]
    assert bob["entries"][0]["start_date"] == "2024-07-15" and coaching["name"] == "Coaching with Ann Lee"
    assert bob["totals"]["hours"] == 6.87
    unmatched = client.get("/api/v1/people?unmatched=true", headers=rep).json["items"]
    assert [(u["id"], u["name"]) for u in unmatched] == [("mbox:mailto:bob.personal@gmail.com", "Bob R")]

    nia = client.get("/api/v1/people/N300/transcript", headers=rep).json
    assert _summary(nia) == [(SEIZ, "completed", "2024-06-30", 1.0, "online_course", "professional_development"),
                             (BBP, "attended", "2024-08-15", 2.0, "workshop", "training")]
    assert nia["entries"][1]["instructors"] == ["Tia Trainer"]
    assert nia["totals"]["by_school_year"] == {"2023-2024": 1.0, "2024-2025": 2.0}
    knew_before_corrections = app.extensions["lrs"].store.head()

    # --- corrections: a voiding, an identifier link, a roster change ----------------------------------------
    assert client.post("/xapi/statements", data=json.dumps(voiding(ANN, conf_session["id"], "2024-10-04T12:00:00Z")),
                       headers=xapi1).status_code == 200
    link = client.post("/api/v1/people/T201/identifiers",
                       data=json.dumps({"agent": {"mbox": "mailto:bob.personal@gmail.com"}}),
                       headers={"Authorization": basic_auth("adm", "adm-secret"), "Content-Type": "application/json"})
    assert link.status_code == 201, link.json
    moved = tmp_path / "roster-jan.csv"
    moved.write_text(ROSTER.replace("teacher;coach,Central High,P100", "coach,North Middle,P100"), encoding="utf-8")
    r = _run(["roster", "import", str(moved), "--effective-date", "2025-01-06"], env, tmp_path)
    assert r.returncode == 0 and "1 changed" in r.stdout, r.stdout + r.stderr
    r = _run(["worker", "--once"], env, tmp_path)
    assert r.returncode == 0, r.stderr

    ann = client.get("/api/v1/people/T200/transcript", headers=rep).json
    assert [e["activity"] for e in ann["entries"]] == [SP, ENG, PLC]
    assert ann["totals"]["hours"] == 6.5 and "conference" not in ann["totals"]["by_delivery_model"]
    assert ann["person"]["building"] == "North Middle" and ann["person"]["roles"] == ["coach"]
    history = client.get("/api/v1/people/T200", headers=rep).json["history"]
    assert [(h["effective_date"], h["building"]) for h in history] == [("2019-08-15", "Central High"),
                                                                     ("2025-01-06", "North Middle")]
    bob = client.get("/api/v1/people/T201/transcript", headers=rep).json
    assert (ENG, "attended", "2024-09-10", 2.75, "workshop", "professional_development") in _summary(bob)
    assert bob["totals"]["hours"] == 9.62
    assert client.get("/api/v1/people?unmatched=true", headers=rep).json["items"] == []
    # Pat supervises both; she reads Bob's transcript with her own scoped credential.
    pat = {"Authorization": basic_auth("pat", "pat-secret")}
    assert client.get("/api/v1/people/T201/transcript", headers=pat).json == bob

    # --- what the LRS knew before the corrections, and a full replay ----------------------------------------
    then = client.get(f"/api/v1/people/T200/transcript?known_at={knew_before_corrections}", headers=rep).json
    assert then["totals"]["hours"] == 8.0 and then["person"]["building"] == "Central High"
    before = {p: client.get(f"/api/v1/people/{p}/transcript", headers=rep).json for p in ("T200", "T201", "N300")}
    r = _run(["replay"], env, tmp_path)
    assert r.returncode == 0 and "transcript@v1: rebuilt" in r.stdout, r.stderr
    after = {p: client.get(f"/api/v1/people/{p}/transcript", headers=rep).json for p in ("T200", "T201", "N300")}
    assert after == before
    r = _run(["replay", "--as-of", str(knew_before_corrections), "--projection", "transcript"], env, tmp_path)
    assert r.returncode == 0 and f"as-of build at position {knew_before_corrections}" in r.stdout
    app.extensions["lrs"].engine.dispose()
