"""A scripted small district for the evaluation tests: 3 buildings, 40 staff, a literacy program with three
workshops (a series), a PLC, coaching, exit surveys, pre/post tests, walkthroughs and outcome aggregates.

Staff (40; 37 eligible for the program, roles teacher or paraprofessional, any certification):
- Lincoln (L): teachers T01-T16 (T16 is also a paraprofessional), paraprofessionals A01-A04, custodian X01.
- Washington (W): teachers T17-T26, paraprofessionals A05-A06, C01 (coach and teacher), principal P01.
- Jefferson (J): teachers T27-T30.
- T31 (Lincoln teacher) is inactive.
Teachers and C01 are certified; paraprofessionals are not.

Period: 2026-27-S1 (2026-07-01 .. 2026-12-31). W1 2026-09-10, W2 2026-10-08, W3 2026-11-05 (Thursdays), 3 h each,
all with parent SERIES and the program in grouping. PLC: Tuesdays 2026-09-15, 22, 29, 10-06, 45 min.
"""
from __future__ import annotations

import itertools
from datetime import date

from projections.evaluation.catalog import ProgramCatalog, parse_programs
from projections.evaluation.digests import (Assessment, CoachingSession, EvaluationData, LearningFact,
                                            Observation, OutcomeAggregate, PlcMeeting, StaffMember,
                                            SurveyAnswer)

PROGRAM = "https://district.example/xapi/programs/literacy"
SERIES = "https://district.example/pd/literacy/series"
W1 = "https://district.example/pd/literacy/workshop-1"
W2 = "https://district.example/pd/literacy/workshop-2"
W3 = "https://district.example/pd/literacy/workshop-3"
MATH = "https://district.example/pd/math/workshop-1"
PLC = "https://district.example/plc/lincoln-literacy/2026-27"
CYCLE = "https://district.example/pd/coaching/literacy-cycles"
ITEM = "https://district.example/xapi/survey/items/time-well-spent"
RATING = "http://id.tincanapi.com/extension/quality-rating"
ADL = "http://adlnet.gov/expapi/verbs/"
PR1, PR2 = "account:https://idp.example|PRESENTER-ALICE", "account:https://idp.example|PRESENTER-BOB"

CATALOG_TEXT = f"""
min_cell: 10
programs:
  - id: literacy
    title: Literacy initiative
    grouping: ["{PROGRAM}"]
    eligible: {{roles: [teacher, paraprofessional]}}
    target_practices: [lf-phonics-routine]
    proficient_level: 3
    outcome_measures: [MAP reading growth]
    costs: {{total: 48000}}
"""

_ids = itertools.count(1)


def sid() -> str:
    return f"s{next(_ids):04d}"


def t(n: int) -> str:
    return f"T{n:02d}"


def a(n: int) -> str:
    return f"A{n:02d}"


def catalog() -> ProgramCatalog:
    return parse_programs(CATALOG_TEXT)


def staff(extra: list[StaffMember] | None = None) -> list[StaffMember]:
    s = [StaffMember(t(i), ("teacher", "paraprofessional") if i == 16 else ("teacher",), "Lincoln", True)
         for i in range(1, 17)]
    s += [StaffMember(a(i), ("paraprofessional",), "Lincoln", False) for i in range(1, 5)]
    s += [StaffMember("X01", ("custodian",), "Lincoln", False)]
    s += [StaffMember(t(i), ("teacher",), "Washington", True) for i in range(17, 27)]
    s += [StaffMember(a(i), ("paraprofessional",), "Washington", False) for i in range(5, 7)]
    s += [StaffMember("C01", ("coach", "teacher"), "Washington", True),
          StaffMember("P01", ("principal",), "Washington", True)]
    s += [StaffMember(t(i), ("teacher",), "Jefferson", True) for i in range(27, 31)]
    s += [StaffMember("T31", ("teacher",), "Lincoln", True, active=False)]
    return s + (extra or [])


def workshop(person: str, activity: str, day: date, verb: str = ADL + "attended") -> LearningFact:
    return LearningFact(person=person, statement_id=sid(), activity=activity, date=day, hours=3.0,
                        delivery_model="workshop", verb=verb, activity_type="http://adlnet.gov/expapi/activities/meeting",
                        parents=(SERIES,), grouping=(PROGRAM,))


D_W1, D_W2, D_W3 = date(2026, 9, 10), date(2026, 10, 8), date(2026, 11, 5)
PLC_DAYS = [date(2026, 9, 15), date(2026, 9, 22), date(2026, 9, 29), date(2026, 10, 6)]
PLC_MEMBERS = [t(i) for i in (1, 2, 3, 4, 9, 10, 11, 12)] + [a(1), a(2)]
# Coaching: (teacher, sessions, hours each)
COACHING = [(t(i), 2, 1.0) for i in range(1, 9)] + [(t(13), 2, 1.0), (t(14), 2, 1.0), (t(25), 1, 1.5),
                                                   (t(17), 1, 1.5), (t(18), 1, 1.5)]


def facts_and_support() -> tuple[list[LearningFact], list[PlcMeeting], list[CoachingSession]]:
    facts: list[LearningFact] = []
    w1 = [t(i) for i in range(1, 13)] + [a(1), a(2), a(3)] + [t(i) for i in range(17, 25)] + [t(27), t(28), t(29)]
    facts += [workshop(p, W1, D_W1) for p in w1]                                     # 26 people
    facts += [workshop(p, W2, D_W2) for p in [t(i) for i in range(1, 9)] + [t(i) for i in range(17, 21)] + ["C01"]]
    facts += [workshop(p, W3, D_W3) for p in [t(i) for i in range(1, 5)]]             # 4 people
    # Not counted: outside the period, not eligible (custodian, inactive), not the program, only registered.
    facts += [workshop(t(5), W1, date(2027, 1, 20)), workshop("X01", W1, D_W1), workshop("T31", W1, D_W1)]
    facts += [LearningFact(person=t(26), statement_id=sid(), activity=MATH, date=D_W1, hours=3.0,
                           delivery_model="workshop"),
              workshop(t(15), W2, D_W2, verb=ADL + "registered")]
    plc: list[PlcMeeting] = []
    for p in PLC_MEMBERS:
        for d in PLC_DAYS:
            s = sid()
            facts.append(LearningFact(person=p, statement_id=s, activity=PLC, date=d, hours=0.75, delivery_model="plc",
                                      activity_type="https://w3id.org/xapi/acrossx/activities/face-to-face-discussion",
                                      grouping=(PROGRAM,), team=True))
            plc.append(PlcMeeting(person=p, statement_id=s, date=d, minutes=45, team="plc-lincoln-literacy",
                                  activity=PLC, context_ids=(PROGRAM,)))
    coaching: list[CoachingSession] = []
    for teacher, n, hours in COACHING:
        for k in range(n):
            s = sid()
            d = date(2026, 10 + k, 1)
            facts.append(LearningFact(person=teacher, statement_id=s, activity=CYCLE, date=d, hours=hours,
                                      delivery_model="coaching", verb="http://id.tincanapi.com/verb/mentored",
                                      parents=(CYCLE,), grouping=(PROGRAM,)))
            coaching.append(CoachingSession(coach="C01", teacher=teacher, statement_id=s, date=d, hours=hours,
                                            activity=CYCLE, context_ids=(CYCLE, PROGRAM)))
    # Coaching outside the program (no program context): not counted with support_scope: program.
    coaching.append(CoachingSession(coach="C01", teacher=t(16), statement_id=sid(), date=date(2026, 10, 2), hours=1.0))
    return facts, plc, coaching


def likert(person: str, session: str, value: int, presenter: str, day: date) -> SurveyAnswer:
    return SurveyAnswer(person=person, statement_id=sid(), item=ITEM, value=value, scale_min=1, scale_max=5,
                        date=day, kind="likert", session=session, presenters=(presenter,),
                        delivery_model="workshop", context_ids=(session, PROGRAM))


def answers() -> list[SurveyAnswer]:
    out: list[SurveyAnswer] = []
    w1_people = [t(i) for i in range(1, 13)] + [t(i) for i in range(17, 25)]          # 20 people
    w1_values = [5] * 8 + [4] * 7 + [3] * 3 + [2] * 2
    out += [likert(p, W1, v, PR1, D_W1) for p, v in zip(w1_people, w1_values)]
    out += [likert(t(i), W2, v, PR2, D_W2) for i, v in zip(range(1, 9), [5, 5, 5, 5, 4, 4, 1, 1])]
    for p, raw in (("C01", 4), (t(17), 5)):
        out.append(SurveyAnswer(person=p, statement_id=sid(), item=RATING, value=raw, scale_min=1, scale_max=5,
                                date=D_W2, kind="rating", session=W2, presenters=(PR2,), delivery_model="workshop"))
    out += [likert(t(i), W3, v, PR1, D_W3) for i, v in zip(range(1, 5), [5, 5, 4, 2])]
    # Not counted: an ineligible respondent, an answer after the period, a session outside the program.
    out += [likert("X01", W1, 5, PR1, D_W1), likert(t(5), W1, 1, PR1, date(2027, 1, 21)),
            SurveyAnswer(person=t(26), statement_id=sid(), item=ITEM, value=1, scale_min=1, scale_max=5, date=D_W1,
                         session=MATH, presenters=(PR2,))]
    return out


def test(person: str, kind: str, ts: str, scaled: float, success: bool | None = None) -> Assessment:
    return Assessment(person=person, statement_id=sid(), activity=f"{W1}/{kind}", kind=kind, timestamp=ts,
                      date=date.fromisoformat(ts[:10]), scaled=scaled, success=success, subject=W1,
                      context_ids=(W1, PROGRAM))


def assessments() -> list[Assessment]:
    out: list[Assessment] = []
    for i in range(1, 13):
        out.append(test(t(i), "pretest", "2026-09-10T13:00:00.000000Z", 0.50))
        success = True if i <= 9 else (False if i <= 11 else None)
        if i == 3:
            success = False  # T03 failed the first posttest and passed the retake below
        out.append(test(t(i), "posttest", "2026-10-08T15:00:00.000000Z", 0.80 if i <= 6 else 0.70, success))
    out.append(test(t(1), "pretest", "2026-09-01T13:00:00.000000Z", 0.30))   # an earlier pretest: not the latest
    out.append(test(t(2), "pretest", "2026-10-20T13:00:00.000000Z", 0.90))   # after the posttest: ignored
    out.append(test(t(3), "posttest", "2026-11-01T15:00:00.000000Z", 0.95, True))  # retake: passed
    out.append(test("X01", "pretest", "2026-09-10T13:00:00.000000Z", 0.10))  # not eligible
    out.append(test("X01", "posttest", "2026-10-08T15:00:00.000000Z", 0.90, True))
    return out


def walk(teacher: str, day: date, level: float, practice: str = "lf-phonics-routine", scale_max: float = 4,
         statement: str | None = None) -> Observation:
    return Observation(teacher=teacher, statement_id=statement or sid(), date=day, practice=practice, level=level,
                       scale_max=scale_max, observer="P01")


def observations() -> list[Observation]:
    out: list[Observation] = []
    sep, nov = date(2026, 9, 20), date(2026, 11, 15)
    for i in range(1, 11):
        s1, s2 = sid(), sid()
        out.append(walk(t(i), sep, 3 if i <= 4 else 2, statement=s1))
        out.append(walk(t(i), sep, 4, practice="lf-student-discourse", statement=s1))  # not a target practice
        out.append(walk(t(i), nov, 4 if i <= 2 else 3 if i <= 8 else 2, statement=s2))
    out.append(walk(t(11), date(2026, 10, 12), 4, scale_max=5))  # 4 of 1-5 = 3.25 of 1-4
    for p in (t(15), t(16), t(26)):                                # non-participants
        out += [walk(p, sep, 2), walk(p, nov, 2)]
    out += [walk(t(1), date(2027, 2, 1), 1), walk("P01", sep, 4)]   # after the period; not eligible
    return out


def outcome_aggregates() -> list[OutcomeAggregate]:
    m = "MAP reading growth"
    return [OutcomeAggregate(m, "2025-26", "Lincoln grade 3", True, 0.50, 40),
            OutcomeAggregate(m, "2025-26", "Washington grade 3", True, 0.40, 20),
            OutcomeAggregate(m, "2025-26", "Jefferson grade 3", False, 0.45, 25),
            OutcomeAggregate(m, "2026-27", "Lincoln grade 3", True, 0.62, 42),
            OutcomeAggregate(m, "2026-27", "Washington grade 3", True, 0.50, 18),
            OutcomeAggregate(m, "2026-27", "Jefferson grade 3", False, 0.47, 8),
            OutcomeAggregate("Attendance rate", "2026-27", "Lincoln", True, 0.95, 400)]


def data(extra_staff: list[StaffMember] | None = None, extra_facts: list[LearningFact] | None = None) -> EvaluationData:
    facts, plc, coaching = facts_and_support()
    return EvaluationData(staff=staff(extra_staff), facts=facts + (extra_facts or []), answers=answers(),
                          assessments=assessments(), coaching=coaching, plc=plc, observations=observations(),
                          outcomes=outcome_aggregates())


S1 = (date(2026, 7, 1), date(2026, 12, 31))
