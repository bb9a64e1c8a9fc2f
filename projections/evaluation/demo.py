"""The program-evaluation part of ``lrs demo``: a district's programs, the statements its tools send (following
the district xAPI Profile, docs/profile/), and its de-identified outcome aggregates, so the Board report shows every
section with believable numbers.

Deterministic for a given size and seed. Four programs over the 2025-26 school year and the first semester of
2026-27 (to the end of November 2026):

- ``literacy`` (K-5 teachers and paraprofessionals of the two elementary schools): a workshop series with exit
  surveys, ratings and pre/post tests, coaching cycles, weekly grade-level PLCs, walkthroughs on two look-fors
  whose levels rise for participants, and reading-growth aggregates for participants' and other cohorts;
- ``instructional-model`` (certified teachers): the Select Staff Indicators workshop, an online module,
  instructional rounds, walkthroughs, math aggregates;
- ``leadership`` (principals, assistant principals, coaches, counselors): the Leadership Framework institute and a
  monthly leadership network (a sustained series);
- ``required-training`` (all staff, certified and non-certified): the legally mandated online courses.

Staff ``E2000``... are added to the roster (with a ``certified`` column) beside the base demo's 24 people.
Everything is written through the product's own paths: roster import, ``lrs programs load``, ``prepare_batch`` and
the statement store, ``lrs import outcomes``.
"""
from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from typing import Any

DISTRICT = "https://district.example"
XAPI = DISTRICT + "/xapi/"
HOMEPAGE = "https://idp.district.example"
PROFILE = XAPI + "profile/pd/v1.0"
ADL = "http://adlnet.gov/expapi/verbs/"
TC = "http://id.tincanapi.com/"
T_MEETING = "http://adlnet.gov/expapi/activities/meeting"
T_COURSE = "https://w3id.org/xapi/cmi5/activitytype/course"
T_PLC = "https://w3id.org/xapi/acrossx/activities/face-to-face-discussion"
T_ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
T_QUESTION = "http://adlnet.gov/expapi/activities/question"
ELEMENTARY = ("Central Elementary", "West Elementary")
BUILDINGS = ELEMENTARY + ("North Middle", "South High")
FIRST_ID = 2000
YEARS = (2025, 2026)  # school years 2025-26 (whole) and 2026-27 (to November)
END = date(2026, 11, 30)

# 50 roles in the proportions of a district's staff.
ROLE_MIX = (["teacher"] * 31 + ["paraprofessional"] * 7 + ["custodian"] * 3 + ["secretary"] * 2
            + ["counselor"] * 2 + ["coach"] * 2 + ["principal"] + ["assistant principal"] + ["nurse"])
CERTIFIED = {"teacher", "counselor", "coach", "principal", "assistant principal", "nurse"}
FIRST = ["Avery", "Blake", "Carmen", "Dana", "Elena", "Felix", "Grace", "Hector", "Imani", "Jonah", "Keiko", "Luis",
         "Maya", "Nolan", "Olivia", "Pedro", "Quinn", "Rhea", "Sofia", "Theo", "Uma", "Victor", "Wren", "Yusuf"]
LAST = ["Adams", "Baker", "Castillo", "Dunn", "Ellis", "Foster", "Gomez", "Hale", "Ibarra", "Jones", "Kim", "Larsen",
        "Moreno", "Nash", "Ortiz", "Park", "Reyes", "Shah", "Tran", "Vance", "Walsh", "Young"]

PROGRAM = {p: XAPI + f"programs/{p}" for p in ("literacy", "instructional-model", "leadership")}
MANDATED = [("pd/suicide-prevention", "Suicide awareness and prevention", "PT1H"),
            ("pd/bloodborne-pathogens", "Bloodborne pathogens", "PT45M"),
            ("pd/seizure-safe-schools", "Seizure Safe Schools", "PT1H")]

CATALOG = f"""\
# The demo district's program catalog (docs/programs.md documents every key).
min_cell: 10
series: {{min_sessions: 3, min_weeks: 4}}
periods:
  - {{name: "Literacy pilot", from: 2025-08-01, to: 2025-12-19}}
programs:
  - id: literacy
    title: Early literacy initiative
    description: Phonics routines and small-group reading for K-5 classrooms.
    grouping: ["{PROGRAM['literacy']}"]
    eligible: {{roles: [teacher, paraprofessional], buildings: [Central Elementary, West Elementary]}}
    goals: ["Every K-5 classroom uses the phonics routine daily", "Small-group reading in every K-5 classroom"]
    alignment:
      strategic_plan_goal: "Goal 1: every student reads at grade level by the end of grade 3"
      site_plans: [Central Elementary site plan 2025-27, West Elementary site plan 2025-27]
      instructional_model: Millard Instructional Model
    costs:
      items:
        - {{item: Presenter fees, amount: 36000}}
        - {{item: Substitute teachers, amount: 21000}}
        - {{item: Coaching stipends, amount: 18000}}
    target_practices: [lf-phonics-routine, lf-small-group]
    outcome_measures: [Reading growth (MAP)]
  - id: instructional-model
    title: "Instructional Model: Select Staff Indicators"
    description: The district's instructional model, its indicators and checks for understanding.
    activities: ["{DISTRICT}/pd/workshops/instructional-model"]
    grouping: ["{PROGRAM['instructional-model']}"]
    eligible: {{roles: [teacher], certified: true}}
    goals: ["Learning targets posted and referred to in every lesson"]
    alignment:
      strategic_plan_goal: "Goal 2: growth for every student in every classroom"
      instructional_model: Millard Instructional Model
    costs: {{total: 42000}}
    target_practices: [lf-learning-targets, lf-checks-for-understanding]
    outcome_measures: [Math proficiency (NSCAS)]
  - id: leadership
    title: Leadership Framework
    description: Continual leadership development for supervisors, administrators and teacher leaders.
    grouping: ["{PROGRAM['leadership']}"]
    eligible: {{roles: [principal, assistant principal, coach, counselor]}}
    alignment: {{leadership_framework: Millard Leadership Framework}}
    costs: {{total: 15500}}
  - id: required-training
    title: Required safety training
    description: Trainings the law requires of all staff, certified and non-certified.
    activities: [{", ".join(f'"{DISTRICT}/{a}"' for a, _, _ in MANDATED)}]
    alignment:
      legal_mandate: "Neb. Rev. Stat. 79-2,146 (suicide awareness); 92 NAC 59 (seizure safe schools); 29 CFR 1910.1030"
"""


# ---------------------------------------------------------------------------------------------------------------
# Staff
# ---------------------------------------------------------------------------------------------------------------

def staff(n: int, seed: int = 2026) -> list[dict[str, Any]]:
    """``n`` roster people: a building, one role, certified or not, a few inactive."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        role = ROLE_MIX[i % len(ROLE_MIX)]
        building = BUILDINGS[(i // len(ROLE_MIX) + i) % len(BUILDINGS)]
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7 // len(FIRST)) % len(LAST)]
        eid = f"E{FIRST_ID + i}"
        out.append({"employee_id": eid, "name": f"{first} {last}", "email": f"{first.lower()}.{last.lower()}.{eid.lower()}@district.example",
                    "roles": role, "building": building, "supervisor_id": "",
                    "hire_date": f"{2008 + rng.randrange(16)}-08-{10 + rng.randrange(15):02d}",
                    "status": "inactive" if rng.random() < 0.02 else "active",
                    "certified": "yes" if role in CERTIFIED else "no"})
    return out


def roster_csv(people: list[dict[str, Any]]) -> str:
    """The people as the roster CSV (with the district account and the certified column)."""
    cols = ["employee_id", "name", "email", "roles", "building", "supervisor_id", "hire_date", "status"]
    lines = [",".join(cols + ["account_homepage", "account_name", "certified"])]
    lines += [",".join([p[c] for c in cols] + [HOMEPAGE, p["employee_id"], p["certified"]]) for p in people]
    return "\n".join(lines) + "\n"


def agent(eid: str) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": HOMEPAGE, "name": eid}}


# ---------------------------------------------------------------------------------------------------------------
# Statements
# ---------------------------------------------------------------------------------------------------------------

class _Gen:
    """Builds statements with deterministic ids."""

    def __init__(self, seed: int) -> None:
        # Seeded by a string of its own, so ids never repeat lrs.demo's (seeded by the number 7).
        self.rng = random.Random(f"lrs-evaluation-demo-{seed}")
        self.out: list[dict[str, Any]] = []

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def add(self, actor: dict[str, Any], verb: str, obj: dict[str, Any], day: date, hour: int = 21, *,
            result: dict[str, Any] | None = None, grouping: str | None = None, parent: dict[str, Any] | None = None,
            extensions: dict[str, Any] | None = None, registration: str | None = None, profile: bool = True,
            **context: Any) -> None:
        """One statement; ``profile`` False for statements the LMS or an attendance import sends (workshops,
        courses), which follow no template of the district profile and so do not claim it."""
        if day > END:
            return
        ca: dict[str, Any] = {"category": [{"id": PROFILE}]} if profile else {}
        if grouping:
            ca["grouping"] = [{"id": grouping, "objectType": "Activity",
                               "definition": {"type": XAPI + "activitytypes/program"}}]
        if parent:
            ca["parent"] = [parent]
        ctx: dict[str, Any] = {"contextActivities": ca, **context}
        if extensions:
            ctx["extensions"] = extensions
        if registration:
            ctx["registration"] = registration
        s: dict[str, Any] = {"id": self.uid(), "actor": actor, "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
                             "object": obj, "context": ctx,
                             "timestamp": f"{day.isoformat()}T{hour:02d}:{self.rng.randrange(60):02d}:00Z"}
        if result:
            s["result"] = result
        self.out.append(s)


def activity(iri: str, name: str, type_: str, **definition: Any) -> dict[str, Any]:
    return {"objectType": "Activity", "id": iri, "definition": {"name": {"en-US": name}, "type": type_, **definition}}


def _weekday(d: date, weekday: int) -> date:
    """The first ``weekday`` (0 = Monday) on or after ``d``."""
    return d + timedelta(days=(weekday - d.weekday()) % 7)


def _school_days(year: int) -> tuple[date, date]:
    return date(year, 8, 15), min(END, date(year + 1, 5, 22))


LIKERT = [{"id": str(k), "description": {"en-US": d}} for k, d in
          enumerate(["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"], 1)]


def _survey(g: _Gen, who: str, session: dict[str, Any], day: date, presenter: str, p_agree: float,
            grouping: str) -> None:
    """An exit-survey answer and, for half, a session rating (Guskey level 1)."""
    reg = g.uid()
    r = g.rng.random()
    answer = 5 if r < p_agree * 0.55 else 4 if r < p_agree else 3 if r < p_agree + (1 - p_agree) * 0.6 else 2
    item = activity(XAPI + "survey/items/time-well-spent", "Exit survey: time well spent", T_QUESTION,
                    description={"en-US": "This session was a good use of my time."}, interactionType="likert",
                    scale=LIKERT)
    g.add(agent(who), ADL + "answered", item, day, 22, result={"response": str(answer)}, grouping=grouping,
          parent=session, instructor=agent(presenter), registration=reg)
    if g.rng.random() < 0.5:
        stars = min(5, max(1, answer + (1 if g.rng.random() < 0.3 else 0) - (1 if g.rng.random() < 0.2 else 0)))
        g.add(agent(who), TC + "verb/rated", session, day, 22,
              result={"extensions": {TC + "extension/quality-rating": {"raw": stars, "min": 1, "max": 5}}},
              grouping=grouping, instructor=agent(presenter), registration=reg)


def _walkthrough(g: _Gen, teacher: str, day: date, building: str, observer: str, levels: dict[str, int]) -> None:
    """A walkthrough (Guskey level 4): the teacher was observed; one level per look-for."""
    overall = round(sum(levels.values()) / len(levels))
    obj = activity(f"{DISTRICT}/walkthroughs/{day.isoformat()}-{teacher.lower()}",
                   f"Walkthrough, {building}", XAPI + "activitytypes/walkthrough")
    g.add(agent(teacher), XAPI + "verbs/was-observed", obj, day, 15,
          result={"score": {"raw": overall, "min": 1, "max": 4},
                  "extensions": {XAPI + "ext/look-fors": [{"id": k, "level": v} for k, v in levels.items()]}},
          extensions={TC + "extension/observer": agent(observer)})


def _level(g: _Gen, mean: float) -> int:
    return int(min(4, max(1, round(g.rng.gauss(mean, 0.6)))))


def statements(people: list[dict[str, Any]], seed: int = 7) -> list[dict[str, Any]]:
    """Every statement of the demo programs, in time order within each kind."""
    g = _Gen(seed)
    active = [p for p in people if p["status"] == "active"]
    by_role: dict[str, list[dict[str, Any]]] = {}
    for p in active:
        by_role.setdefault(p["roles"], []).append(p)
    coaches = by_role.get("coach", []) or active[:1]
    observers = {b: [p["employee_id"] for p in active if p["building"] == b and p["roles"] in
                     ("principal", "assistant principal")] or [coaches[0]["employee_id"]] for b in BUILDINGS}
    presenters = ["PD-PRESENTER-01", "PD-PRESENTER-02", "PD-PRESENTER-03"]
    teachers = by_role.get("teacher", [])
    lit = [p for p in active if p["building"] in ELEMENTARY and p["roles"] in ("teacher", "paraprofessional")]
    lit_in = {p["employee_id"] for p in lit if g.rng.random() < 0.85}
    im_in = {p["employee_id"] for p in teachers if g.rng.random() < 0.72}

    for year in YEARS:
        sy = f"{year}-{(year + 1) % 100:02d}"
        first_day, last_day = _school_days(year)
        # --- literacy: a workshop series with surveys and pre/post tests --------------------------------------
        series = activity(f"{DISTRICT}/pd/literacy/{sy}/series", f"Early literacy series {sy}", T_MEETING)
        dates = [_weekday(date(year, 9, 10), 3), _weekday(date(year, 10, 8), 3), _weekday(date(year, 11, 5), 3)]
        if year == 2025:
            dates += [_weekday(date(2026, 2, 4), 3), _weekday(date(2026, 3, 11), 3)]
        came: dict[str, int] = {}
        for k, day in enumerate(dates, 1):
            ws = activity(f"{DISTRICT}/pd/literacy/{sy}/workshop-{k}", f"Early literacy workshop {k}", T_MEETING)
            for p in lit:
                eid = p["employee_id"]
                if eid in lit_in and g.rng.random() < (0.93 - 0.04 * k):
                    came[eid] = came.get(eid, 0) + 1
                    g.add(agent(eid), ADL + "attended", ws, day, 21, result={"duration": "PT3H", "completion": True},
                          grouping=PROGRAM["literacy"], parent=series,
                          instructor=agent(presenters[k % 2]), profile=False)
                    if g.rng.random() < 0.72:
                        _survey(g, eid, ws, day, presenters[k % 2], 0.7 + 0.03 * k, PROGRAM["literacy"])
        for kind, day in (("pretest", dates[0]), ("posttest", dates[2])):
            test = activity(f"{DISTRICT}/pd/literacy/{sy}/{kind}", f"Phonics routines {kind}", T_ASSESSMENT)
            for p in lit:
                eid = p["employee_id"]
                if came.get(eid, 0) >= (1 if kind == "pretest" else 3):
                    base = 0.5 + (int(eid[1:]) % 13) / 60
                    scaled = round(min(1.0, max(0.05, base + (0.22 if kind == "posttest" else 0)
                                                + g.rng.gauss(0, 0.08))), 2)
                    passed = scaled >= 0.7
                    g.add(agent(eid), ADL + ("completed" if kind == "pretest" else "passed" if passed else "failed"),
                          test, day, 20, result={"score": {"scaled": scaled}, "completion": True,
                                                 **({"success": passed} if kind == "posttest" else {})},
                          grouping=PROGRAM["literacy"], parent=series,
                          extensions={TC + "extension/assessment-type": kind})
        # --- literacy: coaching cycles ---------------------------------------------------------------------------
        for p in lit:
            eid = p["employee_id"]
            if p["roles"] != "teacher" or eid not in lit_in or g.rng.random() > 0.5:
                continue
            coach = coaches[int(eid[1:]) % len(coaches)]["employee_id"]
            reg = g.uid()
            cycle = activity(f"{DISTRICT}/pd/coaching/cycles/{sy}-{coach.lower()}-{eid.lower()}",
                             "Coaching cycle: small-group reading", XAPI + "activitytypes/coaching-cycle")
            start = _weekday(date(year, 10, 1) + timedelta(days=g.rng.randrange(40)), g.rng.randrange(5))
            sessions = 3 + g.rng.randrange(3)
            for s in range(sessions):
                day = start + timedelta(days=14 * s)
                g.add({**agent(coach), "name": "Coach"}, TC + "verb/mentored", agent(eid), day, 19,
                      result={"duration": "PT45M"}, grouping=PROGRAM["literacy"], parent=cycle, registration=reg,
                      extensions={XAPI + "ext/delivery-model": "coaching"})
            end = start + timedelta(days=14 * sessions)
            g.add(agent(eid), ADL + "completed", cycle, end, 20, result={"completion": True},
                  grouping=PROGRAM["literacy"], registration=reg)
        # --- literacy: weekly grade-level PLCs -------------------------------------------------------------------
        for b in ELEMENTARY:
            members = [p["employee_id"] for p in lit if p["building"] == b and p["roles"] == "teacher"]
            for t, team in enumerate(("K-1", "2-3", "4-5")):
                team_members = members[t::3]
                slug = f"{b.split()[0].lower()}-{team.lower()}"
                plc = activity(f"{DISTRICT}/plc/{slug}/{sy}", f"{b} grade {team} PLC, {sy}", T_PLC)
                group = {"objectType": "Group", "name": f"{b} grade {team} PLC",
                         "account": {"homePage": HOMEPAGE, "name": f"plc-{slug}"}}
                day = _weekday(date(year, 9, 1), 1)
                while day <= last_day:
                    if not (date(year, 12, 20) <= day <= date(year + 1, 1, 4)):
                        for eid in team_members:
                            if g.rng.random() < 0.86:
                                g.add(agent(eid), ADL + "attended", plc, day, 20, result={"duration": "PT45M"},
                                      grouping=PROGRAM["literacy"], team=group)
                    day += timedelta(days=7)
        # --- instructional model: workshop, online module, rounds ------------------------------------------------
        im_ws = activity(f"{DISTRICT}/pd/workshops/instructional-model", "Instructional Model: Select Staff Indicators",
                         T_MEETING)
        module = activity(f"{DISTRICT}/pd/online/checks-for-understanding", "Checks for understanding (online)",
                          T_COURSE)
        rounds_team = {"objectType": "Group", "name": "Instructional rounds network",
                       "account": {"homePage": HOMEPAGE, "name": "rounds-network"}}
        for p in teachers:
            eid = p["employee_id"]
            if eid not in im_in:
                continue
            day = _weekday(date(year, 9, 24), 2)
            if g.rng.random() < 0.85:
                g.add(agent(eid), ADL + "attended", im_ws, day, 21, result={"duration": "PT3H", "completion": True},
                      grouping=PROGRAM["instructional-model"], instructor=agent(presenters[2]), profile=False)
                if g.rng.random() < 0.6:
                    _survey(g, eid, im_ws, day, presenters[2], 0.78, PROGRAM["instructional-model"])
            if g.rng.random() < 0.65:
                g.add(agent(eid), ADL + "completed", module, date(year, 10, 1) + timedelta(days=g.rng.randrange(55)),
                      16, result={"duration": "PT1H30M", "completion": True}, grouping=PROGRAM["instructional-model"],
                      profile=False)
            if g.rng.random() < 0.3:
                for visit in range(2):
                    rd = activity(f"{DISTRICT}/pd/rounds/{sy}-{p['building'].split()[0].lower()}-{visit + 1}",
                                  f"Instructional rounds, {p['building']}", XAPI + "activitytypes/instructional-rounds")
                    when = date(year, 10, 14) if visit == 0 else date(year + 1, 1, 20)
                    g.add(agent(eid), ADL + "attended", rd, _weekday(when, 3), 14,
                          result={"duration": "PT2H"}, grouping=PROGRAM["instructional-model"], team=rounds_team,
                          extensions={XAPI + "ext/delivery-model": "instructional_rounds"})
        # --- leadership: institute and a monthly network ---------------------------------------------------------
        leaders = [p for p in active if p["roles"] in ("principal", "assistant principal", "coach", "counselor")]
        institute = activity(f"{DISTRICT}/pd/leadership/framework-institute-{sy}", "Leadership Framework institute",
                             T_MEETING)
        network = activity(f"{DISTRICT}/pd/leadership/network-{sy}", "Leadership network", T_MEETING)
        for p in leaders:
            eid = p["employee_id"]
            day = _weekday(date(year, 8, 5), 1)
            if g.rng.random() < 0.9:
                g.add(agent(eid), ADL + "attended", institute, day, 15, result={"duration": "PT6H"},
                      grouping=PROGRAM["leadership"], extensions={XAPI + "ext/delivery-model": "institute"},
                      profile=False)
                if g.rng.random() < 0.7:
                    _survey(g, eid, institute, day, presenters[0], 0.82, PROGRAM["leadership"])
            for m in range(9):
                month, y = (9 + m - 1) % 12 + 1, year + (9 + m - 1) // 12
                if g.rng.random() < 0.82:
                    meeting = activity(f"{DISTRICT}/pd/leadership/network-{sy}/{y}-{month:02d}",
                                       f"Leadership network, {y}-{month:02d}", T_MEETING)
                    g.add(agent(eid), ADL + "attended", meeting, _weekday(date(y, month, 8), 3), 20,
                          result={"duration": "PT2H"}, grouping=PROGRAM["leadership"], parent=network,
                          extensions={XAPI + "ext/delivery-model": "network"}, profile=False)
        # --- required training: the mandated online courses ------------------------------------------------------
        for p in active:
            for suffix, name, length in MANDATED:
                if g.rng.random() < 0.93:
                    course = activity(f"{DISTRICT}/{suffix}", name, T_COURSE)
                    g.add(agent(p["employee_id"]), ADL + "completed", course,
                          date(year, 8, 10) + timedelta(days=g.rng.randrange(70)), 16,
                          result={"duration": length, "completion": True},
                          extensions={TC + "extension/tags": ["legal-requirement"]}, profile=False)
        # --- walkthroughs (level 4): every few weeks, by the building's principal --------------------------------
        for p in active:
            if p["roles"] != "teacher":
                continue
            eid = p["employee_id"]
            elementary = p["building"] in ELEMENTARY
            day = first_day + timedelta(days=20 + int(eid[1:]) % 20)
            while day <= last_day:
                months = (day.year - 2025) * 12 + day.month - 9  # months since September 2025
                levels = {}
                if elementary:
                    lift = 0.09 * months if eid in lit_in else 0.015 * months
                    levels["lf-phonics-routine"] = _level(g, 2.2 + lift)
                    levels["lf-small-group"] = _level(g, 2.0 + lift)
                lift = 0.05 * months if eid in im_in else 0.01 * months
                levels["lf-learning-targets"] = _level(g, 2.4 + lift)
                levels["lf-checks-for-understanding"] = _level(g, 2.2 + lift)
                obs = observers[p["building"]]
                _walkthrough(g, eid, _weekday(day, 1), p["building"], obs[int(eid[1:]) % len(obs)], levels)
                day += timedelta(days=38 + g.rng.randrange(14))
    return g.out


# ---------------------------------------------------------------------------------------------------------------
# Outcomes
# ---------------------------------------------------------------------------------------------------------------

def outcomes_csv(seed: int = 11) -> str:
    """De-identified aggregates: reading growth by elementary grade, math proficiency by secondary grade; the
    cohorts taught by participants rise faster once the programs start (2025-26)."""
    rng = random.Random(seed)
    lines = ["measure,period,group,group_type,cohort,value,n,program"]
    periods = ("2022-23", "2023-24", "2024-25", "2025-26")
    for b in ELEMENTARY:
        for grade in range(1, 6):
            cohort = "participants" if grade <= 3 else "others"
            for k, period in enumerate(periods):
                lift = 0.035 * max(0, k - 1) if cohort == "participants" else 0.008 * k
                value = round(0.52 + lift + rng.uniform(-0.02, 0.02), 3)
                lines.append(f"Reading growth (MAP),{period},{b} grade {grade},grade,{cohort},{value},"
                             f"{55 + rng.randrange(30)},literacy")
    for b in BUILDINGS[2:]:
        for grade in ((6, 7, 8) if b == "North Middle" else (9, 10, 11)):
            cohort = "participants" if grade % 2 == 0 else "others"
            for k, period in enumerate(periods):
                lift = 0.02 * max(0, k - 1) if cohort == "participants" else 0.005 * k
                value = round(0.44 + lift + rng.uniform(-0.02, 0.02), 3)
                lines.append(f"Math proficiency (NSCAS),{period},{b} grade {grade},grade,{cohort},{value},"
                             f"{140 + rng.randrange(60)},instructional-model")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------------------
# Seeding
# ---------------------------------------------------------------------------------------------------------------

def seed_evaluation(services: Any, *, staff_count: int = 400, authority: dict[str, Any] | None = None,
                    authority_key: str = "demo", seed: int = 7, batch: int = 1000) -> dict[str, Any]:
    """Load the demo programs, staff, statements and outcome aggregates through the product's write paths."""
    from lrs.programs import import_outcomes, load_programs
    from lrs.roster.importer import import_roster
    from lrs.xapi.batch import prepare_batch

    people = staff(staff_count)
    roster = import_roster(services.store, roster_csv(people), effective_date="2024-07-01",
                           source="demo-evaluation-roster.csv")
    if not roster.ok:
        raise RuntimeError("; ".join(str(e) for e in roster.errors[:5]))
    load_programs(services.store, CATALOG, "demo-programs.yaml")
    authority = authority or {"objectType": "Agent", "name": "demo",
                              "account": {"homePage": "http://localhost/credentials", "name": authority_key}}
    stmts = statements(people, seed)
    for i in range(0, len(stmts), batch):
        prepared = prepare_batch(stmts[i:i + batch], {}, version="1.0.3", authority=authority)
        services.statements.save(prepared, {}, authority_key=authority_key)
    outcomes = import_outcomes(services.store, outcomes_csv(), "demo-outcomes.csv")
    return {"staff": len(people), "programs": 4, "statements": len(stmts), "outcomes": outcomes.rows}

