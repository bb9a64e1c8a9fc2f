"""The district xAPI Profile: served at its stable URLs, and every example statement posted over HTTP and read back
in the transcript (both backends). Expected entries are worked out by hand from docs/profile/examples and
docs/profile/README.md (district time zone America/Chicago: 13:00Z is 8:00 CDT the same day)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lrs.api.profiles import profile_text
from lrs.roster.importer import import_roster
from tests.integration.import_helpers import IDP, District, district

__all__ = ["district"]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "profile" / "examples"
ROSTER = (
    "employee_id,name,email,roles,building,supervisor_id,hire_date,status,account_homepage,account_name\n"
    f"T101,Tess Teacher,t101@district.example,teacher,Lincoln Elementary,,2019-08-01,active,{IDP},T101\n"
    f"T102,Theo Teacher,t102@district.example,teacher,Washington Elementary,,2019-08-01,active,{IDP},T102\n"
    f"T103,Tara Teacher,t103@district.example,teacher,Lincoln Elementary,,2019-08-01,active,{IDP},T103\n"
    f"T104,Tom Teacher,t104@district.example,nurse,Central High,,2019-08-01,active,{IDP},T104\n"
    f"C201,Coach Rivera,c201@district.example,coach,Lincoln Elementary,,2015-08-01,active,{IDP},C201\n"
    f"P301,Pat Principal,p301@district.example,principal,Lincoln Elementary,,2010-08-01,active,{IDP},P301\n"
)
CYCLE = "https://district.example/pd/coaching/cycles/2026-c201-t101"


def example(name: str) -> dict[str, Any]:
    return dict(json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8")))


@pytest.fixture
def posted(district: District, xapi_headers: dict[str, str]) -> District:
    """Every example statement posted through /xapi/statements, one request each, and the worker caught up."""
    assert import_roster(district.services.store, ROSTER, effective_date="2024-07-01").ok
    for path in sorted(EXAMPLES.glob("*.json")):
        r = district.client.post("/xapi/statements", data=path.read_bytes(),
                                 headers={**xapi_headers, "Content-Type": "application/json"})
        assert r.status_code == 200, (path.name, r.get_data(as_text=True))
    return district


def entries(d: District, person: str) -> dict[str, tuple[Any, ...]]:
    """{activity: (outcome, date, hours, delivery model, classification, score)}."""
    return {e["activity"]: (e["outcome"], e["date"], e["hours"], e["delivery_model"], e["classification"],
                            e["score"]) for e in d.transcript(person)["entries"]}


def test_coaching_plc_walkthrough_surveys_and_tests_of_one_teacher(posted: District) -> None:
    t = posted.transcript("T101")
    got = {e["activity"]: (e["outcome"], e["date"], e["hours"], e["delivery_model"], e["classification"],
                           e["score"]) for e in t["entries"]}
    assert got == {
        # The coaching session (the coach mentored T101, 45 min) and the completed cycle share a registration: one
        # entry on the cycle, completed on 17 Nov, with the session's 45 minutes.
        CYCLE: ("completed", "2026-11-17", 0.75, "coaching", "professional_development", None),
        # The PLC meeting (acrossx face-to-face discussion, context.team): 45 minutes of plc.
        "https://district.example/plc/lincoln-grade3/2026-27": ("attended", "2026-09-15", 0.75, "plc",
                                                                "professional_development", None),
        # Pre/post tests: their verdicts and scores, no hours of their own (the workshop's attendance counts the
        # time), and the delivery model of the workshop they assess.
        "https://district.example/pd/literacy/workshop-1/pretest": ("completed", "2026-09-10", 0.0, "workshop",
                                                                    "professional_development", 0.55),
        "https://district.example/pd/literacy/workshop-1/posttest": ("passed", "2026-10-22", 0.0, "workshop",
                                                                     "professional_development", 0.85),
    }
    # Not entries: the walkthrough (evidence of practice, a personnel record), the exit-survey answer and the rating.
    assert t["totals"]["hours"] == 1.5 and t["totals"]["by_delivery_model"] == {"coaching": 0.75, "plc": 0.75,
                                                                               "workshop": 0.0}
    cycle = next(e for e in t["entries"] if e["activity"] == CYCLE)
    assert cycle["name"] == "Coaching cycle: small-group reading" and cycle["start_date"] == "2026-10-06"
    assert sorted(cycle["statement_ids"]) == ["6f1e3c1a-0b7e-4a43-9d55-3f1d2c7a0001",
                                              "6f1e3c1a-0b7e-4a43-9d55-3f1d2c7a0002"]


def test_rounds_conference_and_waiver(posted: District) -> None:
    assert entries(posted, "T102") == {"https://district.example/pd/rounds/2026-11-04-washington": (
        "attended", "2026-11-04", 3.0, "instructional_rounds", "professional_development", None)}
    conference = posted.transcript("T103")["entries"]
    assert [(e["activity"], e["outcome"], e["date"], e["hours"], e["hours_source"], e["delivery_model"],
             e["provider"]) for e in conference] == [
        ("https://district.example/pd/conferences/literacy-summit-2026/sessions/s14", "attended", "2026-10-23", 1.25,
         "declared", "conference", "ESU 3")]                                  # planned-duration PT1H15M
    assert entries(posted, "T104") == {"https://district.example/lms/courses/bbp-2026/au/1": (
        "waived", "2026-08-20", 0.0, "online_course", "professional_development", None)}   # 10:00Z = 5:00 CDT
    # The coach, the observer and the presenter are not credited by statements about others.
    assert posted.transcript("C201")["entries"] == [] and posted.transcript("P301")["entries"] == []


def test_profile_at_its_stable_urls(district: District) -> None:
    shipped = json.loads((ROOT / "docs" / "profile" / "district-pd.jsonld").read_text(encoding="utf-8"))
    for url in ("/xapi/profiles/district-pd", "/profiles/district-pd/v1.0.jsonld"):
        r = district.client.get(url)
        assert r.status_code == 200 and r.mimetype == "application/ld+json", url
        assert json.loads(r.get_data()) == shipped
        etag = r.headers["ETag"]
        again = district.client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.get_data() == b""
    assert district.client.get("/profiles/district-pd/v0.9.jsonld").status_code == 404
    assert json.loads(district.client.get("/xapi/profiles/district-pd").get_data())["versions"][0]["id"] == \
        "https://district.example/xapi/profile/pd/v1.0"


def test_profile_under_the_districts_own_base(db_url: str) -> None:
    from lrs.app import create_app

    app = create_app({"DATABASE_URL": db_url, "WORKER": False, "DISTRICT_IRI": "https://lps.example.org/xapi"})
    try:
        doc = json.loads(app.test_client().get("/xapi/profiles/district-pd").get_data())
        assert doc["id"] == "https://lps.example.org/xapi/profile/pd"
        assert "https://district.example/xapi/" not in json.dumps(doc)
    finally:
        app.extensions["lrs"].engine.dispose()


def test_the_package_copy_is_the_documented_profile() -> None:
    assert profile_text() == (ROOT / "docs" / "profile" / "district-pd.jsonld").read_text(encoding="utf-8")

