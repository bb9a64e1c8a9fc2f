"""The evaluation demo's data is what real tools would send: valid xAPI, the district profile's templates where it
claims the profile, a roster the importer takes, a valid catalog and an outcomes file the importer takes."""
from __future__ import annotations

from collections import Counter

from lrs.roster.importer import parse_roster
from lrs.xapi.batch import prepare_batch
from projections.evaluation import demo, profile
from projections.evaluation.catalog import parse_programs
from projections.evaluation.outcomes import parse_outcomes

AUTHORITY = {"objectType": "Agent", "name": "demo", "account": {"homePage": "http://localhost/credentials",
                                                              "name": "demo"}}


def test_statements_are_valid_and_follow_the_profile_they_claim() -> None:
    people = demo.staff(60)
    stmts = demo.statements(people)
    assert stmts == demo.statements(people)  # deterministic, ids included
    assert len({s["id"] for s in stmts}) == len(stmts)
    for i in range(0, len(stmts), 1000):
        prepare_batch(stmts[i:i + 1000], {}, version="1.0.3", authority=AUTHORITY)  # raises on any invalid one
    prof = profile.load_profile()
    claimed = Counter()
    for s in stmts:
        if any(c["id"] == demo.PROFILE for c in s["context"]["contextActivities"].get("category", [])):
            outcome, templates, problems = profile.validate(s, prof)
            assert outcome == "success", (s["verb"]["id"], problems)
            claimed[templates[0].rsplit("/", 1)[1]] += 1
    # Every kind the evaluation reads is there.
    assert set(claimed) >= {"coaching-session", "coaching-cycle-completed", "walkthrough", "instructional-rounds",
                            "plc-meeting", "survey-answer", "quality-rating", "pre-post-assessment"}


def test_roster_catalog_and_outcomes_are_accepted() -> None:
    people = demo.staff(400)
    rows, errors = parse_roster(demo.roster_csv(people))
    assert errors == [] and len(rows) == 400
    roles = Counter(p["roles"] for p in people)
    assert roles["teacher"] == 248 and roles["paraprofessional"] == 56 and roles["principal"] == 8
    assert {r["extra"]["certified"] for r in rows} == {"yes", "no"}
    cat = parse_programs(demo.CATALOG, "demo-programs.yaml")
    assert [p.id for p in cat.programs] == ["literacy", "instructional-model", "leadership", "required-training"]
    assert cat.program("literacy").costs.total == 75000  # type: ignore[union-attr]
    out = parse_outcomes(demo.outcomes_csv(), "demo-outcomes.csv")
    assert {r.measure for r in out} == {"Reading growth (MAP)", "Math proficiency (NSCAS)"}
    assert all(r.n >= 10 for r in out)
