"""Every metric of the scripted district (tests/unit/evaluation/district.py), computed by the functions and
compared with the arithmetic done by hand in the comments; then the published (suppressed) evaluation."""
from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from projections.evaluation.digests import LearningFact, StaffMember
from projections.evaluation.evaluate import evaluate_program
from projections.evaluation.levels import outcomes, support, use
from projections.evaluation.metrics import (agrees, dosage, eligible_staff, learning, participation,
                                            program_activities, reactions, sustained_statements)
from projections.evaluation.suppression import carries_no_counts, no_derivable_cells
from tests.unit.evaluation import district as d

LO, HI = d.S1


@pytest.fixture(scope="module")
def setup() -> dict[str, Any]:
    cat = d.catalog()
    prog = cat.programs[0]
    data = d.data()
    elig = eligible_staff(data.staff, prog)
    return {"cat": cat, "prog": prog, "data": data, "elig": elig,
            "acts": program_activities(prog, data.facts)}


@pytest.fixture(scope="module")
def ev(setup: dict[str, Any]) -> dict[str, Any]:
    return evaluate_program(setup["cat"], "literacy", setup["data"], LO, HI, "2026-27-S1", position=4812,
                            known_at="2027-01-05T08:00:00Z")


def cells(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {r[key]: r for r in rows}


def test_eligible_staff(setup: dict[str, Any]) -> None:
    # 16 + 4 Lincoln, 10 + 2 + C01 Washington, 4 Jefferson = 37; not X01 (custodian), P01 (principal), T31
    # (inactive).
    assert len(setup["elig"]) == 37
    assert {"X01", "P01", "T31"}.isdisjoint(setup["elig"])


def test_participation(setup: dict[str, Any]) -> None:
    p = participation(setup["prog"], setup["data"].staff, setup["data"].facts, LO, HI)
    # Lincoln: T01-T12 and A01-A03 (W1), T13-T14 (coaching) = 17 of 20 (not T15 who only registered, T16, A04).
    # Washington: T17-T24 (W1), C01 (W2), T25 (coaching) = 10 of 13. Jefferson: T27-T29 = 3 of 4.
    # 30 of 37 = 0.8108. Not counted: T05's W1 in January (after the period), X01, T31, T26's math workshop.
    assert (p["participants"], p["eligible"], p["rate"]) == (30, 37, 0.8108)
    b = cells(p["by_building"], "building")
    assert (b["Lincoln"]["participants"], b["Lincoln"]["eligible"], b["Lincoln"]["rate"]) == (17, 20, 0.85)
    assert (b["Washington"]["participants"], b["Washington"]["eligible"]) == (10, 13)
    assert (b["Jefferson"]["participants"], b["Jefferson"]["eligible"], b["Jefferson"]["rate"]) == (3, 4, 0.75)
    # Statements: Lincoln W1 15 + W2 8 + W3 4 + PLC 10x4 + coaching 20 = 87; Washington W1 8 + W2 5 + coaching 3
    # = 16; Jefferson 3; 106 in all.
    assert [b[k]["statements"] for k in ("Lincoln", "Washington", "Jefferson")] == [87, 16, 3]
    assert p["statements"] == 106
    # Primary role: C01 (coach; teacher) and T16 (teacher; paraprofessional) count as teachers: 31 teachers
    # (27 took part), 6 paraprofessionals (A01-A03 took part).
    r = cells(p["by_role"], "role")
    assert (r["teacher"]["participants"], r["teacher"]["eligible"]) == (27, 31)
    assert (r["paraprofessional"]["participants"], r["paraprofessional"]["eligible"]) == (3, 6)
    c = cells(p["by_certification"], "certification")
    assert (c["certified"]["participants"], c["certified"]["eligible"]) == (27, 31)
    assert (c["non_certified"]["participants"], c["non_certified"]["eligible"]) == (3, 6)


def test_dosage(setup: dict[str, Any]) -> None:
    h = dosage(setup["prog"], setup["data"].staff, setup["data"].facts, LO, HI)
    # Workshops: W1 26 x 3 h + W2 13 x 3 h + W3 4 x 3 h = 78 + 39 + 12 = 129 h (27 people, 43 statements).
    # PLC: 10 members x 4 meetings x 0.75 h = 30 h (40 statements). Coaching: T01-T08 2 x 1 h, T13-T14 2 x 1 h,
    # T17, T18, T25 1.5 h = 16 + 4 + 4.5 = 24.5 h (13 people, 23 statements). Total 183.5 h for 30 people.
    assert (h["total"], h["people"], h["statements"], h["per_participant"]) == (183.5, 30, 106, 6.12)
    m = cells(h["by_delivery_model"], "delivery_model")
    assert list(m) == ["workshop", "plc", "coaching"]
    assert (m["workshop"]["hours"], m["workshop"]["people"], m["workshop"]["statements"],
            m["workshop"]["hours_per_participant"]) == (129, 27, 43, 4.78)
    assert (m["plc"]["hours"], m["plc"]["people"], m["plc"]["hours_per_participant"]) == (30, 10, 3.0)
    assert (m["coaching"]["hours"], m["coaching"]["people"], m["coaching"]["hours_per_participant"]) == (24.5, 13, 1.88)
    # Job-embedded: PLC 30 + coaching 24.5 = 54.5 h. Sustained series: T01-T04 came to W1, W2 and W3 (3 sessions,
    # Thursdays Sep 10 - Nov 5: 9 calendar weeks >= 4), 4 x 9 h = 36 h; T05-T08 came to two sessions only.
    # One-off: 183.5 - 54.5 - 36 = 93. Share (54.5 + 36) / 183.5 = 0.4932.
    assert (h["job_embedded_hours"], h["sustained_series_hours"], h["one_off_hours"]) == (54.5, 36, 93)
    assert h["job_embedded_share"] == 0.4932
    assert h["collaborative_hours"] == 30  # the PLC meetings carry a team


def test_series_needs_sessions_and_weeks(setup: dict[str, Any]) -> None:
    prog = setup["prog"]

    def f(day: date, n: int) -> LearningFact:
        return LearningFact(person="T01", statement_id=f"x{n}", activity=f"https://d.example/s{n}", date=day,
                            parents=("https://d.example/series",))
    weekly = [f(date(2026, 9, 1), 1), f(date(2026, 9, 8), 2), f(date(2026, 9, 15), 3), f(date(2026, 9, 22), 4)]
    # Four weekly Tuesdays span 4 calendar weeks: sustained at min_weeks 4, not at 5; 4 sessions, not 5.
    assert sustained_statements(weekly, prog, 3, 4) == {"x1", "x2", "x3", "x4"}
    assert sustained_statements(weekly, prog, 3, 5) == set()
    assert sustained_statements(weekly, prog, 5, 4) == set()
    # The program's own grouping id is not a series: one-off workshops of one program stay one-off.
    grouped = [LearningFact(person="T01", statement_id=f"g{n}", activity=f"https://d.example/w{n}",
                            date=date(2026, 9, 1 + 7 * n), grouping=(d.PROGRAM,)) for n in range(4)]
    assert sustained_statements(grouped, prog, 3, 4) == set()


def test_reactions(setup: dict[str, Any]) -> None:
    r = reactions(setup["prog"], setup["data"].answers, setup["elig"], setup["acts"], LO, HI)
    # 34 answers: W1 20, W2 8 likert + 2 ratings, W3 4; 21 people (W1's 20 and C01).
    # Agree: W1 8 fives + 7 fours = 15; W2 6 likert (5,5,5,5,4,4) + T17's 5-star rating (C01's 4 stars is 75% of
    # the 1-5 range, below 80%) = 7; W3 5,5,4 = 3; 25 of 34 = 0.7353.
    # Mean on 0..1: W1 8x1 + 7x0.75 + 3x0.5 + 2x0.25 = 15.25; W2 4x1 + 2x0.75 + 0.75 + 1 = 7.25; W3 3.0:
    # 25.5 / 34 = 0.75.
    assert (r["answers"], r["statements"], r["people"], r["agree"]) == (34, 34, 21, 25)
    assert (r["agree_share"], r["mean"]) == (0.7353, 0.75)
    s = cells(r["by_session"], "session")
    assert (s[d.W1]["people"], s[d.W1]["agree"], s[d.W1]["agree_share"], s[d.W1]["mean"]) == (20, 15, 0.75, 0.7625)
    assert (s[d.W2]["people"], s[d.W2]["answers"], s[d.W2]["agree_share"], s[d.W2]["mean"]) == (10, 10, 0.7, 0.725)
    assert (s[d.W3]["people"], s[d.W3]["agree"]) == (4, 3)
    # By presenter, without names: PR1 gave W1 and W3 (24 answers, 20 people), PR2 gave W2 (10).
    p = {c["answers"]: c for c in r["by_presenter"]}
    assert sorted(p) == [10, 24] and p[24]["people"] == 20
    assert {c["presenter"] for c in r["by_presenter"]} == {"Presenter 1", "Presenter 2"}
    assert "PRESENTER-ALICE" not in json.dumps(r)
    assert [c["delivery_model"] for c in r["by_delivery_model"]] == ["workshop"]


def test_agreement_rule() -> None:
    from projections.evaluation.digests import SurveyAnswer

    def ans(v: float, lo: float, hi: float, kind: str = "likert") -> SurveyAnswer:
        return SurveyAnswer("p", "s", "i", v, lo, hi, date(2026, 9, 1), kind=kind)
    # 5-point likert: 4 and 5 agree; 3-point: only the top point; 7-point: 6 and 7.
    assert [agrees(ans(v, 1, 5)) for v in (3, 4, 5)] == [False, True, True]
    assert [agrees(ans(v, 1, 3)) for v in (2, 3)] == [False, True]
    assert [agrees(ans(v, 1, 7)) for v in (5, 6)] == [False, True]
    # Ratings: 80% of the range: 9 of 1-10 (8/9 = 0.89) agrees, 8 (7/9 = 0.78) does not; 8 of 0-10 does.
    assert [agrees(ans(v, 1, 10, "rating")) for v in (8, 9)] == [False, True]
    assert agrees(ans(8, 0, 10, "rating"))


def test_learning(setup: dict[str, Any]) -> None:
    lr = learning(setup["prog"], setup["data"].assessments, setup["elig"], setup["acts"], LO, HI)
    # 12 pairs (T01-T12): pretest 0.50 (T01's earlier 0.30 is not the latest before the posttest; T02's pretest
    # after the posttest is ignored), posttest 0.80 (T01-T06) or 0.70 (T07-T12): mean 0.75, gain 0.25.
    assert (lr["pairs"], lr["people"], lr["mean_pre"], lr["mean_post"], lr["mean_gain"]) == (12, 12, 0.5, 0.75, 0.25)
    # Pass rate: 11 people have a pass/fail posttest (T12's has none); T01-T09 passed (T03 on the retake): 9/11.
    assert (lr["tested"], lr["passed"], lr["pass_rate"]) == (11, 9, 0.8182)
    # Statements: 24 in pairs + T03's retake = 25 (X01, not eligible, is left out).
    assert lr["statements"] == 25
    assert [c["assessment"] for c in lr["by_assessment"]] == [d.W1]


def test_support(setup: dict[str, Any]) -> None:
    s = support(setup["prog"], setup["data"].coaching, setup["data"].plc, setup["elig"], setup["acts"], LO, HI)
    co, plc = s["coaching"], s["plc"]
    # Coaching (T16's session has no program context: not counted): 13 teachers, 24.5 h, 23 sessions;
    # 24.5 / 13 = 1.88 h per coached teacher, 24.5 / 37 = 0.66 h per eligible staff member.
    assert (co["coached"], co["hours"], co["statements"]) == (13, 24.5, 23)
    assert (co["hours_per_coached_teacher"], co["hours_per_eligible_teacher"]) == (1.88, 0.66)
    b = cells(co["by_building"], "building")
    assert (b["Lincoln"]["coached"], b["Lincoln"]["hours"], b["Lincoln"]["hours_per_coached_teacher"]) == (10, 20, 2.0)
    assert (b["Washington"]["coached"], b["Washington"]["hours"]) == (3, 4.5)
    assert b["Jefferson"]["coached"] == 0
    # PLC: 10 members x 4 x 45 min = 1,800 min over 184 days = 26.29 weeks: 1800 / (10 x 26.2857) = 6.8 min a
    # week per member; 1800 / (37 x 26.2857) = 1.9 per eligible staff member.
    assert (plc["members"], plc["minutes"], plc["statements"]) == (10, 1800, 40)
    assert (s["weeks"], plc["minutes_per_week_per_member"], plc["minutes_per_week_per_eligible"]) == (26.29, 6.8, 1.9)
    # With 18 instructional weeks instead: 1800 / (10 x 18) = 10.
    s18 = support(setup["prog"], setup["data"].coaching, setup["data"].plc, setup["elig"], setup["acts"], LO, HI,
                  weeks=18)
    assert s18["plc"]["minutes_per_week_per_member"] == 10.0


def test_use(setup: dict[str, Any]) -> None:
    p = participation(setup["prog"], setup["data"].staff, setup["data"].facts, LO, HI)
    u = use(setup["prog"], setup["data"].observations, setup["elig"], set(p["participant_ids"]), LO, HI)
    part, non = u["participants"], u["non_participants"]
    # Target practice lf-phonics-routine only (the discourse look-for in the same walkthroughs is left out).
    # Participants: Sep T01-T04 at 3, T05-T10 at 2 (4 proficient, sum 24); Oct T11 4 of 1-5 = 1 + 3/4 x 3 = 3.25
    # (proficient); Nov T01-T02 4, T03-T08 3, T09-T10 2 (8 proficient, sum 30). 13 of 21 = 0.619;
    # mean 57.25 / 21 = 2.73.
    assert (part["observations"], part["people"], part["statements"], part["proficient"]) == (21, 11, 21, 13)
    assert (part["proficient_share"], part["mean_level"]) == (0.619, 2.73)
    by = cells(part["by_period"], "period")
    assert (by["2026-09"]["proficient_share"], by["2026-09"]["mean_level"]) == (0.4, 2.4)
    assert (by["2026-10"]["observations"], by["2026-10"]["mean_level"]) == (1, 3.25)
    assert (by["2026-11"]["proficient_share"], by["2026-11"]["mean_level"]) == (0.8, 3.0)
    # Non-participants T15, T16, T26: 6 observations at 2.
    assert (non["observations"], non["people"], non["proficient"], non["mean_level"]) == (6, 3, 0, 2.0)
    q = use(setup["prog"], setup["data"].observations, setup["elig"], set(p["participant_ids"]), LO, HI,
            granularity="quarter")
    assert [c["period"] for c in q["participants"]["by_period"]] == ["2026-Q3", "2026-Q4"]


def test_outcomes(setup: dict[str, Any]) -> None:
    o = outcomes(setup["prog"], setup["data"].outcomes)
    assert o["label"] == "correlation, not causation"
    (m,) = o["measures"]  # "Attendance rate" is not one of the program's outcome measures
    t = cells(m["trend"], "period")
    # 2025-26 participants' cohorts: (0.50 x 40 + 0.40 x 20) / 60 = 0.4667; others 0.45 (25 students).
    assert t["2025-26"]["participants"] == {"value": 0.4667, "n": 60, "groups": 2}
    assert t["2025-26"]["others"] == {"value": 0.45, "n": 25, "groups": 1}
    # 2026-27: (0.62 x 42 + 0.50 x 18) / 60 = 0.584.
    assert t["2026-27"]["participants"]["value"] == 0.584


# --- the published evaluation ----------------------------------------------------------------------------------

def test_published_participation_suppresses_jefferson_and_a_second_building(ev: dict[str, Any]) -> None:
    p = ev["participation"]
    assert (p["participants"], p["eligible"], p["rate"], p["suppressed"]) == (30, 37, 0.8108, False)
    b = cells(p["by_building"], "building")
    # Jefferson (3 of 4) is small; alone it would be 30 - 17 - 10 = 3, so Washington (10 participants, the next
    # smallest) is hidden too; the total stays.
    assert b["Jefferson"] == {"building": "Jefferson", "suppressed": True}
    assert b["Washington"] == {"building": "Washington", "suppressed": True}
    assert b["Lincoln"] == {"building": "Lincoln", "participants": 17, "eligible": 20, "rate": 0.85,
                            "statements": 87, "suppressed": False}
    # Paraprofessionals (3 of 6) are small; with two cells the teachers go too. Same for certification.
    assert all(c["suppressed"] for c in p["by_role"]) and all(c["suppressed"] for c in p["by_certification"])


def test_two_small_buildings_need_no_extra_cell(setup: dict[str, Any]) -> None:
    # Add Roosevelt: 5 teachers, 4 at W1. Jefferson (3 of 4) and Roosevelt (4 of 5) are hidden; Lincoln and
    # Washington stay; the total (34 of 42) stays.
    extra = [StaffMember(f"T{i}", ("teacher",), "Roosevelt", True) for i in range(40, 45)]
    facts = [d.workshop(f"T{i}", d.W1, d.D_W1) for i in range(40, 44)]
    ev2 = evaluate_program(setup["cat"], "literacy", d.data(extra, facts), LO, HI)
    p = ev2["participation"]
    assert (p["participants"], p["eligible"]) == (34, 42)
    b = cells(p["by_building"], "building")
    assert [k for k, c in b.items() if c["suppressed"]] == ["Jefferson", "Roosevelt"]
    assert (b["Washington"]["participants"], b["Lincoln"]["participants"]) == (10, 17)
    assert no_derivable_cells(p["by_building"], p, fields=("participants", "eligible", "statements"))


def test_published_hours_and_levels(ev: dict[str, Any]) -> None:
    h = ev["hours"]
    assert h["by_delivery_model"] == {"workshop": 129, "plc": 30, "coaching": 24.5}
    assert (h["total"], h["job_embedded_share"], h["suppressed"]) == (183.5, 0.4932, False)
    lv = ev["levels"]
    s = cells(lv["reactions"]["by_session"], "session")
    # W3 (4 people) is small; W2 (10) is the next smallest and goes with it; W1 stays.
    assert s[d.W3] == {"session": d.W3, "suppressed": True} and s[d.W2]["suppressed"] is True
    assert s[d.W1]["suppressed"] is False and lv["reactions"]["agree_share"] == 0.7353
    assert lv["learning"]["mean_gain"] == 0.25 and lv["learning"]["suppressed"] is False
    co = cells(lv["support"]["coaching"]["by_building"], "building")
    # Washington's 3 coached teachers are hidden, Lincoln with them; Jefferson (nobody coached) shows 0.
    assert co["Washington"]["suppressed"] and co["Lincoln"]["suppressed"]
    assert co["Jefferson"] == {"building": "Jefferson", "coached": 0, "hours": 0, "statements": 0,
                               "hours_per_coached_teacher": None, "suppressed": False}
    assert lv["support"]["coaching"]["hours_per_coached_teacher"] == 1.88
    assert lv["support"]["plc"]["suppressed"] is False
    up = cells(lv["use"]["participants"]["by_period"], "period")
    # October (1 teacher) is hidden; September and November tie at 10 people, and the earlier label goes.
    assert [k for k, c in up.items() if c["suppressed"]] == ["2026-09", "2026-10"]
    assert up["2026-11"]["proficient_share"] == 0.8
    assert lv["use"]["non_participants"] == {"suppressed": True, "by_period": [
        {"period": "2026-09", "suppressed": True}, {"period": "2026-11", "suppressed": True}]}
    (m,) = lv["outcomes"]["measures"]
    t = cells(m["trend"], "period")
    assert t["2026-27"]["others"] == {"suppressed": True}  # 8 students
    assert t["2026-27"]["participants"]["suppressed"] is False
    assert ev["cost"] == {"total": 48000, "currency": "USD", "items": [], "per_participant": 1600.0,
                          "per_participant_hour": 261.58}  # 48,000 / 30 and / 183.5


Table = tuple[list[dict[str, Any]], dict[str, Any], tuple[str, ...]]


def _tables(ev: dict[str, Any]) -> list[Table]:
    lv = ev["levels"]
    p, h, r, lr = ev["participation"], ev["hours"], lv["reactions"], lv["learning"]
    co, plc = lv["support"]["coaching"], lv["support"]["plc"]
    out: list[Table] = [(p[k], p, ("participants", "eligible", "statements")) for k in ("by_building", "by_role", "by_certification")]
    # The hours total is "total"; its cells say "hours".
    out.append((h["delivery_models"], {**h, "hours": h.get("total")}, ("hours", "statements")))
    out += [(r[k], r, ("statements", "answers", "agree")) for k in ("by_session", "by_delivery_model")]
    out.append((lr["by_assessment"], lr, ("pairs", "tested", "passed", "statements")))
    out.append((co["by_building"], co, ("coached", "hours", "statements")))
    out.append((plc["by_building"], plc, ("members", "minutes", "statements")))
    for cohort in ("participants", "non_participants"):
        c = lv["use"][cohort]
        out.append((c["by_period"], c, ("observations", "proficient", "statements")))
    return out


def test_no_published_cell_is_derivable_and_suppressed_cells_carry_no_counts(ev: dict[str, Any]) -> None:
    for rows, total, fields in _tables(ev):
        assert no_derivable_cells(rows, total, fields=fields), (rows, total)
        for c in rows:
            if c["suppressed"]:
                assert carries_no_counts(c), c
    # Nothing in the published evaluation names a person.
    text = json.dumps(ev)
    for who in ("T01", "A01", "C01", "PRESENTER", "X01"):
        assert who not in text


def test_small_program_hides_its_totals(setup: dict[str, Any]) -> None:
    # Only Jefferson is eligible: 3 of 4 took part. Everything describing them is hidden, cost per participant too.
    cat = d.parse_programs(d.CATALOG_TEXT.replace("eligible: {roles: [teacher, paraprofessional]}",
                                                  "eligible: {roles: [teacher], buildings: [Jefferson]}"))
    ev3 = evaluate_program(cat, "literacy", setup["data"], LO, HI)
    assert ev3["participation"]["suppressed"] is True and "participants" not in ev3["participation"]
    assert ev3["hours"]["suppressed"] is True and ev3["hours"]["by_delivery_model"] == {}
    assert ev3["cost"] == {"total": 48000, "currency": "USD", "items": [], "per_participant_suppressed": True}
