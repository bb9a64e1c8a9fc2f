"""A scripted district for the evaluation tests on both databases, written as a district's tools would: a roster
CSV, a program catalog, xAPI statements following the district profile, an outcomes file.

Riverside (min_cell 5; period 2026-27-S1 = 2026-07-01 .. 2026-12-31; program ``reading``: teachers and
paraprofessionals, grouping PROGRAM):

- Lincoln: teachers L01-L12, paraprofessionals LP1-LP3, custodian X01, principal P01, inactive teacher L99;
- Adams: teachers A01-A06, paraprofessional AP1, coach C01; Baker: teachers B01-B05.
  Eligible: Lincoln 15, Adams 7, Baker 5 = 27 (the roster's certified column: teachers yes, paraprofessionals no).
- Workshops W1 (Thu 2026-09-10), W2 (10-08), W3 (11-05), 3 h each, parent SERIES, grouping PROGRAM:
  W1 L01-L10, LP1, LP2, A01-A03, B01-B05 (20; A04's W1 is voided); W2 L01-L08, A01, A02 (10); W3 L01-L04 (4).
- Lincoln PLC, Tuesdays 09-15, 22, 29, 10-06, 45 min, members L01-L06; L01's 09-15 meeting is also re-sent
  as a second statement (30 min): the transcript's rule counts the day once, at its longest.
- Coaching by C01 (grouping PROGRAM): L07-L11 2 sessions of 1 h (10-01, 10-15), A05 1 session of 1.5 h (10-20);
  L12 1 h with no program context (not counted).
- Exit surveys (likert 1-5): W1 L01-L05 5, L06-L08 4, L09 3, L10 2, A01 4 (L11's answer is voided);
  W2 L01 5, L02 4, L03 4, L04 2, ratings L05 4 of 5 stars, L06 5 of 5; W3 L01 5, L02 5, L03 3. Presenters PR1 (W1,
  W3) and PR2 (W2).
- Tests (parent W1): pretests 09-10 0.50 for L01-L08 (L01 also 09-01 0.30, L02 also 10-20 0.90, after his
  posttest); posttests 10-08: L01-L04 0.80, L05-L08 0.70; passed L01-L06, L07 failed, L08 no verdict.
- Walkthroughs (lf-routine, 1-4; P01 observes): 09-20 L01-L03 3, L04-L06 2 (and lf-other 4: not a target);
  10-12 L07 4 of 1-5; 11-15 L01 4, L02 4, L03-L05 3, L06 2; non-participants L12, LP3, A04, A06 at 2 on 09-20
  and 11-15.
- Not counted: X01 and L99 at W1, A06 at W1 in January 2027, B03 registered for W2 only, LP3 at another
  workshop, X01's survey answer, P01's walkthrough, L01's walkthrough in February 2027.
- Outcomes (Reading growth): 2025-26 Lincoln grade 3 participants 0.50 (40 students), Adams grade 3 participants
  0.40 (20), Baker grade 3 others 0.45 (25); 2026-27 Lincoln 0.62 (42), Adams 0.50 (18), Baker 0.47 (12); a math
  row for another program.
"""
from __future__ import annotations

import uuid
from typing import Any

from tests.pd_builders import store_statements

HOME = "https://idp.riverside.example"
D = "https://riverside.example/"
X = "https://district.example/xapi/"  # the default LRS_DISTRICT_IRI
PROGRAM = X + "programs/reading"
SERIES = D + "pd/reading/series"
W1, W2, W3 = D + "pd/reading/w1", D + "pd/reading/w2", D + "pd/reading/w3"
PLC = D + "plc/lincoln-reading/2026-27"
CYCLE = D + "pd/coaching/reading-cycles"
PR1, PR2 = "PRESENTER-ALICE", "PRESENTER-BOB"
MEETING = "http://adlnet.gov/expapi/activities/meeting"
ADL = "http://adlnet.gov/expapi/verbs/"
TC = "http://id.tincanapi.com/"

CATALOG = f"""
min_cell: 5
programs:
  - id: reading
    title: Reading initiative
    grouping: ["{PROGRAM}"]
    eligible: {{roles: [teacher, paraprofessional]}}
    goals: [Daily phonics routine in every classroom]
    alignment: {{strategic_plan_goal: "Goal 1: reading by grade 3", instructional_model: Riverside Instructional Model}}
    target_practices: [lf-routine]
    outcome_measures: [Reading growth]
    costs: {{total: 5000}}
"""

OUTCOMES = """measure,period,group,group_type,cohort,value,n,program
Reading growth,2025-26,Lincoln grade 3,grade,participants,0.50,40,reading
Reading growth,2025-26,Adams grade 3,grade,participants,0.40,20,reading
Reading growth,2025-26,Baker grade 3,grade,others,0.45,25,reading
Reading growth,2026-27,Lincoln grade 3,grade,participants,0.62,42,reading
Reading growth,2026-27,Adams grade 3,grade,participants,0.50,18,reading
Reading growth,2026-27,Baker grade 3,grade,others,0.47,12,reading
Math proficiency,2026-27,Baker grade 5,grade,others,0.40,30,math
"""


def L(n: int) -> str:  # noqa: N802 - the scenario's names
    return f"L{n:02d}"


def A(n: int) -> str:  # noqa: N802
    return f"A{n:02d}"


def B(n: int) -> str:  # noqa: N802
    return f"B{n:02d}"


def roster_csv() -> str:
    rows = ["employee_id,name,email,roles,building,supervisor_id,hire_date,status,account_homepage,account_name,"
            "certified"]

    def add(eid: str, role: str, building: str, certified: str, status: str = "active") -> None:
        rows.append(f"{eid},Person {eid},{eid.lower()}@riverside.example,{role},{building},,2015-08-01,{status},"
                    f"{HOME},{eid},{certified}")
    for i in range(1, 13):
        add(L(i), "teacher", "Lincoln", "yes")
    for i in range(1, 4):
        add(f"LP{i}", "paraprofessional", "Lincoln", "no")
    add("X01", "custodian", "Lincoln", "no")
    add("P01", "principal", "Lincoln", "yes")
    add("L99", "teacher", "Lincoln", "yes", "inactive")
    for i in range(1, 7):
        add(A(i), "teacher", "Adams", "yes")
    add("AP1", "paraprofessional", "Adams", "no")
    add("C01", "coach", "Adams", "yes")
    for i in range(1, 6):
        add(B(i), "teacher", "Baker", "yes")
    return "\n".join(rows) + "\n"


def agent(eid: str) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": HOME, "name": eid}}


def act(iri: str, type_: str = MEETING, **definition: Any) -> dict[str, Any]:
    return {"objectType": "Activity", "id": iri, "definition": {"type": type_, **definition}}


def stmt(who: str, verb: str, obj: dict[str, Any], ts: str, *, result: dict[str, Any] | None = None,
         grouping: bool = True, parent: str | None = None, **context: Any) -> dict[str, Any]:
    ca: dict[str, Any] = {"category": [{"id": X + "profile/pd/v1.0"}]}
    if grouping:
        ca["grouping"] = [{"id": PROGRAM}]
    if parent:
        ca["parent"] = [{"id": parent, "objectType": "Activity", "definition": {"type": MEETING}}]
    s: dict[str, Any] = {"id": str(uuid.uuid4()), "actor": agent(who), "verb": {"id": verb}, "object": obj,
                         "timestamp": ts, "context": {"contextActivities": ca, **context}}
    if result:
        s["result"] = result
    return s


def attended(who: str, activity: str, day: str, duration: str = "PT3H", **kw: Any) -> dict[str, Any]:
    return stmt(who, ADL + "attended", act(activity), f"{day}T14:00:00Z", result={"duration": duration},
                parent=kw.pop("parent", SERIES), **kw)


LIKERT = [{"id": str(k)} for k in range(1, 6)]


def answer(who: str, session: str, value: int, presenter: str, day: str) -> dict[str, Any]:
    item = act(X + "survey/items/time-well-spent", "http://adlnet.gov/expapi/activities/question",
               interactionType="likert", scale=LIKERT)
    return stmt(who, ADL + "answered", item, f"{day}T18:00:00Z", result={"response": str(value)}, parent=session,
                instructor=agent(presenter))


def rating(who: str, session: str, stars: int, presenter: str, day: str) -> dict[str, Any]:
    return stmt(who, TC + "verb/rated", act(session), f"{day}T18:05:00Z",
                result={"extensions": {TC + "extension/quality-rating": {"raw": stars, "min": 1, "max": 5}}},
                instructor=agent(presenter))


def test_stmt(who: str, kind: str, ts: str, scaled: float, success: bool | None = None) -> dict[str, Any]:
    verb = ADL + ("completed" if success is None else "passed" if success else "failed")
    result: dict[str, Any] = {"score": {"scaled": scaled}, "completion": True}
    if success is not None:
        result["success"] = success
    # No program grouping: a test belongs to the program through its parent (the workshop it assesses).
    return stmt(who, verb, act(f"{W1}/{kind}", "http://adlnet.gov/expapi/activities/assessment"), ts,
                result=result, grouping=False, parent=W1, extensions={TC + "extension/assessment-type": kind})


def coaching(teacher: str, day: str, duration: str, *, program: bool = True) -> dict[str, Any]:
    s = stmt("C01", TC + "verb/mentored", agent(teacher), f"{day}T15:00:00Z", result={"duration": duration},
             grouping=program, extensions={X + "ext/delivery-model": "coaching"})
    s["context"]["contextActivities"]["parent"] = [{"id": CYCLE if program else CYCLE + "/other",
                                                    "definition": {"type": X + "activitytypes/coaching-cycle"}}]
    return s


def walk(teacher: str, day: str, levels: dict[str, float], scale_max: int = 4) -> dict[str, Any]:
    return stmt(teacher, X + "verbs/was-observed", act(f"{D}walkthroughs/{day}-{teacher}", X + "activitytypes/walkthrough"),
                f"{day}T15:00:00Z", grouping=False,
                result={"score": {"raw": max(levels.values()), "min": 1, "max": scale_max},
                        "extensions": {X + "ext/look-fors": [{"id": k, "level": v} for k, v in levels.items()]}},
                extensions={TC + "extension/observer": agent("P01")})


def statements() -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Every statement, in three batches' worth, and the ones the tests refer to by name."""
    out: list[dict[str, Any]] = []
    named: dict[str, dict[str, Any]] = {}
    w1 = [L(i) for i in range(1, 11)] + ["LP1", "LP2"] + [A(i) for i in range(1, 4)] + [B(i) for i in range(1, 6)]
    out += [attended(p, W1, "2026-09-10") for p in w1]
    named["a04_w1"] = attended(A(4), W1, "2026-09-10")
    out.append(named["a04_w1"])
    out += [attended(p, W2, "2026-10-08") for p in [L(i) for i in range(1, 9)] + [A(1), A(2)]]
    named["w3"] = {"ids": []}
    w3 = [attended(p, W3, "2026-11-05") for p in [L(i) for i in range(1, 5)]]
    named["w3"]["ids"] = [s["id"] for s in w3]
    out += w3
    # Not counted.
    out += [attended("X01", W1, "2026-09-10"), attended("L99", W1, "2026-09-10"), attended(A(6), W1, "2027-01-20"),
            stmt(B(3), ADL + "registered", act(W2), "2026-10-01T10:00:00Z", parent=SERIES),
            attended("LP3", D + "pd/other/first-aid", "2026-09-10", grouping=False, parent=None)]
    # PLC (a team meeting; the transcript counts 45 minutes a day).
    team = {"objectType": "Group", "name": "Lincoln reading PLC", "account": {"homePage": HOME, "name": "plc-lr"}}
    plc = act(PLC, "https://w3id.org/xapi/acrossx/activities/face-to-face-discussion")
    for day in ("2026-09-15", "2026-09-22", "2026-09-29", "2026-10-06"):
        for p in [L(i) for i in range(1, 7)]:
            out.append(stmt(p, ADL + "attended", plc, f"{day}T15:30:00Z", result={"duration": "PT45M"}, team=team))
    out.append(stmt(L(1), ADL + "attended", plc, "2026-09-15T16:30:00Z", result={"duration": "PT30M"}, team=team))
    # Coaching.
    for p in [L(i) for i in range(7, 12)]:
        out += [coaching(p, "2026-10-01", "PT1H"), coaching(p, "2026-10-15", "PT1H")]
    out += [coaching(A(5), "2026-10-20", "PT1H30M"), coaching(L(12), "2026-10-02", "PT1H", program=False)]
    # Exit surveys.
    for p, v in zip([L(i) for i in range(1, 11)] + [A(1)], [5, 5, 5, 5, 5, 4, 4, 4, 3, 2, 4]):
        out.append(answer(p, W1, v, PR1, "2026-09-10"))
    named["l11_answer"] = answer(L(11), W1, 1, PR1, "2026-09-10")
    out.append(named["l11_answer"])
    out += [answer(p, W2, v, PR2, "2026-10-08") for p, v in zip([L(1), L(2), L(3), L(4)], [5, 4, 4, 2])]
    out += [rating(L(5), W2, 4, PR2, "2026-10-08"), rating(L(6), W2, 5, PR2, "2026-10-08")]
    out += [answer(p, W3, v, PR1, "2026-11-05") for p, v in zip([L(1), L(2), L(3)], [5, 5, 3])]
    out.append(answer("X01", W1, 5, PR1, "2026-09-10"))
    # Pre/post tests.
    for i in range(1, 9):
        out.append(test_stmt(L(i), "pretest", "2026-09-10T13:00:00Z", 0.50))
        success = True if i <= 6 else (False if i == 7 else None)
        out.append(test_stmt(L(i), "posttest", "2026-10-08T15:00:00Z", 0.80 if i <= 4 else 0.70, success))
    out += [test_stmt(L(1), "pretest", "2026-09-01T13:00:00Z", 0.30),
            test_stmt(L(2), "pretest", "2026-10-20T13:00:00Z", 0.90)]
    # Walkthroughs.
    for p, v in zip([L(i) for i in range(1, 7)], [3, 3, 3, 2, 2, 2]):
        out.append(walk(p, "2026-09-20", {"lf-routine": v, "lf-other": 4}))
    out.append(walk(L(7), "2026-10-12", {"lf-routine": 4}, scale_max=5))
    for p, v in zip([L(i) for i in range(1, 7)], [4, 4, 3, 3, 3, 2]):
        out.append(walk(p, "2026-11-15", {"lf-routine": v}))
    for p in (L(12), "LP3", A(4), A(6)):
        out += [walk(p, "2026-09-20", {"lf-routine": 2}), walk(p, "2026-11-15", {"lf-routine": 2})]
    out += [walk("P01", "2026-09-20", {"lf-routine": 4}), walk(L(1), "2027-02-01", {"lf-routine": 1})]
    return out, named


def voiding(target: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "actor": agent("P01"), "verb": {"id": ADL + "voided"},
            "object": {"objectType": "StatementRef", "id": target}, "timestamp": "2026-11-20T10:00:00Z"}


def load(services: Any) -> dict[str, Any]:
    """Roster, catalog, statements and voidings, then (after the position returned as ``before_w3``) W3's
    attendance and the outcomes; nothing caught up yet."""
    from lrs.programs import import_outcomes, load_programs
    from lrs.roster.importer import import_roster

    assert import_roster(services.store, roster_csv(), effective_date="2026-07-01").ok
    load_programs(services.store, CATALOG, "riverside-programs.yaml")
    stmts, named = statements()
    later = [s for s in stmts if s["id"] in set(named["w3"]["ids"])]
    first = [s for s in stmts if s["id"] not in set(named["w3"]["ids"])]
    store_statements(services.store, first)
    store_statements(services.store, [voiding(named["a04_w1"]["id"]), voiding(named["l11_answer"]["id"])])
    before_w3 = services.store.head()
    store_statements(services.store, later)
    import_outcomes(services.store, OUTCOMES, "riverside-outcomes.csv")
    return {"named": named, "before_w3": before_w3}
