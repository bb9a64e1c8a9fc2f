"""The program catalog: parsing, validation with every problem named by its path, the canonical round trip, and
period resolution."""
from __future__ import annotations

import json
from datetime import date

import pytest

from projections.evaluation.catalog import CatalogError, ProgramCatalog, parse_programs
from projections.evaluation.periods import PeriodError, resolve_period

FULL = """
min_cell: 12
series: {min_sessions: 4, min_weeks: 6}
job_embedded_models: [plc, coaching]
reactions: {agree_top_points: 1, rating_agree_share: 0.75}
semester_2_start: "01-15"
periods:
  - {name: "Fall cohort", from: 2026-08-01, to: 2026-12-15}
programs:
  - id: literacy
    title: Literacy initiative
    description: Phonics and small-group reading, K-3.
    activities: ["https://district.example/pd/literacy/workshop-1"]
    activity_types: ["https://w3id.org/xapi/acrossx/activities/face-to-face-discussion"]
    tags: [Literacy]
    grouping: ["https://district.example/xapi/programs/literacy"]
    eligible: {roles: [teacher, paraprofessional], buildings: [Lincoln, Washington], certified: any}
    goals: ["Every K-3 teacher uses the phonics routine daily"]
    alignment:
      strategic_plan_goal: "Goal 1: literacy by grade 3"
      site_plans: [Lincoln SIP 2026, Washington SIP 2026]
      instructional_model: Millard Instructional Model
      leadership_framework: Millard Leadership Framework
      legal_mandate: Nebraska Reading Improvement Act
    costs:
      currency: USD
      items:
        - {item: Presenter fees, amount: 30000}
        - {item: Substitutes, amount: 18000}
      total: 48000
    target_practices: [lf-phonics-routine, lf-student-discourse]
    proficient_level: 3
    rubric_scale_max: 4
    periods: [{name: "Pilot", from: 2026-09-01, to: 2026-10-31}]
    outcome_measures: ["MAP reading RIT growth"]
    support_scope: all
  - id: onboarding
    title: New teacher onboarding
    tags: [onboarding]
    eligible: {certified: true}
    costs: {total: 1000}
"""


def test_full_catalog_parses_every_key() -> None:
    cat = parse_programs(FULL, "programs.yaml")
    assert cat.min_cell == 12 and cat.series_min_sessions == 4 and cat.series_min_weeks == 6
    assert cat.job_embedded_models == ("plc", "coaching")
    assert cat.agree_top_points == 1 and cat.rating_agree_share == 0.75
    assert cat.semester_2_start == (1, 15)
    assert [(p.name, p.from_, p.to) for p in cat.periods] == [("Fall cohort", date(2026, 8, 1), date(2026, 12, 15))]
    lit = cat.program("literacy")
    assert lit is not None
    assert lit.tags == ("literacy",)  # tags compare case-insensitively, as the transcript's do
    assert lit.eligible.roles == ("teacher", "paraprofessional") and lit.eligible.certified is None
    assert lit.alignment.site_plans == ("Lincoln SIP 2026", "Washington SIP 2026")
    assert lit.costs is not None and lit.costs.total == 48000 and len(lit.costs.items) == 2
    assert lit.support_scope == "all" and lit.outcome_measures == ("MAP reading RIT growth",)
    onb = cat.program("onboarding")
    assert onb is not None and onb.eligible.certified is True and onb.costs is not None
    assert onb.costs.total == 1000 and onb.costs.items == ()
    # Defaults for what the second program leaves out.
    assert onb.proficient_level == 3 and onb.rubric_scale_max == 4 and onb.support_scope == "program"


def test_defaults_of_a_minimal_catalog() -> None:
    cat = parse_programs('{"programs": [{"id": "x", "title": "X", "tags": ["x"]}]}', "p.json")
    assert (cat.min_cell, cat.series_min_sessions, cat.series_min_weeks) == (10, 3, 4)
    assert cat.job_embedded_models == ("plc", "coaching", "instructional_rounds")
    assert (cat.agree_top_points, cat.rating_agree_share, cat.semester_2_start) == (2, 0.8, (1, 1))


def test_round_trip_is_canonical() -> None:
    cat = parse_programs(FULL)
    data = cat.to_json()
    text = json.dumps(data, sort_keys=True)
    again = ProgramCatalog.from_json(json.loads(text))
    assert again == cat
    assert json.dumps(again.to_json(), sort_keys=True) == text
    # Every default is spelt out in the canonical form.
    assert data["programs"][1]["eligible"] == {"roles": [], "buildings": [], "certified": True}
    assert data["programs"][0]["eligible"]["certified"] == "any"
    assert data["programs"][1]["costs"] == {"total": 1000.0, "currency": "USD", "items": []}


def problems(text: str, filename: str = "programs.yaml") -> list[str]:
    with pytest.raises(CatalogError) as exc:
        parse_programs(text, filename)
    return exc.value.problems


def test_every_problem_is_reported_with_its_path() -> None:
    bad = """
min_cell: 0
series: {min_sessions: one}
colour: blue
programs:
  - id: ok
    title: Fine
    tags: [x]
  - id: Bad Id
    title: ""
    activities: ["not an iri"]
  - id: third
    title: Third
    tags: [x]
    eligible: {roles: teacher, certified: maybe, grade: 3}
    costs: {total: 100, items: [{item: Fees, amount: 60}]}
    proficient_level: 5
    support_scope: some
    periods: [{name: "2026-27", from: 2026-07-01, to: 2027-06-30}, {name: P, from: 2026-09-01, to: 2026-08-01}]
  - id: ok
    title: Duplicate
    tags: [x]
  - id: empty
    title: Matches nothing
"""
    got = problems(bad)
    expected = [
        "colour: unknown key",
        "min_cell: must be at least 1",
        "series.min_sessions: must be a whole number",
        "programs[1].id: 'Bad Id' must be lowercase letters",
        "programs[1].title: must be a non-empty string",
        "programs[1].activities[0]: 'not an iri' is not an absolute IRI",
        "programs[2].eligible.grade: unknown key",
        "programs[2].eligible.roles: must be a list of role names",
        "programs[2].eligible.certified: must be true, false or any",
        "programs[2].costs.total: 100 does not equal the sum of the items (60)",
        "programs[2].proficient_level: 5 is above rubric_scale_max 4",
        "programs[2].support_scope: must be 'program' or 'all'",
        "programs[2].periods[0].name: '2026-27' is a built-in period name",
        "programs[2].periods[1]: from 2026-09-01 is after to 2026-08-01",
        "programs[3].id: duplicate program id 'ok'",
        "programs[4]: needs at least one of activities, activity_types, tags or grouping",
    ]
    for e in expected:
        assert any(p.startswith(e) for p in got), (e, got)
    assert len(got) == len(expected), got


def test_unknown_program_keys_are_errors() -> None:
    got = problems('programs:\n  - {id: a, title: A, tags: [x], activites: ["https://d.example/a"]}\n')
    assert len(got) == 1 and got[0].startswith("programs[0].activites: unknown key (known: id, title,")


def test_structural_errors() -> None:
    assert problems("[1, 2]") == ["(document): must be a mapping with a 'programs' list"]
    assert problems("min_cell: 5\n") == ["programs: is required (a list of programs)"]
    assert problems("programs: {id: a}\n") == ["programs: must be a list of programs"]
    assert problems("programs: [42]\n") == ["programs[0]: must be a mapping (one program)"]
    assert problems("{not json", "p.json")[0].startswith("p.json: not valid JSON:")
    assert problems("a: [\n", "p.yaml")[0].startswith("p.yaml: not valid YAML:")
    got = problems("programs:\n  - {id: c, title: C, tags: [x], costs: {items: [{item: Fees}], currency: usd}}\n")
    assert got == ["programs[0].costs.currency: must be a three-letter currency code such as USD",
                   "programs[0].costs.items[0].amount: is required"]


def test_costs_as_a_bare_list_add_up() -> None:
    cat = parse_programs("programs:\n  - {id: c, title: C, tags: [x], costs: [{item: A, amount: 1200.5}, "
                         "{item: B, amount: 799.5}]}\n")
    c = cat.programs[0].costs
    assert c is not None and c.total == 2000.0 and [i.item for i in c.items] == ["A", "B"]


def test_membership_rules() -> None:
    cat = parse_programs(FULL)
    lit = cat.program("literacy")
    assert lit is not None
    assert lit.belongs("https://district.example/pd/literacy/workshop-1")
    assert lit.belongs("https://x.example/a", "https://w3id.org/xapi/acrossx/activities/face-to-face-discussion")
    assert lit.belongs("https://x.example/a", None, ["LITERACY"])
    assert lit.belongs("https://x.example/a", None, [], ["https://district.example/xapi/programs/literacy"])
    assert not lit.belongs("https://x.example/a", "https://x.example/type", ["math"], ["https://x.example/p"])


# --- periods -------------------------------------------------------------------------------------------------

def test_school_year_and_semesters_default_split() -> None:
    assert resolve_period("2026-27") == (date(2026, 7, 1), date(2027, 6, 30), "2026-27")
    assert resolve_period("2026-2027") == (date(2026, 7, 1), date(2027, 6, 30), "2026-27")
    assert resolve_period("2026-27-S1") == (date(2026, 7, 1), date(2026, 12, 31), "2026-27-S1")
    assert resolve_period("2026-27-s2") == (date(2027, 1, 1), date(2027, 6, 30), "2026-27-S2")
    assert resolve_period("2026") == (date(2026, 1, 1), date(2026, 12, 31), "2026")


def test_configured_school_year_start_and_semester_split() -> None:
    # School year from Aug 15; semester 2 from Jan 15: S1 = Aug 15..Jan 14, S2 = Jan 15..Aug 14.
    assert resolve_period("2026-27", school_year_start="08-15") == (date(2026, 8, 15), date(2027, 8, 14), "2026-27")
    assert resolve_period("2026-27-S1", school_year_start="08-15", semester_2_start="01-15")[:2] == \
        (date(2026, 8, 15), date(2027, 1, 14))
    assert resolve_period("2026-27-S2", school_year_start="08-15", semester_2_start="01-15")[:2] == \
        (date(2027, 1, 15), date(2027, 8, 14))
    cat = parse_programs(FULL)  # semester_2_start "01-15", school year from the setting (07-01 default)
    assert cat.resolve("2026-27-S2") == (date(2027, 1, 15), date(2027, 6, 30), "2026-27-S2")


def test_custom_and_named_periods() -> None:
    assert resolve_period(None, "2026-08-01", "2026-12-15") == \
        (date(2026, 8, 1), date(2026, 12, 15), "2026-08-01 to 2026-12-15")
    cat = parse_programs(FULL)
    lit = cat.program("literacy")
    assert cat.resolve("Fall cohort") == (date(2026, 8, 1), date(2026, 12, 15), "Fall cohort")
    assert cat.resolve("Pilot", program=lit) == (date(2026, 9, 1), date(2026, 10, 31), "Pilot")
    with pytest.raises(PeriodError, match="unknown period 'Pilot'"):
        cat.resolve("Pilot")  # the program's own period is not district-wide


def test_default_period_is_the_current_school_year() -> None:
    assert resolve_period(None, today=date(2027, 3, 5)) == (date(2026, 7, 1), date(2027, 6, 30), "2026-27")
    assert resolve_period(None, today=date(2026, 7, 1)) == (date(2026, 7, 1), date(2027, 6, 30), "2026-27")
    assert resolve_period(None, today=date(2026, 6, 30))[2] == "2025-26"


@pytest.mark.parametrize("args,message", [
    (("2026-28",), "the second year must follow the first"),
    (("spring",), "unknown period 'spring'"),
    ((None, "2026-09-01", None), "give both from and to"),
    ((None, "2026-09-01", "2026-08-01"), "is after to"),
    ((None, "2026-13-01", "2026-12-01"), "is not an ISO 8601 date"),
    (("2026-27", "2026-09-01", "2026-10-01"), "not both"),
])
def test_period_errors(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        resolve_period(*args)  # type: ignore[arg-type]


def test_docs_example_parses_and_documents_every_key() -> None:
    from pathlib import Path

    from projections.evaluation import catalog as c

    doc = (Path(__file__).resolve().parents[3] / "docs" / "programs.md").read_text(encoding="utf-8")
    block = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    cat = parse_programs(block)
    lit = cat.program("literacy")
    assert lit is not None and lit.costs is not None and lit.costs.total == 48000
    assert cat.periods[0].name == "Fall cohort" and lit.periods[0].name == "Pilot"
    nested = ("min_sessions", "min_weeks", "agree_top_points", "rating_agree_share", "roles", "buildings",
              "certified", "strategic_plan_goal", "site_plans", "instructional_model", "leadership_framework",
              "legal_mandate", "total", "currency", "items", "item", "amount")
    for key in c._TOP_KEYS + c._PROGRAM_KEYS + nested:
        assert f"{key}:" in block, key
