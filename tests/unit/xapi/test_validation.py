"""Tests for lrs.xapi.validation: every xAPI Data rule, accepted and rejected, in both versions."""
from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from typing import Any

import pytest

from lrs.xapi.errors import InvalidField, ValidationError
from lrs.xapi.validation import (
    is_duration,
    is_iri,
    is_language_tag,
    is_uuid,
    statement_schema,
    validate_activity_id,
    validate_agent,
    validate_language_tag,
    validate_statement,
    validate_statement_with_marshmallow,
    validate_uuid,
)
from tests.builders import (
    DROP,
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

V1 = "1.0.3"
V2 = "2.0.0"
BOTH = (V1, V2)

CONTEXT_AGENT = {
    "objectType": "contextAgent",
    "agent": {"objectType": "Agent", "mbox": "mailto:player-1@example.com"},
    "relevantTypes": ["https://example.com/xapi/activity-types/personnel/player"],
}
CONTEXT_GROUP = {
    "objectType": "contextGroup",
    "group": {"objectType": "Group", "mbox": "mailto:team-1@example.com"},
    "relevantTypes": ["https://example.com/xapi/activity-types/team/a"],
}


def set_path(stmt: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Set (or with DROP delete) a dotted path such as ``context.contextActivities.parent``."""
    *parents, last = path.split(".")
    node: Any = stmt
    for part in parents:
        if isinstance(node, list):
            node = node[int(part)]
        else:
            node = node.setdefault(part, {})
    if isinstance(node, list):
        node[int(last)] = value
    elif value is DROP:
        node.pop(last, None)
    else:
        node[last] = value
    return stmt


def stmt_with(*changes: tuple[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    stmt = copy.deepcopy(base) if base is not None else make_statement()
    for path, value in changes:
        set_path(stmt, path, value)
    return stmt


def accepts(stmt: Any, version: str = V1) -> None:
    validate_statement(stmt, version=version)
    # The marshmallow engine runs the same schemas and must agree.
    validate_statement_with_marshmallow(stmt, version=version)


def rejects(stmt: Any, version: str = V1, *, path: str | None = None) -> InvalidField:
    with pytest.raises(InvalidField) as info:
        validate_statement(stmt, version=version)
    with pytest.raises(ValidationError):
        validate_statement_with_marshmallow(stmt, version=version)
    if path is not None:
        assert info.value.path == path, info.value.message
    return info.value


# --------------------------------------------------------------------------------------------------
# Whole statements
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", BOTH)
def test_minimal_statement_from_the_spec_is_valid(version: str) -> None:
    accepts(
        {
            "id": "12345678-1234-5678-1234-567812345678",
            "actor": {"mbox": "mailto:xapi@adlnet.gov"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/created", "display": {"en-US": "created"}},
            "object": {"id": "http://example.adlnet.gov/xapi/example/activity"},
        },
        version,
    )


@pytest.mark.parametrize("version", BOTH)
def test_a_full_statement_is_valid(version: str) -> None:
    stmt = make_statement(
        actor=make_group(ifi="account"),
        result={
            "score": {"scaled": 0.95, "raw": 95, "min": 0, "max": 100},
            "success": True,
            "completion": True,
            "response": "We agreed on several things.",
            "duration": "PT1H0M0S",
            "extensions": {"http://example.org/ext/notes": {"any": ["json", 1, None]}},
        },
        context={
            "registration": random_uuid(),
            "instructor": make_agent("openid"),
            "team": make_group(ifi="mbox"),
            "contextActivities": {
                "parent": [make_activity()],
                "grouping": make_activity(),
                "category": [{"id": "http://example.org/profile/x", "objectType": "Activity"}],
                "other": [],
            },
            "revision": "r2",
            "platform": "Example LMS",
            "language": "en-US",
            "statement": make_statement_ref(),
            "extensions": {"http://example.org/ext/room": "2B"},
        },
        stored="2024-01-02T03:04:05.123Z",
        authority=make_agent("account"),
        version="1.0.0",
        attachments=[make_attachment(description={"en-US": "d"}, fileUrl="http://example.org/file.txt")],
    )
    accepts(stmt, version)


def test_builders_make_valid_objects() -> None:
    for ifi in ("mbox", "mbox_sha1sum", "openid", "account"):
        accepts(make_statement(actor=make_agent(ifi)))
        accepts(make_statement(actor=make_group(ifi=ifi)))
    accepts(make_statement(object=make_substatement()))
    accepts(make_statement(object=make_statement_ref()))
    accepts(make_statement(object=make_agent()))
    accepts(make_statement(object=make_group()))


@pytest.mark.parametrize("value", [None, [], "statement", 3, [make_statement()]])
def test_statement_must_be_an_object(value: Any) -> None:
    rejects(value, path="statement")


@pytest.mark.parametrize("key", ["actor", "verb", "object"])
def test_required_properties(key: str) -> None:
    rejects(make_statement(**{key: DROP}), path=f"statement.{key}")


@pytest.mark.parametrize(
    "key", ["iD", "Actor", "veRb", "oBject", "RESULT", "conText", "timeStamp", "STOred", "Version", "attachmentS", "dummy"]
)
@pytest.mark.parametrize("version", BOTH)
def test_unknown_or_miscased_properties_are_rejected(key: str, version: str) -> None:
    stmt = make_statement()
    stmt[key] = stmt.get(key.lower(), "x")
    rejects(stmt, version, path=f"statement.{key}")


@pytest.mark.parametrize(
    "path",
    ["actor", "verb", "object", "context", "result", "id", "timestamp", "actor.name", "verb.display",
     "object.definition", "attachments", "authority", "version", "stored"],
)  # fmt: skip
def test_null_values_are_rejected(path: str) -> None:
    rejects(stmt_with((path, None)), path=f"statement.{path}")


def test_null_inside_lists_is_rejected() -> None:
    rejects(make_statement(attachments=[None]), path="statement.attachments[0]")
    rejects(stmt_with(("context.contextActivities.parent", [None])), path="statement.context.contextActivities.parent[0]")


def test_error_path_uses_the_given_prefix() -> None:
    stmt = stmt_with(("context.contextActivities.parent", [{"id": "not an iri"}]))
    with pytest.raises(InvalidField) as info:
        validate_statement(stmt, path="statement[3]")
    assert info.value.message == "statement[3].context.contextActivities.parent[0].id: not an absolute IRI: 'not an iri'"
    assert info.value.status == 400


def test_validation_does_not_modify_the_statement() -> None:
    stmt = make_statement(context={"contextActivities": {"parent": make_activity()}})
    before = copy.deepcopy(stmt)
    validate_statement(stmt)
    validate_statement_with_marshmallow(stmt)
    assert stmt == before


def test_unsupported_version_argument() -> None:
    with pytest.raises(ValueError):
        validate_statement(make_statement(), version="0.95")


# --------------------------------------------------------------------------------------------------
# id, timestamp, stored, version
# --------------------------------------------------------------------------------------------------

GOOD_UUIDS = [
    "12345678-1234-5678-1234-567812345678",
    "AA97B177-9383-4934-8543-0F91A7A02836",
    "aa97b177-9383-4934-8543-0f91a7a02836",
    "00000000-0000-0000-0000-000000000000",
    "6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
]
BAD_UUIDS = [
    "AA97B177-9383-4934-8543-0F91A7A028368",  # too many digits (CTS)
    "MA97B177-9383-4934-8543-0F91A7A02836",  # not hex (CTS)
    "aa97b1779383493485430f91a7a02836",  # no hyphens
    "{aa97b177-9383-4934-8543-0f91a7a02836}",
    "aa97b177-9383-4934-8543-0f91a7a02836\n",
    "",
]


@pytest.mark.parametrize("value", GOOD_UUIDS)
@pytest.mark.parametrize("field", ["id", "context.registration", "object"])
def test_uuids_accepted(value: str, field: str) -> None:
    if field == "object":
        accepts(make_statement(object=make_statement_ref(value)))
        accepts(stmt_with(("context.statement", make_statement_ref(value))))
    else:
        accepts(stmt_with((field, value)))
    assert is_uuid(value)


@pytest.mark.parametrize("value", [*BAD_UUIDS, 12345, {"key": "should fail"}])
@pytest.mark.parametrize("field", ["id", "context.registration", "object.id", "context.statement.id"])
def test_uuids_rejected(value: Any, field: str) -> None:
    stmt = make_statement(object=make_statement_ref()) if field == "object.id" else make_statement()
    if field == "context.statement.id":
        stmt["context"] = {"statement": make_statement_ref()}
    rejects(stmt_with((field, value), base=stmt), path=f"statement.{field}")
    assert not is_uuid(value)


GOOD_TIMESTAMPS = [
    "2008-09-15T15:53:00.601Z",
    "2008-09-15T15:53:00.601+00:00",  # 2.0 CTS VALID_RFC
    "2008-09-15T15:53:00+05:30",
    "2008-09-15T15:53:00.123456789-05:00",
    "2008-09-15T15:53:00Z",
    "2008-09-15t15:53:00z",
    "2008-09-15 15:53:00.601+00:00",  # RFC 3339 allows a space
    "2008-09-15T15:53Z",  # ISO 8601 reduced precision
    "2008-09-15T15:53:00",  # no zone: taken as UTC
    "2008-09-15T15:53:00+0100",
    "2008-09-15T15:53:00+01",
    "20080915T155300.5Z",  # ISO 8601 basic format
    "2016-12-31T23:59:60Z",  # leap second
    "2999-01-01T00:00:00Z",  # the future is fine (CTS timestamp_property.js)
]
BAD_TIMESTAMPS = [
    "should fail",
    "01/011/2015",
    "2008-09-15T15:53:00.601-00",  # CTS: negative zero offsets
    "2008-09-15T15:53:00.601-0000",
    "2008-09-15T15:53:00.601-00:00",
    "2008-09-15",
    "2008-13-15T15:53:00Z",
    "2008-02-30T15:53:00Z",
    "2008-09-15T24:00:00Z",
    "2008-09-15T15:61:00Z",
    "2008-09-15T15:53:00+25:00",
    "2008-09-15T15:53:00.Z",
    "",
]


@pytest.mark.parametrize("value", GOOD_TIMESTAMPS)
@pytest.mark.parametrize("version", BOTH)
def test_timestamps_accepted(value: str, version: str) -> None:
    accepts(make_statement(timestamp=value, stored=value), version)
    accepts(make_statement(object=make_substatement(timestamp=value)), version)


@pytest.mark.parametrize("value", [*BAD_TIMESTAMPS, 1234567890, {"a": 1}])
@pytest.mark.parametrize("field", ["timestamp", "stored", "object.timestamp"])
@pytest.mark.parametrize("version", BOTH)
def test_timestamps_rejected(value: Any, field: str, version: str) -> None:
    base = make_statement(object=make_substatement())
    rejects(stmt_with((field, value), base=base), version, path=f"statement.{field}")


@pytest.mark.parametrize("value", ["1.0", "1.0.0", "1.0.3", "1.0.9", "1.0.10"])
@pytest.mark.parametrize("version", BOTH)
def test_versions_1_0_x_accepted(value: str, version: str) -> None:
    accepts(make_statement(version=value), version)


@pytest.mark.parametrize("value", ["2.0.0", "2.0", "2.0.1"])
def test_version_2_0_only_under_2_0(value: str) -> None:
    accepts(make_statement(version=value), V2)
    rejects(make_statement(version=value), V1, path="statement.version")


@pytest.mark.parametrize("value", ["1.1.0", "0.9.9", "0.95", "should fail", "1.0.x", "1", "2.1.0", "3.0.0", 1.0, ""])
@pytest.mark.parametrize("version", BOTH)
def test_versions_rejected(value: Any, version: str) -> None:
    rejects(make_statement(version=value), version, path="statement.version")


# --------------------------------------------------------------------------------------------------
# Actor: Agents, Groups, IFIs, accounts
# --------------------------------------------------------------------------------------------------

# Every place an Agent-or-Group goes, as (path of the slot, statement to put it in).
AGENT_SLOTS = ["actor", "authority", "context.instructor", "object", "object.actor", "object.context.instructor"]


def _slot_statement(slot: str, agent: dict[str, Any]) -> dict[str, Any]:
    if slot == "object":
        agent = {**agent, "objectType": agent.get("objectType", "Agent")}
    base = make_statement(object=make_substatement()) if slot.startswith("object.") else make_statement()
    return stmt_with((slot, agent), base=base)


VALID_AGENTS = [
    {"mbox": "mailto:xapi@adlnet.gov"},
    {"objectType": "Agent", "name": "x", "mbox": "mailto:first.last+tag@sub.example.co.uk"},
    {"mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975"},
    {"mbox_sha1sum": "CD9B00A5611F94EAA7B1661EDAB976068E364975"},
    {"openid": "http://openid.example.org/12345"},
    {"account": {"homePage": "http://www.example.com", "name": "xAPI account name"}},
    {"account": {"homePage": "https://lms.example.org/", "name": ""}},
]
INVALID_AGENTS = [
    ({}, ""),
    ({"objectType": "Agent"}, ""),
    ({"name": "no ifi"}, ""),
    ({"mbox": "mailto:a@b.org", "openid": "http://openid.example.org/1"}, ""),
    ({"mbox": "mailto:a@b.org", "account": {"homePage": "http://x.org", "name": "n"}}, ""),
    ({"mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975", "mbox": "mailto:a@b.org"}, ""),
    ({"mbox": "xapi@adlnet.gov"}, ".mbox"),
    ({"mbox": "mailto:should.fail.com"}, ".mbox"),  # CTS INVALID_MAIL_TO_EMAIL
    ({"mbox": "http://should.fail.com"}, ".mbox"),  # CTS INVALID_MAIL_TO_IRI
    ({"mbox": "MAILTO:a@b.org"}, ".mbox"),
    ({"mbox": "mailto:"}, ".mbox"),
    ({"mbox": 123}, ".mbox"),
    ({"mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e36497"}, ".mbox_sha1sum"),
    ({"mbox_sha1sum": "zd9b00a5611f94eaa7b1661edab976068e364975"}, ".mbox_sha1sum"),
    ({"openid": "open.id.com/testUser"}, ".openid"),  # Data2.2: no scheme
    ({"openid": "ab=c://should.fail.com"}, ".openid"),
    ({"account": {"homePage": "homePage.com/testUser", "name": "123456"}}, ".account.homePage"),  # Data2.2
    ({"account": {"homePage": "ab=c://should.fail.com", "name": "n"}}, ".account.homePage"),
    ({"account": {"name": "n"}}, ".account.homePage"),
    ({"account": {"homePage": "http://x.org"}}, ".account.name"),
    ({"account": {"homePage": "http://x.org", "name": {"key": "value"}}}, ".account.name"),
    ({"account": {"homePage": "http://x.org", "name": "n", "extra": 1}}, ".account.extra"),
    ({"account": "http://x.org|n"}, ".account"),
    ({"objectType": "agent", "mbox": "mailto:a@b.org"}, ".objectType"),
    ({"objectType": 123, "mbox": "mailto:a@b.org"}, ".objectType"),
    ({"objectType": {"key": "value"}, "mbox": "mailto:a@b.org"}, ".objectType"),
    ({"name": 123, "mbox": "mailto:a@b.org"}, ".name"),
    ({"name": {"key": "value"}, "mbox": "mailto:a@b.org"}, ".name"),
    ({"mbox": "mailto:a@b.org", "member": [{"mbox": "mailto:c@d.org"}]}, ".member"),
    ({"mbox": "mailto:a@b.org", "key": "value"}, ".key"),
]


@pytest.mark.parametrize("agent", VALID_AGENTS)
@pytest.mark.parametrize("slot", AGENT_SLOTS)
def test_valid_agents_everywhere(agent: dict[str, Any], slot: str) -> None:
    accepts(_slot_statement(slot, agent))


@pytest.mark.parametrize(
    ("agent", "suffix", "slot"),
    [
        (agent, suffix, slot)
        for slot in AGENT_SLOTS
        for agent, suffix in INVALID_AGENTS
        # A bad objectType in the object slot is an object-dispatch error (tested with objects).
        if not (slot == "object" and suffix == ".objectType")
    ],
)
def test_invalid_agents_everywhere(agent: dict[str, Any], suffix: str, slot: str) -> None:
    rejects(_slot_statement(slot, agent), path=f"statement.{slot}{suffix}")


VALID_GROUPS = [
    {"objectType": "Group", "member": [{"mbox": "mailto:a@b.org"}]},
    {"objectType": "Group", "name": "anon", "member": [{"objectType": "Agent", "mbox": "mailto:a@b.org"}, {"openid": "http://o.org/1"}]},
    {"objectType": "Group", "mbox": "mailto:team@example.org"},
    {"objectType": "Group", "mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975", "member": []},
    {"objectType": "Group", "openid": "http://openid.example.org/team"},
    {"objectType": "Group", "account": {"homePage": "http://x.org", "name": "team"}, "member": [{"mbox": "mailto:a@b.org"}]},
]  # fmt: skip
INVALID_GROUPS = [
    ({"objectType": "Group"}, ".member"),  # anonymous without members
    ({"objectType": "Group", "name": "Group Anonymous"}, ".member"),
    ({"objectType": "Group", "member": []}, ".member"),
    ({"objectType": "Group", "mbox": "mailto:a@b.org", "openid": "http://o.org/1"}, ""),
    ({"objectType": "Group", "member": [{"objectType": "Group", "mbox": "mailto:g@b.org"}]}, ".member[0].objectType"),
    ({"objectType": "Group", "member": [{"name": "no ifi"}]}, ".member[0]"),
    ({"objectType": "Group", "member": {"mbox": "mailto:a@b.org"}}, ".member"),
    ({"objectType": "Group", "member": [{"mbox": "mailto:a@b.org"}], "key": "value"}, ".key"),
    ({"objectType": "group", "member": [{"mbox": "mailto:a@b.org"}]}, ".objectType"),
    ({"member": [{"mbox": "mailto:a@b.org"}]}, ".member"),  # no objectType: an Agent, which has no member
]


@pytest.mark.parametrize("group", VALID_GROUPS)
@pytest.mark.parametrize("slot", ["actor", "context.instructor", "context.team", "object", "object.actor"])
def test_valid_groups(group: dict[str, Any], slot: str) -> None:
    accepts(_slot_statement(slot, group))


@pytest.mark.parametrize(("group", "suffix"), INVALID_GROUPS)
@pytest.mark.parametrize("slot", ["actor", "context.instructor", "object.actor"])
def test_invalid_groups(group: dict[str, Any], suffix: str, slot: str) -> None:
    rejects(_slot_statement(slot, group), path=f"statement.{slot}{suffix}")


@pytest.mark.parametrize("team", [make_agent(), {"mbox": "mailto:a@b.org"}, {"key": "value"}, "team"])
def test_team_must_be_a_group(team: Any) -> None:
    rejects(stmt_with(("context.team", team)))


# --------------------------------------------------------------------------------------------------
# Authority
# --------------------------------------------------------------------------------------------------

OAUTH_PAIR = [
    {"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "oauth_consumer_x75db"}},
    {"mbox": "mailto:bob@example.com"},
]


def test_authority_agent_or_oauth_group_of_two() -> None:
    accepts(make_statement(authority=make_agent("account")))
    accepts(make_statement(authority={"objectType": "Group", "member": OAUTH_PAIR}))


@pytest.mark.parametrize(
    "authority",
    [
        {"objectType": "Group", "member": OAUTH_PAIR[:1]},
        {"objectType": "Group", "member": [*OAUTH_PAIR, {"mbox": "mailto:third@example.com"}]},
        {"objectType": "Group", "mbox": "mailto:g@example.com", "member": OAUTH_PAIR},  # identified (CTS, XAPI-00100)
        {"objectType": "Group", "openid": "http://openid.example.org/g"},
    ],
)
def test_authority_group_rules(authority: dict[str, Any]) -> None:
    rejects(make_statement(authority=authority), path="statement.authority")


# --------------------------------------------------------------------------------------------------
# Verb
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "verb",
    [
        {"id": "http://adlnet.gov/expapi/verbs/attended"},
        {"id": "http://example.com/فعل/خواندن", "display": {"ar": "قرأ"}},
        {"id": "urn:example:verb:did", "display": {}},
        {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"de": "besucht", "sr-Cyrl": "x", "i-klingon": "y"}},
    ],
)
def test_valid_verbs(verb: dict[str, Any]) -> None:
    accepts(make_statement(verb=verb))
    accepts(make_statement(object=make_substatement(verb=verb)))


@pytest.mark.parametrize(
    ("verb", "suffix"),
    [
        ({"display": {"en-US": "x"}}, ".id"),
        ({"id": "adlnet.gov/expapi/verbs/attended"}, ".id"),  # Data2.2: no scheme
        ({"id": "ab=c://should.fail.com"}, ".id"),
        ({"id": ""}, ".id"),
        ({"id": "http://example.com/a verb"}, ".id"),
        ({"id": 12}, ".id"),
        ({"id": "http://example.com/v", "display": 12345}, ".display"),
        ({"id": "http://example.com/v", "display": "should fail"}, ".display"),
        ({"id": "http://example.com/v", "display": {"something": "besucht"}}, ".display"),
        ({"id": "http://example.com/v", "display": {"en-US": 1}}, ".display['en-US']"),
        ({"id": "http://example.com/v", "display": {"en-US": None}}, ".display['en-US']"),
        ({"id": "http://example.com/v", "name": {"en-US": "x"}}, ".name"),
        ("http://example.com/v", ""),
    ],
)
def test_invalid_verbs(verb: Any, suffix: str) -> None:
    rejects(make_statement(verb=verb), path=f"statement.verb{suffix}")
    rejects(make_statement(object=make_substatement(verb=verb)), path=f"statement.object.verb{suffix}")


# --------------------------------------------------------------------------------------------------
# Language tags and maps
# --------------------------------------------------------------------------------------------------

GOOD_TAGS = [
    "en", "en-US", "de-DE", "zh-Hant", "sr-Latn-RS", "cmn", "es-419", "ase", "zh-Hans-CN", "fr-CA", "ja",
    "de-CH-1901", "sl-rozaj-biske", "zh-yue-HK", "en-a-bbb-x-a-ccc", "x-whatever", "i-klingon", "en-GB-oed",
    "EN-us", "und", "qaa-Qaaa-QM-x-southern", "en-US-x-twain", "hy-Latn-IT-arevela",
]  # fmt: skip
BAD_TAGS = [
    "something", "a12345678", "a12345", "en-something-AU", "zh-something-ccc", "s-something",
    "zh-z-aaa-z-bbb-c-ccc",  # two extensions with the same singleton (CTS)
    "de-1901-1901",  # repeated variant
    "", "e", "en-", "-en", "en--US", "en_US", "en-US-", "x", "ar-a-aaa-b-bbb-a-ccc", "123",
]  # fmt: skip


@pytest.mark.parametrize("tag", GOOD_TAGS)
def test_good_language_tags(tag: str) -> None:
    assert is_language_tag(tag)
    validate_language_tag(tag)
    accepts(stmt_with(("context.language", tag), ("verb.display", {tag: "x"})))


@pytest.mark.parametrize("tag", BAD_TAGS)
def test_bad_language_tags(tag: str) -> None:
    assert not is_language_tag(tag)
    with pytest.raises(InvalidField):
        validate_language_tag(tag)
    rejects(stmt_with(("context.language", tag)), path="statement.context.language")
    rejects(stmt_with(("verb.display", {"en-US": "x", tag: "y"})), path="statement.verb.display")


LANGUAGE_MAP_SLOTS = [
    "verb.display",
    "object.definition.name",
    "object.definition.description",
    "attachments.0.display",
    "attachments.0.description",
    "object.definition.choices.0.description",
]


@pytest.mark.parametrize("slot", LANGUAGE_MAP_SLOTS)
@pytest.mark.parametrize("value", [12345, "should fail", ["en-US"], {"a12345678": "should error"}, {"en-US": 3}])
def test_language_maps_rejected_everywhere(slot: str, value: Any) -> None:
    base = make_statement(
        attachments=[make_attachment(description={"en-US": "d"})],
        object=make_activity(definition={"interactionType": "choice", "choices": [{"id": "a", "description": {"en": "A"}}]}),
    )
    error = rejects(stmt_with((slot, value), base=base))
    assert error.path.startswith("statement." + slot.replace(".0.", "[0].").replace(".0", "[0]"))


# --------------------------------------------------------------------------------------------------
# Object: Activity, definitions, interactions
# --------------------------------------------------------------------------------------------------

INTERACTIONS = {
    "true-false": {"correctResponsesPattern": ["true"]},
    "choice": {
        "correctResponsesPattern": ["golf[,]tetris"],
        "choices": [{"id": "golf", "description": {"en-US": "Golf"}}, {"id": "tetris"}],
    },
    "fill-in": {"correctResponsesPattern": ["Bob's your uncle"]},
    "long-fill-in": {"correctResponsesPattern": ["{case_matters=false}{lang=en}To store and provide access"]},
    "matching": {
        "correctResponsesPattern": ["ben[.]3[,]chris[.]2"],
        "source": [{"id": "ben"}, {"id": "chris"}],
        "target": [{"id": "2"}, {"id": "3"}],
    },
    "performance": {"correctResponsesPattern": ["pong[.]1:[,]dg[.]:10"], "steps": [{"id": "pong"}, {"id": "dg"}]},
    "sequencing": {"correctResponsesPattern": ["a[,]b"], "choices": [{"id": "a"}, {"id": "b"}]},
    "likert": {"correctResponsesPattern": ["likert_3"], "scale": [{"id": "likert_0"}, {"id": "likert_3"}]},
    "numeric": {"correctResponsesPattern": ["4[:]"]},
    "other": {"correctResponsesPattern": ["(35.937432,-86.868896)"]},
}


def _interaction(kind: str, **extra: Any) -> dict[str, Any]:
    definition = {"type": "http://adlnet.gov/expapi/activities/cmi.interaction", "interactionType": kind}
    definition.update(copy.deepcopy(INTERACTIONS[kind]))
    definition.update(extra)
    return make_activity(definition=definition)


@pytest.mark.parametrize("kind", sorted(INTERACTIONS))
def test_every_interaction_type(kind: str) -> None:
    accepts(make_statement(object=_interaction(kind)))
    accepts(make_statement(object=make_substatement(object=_interaction(kind))))
    accepts(make_statement(object=_interaction(kind, correctResponsesPattern=[])))


@pytest.mark.parametrize("kind", sorted(INTERACTIONS))
def test_interaction_properties_need_an_interaction_type(kind: str) -> None:
    # CTS Data2.4.4 XAPI-00064: deleting interactionType from any interaction template -> 400.
    activity = _interaction(kind)
    del activity["definition"]["interactionType"]
    rejects(make_statement(object=activity), path="statement.object.definition.interactionType")


@pytest.mark.parametrize("value", ["true-faLse", "choiCe", "Other", "http://example.com/choice", 12, {"a": 1}, ""])
def test_interaction_type_is_a_case_sensitive_enum(value: Any) -> None:
    rejects(make_statement(object=make_activity(definition={"interactionType": value})), path="statement.object.definition.interactionType")


@pytest.mark.parametrize(
    ("kind", "component_list"),
    [("true-false", "choices"), ("choice", "scale"), ("likert", "choices"), ("numeric", "steps"),
     ("other", "source"), ("performance", "target"), ("matching", "steps"), ("fill-in", "choices")],
)  # fmt: skip
def test_component_lists_only_for_their_interaction_type(kind: str, component_list: str) -> None:
    activity = _interaction(kind, **{component_list: [{"id": "a"}]})
    rejects(make_statement(object=activity), path=f"statement.object.definition.{component_list}")


@pytest.mark.parametrize(
    ("components", "suffix"),
    [
        ([{"id": "a"}, {"id": "a"}], "[1].id"),
        ([{"id": ""}], "[0].id"),
        ([{"description": {"en": "x"}}], "[0].id"),
        ([{"id": 1}], "[0].id"),
        ([{"id": "a", "name": {"en": "x"}}], "[0].name"),
        ([{"id": "a", "description": {"something": "x"}}], "[0].description"),
        ({"id": "a"}, ""),
    ],
)
def test_interaction_component_rules(components: Any, suffix: str) -> None:
    activity = _interaction("choice", choices=components)
    rejects(make_statement(object=activity), path=f"statement.object.definition.choices{suffix}")


@pytest.mark.parametrize("value", ["golf", [1], [None], {"a": "b"}])
def test_correct_responses_pattern_is_an_array_of_strings(value: Any) -> None:
    rejects(make_statement(object=_interaction("choice", correctResponsesPattern=value)))


@pytest.mark.parametrize(
    ("activity", "suffix"),
    [
        ({"objectType": "Activity"}, ".id"),
        ({"id": "www.example.com/meetings/occurances/34534"}, ".id"),  # Data2.2: no scheme
        ({"id": "ab=c://should.fail.com"}, ".id"),
        ({"id": "http://example.com/a", "definition": "x"}, ".definition"),
        ({"id": "http://example.com/a", "definition": {"type": "adlnet.gov/expapi/activities/meeting"}}, ".definition.type"),
        ({"id": "http://example.com/a", "definition": {"moreInfo": "virtualmeeting.example.com/345256"}}, ".definition.moreInfo"),
        ({"id": "http://example.com/a", "definition": {"extensions": {"not.valid.com/extension": 1234}}}, ".definition.extensions"),
        ({"id": "http://example.com/a", "definition": {"extensions": "should fail"}}, ".definition.extensions"),
        ({"id": "http://example.com/a", "definition": {"something": "value"}}, ".definition.something"),
        ({"id": "http://example.com/a", "something": "value"}, ".something"),
        ({"objectType": "activity", "id": "http://example.com/a"}, ".objectType"),
    ],
)
def test_invalid_activities(activity: dict[str, Any], suffix: str) -> None:
    rejects(make_statement(object=activity), path=f"statement.object{suffix}")
    rejects(make_statement(object=make_substatement(object=activity)), path=f"statement.object.object{suffix}")


@pytest.mark.parametrize(
    "definition",
    [
        {},
        {"name": {"en-US": "x"}},
        {"description": {"en-GB": "x", "de": "y"}},
        {"type": "http://adlnet.gov/expapi/activities/meeting"},
        {"moreInfo": "http://virtualmeeting.example.com/345256"},
        {"extensions": {}},
        {"extensions": {"http://example.com/ex": None}},
        {"extensions": {"http://example.com/ex": ""}},
        {"extensions": {"http://example.com/ex": {}}},
        {"extensions": {"urn:x-example:ext": [1, {"a": None}]}},
        {"interactionType": "other"},
    ],
)
def test_valid_definitions(definition: dict[str, Any]) -> None:
    accepts(make_statement(object=make_activity(definition=definition)))


@pytest.mark.parametrize(
    "iri",
    ["http://example.com", "https://example.com/a/b?c=d#e", "urn:uuid:6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
     "tag:example.com,2024:x", "http://例え.テスト/パス", "mailto:a@b.org", "x-custom+1.a:b"],
)  # fmt: skip
def test_is_iri_accepts(iri: str) -> None:
    assert is_iri(iri)
    validate_activity_id(iri, "activityId")


@pytest.mark.parametrize(
    "value",
    ["", "should fail", "abc", "www.example.com/path", "ab=c://should.fail.com", "1http://x", "http://a b",
     "http:", ":foo", "http://example.com/<a>", 12, None, {"id": "http://x.org"}],
)  # fmt: skip
def test_is_iri_rejects(value: Any) -> None:
    assert not is_iri(value)
    with pytest.raises(InvalidField) as info:
        validate_activity_id(value, "activityId")
    assert info.value.path == "activityId"


# --------------------------------------------------------------------------------------------------
# Object: Agent/Group, StatementRef, SubStatement
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("obj", [{"mbox": "mailto:a@b.org"}, {"member": [{"mbox": "mailto:a@b.org"}]}, {"account": {"homePage": "http://x.org", "name": "n"}}])
def test_agent_or_group_object_needs_object_type(obj: dict[str, Any]) -> None:
    # CTS Data2.4.4 XAPI-00065.
    rejects(make_statement(object=obj), path="statement.object.objectType")
    rejects(make_statement(object=make_substatement(object=obj)), path="statement.object.object.objectType")


@pytest.mark.parametrize("object_type", ["activity", "agent", "group", "statementref", "substatement", "Person", 3])
def test_object_type_values_are_case_sensitive(object_type: Any) -> None:
    rejects(make_statement(object={"objectType": object_type, "id": "http://example.com/a"}), path="statement.object.objectType")


@pytest.mark.parametrize(
    ("ref", "suffix"),
    [
        ({"objectType": "StatementRef"}, ".id"),
        ({"objectType": "StatementRef", "id": "should fail"}, ".id"),
        ({"objectType": "StatementRef", "id": random_uuid(), "definition": {}}, ".definition"),
        ({"objectType": "statementref", "id": random_uuid()}, ".objectType"),
    ],
)
def test_invalid_statement_refs(ref: dict[str, Any], suffix: str) -> None:
    rejects(make_statement(object=ref), path=f"statement.object{suffix}")
    rejects(stmt_with(("context.statement", ref)), path=f"statement.context.statement{suffix}")


def test_context_statement_requires_object_type() -> None:
    rejects(stmt_with(("context.statement", {"id": random_uuid()})), path="statement.context.statement.objectType")


@pytest.mark.parametrize(
    ("sub", "suffix"),
    [
        (make_substatement(actor=DROP), ".actor"),
        (make_substatement(verb=DROP), ".verb"),
        (make_substatement(object=DROP), ".object"),
        (make_substatement(id=random_uuid()), ".id"),
        (make_substatement(stored="2024-01-01T00:00:00Z"), ".stored"),
        (make_substatement(version="1.0.0"), ".version"),
        (make_substatement(authority=make_agent()), ".authority"),
        (make_substatement(object=make_substatement()), ".object.objectType"),
        (make_substatement(objectType="Substatement"), ".objectType"),
    ],
)
@pytest.mark.parametrize("version", BOTH)
def test_invalid_substatements(sub: dict[str, Any], suffix: str, version: str) -> None:
    rejects(make_statement(object=sub), version, path=f"statement.object{suffix}")


def test_substatement_forbidden_property_message() -> None:
    error = rejects(make_statement(object=make_substatement(id=random_uuid())))
    assert "not allowed in a SubStatement" in error.detail


@pytest.mark.parametrize(
    "sub",
    [
        make_substatement(object=make_agent()),
        make_substatement(object=make_group()),
        make_substatement(object=make_statement_ref()),
        make_substatement(result={"success": True, "duration": "PT1S"}, context={"registration": random_uuid()}),
        make_substatement(timestamp="2999-01-01T00:00:00Z", attachments=[make_attachment()]),
    ],
)
def test_valid_substatements(sub: dict[str, Any]) -> None:
    accepts(make_statement(object=sub))


# --------------------------------------------------------------------------------------------------
# Result and score
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "score",
    [
        {"scaled": 0.95}, {"scaled": 1.0}, {"scaled": -1.0}, {"scaled": 0}, {"raw": 12.5},
        {"raw": 0, "min": 0, "max": 1}, {"raw": 1, "min": 0, "max": 1}, {"min": -5.5, "max": 5.5},
        {"raw": -3, "min": -10}, {"raw": 3, "max": 10}, {},
    ],
)  # fmt: skip
def test_valid_scores(score: dict[str, Any]) -> None:
    accepts(make_statement(result={"score": score}))
    accepts(make_statement(object=make_substatement(result={"score": score})))


@pytest.mark.parametrize(
    ("score", "field"),
    [
        ({"scaled": 1.01}, "scaled"),
        ({"scaled": -1.00001}, "scaled"),
        ({"raw": 11, "max": 10}, "raw"),
        ({"raw": -1, "min": 0}, "raw"),
        ({"min": 5, "max": 5}, "min"),
        ({"min": 6, "max": 5}, "min"),
        ({"scaled": "0.5"}, "scaled"),
        ({"raw": True}, "raw"),
        ({"max": "100"}, "max"),
        ({"min": None}, "min"),
        ({"points": 3}, "points"),
    ],
)
def test_invalid_scores(score: dict[str, Any], field: str) -> None:
    rejects(make_statement(result={"score": score}), path=f"statement.result.score.{field}")


@pytest.mark.parametrize(
    ("result", "field"),
    [
        ({"success": "true"}, "success"),
        ({"success": "false"}, "success"),
        ({"success": 1}, "success"),
        ({"completion": "true"}, "completion"),
        ({"completion": 0}, "completion"),
        ({"completion": {}}, "completion"),
        ({"response": 12345}, "response"),
        ({"duration": 12345}, "duration"),
        ({"duration": "should fail"}, "duration"),
        ({"extensions": 12345}, "extensions"),
        ({"extensions": "should fail"}, "extensions"),
        ({"extensions": {"example.com/extension/wrong": 1234}}, "extensions"),  # Data2.2
        ({"score": 95}, "score"),
        ({"score": "95"}, "score"),
        ({"passed": True}, "passed"),
    ],
)
def test_invalid_results(result: dict[str, Any], field: str) -> None:
    rejects(make_statement(result=result), path=f"statement.result.{field}")
    rejects(make_statement(object=make_substatement(result=result)), path=f"statement.object.result.{field}")


GOOD_DURATIONS = [
    "PT1H0M0S", "PT4H35M59.14S", "PT16559.14S", "P3Y1M29DT4H35M59.14S", "P3Y", "P4W", "PT0.1S",
    "P1DT12H36M0.12567S", "PT1.5H", "P0D", "PT0S", "P1Y2M", "PT1,5S", "P1.5W",
]  # fmt: skip
BAD_DURATIONS = [
    "PA1H0M0S", "P4W1D", "should fail", "P", "PT", "P1YT", "PT1.5H30M", "1H", "P-1D", "PT1H ", "pt1h",
    "P0001-02-03T04:05:06",  # the ISO 8601 alternative format is forbidden (4.6)
    "PT1M1H", "P1D1Y", "",
]  # fmt: skip


@pytest.mark.parametrize("value", GOOD_DURATIONS)
def test_good_durations(value: str) -> None:
    assert is_duration(value)
    accepts(make_statement(result={"duration": value}))


@pytest.mark.parametrize("value", BAD_DURATIONS)
def test_bad_durations(value: str) -> None:
    assert not is_duration(value)
    rejects(make_statement(result={"duration": value}), path="statement.result.duration")


# --------------------------------------------------------------------------------------------------
# Context
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["parent", "grouping", "category", "other"])
@pytest.mark.parametrize("version", BOTH)
def test_context_activities_single_or_array(kind: str, version: str) -> None:
    accepts(stmt_with((f"context.contextActivities.{kind}", make_activity())), version)
    accepts(stmt_with((f"context.contextActivities.{kind}", [make_activity(), {"id": "http://example.com/x"}])), version)
    accepts(stmt_with((f"context.contextActivities.{kind}", [])), version)


@pytest.mark.parametrize(
    ("value", "suffix"),
    [
        ("should fail", ".parent"),
        (12345, ".parent"),
        ({"a12345": "should fail"}, ".parent.a12345"),
        ([make_activity(), {"key": "value"}], ".parent[1].key"),
        ([{"id": "not an iri"}], ".parent[0].id"),
        ([["http://example.com/a"]], ".parent[0]"),
        ([{"objectType": "Agent", "mbox": "mailto:a@b.org"}], ".parent[0].objectType"),
    ],
)
def test_invalid_context_activities(value: Any, suffix: str) -> None:
    rejects(stmt_with(("context.contextActivities.parent", value)), path=f"statement.context.contextActivities{suffix}")


def test_context_activities_keys_are_restricted() -> None:
    rejects(stmt_with(("context.contextActivities.consequences", [make_activity()])), path="statement.context.contextActivities.consequences")
    rejects(stmt_with(("context.contextActivities", "should fail")), path="statement.context.contextActivities")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("registration", {"key": "value"}),
        ("registration", "should fail"),
        ("instructor", "should fail"),
        ("instructor", {"key": "value"}),
        ("revision", 12345),
        ("revision", {"key": "value"}),
        ("platform", 12345),
        ("language", 12345),
        ("language", {"a12345": "should fail"}),
        ("language", "something"),
        ("statement", "should fail"),
        ("extensions", "should fail"),
        ("extensions", {"example.com/extension/wrong": 1234}),
        ("contextAgents", [CONTEXT_AGENT]),  # 2.0 only
        ("contextGroups", [CONTEXT_GROUP]),
        ("dummy", 1),
    ],
)
def test_invalid_context_properties(field: str, value: Any) -> None:
    error = rejects(stmt_with((f"context.{field}", value)))
    assert error.path.startswith(f"statement.context.{field}")


@pytest.mark.parametrize("key", ["revision", "platform"])
@pytest.mark.parametrize(
    "obj", [make_agent(), make_group(), make_statement_ref(), make_substatement()], ids=["agent", "group", "ref", "sub"]
)
def test_revision_and_platform_only_with_an_activity(key: str, obj: dict[str, Any]) -> None:
    rejects(make_statement(object=obj, context={key: "x"}), path=f"statement.context.{key}")
    if obj["objectType"] != "SubStatement":
        sub = make_substatement(object=obj, context={key: "x"})
        rejects(make_statement(object=sub), path=f"statement.object.context.{key}")


@pytest.mark.parametrize("key", ["revision", "platform"])
def test_revision_and_platform_with_an_activity(key: str) -> None:
    accepts(make_statement(context={key: "x"}))
    accepts(make_statement(object={"id": "http://example.com/a"}, context={key: "x"}))
    accepts(make_statement(object=make_substatement(context={key: "x"})))


# --------------------------------------------------------------------------------------------------
# xAPI 2.0 contextAgents / contextGroups
# --------------------------------------------------------------------------------------------------


def test_context_agents_and_groups_under_2_0() -> None:
    context = {"contextAgents": [CONTEXT_AGENT, {"objectType": "contextAgent", "agent": make_agent()}],
               "contextGroups": [CONTEXT_GROUP, {"objectType": "contextGroup", "group": make_group()}]}  # fmt: skip
    accepts(make_statement(context=context), V2)
    accepts(make_statement(object=make_substatement(context=context)), V2)
    accepts(make_statement(context={"contextAgents": [], "contextGroups": []}), V2)


@pytest.mark.parametrize("key", ["contextAgents", "contextGroups"])
def test_context_agents_and_groups_are_unknown_under_1_0_3(key: str) -> None:
    item = CONTEXT_AGENT if key == "contextAgents" else CONTEXT_GROUP
    rejects(make_statement(context={key: [item]}), V1, path=f"statement.context.{key}")
    rejects(make_statement(object=make_substatement(context={key: [item]})), V1, path=f"statement.object.context.{key}")


@pytest.mark.parametrize(
    ("item", "suffix"),
    [
        ({**CONTEXT_AGENT, "objectType": "Should fail"}, ".objectType"),
        ({**CONTEXT_AGENT, "objectType": "ContextAgent"}, ".objectType"),
        ({k: v for k, v in CONTEXT_AGENT.items() if k != "objectType"}, ".objectType"),
        ({**CONTEXT_AGENT, "agent": {"key": "Should fail"}}, ".agent.key"),
        ({k: v for k, v in CONTEXT_AGENT.items() if k != "agent"}, ".agent"),
        ({**CONTEXT_AGENT, "agent": make_group()}, ".agent.objectType"),
        ({**CONTEXT_AGENT, "relevantTypes": []}, ".relevantTypes"),
        ({**CONTEXT_AGENT, "relevantTypes": ["abc"]}, ".relevantTypes[0]"),
        ({**CONTEXT_AGENT, "relevantTypes": "http://example.com/t"}, ".relevantTypes"),
        ({**CONTEXT_AGENT, "group": make_group()}, ".group"),
    ],
)
def test_invalid_context_agents(item: dict[str, Any], suffix: str) -> None:
    rejects(make_statement(context={"contextAgents": [item]}), V2, path=f"statement.context.contextAgents[0]{suffix}")
    sub = make_substatement(context={"contextAgents": [item]})
    rejects(make_statement(object=sub), V2, path=f"statement.object.context.contextAgents[0]{suffix}")


@pytest.mark.parametrize(
    ("item", "suffix"),
    [
        ({**CONTEXT_GROUP, "objectType": "contextAgent"}, ".objectType"),
        ({**CONTEXT_GROUP, "group": make_agent()}, ".group.objectType"),
        ({**CONTEXT_GROUP, "group": {"objectType": "Group"}}, ".group.member"),
        ({**CONTEXT_GROUP, "relevantTypes": []}, ".relevantTypes"),
        ({**CONTEXT_GROUP, "relevantTypes": ["http://example.com/t", "abc"]}, ".relevantTypes[1]"),
    ],
)
def test_invalid_context_groups(item: dict[str, Any], suffix: str) -> None:
    rejects(make_statement(context={"contextGroups": [item]}), V2, path=f"statement.context.contextGroups[0]{suffix}")


# --------------------------------------------------------------------------------------------------
# Attachments, voiding, signature attachment
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"usageType": "should fail"}, "usageType"),
        ({"usageType": "example.com/attachment-usage/test"}, "usageType"),
        ({"usageType": DROP}, "usageType"),
        ({"display": DROP}, "display"),
        ({"display": 12345}, "display"),
        ({"contentType": 12345}, "contentType"),
        ({"contentType": DROP}, "contentType"),
        ({"length": "should fail"}, "length"),
        ({"length": 27.5}, "length"),
        ({"length": -1}, "length"),
        ({"length": True}, "length"),
        ({"length": DROP}, "length"),
        ({"sha2": 12345}, "sha2"),
        ({"sha2": DROP}, "sha2"),
        ({"fileUrl": "should fail"}, "fileUrl"),
        ({"fileUrl": "over.there.com/file.txt"}, "fileUrl"),
        ({"description": "should fail"}, "description"),
        ({"name": "x"}, "name"),
    ],
)
def test_invalid_attachments(overrides: dict[str, Any], field: str) -> None:
    rejects(make_statement(attachments=[make_attachment(**overrides)]), path=f"statement.attachments[0].{field}")


@pytest.mark.parametrize("attachments", [[], [make_attachment(length=27.0)], [make_attachment(), make_attachment(fileUrl="http://x.org/f")]])
def test_valid_attachments(attachments: list[Any]) -> None:
    accepts(make_statement(attachments=attachments))


@pytest.mark.parametrize("value", [make_attachment(), "should fail", 12345, ["should fail"], [12345]])
def test_attachments_must_be_an_array_of_objects(value: Any) -> None:
    error = rejects(make_statement(attachments=value))
    assert error.path.startswith("statement.attachments")


def test_signature_attachment_content_type() -> None:
    signature = make_attachment(usageType="http://adlnet.gov/expapi/attachments/signature", contentType="application/octet-stream")
    accepts(make_statement(attachments=[signature]))
    signature["contentType"] = "text/plain; charset=ascii"  # CTS E.Data2.6 "bad content type"
    rejects(make_statement(attachments=[signature]), path="statement.attachments[0].contentType")


def test_voiding_statement_object_must_be_a_statement_ref() -> None:
    voided = make_verb("voided")
    accepts(make_statement(verb=voided, object=make_statement_ref()))
    rejects(make_statement(verb=voided, object=make_activity()), path="statement.object.objectType")
    rejects(make_statement(verb=voided, object=make_substatement(object=make_statement_ref())), path="statement.object.objectType")
    # Only a statement voids: a SubStatement with the voided verb describes, it does not void.
    accepts(make_statement(object=make_substatement(verb=voided)))


# --------------------------------------------------------------------------------------------------
# validate_agent / validate_uuid and friends
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("agent", [*VALID_AGENTS, {"objectType": "Group", "mbox": "mailto:team@example.org"}])
def test_validate_agent_accepts(agent: dict[str, Any]) -> None:
    validate_agent(agent)


@pytest.mark.parametrize(
    "agent",
    [
        {},
        {"objectType": "Group", "member": [{"mbox": "mailto:a@b.org"}]},  # anonymous: identifies no one
        {"mbox": "mailto:a@b.org", "openid": "http://o.org/1"},
        {"mbox": "a@b.org"},
        "mailto:a@b.org",
        None,
    ],
)
def test_validate_agent_rejects(agent: Any) -> None:
    with pytest.raises(InvalidField) as info:
        validate_agent(agent)
    assert info.value.path.startswith("agent")


def test_validate_agent_without_groups() -> None:
    with pytest.raises(InvalidField) as info:
        validate_agent({"objectType": "Group", "mbox": "mailto:g@b.org"}, allow_group=False, path="agent")
    assert info.value.path == "agent.objectType"


def test_validate_uuid() -> None:
    validate_uuid("6690e6c9-3ef0-4ed3-8b37-7f3964730bee", "registration")
    for bad in ("x", None, 12, "6690e6c9-3ef0-4ed3-8b37-7f3964730bee0"):
        with pytest.raises(InvalidField) as info:
            validate_uuid(bad, "registration")
        assert info.value.path == "registration"


def test_statement_schema_is_a_marshmallow_schema() -> None:
    from marshmallow import Schema
    from marshmallow import ValidationError as MMError

    schema = statement_schema(V2)
    assert isinstance(schema, Schema)
    assert statement_schema(V2) is schema  # built once
    with pytest.raises(MMError) as info:
        schema.load(make_statement(actor={"mbox": "x"}))
    assert "actor" in info.value.messages


# --------------------------------------------------------------------------------------------------
# The conformance suite's own statement cases
# --------------------------------------------------------------------------------------------------

CTS_DIR = os.environ.get("LRS_CTS_DIR", "/work/cts")

# Expands the suite's template configs exactly as its runner does (helper.convertTemplate and
# helper.createTestObject) and prints [{file, name, expect, data}] as JSON.
_CTS_DUMP_JS = r"""
const fs = require('fs');
process.chdir(process.argv[1]);
const helper = require(process.argv[1] + '/test/helper.js');
const out = [];
for (const file of fs.readdirSync('./test/' + process.env.DIRECTORY + '/configs').sort()) {
  for (const c of helper.getSingleTestConfiguration(file)) {
    for (const t of c.config) {
      let data = t.json;
      if (t.templates) {
        const mock = helper.createTestObject(helper.convertTemplate(t.templates));
        data = mock[Object.keys(mock)[0]];
      }
      out.push({file, name: c.name + ' / ' + t.name, expect: t.expect[0], data: data === undefined ? null : data});
    }
  }
}
process.stdout.write(JSON.stringify(out));
"""


def _cts_cases(directory: str) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None or not os.path.isdir(os.path.join(CTS_DIR, "test", directory, "configs")):
        pytest.skip("the ADL conformance suite (and node) are not available")
    env = {**os.environ, "DIRECTORY": directory}
    done = subprocess.run(
        [node, "-e", _CTS_DUMP_JS, CTS_DIR], capture_output=True, text=True, env=env, timeout=120, check=True
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize(("directory", "version"), [("v1_0_3", V1), ("v2_0", V2)])
def test_conformance_suite_statement_cases(directory: str, version: str) -> None:
    cases = _cts_cases(directory)
    assert len(cases) > 900
    wrong = []
    for case in cases:
        for engine in (validate_statement, validate_statement_with_marshmallow):
            try:
                engine(case["data"], version=version)
                got = 200
            except ValidationError:
                got = 400
            if got != case["expect"]:
                wrong.append(f"{engine.__name__}: {case['file']}: {case['name']}: expected {case['expect']}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_conformance_2_0_context_agents_are_rejected_under_1_0_3() -> None:
    cases = [c for c in _cts_cases("v2_0") if c["file"] in ("contextagents.js", "contextgroups.js")]
    assert cases
    for case in cases:
        with pytest.raises(ValidationError):
            validate_statement(case["data"], version=V1)
