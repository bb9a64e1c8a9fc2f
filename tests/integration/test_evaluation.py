"""Program evaluation end to end on the scripted Riverside district (tests/integration/evaluation_scenario.py):
every metric through the read model and through the API, compared with the arithmetic done by hand here,
including small-cell and complementary suppression; known_at; access; CSV; the Board report page."""
from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest

from lrs.api.listing import read_scope
from projections.evaluation import queries as ev_q
from projections.runner import Worker
from tests.conftest import basic_auth
from tests.integration import evaluation_scenario as sc

S1 = (date(2026, 7, 1), date(2026, 12, 31))


@pytest.fixture
def district(app: Any) -> dict[str, Any]:
    services = app.extensions["lrs"]
    loaded = sc.load(services)
    auth = services.auth
    creds = {"board": auth.create_credential("Board", ["reports/aggregate"], key="board", secret="b1"),
             "mine": auth.create_credential("Teacher", ["reports/read/mine"], key="mine", secret="m1", person="L01"),
             "writer": auth.create_credential("LMS", ["statements/write"], key="lms", secret="w1")}
    Worker(services.engine, settings=services.settings, poll=0.05).run(once=True)
    loaded["h"] = {k: {"Authorization": basic_auth(*v)} for k, v in creds.items()}
    loaded["head"] = services.store.head()
    return loaded


def cells(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {r[key]: r for r in rows}


def evaluate_in(app: Any, known_at: str | None = None) -> dict[str, Any]:
    with app.test_request_context("/"):
        with read_scope(ev_q.READ_MODELS, known_at) as scope:
            version = ev_q.current_catalog(scope)
            assert version is not None
            prog = version.catalog.program("reading")
            assert prog is not None
            data = ev_q.load_data(scope, *S1)
            return ev_q.evaluate(scope, version, prog, data, *S1, "2026-27-S1", known_at=known_at)


@pytest.fixture
def ev(app: Any, district: dict[str, Any]) -> dict[str, Any]:
    return evaluate_in(app)


# --- through the read model -------------------------------------------------------------------------------------

def test_participation_and_its_suppression(ev: dict[str, Any], district: dict[str, Any]) -> None:
    p = ev["participation"]
    # Eligible: Lincoln 15 (L01-L12, LP1-LP3), Adams 7 (A01-A06, AP1), Baker 5 = 27; not X01, P01, C01, L99.
    # Took part: Lincoln L01-L10 (W1), L11 (coaching), LP1, LP2 = 13; Adams A01-A03 (W1), A05 (coaching) = 4 (A04's
    # W1 was voided, A06's is in January); Baker 5. 22 of 27 = 0.8148.
    # Statements: Lincoln W1 12 + W2 8 + W3 4 + PLC 25 + coaching 10 = 59; Adams 3 + 2 + 1 = 6; Baker 5; 70.
    assert (p["participants"], p["eligible"], p["rate"], p["statements"], p["suppressed"]) == (22, 27, 0.8148, 70, False)
    b = cells(p["by_building"], "building")
    # Adams (4) is small; alone it would be 22 - 13 - 5 = 4, so the next smallest, Baker (5), goes too.
    assert b["Adams"] == {"building": "Adams", "suppressed": True}
    assert b["Baker"] == {"building": "Baker", "suppressed": True}
    assert b["Lincoln"] == {"building": "Lincoln", "participants": 13, "eligible": 15, "rate": 0.8667,
                            "statements": 59, "suppressed": False}
    # Paraprofessionals (2 of 4) are small, and the teachers (20 of 23) go with them; certification alike
    # (the roster's certified column: teachers yes, paraprofessionals no).
    assert p["by_role"] == [{"role": "paraprofessional", "suppressed": True}, {"role": "teacher", "suppressed": True}]
    assert p["by_certification"] == [{"certification": "certified", "suppressed": True},
                                     {"certification": "non_certified", "suppressed": True}]


def test_hours_are_the_transcripts(ev: dict[str, Any], client: Any) -> None:
    h = ev["hours"]
    # Workshops 20 + 10 + 4 sessions x 3 h = 102; PLC 6 members x 4 x 45 min = 18 (L01's re-sent 09-15 meeting
    # adds nothing: the transcript counts each day at its longest); coaching 5 x 2 h + 1.5 h = 11.5. 131.5 h for 22
    # people = 5.98 each.
    assert (h["total"], h["people"], h["statements"], h["per_participant"]) == (131.5, 22, 70, 5.98)
    # Job-embedded PLC + coaching 29.5; sustained series: L01-L04 came to W1-W3 (Sep 10 - Nov 5, 9 weeks),
    # 4 x 9 = 36; one-off 131.5 - 29.5 - 36 = 66; share 65.5 / 131.5 = 0.4981. The PLC is the team time.
    assert (h["job_embedded_hours"], h["sustained_series_hours"], h["one_off_hours"]) == (29.5, 36, 66)
    assert (h["job_embedded_share"], h["collaborative_hours"]) == (0.4981, 18)
    assert h["by_delivery_model"] == {"workshop": 102, "plc": 18, "coaching": 11.5}
    m = cells(h["delivery_models"], "delivery_model")
    assert (m["workshop"]["people"], m["workshop"]["statements"], m["workshop"]["hours_per_participant"]) == (20, 34, 5.1)
    assert (m["plc"]["people"], m["plc"]["statements"], m["coaching"]["hours_per_participant"]) == (6, 25, 1.92)
    # The same hours as L01's transcript: W1, W2, W3 3 h each and the PLC's 3 h.
    t = client.get("/api/v1/people/L01/transcript", headers={"Authorization": basic_auth()}).json
    assert {e["activity"]: e["hours"] for e in t["entries"]} == {sc.W1: 3.0, sc.W2: 3.0, sc.W3: 3.0, sc.PLC: 3.0,
                                                                  f"{sc.W1}/pretest": 0.0, f"{sc.W1}/posttest": 0.0}


def test_level_1_reactions(ev: dict[str, Any]) -> None:
    r = ev["levels"]["reactions"]
    # W1 11 answers (L11's is voided, X01 is not eligible): 9 agree (eight 4-5s and A01's 4), mean 8.75/11;
    # W2 4 likert (5, 4, 4, 2: 3 agree) and 2 ratings (4 of 5 stars is 75% < 80%; 5 of 5 agrees); W3 5, 5, 3.
    # 20 answers, 15 agree = 0.75; mean (8.75 + 2.75 + 1.75 + 2.5) / 20 = 0.7875; 11 people.
    assert (r["answers"], r["agree"], r["agree_share"], r["mean"], r["people"], r["statements"]) == \
        (20, 15, 0.75, 0.7875, 11, 20)
    s = cells(r["by_session"], "session")
    # W3 (3 people) is small; W2 (6) is the next smallest and goes with it.
    assert s[sc.W3] == {"session": sc.W3, "suppressed": True} and s[sc.W2] == {"session": sc.W2, "suppressed": True}
    assert (s[sc.W1]["people"], s[sc.W1]["agree"], s[sc.W1]["agree_share"], s[sc.W1]["mean"]) == (11, 9, 0.8182, 0.7955)
    # Presenters are numbered, never named: PR1 gave W1 and W3 (14 answers, 11 agree), PR2 W2 (6 answers, 4).
    p = {c["answers"]: c for c in r["by_presenter"]}
    assert sorted(p) == [6, 14] and (p[14]["agree"], p[6]["agree"]) == (11, 4)
    assert {c["presenter"] for c in r["by_presenter"]} == {"Presenter 1", "Presenter 2"}
    # The sessions' delivery model is the transcript's.
    assert [(c["delivery_model"], c["answers"]) for c in r["by_delivery_model"]] == [("workshop", 20)]


def test_level_2_learning(ev: dict[str, Any]) -> None:
    lr = ev["levels"]["learning"]
    # Pairs L01-L08: latest pretest before the posttest 0.50 (L01's earlier 0.30 and L02's later 0.90 are not);
    # posttests 0.80 (L01-L04) and 0.70 (L05-L08): mean 0.75, gain 0.25. Verdicts for L01-L07: 6 passed = 0.8571.
    assert (lr["pairs"], lr["people"], lr["mean_pre"], lr["mean_post"], lr["mean_gain"]) == (8, 8, 0.5, 0.75, 0.25)
    assert (lr["tested"], lr["passed"], lr["pass_rate"], lr["statements"]) == (7, 6, 0.8571, 16)


def test_level_3_support(ev: dict[str, Any]) -> None:
    sup = ev["levels"]["support"]
    co, plc = sup["coaching"], sup["plc"]
    # Coaching in the program: L07-L11 2 h each, A05 1.5 h (L12's session has no program context): 6 teachers,
    # 11.5 h, 11 sessions; 1.92 h each; 11.5 / 27 eligible = 0.43.
    assert (co["coached"], co["hours"], co["statements"], co["hours_per_coached_teacher"],
            co["hours_per_eligible_teacher"], co["suppressed"]) == (6, 11.5, 11, 1.92, 0.43, False)
    b = cells(co["by_building"], "building")
    # Adams (1 teacher) is hidden; Lincoln (5) with it, because Baker's zero cannot serve (it discloses nothing).
    assert b["Adams"] == {"building": "Adams", "suppressed": True} and b["Lincoln"]["suppressed"] is True
    assert b["Baker"] == {"building": "Baker", "coached": 0, "hours": 0, "statements": 0,
                          "hours_per_coached_teacher": None, "suppressed": False}
    # PLC: 6 members x 4 x 45 min = 1,080 min (25 statements, the re-sent one counting 0 minutes) over 184 days =
    # 26.29 weeks: 1080 / (6 x 26.2857) = 6.8 a week per member, 1080 / (27 x 26.2857) = 1.5 per eligible.
    assert (plc["members"], plc["minutes"], plc["statements"], plc["minutes_per_week_per_member"],
            plc["minutes_per_week_per_eligible"]) == (6, 1080, 25, 6.8, 1.5)
    assert sup["weeks"] == 26.29


def test_level_4_use(ev: dict[str, Any]) -> None:
    u = ev["levels"]["use"]
    part = u["participants"]
    # lf-routine only. Sep L01-L03 3, L04-L06 2; Oct L07 4 of 1-5 = 3.25 of 1-4; Nov 4, 4, 3, 3, 3, 2: 13
    # observations of 7 teachers, 9 proficient = 0.6923, mean 37.25 / 13 = 2.87.
    assert (part["observations"], part["people"], part["statements"], part["proficient"], part["proficient_share"],
            part["mean_level"]) == (13, 7, 13, 9, 0.6923, 2.87)
    by = cells(part["by_period"], "period")
    # October (1 teacher) is hidden; September and November tie at 6 and the earlier goes.
    assert by["2026-10"] == {"period": "2026-10", "suppressed": True} and by["2026-09"]["suppressed"] is True
    assert (by["2026-11"]["proficient_share"], by["2026-11"]["mean_level"], by["2026-11"]["observations"]) == \
        (0.8333, 3.17, 6)
    # Other eligible staff: L12, LP3, A04, A06 (4 people): nothing is shown.
    assert u["non_participants"] == {"suppressed": True, "by_period": [{"period": "2026-09", "suppressed": True},
                                                                      {"period": "2026-11", "suppressed": True}]}


def test_level_5_outcomes_and_cost(ev: dict[str, Any]) -> None:
    o = ev["levels"]["outcomes"]
    assert o["label"] == "correlation, not causation"
    (m,) = o["measures"]  # the math row is about another program
    t = cells(m["trend"], "period")
    # 2025-26: (0.50 x 40 + 0.40 x 20) / 60 = 0.4667; others 0.45 (25). 2026-27: (0.62 x 42 + 0.50 x 18) / 60 = 0.584.
    assert t["2025-26"]["participants"] == {"value": 0.4667, "n": 60, "groups": 2, "suppressed": False}
    assert t["2025-26"]["others"] == {"value": 0.45, "n": 25, "groups": 1, "suppressed": False}
    assert t["2026-27"]["participants"]["value"] == 0.584 and t["2026-27"]["others"]["n"] == 12
    # 5,000 / 22 participants = 227.27; / 131.5 hours = 38.02.
    assert ev["cost"] == {"total": 5000, "currency": "USD", "items": [], "per_participant": 227.27,
                          "per_participant_hour": 38.02}


def test_trends_with_complementary_suppression(ev: dict[str, Any]) -> None:
    tr = ev["trends"]
    p = cells(tr["participation"], "period")
    # September: W1's 20 people and the PLC (39 statements); October: W2, the PLC, coaching: L01-L11, A01, A02, A05
    # (14, 27 statements); November: W3's 4 people are few, and October goes with them (statements add up to the
    # period's 70).
    assert (p["2026-09"]["participants"], p["2026-09"]["statements"], p["2026-09"]["rate"]) == (20, 39, 0.7407)
    assert p["2026-11"] == {"period": "2026-11", "suppressed": True} and p["2026-10"]["suppressed"] is True
    assert p["2026-07"] == {"period": "2026-07", "participants": 0, "eligible": 27, "rate": 0.0, "statements": 0,
                            "suppressed": False}
    r = cells(tr["reactions"], "period")
    assert r["2026-09"]["agree"] == 9 and r["2026-11"]["suppressed"] and r["2026-10"]["suppressed"]
    assert cells(tr["learning"], "period")["2026-10"]["pairs"] == 8  # by the month of the posttest
    assert cells(tr["coaching"], "period")["2026-10"]["hours"] == 11.5
    plc = cells(tr["plc"], "period")
    # September: 3 meetings x 6 x 45 = 810 min over 30/7 weeks = 31.5 a week per member; October: 270 / (6 x 31/7).
    assert (plc["2026-09"]["minutes"], plc["2026-09"]["minutes_per_week_per_member"]) == (810, 31.5)
    assert (plc["2026-10"]["minutes"], plc["2026-10"]["minutes_per_week_per_member"]) == (270, 10.2)


def test_no_names_and_no_derivable_cell(ev: dict[str, Any]) -> None:
    from projections.evaluation.suppression import carries_no_counts, no_derivable_cells

    text = json.dumps(ev)
    for who in ("L01", "A05", "LP1", "PRESENTER", "Person ", "C01", "riverside.example/walkthroughs"):
        assert who not in text, who
    p, lv = ev["participation"], ev["levels"]
    for rows, total, fields in ((p["by_building"], p, ("participants", "eligible", "statements")),
                                (lv["reactions"]["by_session"], lv["reactions"], ("answers", "agree", "statements")),
                                (lv["support"]["coaching"]["by_building"], lv["support"]["coaching"],
                                 ("coached", "hours", "statements")),
                                (lv["use"]["participants"]["by_period"], lv["use"]["participants"],
                                 ("observations", "proficient", "statements"))):
        assert no_derivable_cells(rows, total, fields=fields)
        assert all(carries_no_counts(c) for c in rows if c["suppressed"])


def test_known_at_reproduces_what_the_lrs_knew(app: Any, ev: dict[str, Any], district: dict[str, Any]) -> None:
    assert ev["source"]["position"] == district["head"]
    then = evaluate_in(app, str(district["before_w3"]))
    # Before W3's attendance: 12 hours fewer, no sustained series (L01-L04 had two sessions), no outcomes yet.
    h = then["hours"]
    assert (h["total"], h["sustained_series_hours"], h["job_embedded_share"]) == (119.5, 0, 0.2469)
    assert then["participation"]["statements"] == 66 and then["participation"]["participants"] == 22
    assert then["levels"]["outcomes"]["measures"] == [{"measure": "Reading growth", "trend": []}]
    assert then["source"]["position"] == district["before_w3"] and then["source"]["known_at"] == str(district["before_w3"])


# --- through the API --------------------------------------------------------------------------------------------

def test_api_evaluation_equals_the_read_model(client: Any, district: dict[str, Any], ev: dict[str, Any]) -> None:
    r = client.get("/api/v1/programs/reading/evaluation?period=2026-27-S1", headers=district["h"]["board"])
    assert r.status_code == 200, r.json
    body = r.json
    assert body["period"] == {"from": "2026-07-01", "to": "2026-12-31", "label": "2026-27-S1"}
    for k in ("participation", "hours", "levels", "cost", "trends"):
        assert body[k] == ev[k], k
    same = client.get("/api/v1/programs/reading/evaluation?from=2026-07-01&to=2026-12-31",
                      headers=district["h"]["board"]).json
    assert same["participation"] == ev["participation"] and same["period"]["label"] == "2026-07-01 to 2026-12-31"
    then = client.get(f"/api/v1/programs/reading/evaluation?period=2026-27-S1&known_at={district['before_w3']}",
                      headers=district["h"]["board"]).json
    assert then["hours"]["total"] == 119.5 and then["source"]["position"] == district["before_w3"]
    # A quarter's granularity for level 4 and the trends.
    q = client.get("/api/v1/programs/reading/evaluation?period=2026-27-S1&granularity=quarter",
                   headers=district["h"]["board"]).json
    assert [c["period"] for c in q["trends"]["coaching"]] == ["2026-Q3", "2026-Q4"]


def test_api_csv_is_one_row_per_published_figure(client: Any, district: dict[str, Any]) -> None:
    r = client.get("/api/v1/programs/reading/evaluation?period=2026-27-S1&format=csv", headers=district["h"]["board"])
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert rows[0].keys() >= {"program", "period_from", "period_to", "section", "dimension", "key", "metric", "value",
                              "suppressed"}

    def value(section: str, dimension: str, key: str, metric: str) -> str:
        (row,) = [x for x in rows if (x["section"], x["dimension"], x["key"], x["metric"]) == (section, dimension,
                                                                                            key, metric)]
        return row["value"]
    assert value("participation", "total", "", "participants") == "22"
    assert value("participation", "building", "Lincoln", "rate") == "0.8667"
    assert value("hours", "delivery_model", "plc", "hours") == "18.0"
    assert value("levels.support.plc", "total", "", "minutes") == "1080.0"
    assert value("levels.outcomes", "measure_period_cohort", "Reading growth | 2025-26 | participants", "value") == \
        "0.4667"
    hidden = [x for x in rows if x["section"] == "participation" and x["key"] == "Adams"]
    assert hidden == [{**hidden[0], "metric": "", "value": "", "suppressed": "True"}]


def test_api_programs_list(client: Any, district: dict[str, Any]) -> None:
    r = client.get("/api/v1/programs", headers=district["h"]["board"])
    assert r.status_code == 200
    (item,) = r.json["items"]
    assert (item["program"], item["title"], item["grouping"], item["eligible"]["roles"]) == \
        ("reading", "Reading initiative", [sc.PROGRAM], ["teacher", "paraprofessional"])
    assert item["costs"]["total"] == 5000 and r.json["next"] is None
    c = client.get("/api/v1/programs?format=csv", headers=district["h"]["board"])
    (row,) = list(csv.DictReader(io.StringIO(c.get_data(as_text=True))))
    assert (row["program"], row["roles"], row["strategic_plan_goal"]) == ("reading", "teacher;paraprofessional",
                                                                        "Goal 1: reading by grade 3")
    assert "/api/v1/programs/{program}/evaluation" in client.get("/api/v1/openapi.json").json["paths"]


def test_api_access_and_bad_requests(client: Any, district: dict[str, Any]) -> None:
    h = district["h"]
    url = "/api/v1/programs/reading/evaluation?period=2026-27-S1"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=h["mine"]).status_code == 403  # a person's own records, not aggregates
    assert client.get(url, headers=h["writer"]).status_code == 403
    assert client.get(url, headers={"Authorization": basic_auth()}).status_code == 200  # scope all reads everyone
    assert client.get("/api/v1/programs", headers=h["mine"]).status_code == 403
    for bad in ("period=2026-28", "from=2026-07-01", "from=2026-13-01&to=2026-12-31", "period=2026-27&from=2026-07-01"
                "&to=2026-08-01", "granularity=week", "known_at=yesterday", "format=xml", "from=2026-12-01&to=2026-07-01"):
        r = client.get(f"/api/v1/programs/reading/evaluation?{bad}", headers=h["board"])
        assert r.status_code == 400, (bad, r.json)
    r = client.get("/api/v1/programs/nope/evaluation", headers=h["board"])
    assert r.status_code == 404 and "no program 'nope'" in r.json["error"]["message"]


def test_no_catalog_is_a_404_and_an_empty_list(client: Any) -> None:
    h = {"Authorization": basic_auth()}
    assert client.get("/api/v1/programs", headers=h).json == {"items": [], "next": None}
    r = client.get("/api/v1/programs/reading/evaluation", headers=h)
    assert r.status_code == 404 and "lrs programs load" in r.json["error"]["message"]
    page = client.get("/reports/board?period=2026-27", headers=h)
    assert page.status_code == 200 and "No program catalog has been loaded" in page.get_data(as_text=True)


# --- the Board's report -----------------------------------------------------------------------------------------

def test_board_page_html_and_pdf(client: Any, district: dict[str, Any], ev: dict[str, Any]) -> None:
    h = district["h"]["board"]
    r = client.get("/reports/board?period=2026-27-S1", headers=h)
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    from markupsafe import escape

    from projections.evaluation.narrative import narrative

    assert str(escape(narrative(ev))) in page
    assert "22 of 27 eligible staff (81%) took part; 50% of their 132 hours were sustained or job-embedded" in page
    assert f"known_at={district['head']}" in page
    # What the program supports (policy 4300.2, "Content") and who it is for.
    assert "Goal 1: reading by grade 3" in page and "Riverside Instructional Model" in page
    assert "Eligible: teacher, paraprofessional, certified and non-certified staff." in page
    # One chart per figure element, every one an SVG; no name anywhere.
    assert page.count('<figure class="chart') == page.count("<svg ") >= 4
    for who in ("Person L01", "PRESENTER-ALICE", "l01@riverside"):
        assert who not in page
    assert "Required-training completion is not available" in page
    pdf = client.get("/reports/board?period=2026-27-S1&format=pdf", headers=h)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert client.get("/reports/board?period=2026-27-S1", headers=district["h"]["mine"]).status_code == 403
    assert client.get("/reports/board?period=2026-27-S1&format=doc", headers=h).status_code == 400


def test_board_compliance_section_once_wired(client: Any, district: dict[str, Any], monkeypatch: Any) -> None:
    import lrs.board as board

    rows = [{"requirement": "suicide-prevention", "title": "Suicide prevention", "building": b, "people": n,
             "complete": c, "overdue": o} for b, n, c, o in (("Lincoln", 18, 16, 1), ("Adams", 9, 9, 0),
                                                             ("Baker", 3, 2, 1))]
    monkeypatch.setattr(board, "compliance_by_building", lambda scope, as_of: rows)
    page = client.get("/reports/board?period=2026-27-S1", headers=district["h"]["board"]).get_data(as_text=True)
    assert 'id="chart-compliance"' in page and "Suicide prevention" in page
    # Baker (3 staff) is hidden and Adams (9) with it; Lincoln 16 of 18 = 89%; the district 27 of 30.
    assert "<td>Lincoln</td><td class=\"num\">18</td><td class=\"num\">16</td><td class=\"num\">89%</td>" in page
    assert "<td>Baker</td><td colspan=\"4\" class=\"suppressed\">" in page
    assert "<td>Adams</td><td colspan=\"4\" class=\"suppressed\">" in page
    assert "<td>District</td><td class=\"num\">30</td><td class=\"num\">27</td>" in page


def test_board_report_made_ahead_of_the_request(app: Any, client: Any, district: dict[str, Any],
                                                monkeypatch: Any) -> None:
    import lrs.board as board
    from lrs.board_warm import Warmer, warmer_for

    assert warmer_for(app) is None  # LRS_BOARD_PRECOMPUTE is off by default
    warmer = Warmer(app, 1.0)
    warmer.want(*S1, "2026-27-S1", "month")
    board._DOCUMENTS.clear()
    assert warmer.warm_once() is False  # the first look notes the log's state
    assert warmer.warm_once() is True   # quiet since: both documents are made
    # The request is answered from what was made: nothing is computed again.
    made: list[Any] = []
    real = board.board_report
    monkeypatch.setattr(board, "board_report", lambda *a, **k: made.append(a) or real(*a, **k))
    r = client.get("/reports/board?period=2026-27-S1", headers=district["h"]["board"])
    assert r.status_code == 200 and "22 of 27 eligible staff" in r.get_data(as_text=True)
    pdf = client.get("/reports/board?period=2026-27-S1&format=pdf", headers=district["h"]["board"])
    assert pdf.data.startswith(b"%PDF-") and made == []
    # A new log state (the worker moved on) is computed on request: L12 at W2 makes 23 participants.
    from tests.pd_builders import store_statements

    services = app.extensions["lrs"]
    store_statements(services.store, [sc.attended(sc.L(12), sc.W2, "2026-10-08")])
    Worker(services.engine, settings=services.settings, poll=0.05).run(once=True)
    page = client.get("/reports/board?period=2026-27-S1", headers=district["h"]["board"]).get_data(as_text=True)
    assert len(made) == 1 and "23 of 27 eligible staff" in page
