"""The district xAPI Profile (docs/profile/district-pd.jsonld) and its example statements."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lrs.xapi.validation import validate_statement
from projections.evaluation.profile import (concept_ids, jsonpath, load_profile, pattern_members, template_iris,
                                            validate)

ROOT = Path(__file__).resolve().parents[3] / "docs" / "profile"
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
D = "https://district.example/xapi/"
PROFILE_ID = D + "profile/pd"
VERSION = PROFILE_ID + "/v1.0"
TEMPLATES = PROFILE_ID + "/templates/"
# Which template each example follows (the file name, except the two tests of one template).
TEMPLATE_OF = {"pretest": "pre-post-assessment", "posttest": "pre-post-assessment"}
KINDS = {"coaching-session", "coaching-cycle-completed", "walkthrough", "instructional-rounds", "plc-meeting",
         "conference-checkin", "survey-answer", "quality-rating", "pretest", "posttest", "waived"}


@pytest.fixture(scope="module")
def profile() -> dict[str, Any]:
    return json.loads((ROOT / "district-pd.jsonld").read_text(encoding="utf-8"))


def example(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def test_every_kind_has_an_example() -> None:
    assert {p.stem for p in EXAMPLES} == KINDS


def _walk(value: Any, path: str = "$") -> list[str]:
    """Paths of empty objects, arrays, strings or nulls (Profiles 4.0 forbids them)."""
    bad: list[str] = []
    if value is None or value == "" or value == [] or value == {}:
        return [path]
    if isinstance(value, dict):
        for k, v in value.items():
            bad += _walk(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            bad += _walk(v, f"{path}[{i}]")
    return bad


def test_profile_document_structure(profile: dict[str, Any]) -> None:
    assert profile["@context"] == "https://w3id.org/xapi/profiles/context"
    assert profile["conformsTo"] == "https://w3id.org/xapi/profiles#1.0"
    assert profile["type"] == "Profile" and profile["id"] == PROFILE_ID
    assert profile["prefLabel"]["en"] and profile["definition"]["en"]
    assert profile["author"]["type"] in ("Organization", "Person") and profile["author"]["name"]
    assert [v["id"] for v in profile["versions"]] == [VERSION] and profile["versions"][0]["generatedAtTime"]
    assert _walk(profile) == []
    assert load_profile() == profile  # the helper reads the same document


REQUIRED = {"Verb": {"id", "type", "inScheme", "prefLabel", "definition"},
            "ActivityType": {"id", "type", "inScheme", "prefLabel", "definition"},
            "ContextExtension": {"id", "type", "inScheme", "prefLabel", "definition"},
            "ResultExtension": {"id", "type", "inScheme", "prefLabel", "definition"},
            "ActivityExtension": {"id", "type", "inScheme", "prefLabel", "definition"}}


def test_concepts(profile: dict[str, Any]) -> None:
    ids = [c["id"] for c in profile["concepts"]]
    assert len(ids) == len(set(ids))
    for c in profile["concepts"]:
        assert REQUIRED[c["type"]] <= set(c), c["id"]
        assert c["inScheme"] == VERSION
        # District concepts only: reused vocabulary is referenced, never redefined (Profiles 7.0).
        assert c["id"].startswith(D), c["id"]
        if "inlineSchema" in c:
            json.loads(c["inlineSchema"])
        if "recommendedVerbs" in c:
            assert c["type"] in ("ContextExtension", "ResultExtension")


def test_templates_and_patterns(profile: dict[str, Any]) -> None:
    templates = {t["id"]: t for t in profile["templates"]}
    patterns = {p["id"]: p for p in profile["patterns"]}
    for t in templates.values():
        assert {"id", "type", "inScheme", "prefLabel", "definition"} <= set(t) and t["type"] == "StatementTemplate"
        assert t["inScheme"] == VERSION
        for r in t["rules"]:
            assert set(r) & {"presence", "any", "all", "none"}, r
            jsonpath({}, r["location"])  # parses
    kinds = ("alternates", "optional", "oneOrMore", "sequence", "zeroOrMore")
    for p in patterns.values():
        assert sum(k in p for k in kinds) == 1, p["id"]
        if p.get("primary"):
            assert p["prefLabel"] and p["definition"]
        for m in pattern_members(p):
            assert m in templates or m in patterns, (p["id"], m)
        if "alternates" in p:
            assert len(p["alternates"]) >= 2
            assert not any(k in patterns.get(m, {}) for m in p["alternates"] for k in ("optional", "zeroOrMore"))
        if "sequence" in p and len(p["sequence"]) < 2:
            assert p.get("primary") and p["sequence"][0] in templates

    def contains(pid: str, seen: tuple[str, ...]) -> None:  # no pattern inside itself, at any depth
        assert pid not in seen, seen
        for m in pattern_members(patterns[pid]):
            if m in patterns:
                contains(m, seen + (pid,))
    for pid in patterns:
        contains(pid, ())
    # Every template is reachable from a primary pattern.
    reach: set[str] = set()
    todo = [p for p, v in patterns.items() if v.get("primary")]
    while todo:
        for m in pattern_members(patterns[todo.pop()]):
            if m not in reach:
                reach.add(m)
                if m in patterns:
                    todo.append(m)
    assert set(templates) <= reach


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_is_a_valid_statement_carrying_the_profile(path: Path) -> None:
    stmt = example(path)
    validate_statement(stmt, version="1.0.3")
    validate_statement(stmt, version="2.0.0")
    assert VERSION in [c["id"] for c in stmt["context"]["contextActivities"]["category"]]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_follows_its_template(path: Path, profile: dict[str, Any]) -> None:
    outcome, templates, problems = validate(example(path), profile)
    assert (outcome, templates, problems) == ("success", [TEMPLATES + TEMPLATE_OF.get(path.stem, path.stem)], [])


def _used_iris(stmt: dict[str, Any]) -> set[str]:
    """The vocabulary a statement uses: verb, activity types and extension keys."""
    used = {stmt["verb"]["id"]}
    used.update(jsonpath(stmt, "$.object.definition.type | $.context.contextActivities.*[*].definition.type"))
    for exts in jsonpath(stmt, "$.context.extensions | $.result.extensions | $.object.definition.extensions"):
        used.update(exts)
    return used


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_concept_an_example_uses_is_declared(path: Path, profile: dict[str, Any]) -> None:
    stmt = example(path)
    (template,) = [t for t in profile["templates"] if t["id"] == TEMPLATES + TEMPLATE_OF.get(path.stem, path.stem)]
    declared = concept_ids(profile) | template_iris(template)
    used = _used_iris(stmt)
    assert used - declared == set()
    # A district term must be one of the profile's concepts (the others come from ADL, Tin Can, cmi5...).
    assert {u for u in used if u.startswith(D)} <= concept_ids(profile)


def test_broken_statements_are_caught(profile: dict[str, Any]) -> None:
    walk = example(ROOT / "examples" / "walkthrough.json")
    del walk["context"]["extensions"]
    outcome, templates, problems = validate(walk, profile)
    assert (outcome, templates) == ("invalid", [TEMPLATES + "walkthrough"])
    assert problems == [TEMPLATES + "walkthrough: $.context.extensions['http://id.tincanapi.com/extension/observer']: "
                                    "required"]
    pre = example(ROOT / "examples" / "pretest.json")
    pre["context"]["extensions"]["http://id.tincanapi.com/extension/assessment-type"] = "summative"
    assert validate(pre, profile)[0] == "invalid"
    other = example(ROOT / "examples" / "plc-meeting.json")
    other["verb"]["id"] = "http://adlnet.gov/expapi/verbs/experienced"
    assert validate(other, profile) == ("unmatched", [], [])


def test_jsonpath_subset() -> None:
    doc = {"a": {"b": [{"c": 1}, {"c": 2}], "x.y": "dot"}, "d": 3}
    assert jsonpath(doc, "$.a.b[*].c") == [1, 2]
    assert jsonpath(doc, "$.a.b[1].c") == [2]
    assert jsonpath(doc, "$.a['x.y']") == ["dot"]
    assert jsonpath(doc, "$.a.b[*].c | $.d") == [1, 2, 3]
    assert jsonpath(doc, "$['a','d'].b[0].c") == [1]
    assert jsonpath(doc, "$.missing.c") == []


def test_readme_explains_every_example_and_template(profile: dict[str, Any]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for p in EXAMPLES:
        assert f"examples/{p.name}" in readme, p.name
    for t in profile["templates"]:
        assert t["id"].rsplit("/", 1)[1] in readme
    for c in profile["concepts"]:
        assert c["id"] in readme, c["id"]
