"""Statement -> evaluation digests, on the profile's examples."""
from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from projections.evaluation.extract import extract
from projections.evaluation.metrics import agrees

EX = Path(__file__).resolve().parents[3] / "docs" / "profile" / "examples"
IDP = "account:https://idp.district.example|"
PROGRAM = "https://district.example/xapi/programs/literacy"
W1 = "https://district.example/pd/literacy/workshop-1"
CYCLE = "https://district.example/pd/coaching/cycles/2026-c201-t101"


def ex(name: str) -> dict[str, Any]:
    return dict(json.loads((EX / f"{name}.json").read_text(encoding="utf-8")))


def test_coaching_session() -> None:
    out = extract(ex("coaching-session"))
    (c,) = out.coaching
    assert (c.coach, c.teacher, c.date, c.hours, c.activity) == (IDP + "C201", IDP + "T101", date(2026, 10, 6), 0.75,
                                                                 CYCLE)
    assert c.context_ids == (CYCLE, PROGRAM)
    (f,) = out.facts  # the teacher is credited, not the coach
    assert (f.person, f.activity, f.hours, f.delivery_model) == (IDP + "T101", CYCLE, 0.75, "coaching")
    assert f.registration == "8a7c0f44-2b1e-4f7d-9a11-5d0c6e1b0a01" and f.grouping == (PROGRAM,)


def test_coaching_cycle_completed() -> None:
    (f,) = extract(ex("coaching-cycle-completed")).facts
    assert (f.person, f.activity, f.delivery_model, f.hours) == (IDP + "T101", CYCLE, "coaching", 0.0)


def test_walkthrough_gives_one_observation_per_look_for() -> None:
    out = extract(ex("walkthrough"))
    assert out.facts == [] and out.answers == []
    obs = [(o.teacher, o.practice, o.level, o.scale_min, o.scale_max, o.observer, o.date) for o in out.observations]
    assert obs == [(IDP + "T101", "lf-phonics-routine", 3, 1, 4, IDP + "P301", date(2026, 10, 14)),
                   (IDP + "T101", "lf-student-discourse", 2, 1, 4, IDP + "P301", date(2026, 10, 14))]
    # Look-fors as plain ids take the overall level; none at all give one "overall" observation.
    s = ex("walkthrough")
    s["result"]["extensions"]["https://district.example/xapi/ext/look-fors"] = ["lf-a", "lf-b"]
    assert [(o.practice, o.level) for o in extract(s).observations] == [("lf-a", 3), ("lf-b", 3)]
    del s["result"]["extensions"]
    assert [(o.practice, o.level) for o in extract(s).observations] == [("overall", 3)]


def test_instructional_rounds() -> None:
    out = extract(ex("instructional-rounds"))
    (f,) = out.facts
    assert (f.person, f.delivery_model, f.hours, f.team) == (IDP + "T102", "instructional_rounds", 3.0, True)
    assert out.plc == []  # a rounds network is a team, but not a PLC


def test_plc_meeting() -> None:
    out = extract(ex("plc-meeting"))
    (m,) = out.plc
    assert (m.person, m.minutes, m.team, m.date) == (IDP + "T101", 45, IDP + "plc-lincoln-grade3", date(2026, 9, 15))
    (f,) = out.facts
    assert (f.delivery_model, f.hours, f.team) == ("plc", 0.75, True)
    # The team as the actor, listing who came: each member gets a meeting.
    s = ex("plc-meeting")
    s["actor"] = {"objectType": "Group", "member": [{"account": {"homePage": "https://idp.district.example",
                                                                  "name": n}} for n in ("T101", "T105")]}
    assert [m.person for m in extract(s).plc] == [IDP + "T101", IDP + "T105"]


def test_conference_checkin_earns_its_planned_length() -> None:
    (f,) = extract(ex("conference-checkin")).facts
    assert (f.person, f.delivery_model, f.hours) == (IDP + "T103", "conference", 1.25)  # PT1H15M
    assert f.parents == ("https://district.example/pd/conferences/literacy-summit-2026",)


def test_likert_answer() -> None:
    out = extract(ex("survey-answer"))
    assert out.facts == []
    (a,) = out.answers
    assert (a.person, a.item, a.value, a.scale_min, a.scale_max, a.kind) == (
        IDP + "T101", "https://district.example/xapi/survey/items/time-well-spent", 4, 1, 5, "likert")
    assert (a.session, a.presenters, a.delivery_model) == (W1, (IDP + "P310",), "workshop")
    assert agrees(a)  # "Agree" (4 of 5)
    s = ex("survey-answer")
    s["result"]["response"] = "7"  # not a point of the scale
    assert extract(s).answers == []


def test_quality_rating() -> None:
    (a,) = extract(ex("quality-rating")).answers
    assert (a.kind, a.value, a.scale_min, a.scale_max, a.session, a.delivery_model) == ("rating", 4, 1, 5, W1,
                                                                                       "workshop")
    assert not agrees(a)  # 4 of 1-5 stars is 75% of the range, below 80%


def test_pretest_and_posttest() -> None:
    pre, post = extract(ex("pretest")), extract(ex("posttest"))
    (a,) = pre.assessments
    assert (a.kind, a.scaled, a.success, a.subject, a.timestamp) == ("pretest", 0.55, None, W1,
                                                                    "2026-09-10T13:00:00.000000Z")
    (b,) = post.assessments
    assert (b.kind, b.scaled, b.success) == ("posttest", 0.85, True)
    # Both also record learning (completed / passed), worth their duration: 10 and 12 minutes.
    assert [f.hours for f in pre.facts + post.facts] == [0.1667, 0.2]
    # Without scaled, it comes from raw on min..max; success from the verb.
    s = ex("posttest")
    s["verb"]["id"] = "http://adlnet.gov/expapi/verbs/failed"
    del s["result"]["score"]["scaled"], s["result"]["success"]
    (c,) = extract(s).assessments
    assert (c.scaled, c.success) == (0.85, False)  # 17 of 0..20


def test_waiver() -> None:
    (f,) = extract(ex("waived")).facts
    assert (f.verb, f.hours, f.waiver_reason, f.delivery_model) == (
        "https://w3id.org/xapi/adl/verbs/waived", 0.0, "Equivalent Outside Activity", "online_course")


def test_dates_in_the_district_time_zone_and_ignored_statements() -> None:
    s = ex("plc-meeting")
    s["timestamp"] = "2026-09-16T01:30:00Z"  # 8:30 pm on Sep 15 in Nebraska
    assert extract(s).plc[0].date == date(2026, 9, 16)
    assert extract(s, tz=ZoneInfo("America/Chicago")).plc[0].date == date(2026, 9, 15)
    void = {"id": "x", "timestamp": "2026-09-16T01:30:00Z", "actor": {"mbox": "mailto:a@b.org"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
            "object": {"objectType": "StatementRef", "id": "6f1e3c1a-0b7e-4a43-9d55-3f1d2c7a0005"}}
    out = extract(void)
    assert (out.facts, out.plc, out.answers, out.observations) == ([], [], [], [])
    other = copy.deepcopy(ex("survey-answer"))
    other["verb"]["id"] = "http://adlnet.gov/expapi/verbs/experienced"
    assert extract(other).facts == [] and extract(other).answers == []


def test_district_base_is_a_setting() -> None:
    text = json.dumps(ex("walkthrough")).replace("https://district.example/xapi/", "https://ps.example/xapi/")
    assert extract(json.loads(text)).observations == []
    assert len(extract(json.loads(text), district_iri="https://ps.example/xapi/").observations) == 2
