"""Tests for lrs.xapi.model: identifiers, timestamps, normalisation, comparison, formats, index keys."""
from __future__ import annotations

import copy
import random
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from lrs.xapi.errors import InvalidField, ValidationError
from lrs.times import format_time
from lrs.xapi.model import (
    agent_key,
    format_statement,
    normalize_statement,
    parse_accept_language,
    parse_timestamp,
    pick_language,
    referenced_activities,
    referenced_agents,
    statements_equivalent,
    truncate_duration,
    try_parse_timestamp,
)
from lrs.xapi.validation import validate_statement
from tests.builders import (
    make_activity,
    make_agent,
    make_attachment,
    make_group,
    make_statement,
    make_statement_ref,
    make_substatement,
    make_verb,
    random_uuid,
)

UTC = timezone.utc

# --------------------------------------------------------------------------------------------------
# agent_key
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agent", "key"),
    [
        ({"mbox": "mailto:a@b.org"}, "mbox:mailto:a@b.org"),
        ({"objectType": "Agent", "name": "A", "mbox": "mailto:Ann.Lee@Example.ORG"}, "mbox:mailto:Ann.Lee@example.org"),
        ({"mbox_sha1sum": "CD9B00A5611F94EAA7B1661EDAB976068E364975"}, "mbox_sha1sum:cd9b00a5611f94eaa7b1661edab976068e364975"),
        ({"openid": "http://openid.example.org/12345"}, "openid:http://openid.example.org/12345"),
        ({"account": {"homePage": "http://lms.example.org", "name": "u-17"}}, "account:http://lms.example.org|u-17"),
        ({"objectType": "Group", "mbox": "mailto:team@example.org", "member": [{"mbox": "mailto:a@b.org"}]}, "mbox:mailto:team@example.org"),
        ({"objectType": "Group", "member": [{"mbox": "mailto:a@b.org"}]}, None),
        ({"name": "nobody"}, None),
        ({"account": {"homePage": "http://x.org"}}, None),
        ("mailto:a@b.org", None),
        (None, None),
    ],
)
def test_agent_key(agent: Any, key: str | None) -> None:
    assert agent_key(agent) == key


# --------------------------------------------------------------------------------------------------
# Timestamps and durations
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-05-04T12:00:00-05:00", datetime(2023, 5, 4, 17, 0, tzinfo=UTC)),
        ("2023-05-04T17:00:00.000Z", datetime(2023, 5, 4, 17, 0, tzinfo=UTC)),
        ("2008-09-15T15:53:00.601+00:00", datetime(2008, 9, 15, 15, 53, 0, 601000, tzinfo=UTC)),
        ("2008-09-15 15:53:00.601+00:00", datetime(2008, 9, 15, 15, 53, 0, 601000, tzinfo=UTC)),
        ("2008-09-15T15:53:00.123456789Z", datetime(2008, 9, 15, 15, 53, 0, 123456, tzinfo=UTC)),
        ("2008-09-15T15:53:00", datetime(2008, 9, 15, 15, 53, tzinfo=UTC)),
        ("2008-09-15T15:53Z", datetime(2008, 9, 15, 15, 53, tzinfo=UTC)),
        ("2008-09-16T01:23:00+09:30", datetime(2008, 9, 15, 15, 53, tzinfo=UTC)),
        ("2008-09-15T15:53:00+0100", datetime(2008, 9, 15, 14, 53, tzinfo=UTC)),
        ("20080915T155300.5-01", datetime(2008, 9, 15, 16, 53, 0, 500000, tzinfo=UTC)),
    ],
)
def test_parse_timestamp(text: str, expected: datetime) -> None:
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed.tzinfo == UTC


@pytest.mark.parametrize("text", ["2008-09-15T15:53:00.601-00:00", "2008-09-15T15:53:00-0000", "nope", "2008-09-15", 5, None])
def test_parse_timestamp_rejects(text: Any) -> None:
    assert try_parse_timestamp(text) is None
    with pytest.raises(ValidationError) as info:
        parse_timestamp(text, "since")
    assert isinstance(info.value, InvalidField)
    assert info.value.path == "since"
    assert info.value.status == 400


def test_format_timestamp_is_fixed_width_utc() -> None:
    assert format_time(datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)) == "2024-01-02T03:04:05.123456Z"
    assert format_time(datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02T03:04:05.000000Z"  # naive = UTC
    est = timezone(timedelta(hours=-5))
    assert format_time(datetime(2023, 5, 4, 12, 0, tzinfo=est)) == "2023-05-04T17:00:00.000000Z"
    assert format_time(datetime(999, 1, 1, tzinfo=UTC)) == "0999-01-01T00:00:00.000000Z"


def test_formatted_timestamps_sort_like_instants_and_round_trip() -> None:
    rng = random.Random(7)
    zones = [timezone(timedelta(minutes=m)) for m in (-600, -300, 0, 60, 330, 840)]
    instants = [
        datetime(2000, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.uniform(0, 10**9), microseconds=rng.randrange(10**6))
        for _ in range(300)
    ]
    texts = [format_time(dt.astimezone(rng.choice(zones))) for dt in instants]
    assert sorted(texts) == [format_time(dt) for dt in sorted(instants)]
    assert all(parse_timestamp(t) == dt for t, dt in zip(texts, instants))
    assert len({len(t) for t in texts}) == 1


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        ("P1DT12H36M0.12567S", "P1DT12H36M0.12S"),  # 2.0 CTS: truncated, not rounded
        ("PT0.129S", "PT0.12S"),
        ("PT0.999999S", "PT0.99S"),
        ("PT1,2345S", "PT1,23S"),
        ("PT0.12S", "PT0.12S"),
        ("PT1.5S", "PT1.5S"),
        ("PT1H", "PT1H"),
        ("P4W", "P4W"),
        ("PT16559.14S", "PT16559.14S"),
    ],
)
def test_truncate_duration(duration: str, expected: str) -> None:
    assert truncate_duration(duration) == expected


# --------------------------------------------------------------------------------------------------
# normalize_statement
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_normalize_statement_changes_exactly_the_listed_things(version: str) -> None:
    parent, grouping = make_activity(), make_activity()
    stmt = {
        "id": "AA97B177-9383-4934-8543-0F91A7A02836",
        "actor": {"mbox": "mailto:Ann@Example.org"},
        "verb": make_verb(),
        "object": {"id": "http://example.org/a", "definition": {"name": {"en-US": "A"}}},
        "result": {"duration": "P1DT12H36M0.12567S", "success": True},
        "context": {"contextActivities": {"parent": parent, "grouping": [grouping]}, "language": "EN-us"},
        "timestamp": "2023-05-04T12:00:00-05:00",
        "version": "1.0.0",
    }
    original = copy.deepcopy(stmt)
    normalized = normalize_statement(stmt, version=version)
    assert stmt == original  # input untouched
    expected = copy.deepcopy(original)
    expected["object"] = {"objectType": "Activity", **expected["object"]}
    expected["result"]["duration"] = "P1DT12H36M0.12S"
    expected["context"]["contextActivities"]["parent"] = [parent]
    expected["timestamp"] = "2023-05-04T17:00:00.000000Z"
    assert normalized == expected
    validate_statement(normalized, version=version)


def test_normalize_statement_substatement() -> None:
    sub = make_substatement(
        object={"id": "http://example.org/b"},
        timestamp="2030-01-01T01:00:00+01:00",
        result={"duration": "PT0.1234S"},
        context={"contextActivities": {"other": make_activity(activity_id="http://example.org/o")}},
    )
    normalized = normalize_statement(make_statement(object=sub), version="1.0.3")
    out = normalized["object"]
    assert out["timestamp"] == "2030-01-01T00:00:00.000000Z"
    assert out["result"]["duration"] == "PT0.12S"
    assert out["context"]["contextActivities"]["other"][0]["id"] == "http://example.org/o"
    assert out["object"] == {"objectType": "Activity", "id": "http://example.org/b"}
    assert "timestamp" in sub and sub["timestamp"].endswith("+01:00")


@pytest.mark.parametrize("obj", [make_agent(), make_group(), make_statement_ref(), make_activity()])
def test_normalize_keeps_typed_objects(obj: dict[str, Any]) -> None:
    stmt = make_statement(object=obj)
    assert normalize_statement(stmt, version="2.0.0")["object"] == obj


def test_normalize_without_optional_parts() -> None:
    stmt = make_statement(timestamp=None)
    del stmt["timestamp"]
    assert normalize_statement(stmt, version="1.0.3") == stmt


# --------------------------------------------------------------------------------------------------
# statements_equivalent
# --------------------------------------------------------------------------------------------------


def _base() -> dict[str, Any]:
    return make_statement(
        id="6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
        actor=make_group(members=[make_agent(), make_agent("account"), make_agent("openid")]),
        result={"score": {"raw": 1, "min": 0, "max": 5}, "success": True, "duration": "PT0.12S",
                "extensions": {"http://example.org/x": [1, True, None, {"a": "b"}]}},  # fmt: skip
        context={
            "registration": "aa97b177-9383-4934-8543-0f91a7a02836",
            "instructor": {"mbox": "mailto:teach@school.example.org"},
            "contextActivities": {"parent": [make_activity()], "category": [make_activity()]},
            "language": "en-US",
            "statement": make_statement_ref("aa97b177-9383-4934-8543-0f91a7a02836"),
        },
        timestamp="2023-05-04T17:00:00.123Z",
        version="1.0.0",
        attachments=[make_attachment()],
    )


def _changed(stmt: dict[str, Any], change: Any) -> dict[str, Any]:
    other = copy.deepcopy(stmt)
    change(other)
    return other


SAME = {
    "identical": lambda s: None,
    "stored differs": lambda s: s.update(stored="2030-01-01T00:00:00Z"),
    "authority differs": lambda s: s.update(authority=make_agent()),
    "id absent on one side": lambda s: s.pop("id"),
    "timestamp absent on one side": lambda s: s.pop("timestamp"),
    "version absent on one side": lambda s: s.pop("version"),
    "version differs (stamped per request version)": lambda s: s.update(version="2.0.0"),
    "timestamp in another zone": lambda s: s.update(timestamp="2023-05-04T12:00:00.123-05:00"),
    "timestamp differs below a millisecond": lambda s: s.update(timestamp="2023-05-04T17:00:00.1239Z"),
    "id in upper case": lambda s: s.update(id=s["id"].upper()),
    "registration in upper case": lambda s: s["context"].update(registration=s["context"]["registration"].upper()),
    "statement ref id in upper case": lambda s: s["context"]["statement"].update(id=s["context"]["statement"]["id"].upper()),
    "context activity as a single object": lambda s: s["context"]["contextActivities"].update(
        parent=s["context"]["contextActivities"]["parent"][0]
    ),
    "object objectType omitted": lambda s: s["object"].pop("objectType"),
    "activity definition differs": lambda s: s["object"].update(definition={"name": {"fr": "autre"}}),
    "context activity definition differs": lambda s: s["context"]["contextActivities"]["parent"][0].pop("definition"),
    "verb display differs": lambda s: s["verb"].update(display={"de": "abgeschlossen"}),
    "members reordered": lambda s: s["actor"]["member"].reverse(),
    "member objectType omitted": lambda s: s["actor"]["member"][0].pop("objectType"),
    "mbox domain case": lambda s: s["context"]["instructor"].update(mbox="mailto:teach@SCHOOL.Example.ORG"),
    "language tag case": lambda s: s["context"].update(language="EN-us"),
    "attachment display key case": lambda s: s["attachments"][0].update(display={"EN-us": "A test attachment"}),
    "attachment sha2 case": lambda s: s["attachments"][0].update(sha2=s["attachments"][0]["sha2"].upper()),
    "duration beyond 0.01 s": lambda s: s["result"].update(duration="PT0.1237S"),
    "duration digits beyond 0.01 s": lambda s: s["result"].update(duration="PT0.120S"),
    "integer vs float": lambda s: s["result"]["score"].update(raw=1.0),
}

DIFFERENT = {
    "verb id": lambda s: s.update(verb=make_verb("failed")),
    "object id": lambda s: s["object"].update(id="http://example.org/other"),
    "object type": lambda s: s.update(object=make_statement_ref()),
    "actor member": lambda s: s["actor"]["member"].pop(),
    "actor name": lambda s: s["actor"].update(name="Other Group"),
    "mbox local part case": lambda s: s["context"]["instructor"].update(mbox="mailto:TEACH@school.example.org"),
    "success": lambda s: s["result"].update(success=False),
    "boolean vs number": lambda s: s["result"]["score"].update(raw=True),
    "duration at 0.01 s": lambda s: s["result"].update(duration="PT0.13S"),
    "duration serialisation": lambda s: s["result"].update(duration="PT00.12S"),
    "timestamp instant": lambda s: s.update(timestamp="2023-05-04T17:00:00.124Z"),
    "id": lambda s: s.update(id=random_uuid()),
    "registration": lambda s: s["context"].update(registration=random_uuid()),
    "extension value": lambda s: s["result"]["extensions"]["http://example.org/x"].append(2),
    "extension bool vs int": lambda s: s["result"]["extensions"].update({"http://example.org/x": [1, 1, None, {"a": "b"}]}),
    "context activity order": lambda s: s["context"]["contextActivities"]["parent"].append(make_activity()),
    "attachment sha2": lambda s: s["attachments"][0].update(sha2="0" * 64),
    "attachments removed": lambda s: s.pop("attachments"),
    "extra property": lambda s: s.update(extra=1),
    "result removed": lambda s: s.pop("result"),
}


@pytest.mark.parametrize("name", sorted(SAME))
def test_equivalent_statements(name: str) -> None:
    a = _base()
    b = _changed(a, SAME[name])
    assert statements_equivalent(a, b)
    assert statements_equivalent(b, a)


@pytest.mark.parametrize("name", sorted(DIFFERENT))
def test_different_statements(name: str) -> None:
    a = _base()
    b = _changed(a, DIFFERENT[name])
    assert not statements_equivalent(a, b)
    assert not statements_equivalent(b, a)


def test_a_statement_equals_its_normalized_and_stored_form() -> None:
    a = _base()
    a["context"]["contextActivities"]["grouping"] = make_activity()
    a["result"]["duration"] = "P1DT12H36M0.12567S"
    a["timestamp"] = "2023-05-04T12:00:00.123456-05:00"
    a["object"].pop("objectType")
    stored = normalize_statement(a, version="2.0.0")
    stored.update(stored="2024-01-01T00:00:00.000000Z", authority=make_agent("account"), version="1.0.0")
    assert statements_equivalent(a, stored)


def test_substatement_timestamp_is_not_an_lrs_assignment() -> None:
    a = make_statement(object=make_substatement(timestamp="2024-01-01T00:00:00Z"))
    b = copy.deepcopy(a)
    del b["object"]["timestamp"]
    assert not statements_equivalent(a, b)
    b["object"]["timestamp"] = "2024-01-01T01:00:00+01:00"
    assert statements_equivalent(a, b)


def test_equivalence_tolerates_malformed_input() -> None:
    assert not statements_equivalent({"actor": "x", "object": 3, "context": [], "result": "r"}, make_statement())
    assert statements_equivalent({"timestamp": "garbage", "verb": "v"}, {"timestamp": "garbage", "verb": "v"})


# --------------------------------------------------------------------------------------------------
# format_statement
# --------------------------------------------------------------------------------------------------


def _rich_statement() -> dict[str, Any]:
    definition = {
        "name": {"en-US": "Quiz", "de": "Quiz (de)", "und": "Quiz (und)"},
        "description": {"fr": "Un quiz", "en-GB": "A quiz"},
        "interactionType": "choice",
        "choices": [{"id": "a", "description": {"en-US": "A", "de": "A (de)"}}, {"id": "b"}],
    }
    return make_statement(
        actor=make_agent(name="Ann"),
        verb={"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered", "de": "beantwortete"}},
        object=make_activity(activity_id="http://example.org/quiz", definition=definition),
        authority={"objectType": "Group", "member": [make_agent("account"), make_agent()]},
        context={
            "instructor": make_group(ifi="mbox"),
            "team": make_group(),
            "contextActivities": {"parent": [make_activity(activity_id="http://example.org/course")]},
            "contextAgents": [{"objectType": "contextAgent", "agent": make_agent("openid"), "relevantTypes": ["http://x.org/t"]}],
        },
        attachments=[make_attachment(display={"en-US": "file", "de": "Datei"})],
    )


def test_format_exact_is_the_statement() -> None:
    stmt = _rich_statement()
    assert format_statement(stmt, "exact", ["de"]) is stmt


def test_format_ids() -> None:
    stmt = _rich_statement()
    before = copy.deepcopy(stmt)
    out = format_statement(stmt, "ids", [])
    assert stmt == before
    assert out["actor"] == {"objectType": "Agent", "mbox": stmt["actor"]["mbox"]}
    assert out["verb"] == {"id": "http://adlnet.gov/expapi/verbs/answered"}
    assert out["object"] == {"id": "http://example.org/quiz"}
    assert out["authority"] == {
        "objectType": "Group",
        "member": [
            {"objectType": "Agent", "account": stmt["authority"]["member"][0]["account"]},
            {"objectType": "Agent", "mbox": stmt["authority"]["member"][1]["mbox"]},
        ],
    }
    context = out["context"]
    assert context["instructor"] == {"objectType": "Group", "mbox": stmt["context"]["instructor"]["mbox"]}
    assert [set(m) for m in context["team"]["member"]] == [{"objectType", "mbox"}] * 2
    assert context["contextActivities"] == {"parent": [{"id": "http://example.org/course"}]}
    assert context["contextAgents"][0]["agent"] == {"objectType": "Agent", "openid": stmt["context"]["contextAgents"][0]["agent"]["openid"]}
    assert context["contextAgents"][0]["relevantTypes"] == ["http://x.org/t"]
    assert out["attachments"] == stmt["attachments"]
    assert out["id"] == stmt["id"] and out["timestamp"] == stmt["timestamp"]
    validate_statement(out, version="2.0.0")


def test_format_ids_substatement_and_agent_objects() -> None:
    sub = make_substatement(actor=make_agent("account"), object={"id": "http://example.org/a", "definition": {"name": {"en": "a"}}})
    out = format_statement(make_statement(object=sub), "ids", [])
    assert out["object"]["actor"] == {"objectType": "Agent", "account": sub["actor"]["account"]}
    assert out["object"]["object"] == {"id": "http://example.org/a"}
    assert out["object"]["verb"] == {"id": sub["verb"]["id"]}
    ref = make_statement_ref()
    assert format_statement(make_statement(object=ref), "ids", [])["object"] == ref
    group = make_group()
    reduced = format_statement(make_statement(object=group), "ids", [])["object"]
    assert reduced["objectType"] == "Group" and len(reduced["member"]) == 2 and "name" not in reduced


def test_format_canonical() -> None:
    stmt = _rich_statement()
    before = copy.deepcopy(stmt)
    out = format_statement(stmt, "canonical", ["de", "en"])
    assert stmt == before
    assert out["verb"]["display"] == {"de": "beantwortete"}
    definition = out["object"]["definition"]
    assert definition["name"] == {"de": "Quiz (de)"}
    assert definition["description"] == {"en-GB": "A quiz"}  # "en" matches en-GB as a prefix
    assert definition["choices"] == [{"id": "a", "description": {"de": "A (de)"}}, {"id": "b"}]
    assert out["context"]["contextActivities"]["parent"][0]["definition"]["name"] == {"en-US": "Test Activity"}
    assert out["attachments"][0]["display"] == {"de": "Datei"}
    assert out["actor"] == stmt["actor"] and out["context"]["instructor"] == stmt["context"]["instructor"]


def test_format_canonical_without_preferences_and_with_canonical_definitions() -> None:
    stmt = _rich_statement()
    out = format_statement(stmt, "canonical", [])
    assert out["object"]["definition"]["name"] == {"und": "Quiz (und)"}
    assert out["object"]["definition"]["description"] == {"fr": "Un quiz"}
    canonical = {"http://example.org/quiz": {"name": {"en": "Canonical quiz", "es": "Cuestionario"}, "type": "http://x.org/t"}}
    out = format_statement(stmt, "canonical", ["es-MX"], activity_definitions=canonical)
    assert out["object"]["definition"] == {"name": {"es": "Cuestionario"}, "type": "http://x.org/t"}


def test_format_unknown() -> None:
    with pytest.raises(ValueError):
        format_statement(make_statement(), "full", [])


# --------------------------------------------------------------------------------------------------
# Accept-Language
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("da, en-gb;q=0.8, en;q=0.7", ["da", "en-gb", "en"]),
        ("en;q=0.5, fr, de;q=0.9", ["fr", "de", "en"]),
        ("en-US,en;q=0.9,*;q=0.1", ["en-US", "en", "*"]),
        ("fr;q=0, de", ["de"]),
        ("fr;q=abc, de;q=1.0", ["de"]),
        ("a;q=0.5, b;q=0.5, c;q=0.5", ["a", "b", "c"]),
        (" es-MX ; q=0.3 ,, ", ["es-MX"]),
        ("", []),
        (None, []),
    ],
)
def test_parse_accept_language(header: str | None, expected: list[str]) -> None:
    assert parse_accept_language(header) == expected


@pytest.mark.parametrize(
    ("available", "wanted", "expected"),
    [
        (["en-US", "de"], ["de"], "de"),
        (["en-US", "de"], ["EN-us"], "en-US"),
        (["en-GB", "en-US"], ["en"], "en-GB"),  # prefix
        (["en", "fr"], ["en-US"], "en"),  # lookup truncation
        (["zh", "zh-Hant"], ["zh-Hant-TW"], "zh-Hant"),
        (["de", "fr"], ["es", "fr", "de"], "fr"),
        (["de", "und", "fr"], ["es"], "und"),
        (["de", "fr"], ["es"], "de"),
        (["de", "und"], ["*"], "und"),
        (["de", "fr"], [], "de"),
        ([], ["en"], None),
    ],
)
def test_pick_language(available: list[str], wanted: list[str], expected: str | None) -> None:
    assert pick_language(available, wanted) == expected


# --------------------------------------------------------------------------------------------------
# referenced_agents / referenced_activities
# --------------------------------------------------------------------------------------------------


def test_referenced_agents() -> None:
    actor = make_group(ifi="mbox")
    obj = make_agent("openid")
    authority = {"objectType": "Group", "member": [make_agent("account"), make_agent()]}
    instructor, team = make_agent(), make_group()
    sub_actor, sub_obj, sub_instructor = make_agent(), make_group(), make_agent("account")
    context_agent, context_group = make_agent(), make_group(ifi="openid")
    stmt = make_statement(
        actor=actor,
        object=obj,
        authority=authority,
        context={
            "instructor": instructor,
            "team": team,
            "contextAgents": [{"objectType": "contextAgent", "agent": context_agent}],
            "contextGroups": [{"objectType": "contextGroup", "group": context_group}],
        },
    )
    direct, related = referenced_agents(stmt)
    members = {agent_key(m) for m in actor["member"]}
    assert direct == {agent_key(actor), agent_key(obj)} | members
    expected_related = (
        direct
        | {agent_key(m) for m in authority["member"]}
        | {agent_key(instructor)}
        | {agent_key(m) for m in team["member"]}
        | {agent_key(context_agent), agent_key(context_group)}
        | {agent_key(m) for m in context_group["member"]}
    )
    assert related == expected_related

    sub = make_substatement(actor=sub_actor, object=sub_obj, context={"instructor": sub_instructor})
    direct, related = referenced_agents(make_statement(actor=obj, object=sub))
    assert direct == {agent_key(obj)}
    assert related == direct | {agent_key(sub_actor), agent_key(sub_instructor)} | {agent_key(m) for m in sub_obj["member"]}


def test_referenced_agents_ignores_activities_and_refs() -> None:
    actor = make_agent()
    for obj in (make_activity(), make_statement_ref()):
        assert referenced_agents(make_statement(actor=actor, object=obj)) == ({agent_key(actor)}, {agent_key(actor)})


def test_referenced_activities() -> None:
    obj = {"id": "http://example.org/a"}  # objectType omitted: an Activity
    parent, grouping, category, other = (make_activity() for _ in range(4))
    stmt = make_statement(
        object=obj,
        context={"contextActivities": {"parent": parent, "grouping": [grouping], "category": [category], "other": [other]}},
    )
    direct, related = referenced_activities(stmt)
    assert direct == {"http://example.org/a"}
    assert related == direct | {parent["id"], grouping["id"], category["id"], other["id"]}

    sub_obj, sub_parent = make_activity(), make_activity()
    sub = make_substatement(object=sub_obj, context={"contextActivities": {"parent": [sub_parent]}})
    direct, related = referenced_activities(make_statement(object=sub, context={"contextActivities": {"other": other}}))
    assert direct == set()
    assert related == {sub_obj["id"], sub_parent["id"], other["id"]}

    assert referenced_activities(make_statement(object=make_statement_ref())) == (set(), set())
    assert referenced_activities(make_statement(object=make_agent())) == (set(), set())


def test_format_ids_key_counts_expected_by_the_2_0_suite() -> None:
    # v2_0 4.1.6.1 XAPI-00171: actor 1-2 keys, substatement actor (identified Group) 2 keys,
    # substatement object (an Activity) exactly 1 key, verbs exactly 1 key -- on the stored form.
    sub = make_substatement(actor=make_group(ifi="mbox"), object={"id": "http://example.org/a"})
    stored = normalize_statement(make_statement(object=sub), version="2.0.0")
    assert stored["object"]["object"]["objectType"] == "Activity"
    out = format_statement(stored, "ids", [])
    assert 1 <= len(out["actor"]) <= 2
    assert len(out["object"]["actor"]) == 2
    assert out["object"]["object"] == {"id": "http://example.org/a"}
    assert len(out["verb"]) == 1 and len(out["object"]["verb"]) == 1
