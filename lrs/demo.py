"""Demo and benchmark data: a small district's staff and a realistic mix of professional-learning statements.

``generate_statements`` is deterministic for a given seed, so benchmarks and the demo see the same shapes:
online courses (cmi5 verbs), face-to-face workshops and PLC meetings (attended), conference sessions,
coaching (mentored), videos, and exit surveys (answered), with durations, scores and registrations.
"""
from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

DISTRICT = "https://district.example"
HOMEPAGE = "https://idp.district.example"

VERBS = {
    "attended": "http://adlnet.gov/expapi/verbs/attended",
    "registered": "http://adlnet.gov/expapi/verbs/registered",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "launched": "http://adlnet.gov/expapi/verbs/launched",
    "initialized": "http://adlnet.gov/expapi/verbs/initialized",
    "terminated": "http://adlnet.gov/expapi/verbs/terminated",
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "mentored": "http://id.tincanapi.com/verb/mentored",
    "waived": "https://w3id.org/xapi/adl/verbs/waived",
}

# (id suffix, name, activity type, verb mix, typical minutes, category/parent extras)
ACTIVITIES: list[tuple[str, str, str, list[str], int]] = [
    ("pd/suicide-prevention", "Suicide awareness and prevention", "https://w3id.org/xapi/cmi5/activitytype/course",
     ["launched", "initialized", "completed", "passed", "terminated"], 60),
    ("pd/seizure-safe-schools", "Seizure Safe Schools", "https://w3id.org/xapi/cmi5/activitytype/course",
     ["initialized", "completed", "passed", "terminated"], 60),
    ("pd/bloodborne-pathogens", "Bloodborne pathogens", "https://w3id.org/xapi/cmi5/activitytype/course",
     ["initialized", "completed", "terminated"], 45),
    ("pd/workshops/instructional-model", "Instructional Model: Select Staff Indicators",
     "http://adlnet.gov/expapi/activities/meeting", ["registered", "attended"], 180),
    ("pd/workshops/restorative-practices", "Restorative practices workshop",
     "http://adlnet.gov/expapi/activities/meeting", ["registered", "attended"], 120),
    ("pd/plc/grade4-math", "Grade 4 math PLC", "https://w3id.org/xapi/acrossx/activities/face-to-face-discussion",
     ["attended"], 50),
    ("pd/conference/nebraska-literacy-2026", "Nebraska Literacy Conference: keynote",
     "http://id.tincanapi.com/activitytype/conference-session", ["attended"], 90),
    ("pd/coaching/cycle", "Instructional coaching cycle", "http://id.tincanapi.com/activitytype/tutor-session",
     ["mentored"], 45),
    ("pd/video/classroom-climate", "Classroom climate video", "https://w3id.org/xapi/video/activity-type/video",
     ["initialized", "completed"], 20),
    ("pd/leadership/framework-institute", "Leadership Framework institute",
     "http://adlnet.gov/expapi/activities/meeting", ["registered", "attended"], 360),
]

# Legal mandates among the demo activities (suicide prevention 79-2,146; seizure 92 NAC 59; OSHA BBP).
MANDATED = {"pd/suicide-prevention", "pd/seizure-safe-schools", "pd/bloodborne-pathogens"}

FIRST = ["Ana", "Ben", "Chloe", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jada", "Kofi", "Lena", "Marco",
         "Nia", "Owen", "Priya", "Quinn", "Rosa", "Sam", "Tara"]
LAST = ["Alvarez", "Brooks", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen", "Khan",
        "Lopez", "Miller", "Nguyen", "Okafor", "Patel"]
ROLES = ["teacher", "teacher", "teacher", "paraprofessional", "nurse", "counselor", "principal", "coach",
         "custodian"]
BUILDINGS = ["Central Elementary", "North Middle", "South High", "District Office"]


def person(i: int) -> dict[str, Any]:
    """The i-th demo staff member (stable)."""
    first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
    emp = f"E{1000 + i}"
    return {"employee_id": emp, "name": f"{first} {last}",
            "email": f"{first.lower()}.{last.lower()}{i}@district.example",
            "roles": ROLES[i % len(ROLES)], "building": BUILDINGS[i % len(BUILDINGS)],
            "supervisor_id": "E1006" if i != 6 else "", "hire_date": f"20{10 + i % 15:02d}-08-1{i % 10}",
            "status": "active"}


def agent_for(p: dict[str, Any]) -> dict[str, Any]:
    """The xAPI actor for a demo person: the district IdP account, as domain.md recommends."""
    return {"objectType": "Agent", "name": p["name"], "account": {"homePage": HOMEPAGE, "name": p["employee_id"]}}


def roster_csv(n: int) -> str:
    """The demo roster as the CSV ``lrs roster import`` reads."""
    cols = ["employee_id", "name", "email", "roles", "building", "supervisor_id", "hire_date", "status"]
    # The account columns link the district IdP account (the demo statements' actor) to each person.
    lines = [",".join(cols + ["account_homepage", "account_name"])]
    for i in range(n):
        p = person(i)
        lines.append(",".join([p[c] for c in cols] + [HOMEPAGE, p["employee_id"]]))
    return "\n".join(lines) + "\n"


def _duration(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return f"PT{h}H{m}M" if h else f"PT{m}M"


def generate_statements(n: int, *, people: int = 40, seed: int = 7,
                        start: datetime | None = None) -> Iterator[dict[str, Any]]:
    """``n`` realistic statements over ``people`` staff, spread over two school years."""
    rng = random.Random(seed)
    start = start or datetime(2024, 8, 1, tzinfo=timezone.utc)
    span = 2 * 365 * 24 * 3600
    for _ in range(n):
        p = person(rng.randrange(people))
        suffix, name, atype, verbs, minutes = ACTIVITIES[rng.randrange(len(ACTIVITIES))]
        verb = rng.choice(verbs)
        ts = start + timedelta(seconds=rng.randrange(span))
        act = {"objectType": "Activity", "id": f"{DISTRICT}/{suffix}",
               "definition": {"name": {"en-US": name}, "type": atype}}
        stmt: dict[str, Any] = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "actor": agent_for(p),
            "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
            "object": act,
            "timestamp": ts.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "context": {"registration": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        "platform": "district-lms",
                        "contextActivities": {"grouping": [{"id": f"{DISTRICT}/pd/program/{ts.year}"}]}},
        }
        if suffix in MANDATED:
            # Trainings the law requires are tagged so, which the transcript classifies as training.
            stmt["context"]["extensions"] = {"http://id.tincanapi.com/extension/tags": ["legal-requirement"]}
        if verb in ("attended", "completed", "passed", "failed", "terminated", "mentored"):
            stmt["result"] = {"duration": _duration(minutes + rng.randrange(-10, 11)), "completion": True}
        if verb in ("passed", "failed"):
            stmt["result"]["score"] = {"scaled": round(rng.uniform(0.5, 1.0), 2)}
            stmt["result"]["success"] = verb == "passed"
        if verb == "mentored":
            coach = person(7)
            stmt["actor"] = agent_for(coach)
            stmt["object"] = agent_for(p)
            stmt["context"]["contextActivities"]["parent"] = [act]
            del stmt["context"]["platform"]  # platform describes an Activity; the object here is a person
        yield stmt


def exit_survey(p: dict[str, Any], session_iri: str, rating: int, when: datetime) -> dict[str, Any]:
    """A Guskey level-1 exit-survey answer (Likert 1-5) about a session."""
    return {
        "actor": agent_for(p),
        "verb": {"id": VERBS["answered"], "display": {"en-US": "answered"}},
        "object": {"objectType": "Activity", "id": session_iri + "/exit-survey/q1",
                   "definition": {"type": "http://adlnet.gov/expapi/activities/question",
                                  "name": {"en-US": "The time was well spent"},
                                  "interactionType": "likert",
                                  "scale": [{"id": str(k), "description": {"en-US": str(k)}} for k in range(1, 6)]}},
        "result": {"response": str(rating)},
        "context": {"contextActivities": {"parent": [{"id": session_iri}]}},
        "timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }


DEMO_KEY, DEMO_SECRET = "demo", "demo-secret"
DEMO_PEOPLE = 24


def seed(app: Any, statements: int = 800) -> dict[str, Any]:
    """Load the demo district into an app's database once: credential, roster, statements, exit surveys.

    Everything goes through the same paths as production writes (roster import, ``prepare_batch``, the
    statement store), so the demo log verifies and replays like any other. A second call adds nothing.
    """
    from lrs.roster.importer import import_roster
    from lrs.store.statements import StatementStore
    from lrs.xapi.batch import prepare_batch

    svc = app.extensions["lrs"]
    auth = svc.auth
    auth.credentials.ensure("demo", ["all", "admin"], key=DEMO_KEY, secret=DEMO_SECRET)
    st = StatementStore(svc.engine, svc.store)
    marker = next(generate_statements(1, people=DEMO_PEOPLE))["id"]
    from sqlalchemy import select

    from lrs.store.tables import statements as statements_table

    with svc.engine.connect() as conn:
        if conn.execute(select(statements_table.c.seq).where(statements_table.c.statement_id == marker)).first():
            return {"seeded": False}
    roster = import_roster(svc.store, roster_csv(DEMO_PEOPLE), effective_date="2024-07-01", source="demo-roster.csv")
    authority = {"objectType": "Agent", "name": "demo",
                 "account": {"homePage": "http://localhost/credentials", "name": DEMO_KEY}}
    batch: list[dict[str, Any]] = list(generate_statements(statements, people=DEMO_PEOPLE))
    rng = random.Random(11)
    for i in range(DEMO_PEOPLE):
        when = datetime(2025, 9, 15, 15, 0, tzinfo=timezone.utc) + timedelta(days=i)
        batch.append(exit_survey(person(i), f"{DISTRICT}/pd/workshops/instructional-model",
                                 rng.choice([3, 4, 4, 5, 5]), when))
    for i in range(0, len(batch), 500):
        prepared = prepare_batch(batch[i:i + 500], {}, version="1.0.3", authority=authority)
        st.save(prepared, {}, authority_key=DEMO_KEY)
    from projections.evaluation.demo import seed_evaluation  # programs, surveys, tests, coaching, walkthroughs, outcomes

    return {"seeded": True, "people": DEMO_PEOPLE, "statements": len(batch), "roster": roster,
            "evaluation": seed_evaluation(svc, authority=authority, authority_key=DEMO_KEY)}
