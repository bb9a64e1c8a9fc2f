"""Validation of xAPI statements (xAPI-Data 2.2-2.6 and 4) for xAPI 1.0.3 and 2.0.

Design
------
The structure of every xAPI object is declared once, as marshmallow schemas (``AgentSchema``,
``StatementSchema`` ...): field names, required fields, nesting, ``unknown = RAISE``. Rules that are
awkward in marshmallow (one IFI per Agent, score ranges, interaction component lists,
revision/platform only with an Activity object, ...) are plain functions attached to the schema
as ``xapi_rules``; value formats (IRI, UUID, language tag, timestamp, ...) are custom fields with a
``check(value, path)`` method.

Running ``Schema.load`` costs about 80 us for a typical statement, too slow for the 10,000+
statements/second the LRS must accept, so at import the same schema objects are compiled into a
small plan per schema (key -> checker, required keys, rules) that a tight loop executes. Both
engines use the same declarations and checks; ``statement_schema(version).load(...)`` remains
available and the tests assert both accept and reject the same statements.

Errors are raised as InvalidField (a ValidationError) whose message names the field by path, e.g.
``statement.context.contextActivities.parent[0].id: not an absolute IRI``.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, fields, validates_schema
from marshmallow import ValidationError as MMValidationError

from lrs.xapi.errors import InvalidField
from lrs.xapi.model import IFI_KEYS, VOIDED_VERB_ID, try_parse_timestamp

__all__ = [
    "SIGNATURE_USAGE_TYPE",
    "is_iri",
    "is_uuid",
    "is_language_tag",
    "is_duration",
    "validate_statement",
    "validate_agent",
    "validate_activity_id",
    "validate_uuid",
    "validate_language_tag",
    "statement_schema",
    "validate_statement_with_marshmallow",
]

#: usageType of the JWS attachment of a signed statement (xAPI-Data 2.6).
SIGNATURE_USAGE_TYPE = "http://adlnet.gov/expapi/attachments/signature"

Check = Callable[[Any, str], None]
Rule = Callable[[Mapping[str, Any], str], None]


# ==================================================================================================
# Value formats
# ==================================================================================================

# An absolute IRI (RFC 3987): a scheme, ":" and a non-empty rest without characters that may never
# appear in an IRI (whitespace, controls, <>"{}|\^`). Best-effort, as xAPI-Data 2.2 permits.
_IRI_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]+")
_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_MBOX_RE = re.compile(r"mailto:[^@\s]+@[^@\s]+")
_SHA1_RE = re.compile(r"[0-9a-fA-F]{40}")
_VERSION_1_0_RE = re.compile(r"1\.0(?:\.\d+)?")
_VERSION_2_0_RE = re.compile(r"2\.0(?:\.\d+)?")

# ISO 8601:2004 4.4.3.2 durations: PnYnMnDTnHnMnS (at least one component, "T" only before a time
# component) or PnW. Fractions are checked separately (only the last component may have one).
_NUM = r"(\d+(?:[.,]\d+)?)"
_DURATION_RE = re.compile(
    rf"P(?:{_NUM}W|(?=\d|T\d)(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}D)?(?:T(?=\d)(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?)"
)

# RFC 5646 2.1 "Language-Tag" ABNF, case-insensitive.
_LANGTAG_RE = re.compile(
    r"""
    (?:
      (?P<language>[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})
      (?:-[a-z]{4})?                                   # script
      (?:-(?:[a-z]{2}|[0-9]{3}))?                      # region
      (?P<variants>(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*)
      (?P<extensions>(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*)
      (?:-x(?:-[a-z0-9]{1,8})+)?                       # private use
    |
      x(?:-[a-z0-9]{1,8})+                             # private use only
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)
_GRANDFATHERED = frozenset(
    t.lower()
    for t in (
        "en-GB-oed i-ami i-bnn i-default i-enochian i-hak i-klingon i-lux i-mingo i-navajo i-pwn i-tao"
        " i-tay i-tsu sgn-BE-FR sgn-BE-NL sgn-CH-DE art-lojban cel-gaulish no-bok no-nyn zh-guoyu"
        " zh-hakka zh-min zh-min-nan zh-xiang"
    ).split()
)


def is_iri(value: object) -> bool:
    """True if ``value`` is a string holding an absolute IRI (with a scheme)."""
    return isinstance(value, str) and _IRI_RE.fullmatch(value) is not None


def is_uuid(value: object) -> bool:
    """True if ``value`` is a UUID in standard string form (any version/variant, either case)."""
    return isinstance(value, str) and _UUID_RE.fullmatch(value) is not None


@lru_cache(maxsize=4096)
def _is_language_tag(tag: str) -> bool:
    # Cached: statements repeat a handful of tags, and the duplicate checks below are not free.
    if tag.lower() in _GRANDFATHERED:
        return True
    m = _LANGTAG_RE.fullmatch(tag)
    if m is None:
        return False
    # RFC 5646 2.2.5/2.2.6: a variant or an extension singleton may not appear twice.
    variants = m.group("variants")
    if variants:
        seen = variants.lower().split("-")[1:]
        if len(seen) != len(set(seen)):
            return False
    extensions = m.group("extensions")
    if extensions:
        singletons = [p for p in extensions.lower().split("-")[1:] if len(p) == 1]
        if len(singletons) != len(set(singletons)):
            return False
    return True


def is_language_tag(value: object) -> bool:
    """True if ``value`` is a well-formed RFC 5646 language tag."""
    return isinstance(value, str) and _is_language_tag(value)


def is_duration(value: object) -> bool:
    """True if ``value`` is an ISO 8601 duration in the format xAPI-Data 4.6 requires."""
    if not isinstance(value, str):
        return False
    m = _DURATION_RE.fullmatch(value)
    if m is None:
        return False
    # ISO 8601 allows a decimal fraction only on the lowest-order component present.
    present = [g for g in m.groups() if g is not None]
    return all("." not in g and "," not in g for g in present[:-1])


# ==================================================================================================
# Engine-neutral checks: custom fields
# ==================================================================================================


def _invalid(path: str, detail: str) -> InvalidField:
    return InvalidField(path, detail)


class XField(fields.Field):
    """A marshmallow field whose rule lives in ``check(value, path)``, shared by both engines.

    ``check`` receives a non-null value and the field's full path and raises InvalidField.
    """

    def check(self, value: Any, path: str) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> Any:
        try:
            self.check(value, "")
        except InvalidField as exc:
            raise MMValidationError(_relative_message(exc)) from None
        return value


def _relative_message(exc: InvalidField) -> str:
    # In marshmallow mode checks run with an empty base path; whatever path remains is relative.
    path = exc.path.lstrip(".")
    return f"{path}: {exc.detail}" if path else exc.detail


class Str(XField):
    """A JSON string."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise _invalid(path, "must be a string")


class NonEmptyStr(XField):
    """A non-empty JSON string."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str) or not value:
            raise _invalid(path, "must be a non-empty string")


class Bool(XField):
    """A JSON boolean (never a string such as "true")."""

    def check(self, value: Any, path: str) -> None:
        if value is not True and value is not False:
            raise _invalid(path, "must be a boolean")


_INF = float("inf")


class Number(XField):
    """A finite JSON number (never a string or boolean)."""

    def check(self, value: Any, path: str) -> None:
        # type() rather than isinstance(): bool is a subclass of int. NaN/Infinity are not JSON but
        # Python's json module parses them, so they are refused here.
        if type(value) is not int and (type(value) is not float or value != value or value in (_INF, -_INF)):
            raise _invalid(path, "must be a number")


class NonNegativeInteger(XField):
    """A JSON integer >= 0 (an integral float such as 27.0 is accepted)."""

    def check(self, value: Any, path: str) -> None:
        if type(value) is float and value.is_integer():
            value = int(value)
        if type(value) is not int:
            raise _invalid(path, "must be an integer")
        if value < 0:
            raise _invalid(path, "must not be negative")


class IRI(XField):
    """An absolute IRI (xAPI-Data 4.3); ``kind`` names it in messages (IRI, IRL, URI)."""

    def __init__(self, kind: str = "IRI", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.message = f"not an absolute {kind}"

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise _invalid(path, "must be a string")
        if _IRI_RE.fullmatch(value) is None:
            raise _invalid(path, f"{self.message}: {value!r}")


class UUIDField(XField):
    """A UUID in standard string form (xAPI-Data 4.4)."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise _invalid(path, "must be a string")
        if _UUID_RE.fullmatch(value) is None:
            raise _invalid(path, f"not a UUID: {value!r}")


class Mbox(XField):
    """A ``mailto:`` IRI holding an e-mail address."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise _invalid(path, "must be a string")
        if _MBOX_RE.fullmatch(value) is None:
            raise _invalid(path, f"must be a 'mailto:' IRI with an e-mail address: {value!r}")


class Sha1Hex(XField):
    """40 hexadecimal characters (the SHA-1 of a mailto IRI)."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str) or _SHA1_RE.fullmatch(value) is None:
            raise _invalid(path, "must be a hex-encoded SHA-1 (40 hexadecimal characters)")


class LanguageTag(XField):
    """An RFC 5646 language tag."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise _invalid(path, "must be a string")
        if not _is_language_tag(value):
            raise _invalid(path, f"not a valid RFC 5646 language tag: {value!r}")


class LanguageMap(XField):
    """A language map (xAPI-Data 4.2): RFC 5646 tags to strings."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise _invalid(path, "must be a language map (a JSON object)")
        for tag, text in value.items():
            if not _is_language_tag(tag):
                raise _invalid(path, f"key {tag!r} is not a valid RFC 5646 language tag")
            if not isinstance(text, str):
                raise _invalid(f"{path}[{tag!r}]", "must be a string")


class Extensions(XField):
    """An extensions map (xAPI-Data 4.1): absolute-IRI keys, any JSON value (null included)."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise _invalid(path, "must be a JSON object")
        for key in value:
            if _IRI_RE.fullmatch(key) is None:
                raise _invalid(path, f"key {key!r} is not an absolute IRI")


class Timestamp(XField):
    """An ISO 8601 timestamp (xAPI-Data 4.5); ``-00:00`` style offsets are rejected."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise _invalid(path, "must be a string")
        if try_parse_timestamp(value) is None:
            raise _invalid(path, f"not an ISO 8601 timestamp: {value!r}")


class Duration(XField):
    """An ISO 8601 duration (xAPI-Data 4.6)."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise _invalid(path, "must be a string")
        if not is_duration(value):
            raise _invalid(path, f"not an ISO 8601 duration: {value!r}")


class Const(XField):
    """Exactly one string value (objectType), compared case-sensitively as xAPI-Data 2.2 requires."""

    def __init__(self, value: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.value = value

    def check(self, value: Any, path: str) -> None:
        if value != self.value or not isinstance(value, str):
            raise _invalid(path, f"must be {self.value!r}")


class OneOf(XField):
    """One string out of a fixed, case-sensitive set."""

    def __init__(self, choices: Iterable[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = tuple(choices)
        self._set = frozenset(self.choices)

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str) or value not in self._set:
            raise _invalid(path, f"must be one of {', '.join(self.choices)}; got {value!r}")


class StrList(XField):
    """An array of strings."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, list):
            raise _invalid(path, "must be an array of strings")
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise _invalid(f"{path}[{i}]", "must be a string")


class IRIList(XField):
    """A non-empty array of absolute IRIs (2.0 relevantTypes)."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, list):
            raise _invalid(path, "must be an array of IRIs")
        if not value:
            raise _invalid(path, "must not be empty")
        for i, item in enumerate(value):
            if not isinstance(item, str) or _IRI_RE.fullmatch(item) is None:
                raise _invalid(f"{path}[{i}]", f"not an absolute IRI: {item!r}")


class Version(XField):
    """A statement ``version``: 1.0.x, and under xAPI 2.0 also 2.0.x."""

    def __init__(self, allow_2_0: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.allow_2_0 = allow_2_0

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise _invalid(path, "must be a string")
        if _VERSION_1_0_RE.fullmatch(value) or (self.allow_2_0 and _VERSION_2_0_RE.fullmatch(value)):
            return
        allowed = "1.0.x or 2.0.x" if self.allow_2_0 else "1.0.x"
        raise _invalid(path, f"must be a {allowed} version; got {value!r}")


# ==================================================================================================
# Schemas
# ==================================================================================================


class XSchema(Schema):
    """Base of the xAPI schemas: unknown keys are errors, and ``xapi_rules`` run after the fields.

    ``unknown_hints`` gives a clearer message than "unknown property" for keys that are known to be
    forbidden in this object (e.g. ``id`` in a SubStatement).
    """

    class Meta:
        unknown = RAISE

    xapi_rules: ClassVar[tuple[Rule, ...]] = ()
    unknown_hints: ClassVar[dict[str, str]] = {}

    @validates_schema
    def _run_xapi_rules(self, data: dict[str, Any], **kwargs: Any) -> None:
        for rule in self.xapi_rules:
            try:
                rule(data, "")
            except InvalidField as exc:
                raise MMValidationError(_relative_message(exc)) from None


def _count_ifis(data: Mapping[str, Any]) -> list[str]:
    return [key for key in IFI_KEYS if key in data]


def _agent_rule(data: Mapping[str, Any], path: str) -> None:
    found = _count_ifis(data)
    if len(found) != 1:
        detail = "none" if not found else " and ".join(found)
        raise _invalid(
            path,
            "an Agent must have exactly one inverse functional identifier "
            f"(mbox, mbox_sha1sum, openid or account); found {detail}",
        )


def _group_rule(data: Mapping[str, Any], path: str) -> None:
    found = _count_ifis(data)
    if len(found) > 1:
        raise _invalid(
            path,
            "an identified Group must have exactly one inverse functional identifier; "
            f"found {' and '.join(found)}",
        )
    if not found and not data.get("member"):
        raise _invalid(f"{path}.member", "an anonymous Group (one without an identifier) must list its members")


class AccountSchema(XSchema):
    """Account object (xAPI-Data 2.4.2.4)."""

    homePage = IRI("IRL", required=True)
    name = Str(required=True)


class AgentSchema(XSchema):
    """Agent (xAPI-Data 2.4.2.1)."""

    objectType = Const("Agent")
    name = Str()
    mbox = Mbox()
    mbox_sha1sum = Sha1Hex()
    openid = IRI("URI")
    account = fields.Nested(AccountSchema)
    xapi_rules = (_agent_rule,)


class AgentField(XField):
    """An Agent or Group, chosen by objectType (absent means Agent).

    ``accept`` is ``"agent_or_group"``, ``"agent"`` (Group members, contextAgents) or ``"group"``
    (team, contextGroups).
    """

    def __init__(self, accept: str = "agent_or_group", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.accept = accept

    def _schema_for(self, value: Mapping[str, Any], path: str) -> type[XSchema]:
        object_type = value.get("objectType", "Agent")
        if self.accept == "group":
            if object_type != "Group":
                raise _invalid(f"{path}.objectType", "must be 'Group'")
            return GroupSchema
        if object_type == "Agent":
            return AgentSchema
        if object_type == "Group":
            if self.accept == "agent":
                raise _invalid(f"{path}.objectType", "must be 'Agent' (Groups cannot be nested here)")
            return GroupSchema
        expected = "'Agent'" if self.accept == "agent" else "'Agent' or 'Group'"
        raise _invalid(f"{path}.objectType", f"must be {expected}; got {object_type!r}")

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise _invalid(path, "must be a JSON object (an Agent or Group)")
        run_plan(plan_for(self._schema_for(value, path)), value, path)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> Any:
        if not isinstance(value, dict):
            raise MMValidationError("must be a JSON object (an Agent or Group)")
        try:
            schema_cls = self._schema_for(value, "")
        except InvalidField as exc:
            raise MMValidationError(_relative_message(exc)) from None
        return _SCHEMA_INSTANCES[schema_cls].load(value)


class GroupSchema(XSchema):
    """Group, anonymous or identified (xAPI-Data 2.4.2.2); members must be Agents."""

    objectType = Const("Group", required=True)
    name = Str()
    member = fields.List(AgentField("agent"))
    mbox = Mbox()
    mbox_sha1sum = Sha1Hex()
    openid = IRI("URI")
    account = fields.Nested(AccountSchema)
    xapi_rules = (_group_rule,)


class VerbSchema(XSchema):
    """Verb (xAPI-Data 2.4.3)."""

    id = IRI(required=True)
    display = LanguageMap()


class InteractionComponentSchema(XSchema):
    """Interaction component (xAPI-Data 2.4.4.1)."""

    id = NonEmptyStr(required=True)
    description = LanguageMap()


INTERACTION_TYPES: tuple[str, ...] = (
    "true-false", "choice", "fill-in", "long-fill-in", "matching",
    "performance", "sequencing", "likert", "numeric", "other",
)  # fmt: skip
_COMPONENT_LISTS: tuple[str, ...] = ("choices", "scale", "source", "target", "steps")
_COMPONENT_LISTS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "choice": ("choices",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "matching": ("source", "target"),
    "performance": ("steps",),
}


def _definition_rule(data: Mapping[str, Any], path: str) -> None:
    interaction_type = data.get("interactionType")
    if interaction_type is None:
        # The CTS (Data2.4.4 XAPI-00064) requires interactionType whenever interaction properties
        # are used.
        for key in ("correctResponsesPattern", *_COMPONENT_LISTS):
            if key in data:
                raise _invalid(f"{path}.interactionType", f"is required when {key} is present")
        return
    allowed = _COMPONENT_LISTS_BY_TYPE.get(interaction_type, ())
    for key in _COMPONENT_LISTS:
        if key not in data:
            continue
        if key not in allowed:
            raise _invalid(f"{path}.{key}", f"not allowed for interactionType {interaction_type!r}")
        seen: set[str] = set()
        for i, component in enumerate(data[key]):
            component_id = component["id"]
            if component_id in seen:
                raise _invalid(f"{path}.{key}[{i}].id", f"duplicate interaction component id {component_id!r}")
            seen.add(component_id)


class ActivityDefinitionSchema(XSchema):
    """Activity definition, interaction properties included (xAPI-Data 2.4.4.1)."""

    name = LanguageMap()
    description = LanguageMap()
    type = IRI()
    moreInfo = IRI("IRL")
    extensions = Extensions()
    interactionType = OneOf(INTERACTION_TYPES)
    correctResponsesPattern = StrList()
    choices = fields.List(fields.Nested(InteractionComponentSchema))
    scale = fields.List(fields.Nested(InteractionComponentSchema))
    source = fields.List(fields.Nested(InteractionComponentSchema))
    target = fields.List(fields.Nested(InteractionComponentSchema))
    steps = fields.List(fields.Nested(InteractionComponentSchema))
    xapi_rules = (_definition_rule,)


class ActivitySchema(XSchema):
    """Activity (xAPI-Data 2.4.4.1)."""

    objectType = Const("Activity")
    id = IRI(required=True)
    definition = fields.Nested(ActivityDefinitionSchema)


class StatementRefSchema(XSchema):
    """Statement Reference (xAPI-Data 2.4.4.3)."""

    objectType = Const("StatementRef", required=True)
    id = UUIDField(required=True)


def _score_rule(data: Mapping[str, Any], path: str) -> None:
    scaled, raw, low, high = (data.get(k) for k in ("scaled", "raw", "min", "max"))
    if scaled is not None and not -1 <= scaled <= 1:
        raise _invalid(f"{path}.scaled", f"must be between -1 and 1; got {scaled!r}")
    if low is not None and high is not None and not low < high:
        raise _invalid(f"{path}.min", f"must be less than max ({high!r}); got {low!r}")
    if raw is not None:
        if low is not None and raw < low:
            raise _invalid(f"{path}.raw", f"must not be less than min ({low!r}); got {raw!r}")
        if high is not None and raw > high:
            raise _invalid(f"{path}.raw", f"must not be greater than max ({high!r}); got {raw!r}")


class ScoreSchema(XSchema):
    """Score (xAPI-Data 2.4.5.1)."""

    scaled = Number()
    raw = Number()
    min = Number()
    max = Number()
    xapi_rules = (_score_rule,)


class ResultSchema(XSchema):
    """Result (xAPI-Data 2.4.5)."""

    score = fields.Nested(ScoreSchema)
    success = Bool()
    completion = Bool()
    response = Str()
    duration = Duration()
    extensions = Extensions()


class ContextActivityField(XField):
    """A contextActivities value: an Activity or an array of Activities (xAPI-Data 2.4.6.2)."""

    def check(self, value: Any, path: str) -> None:
        plan = plan_for(ActivitySchema)
        if isinstance(value, dict):
            run_plan(plan, value, path)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if item is None:
                    raise _invalid(f"{path}[{i}]", "must not be null")
                run_plan(plan, item, f"{path}[{i}]")
        else:
            raise _invalid(path, "must be an Activity or an array of Activities")

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> Any:
        schema = _SCHEMA_INSTANCES[ActivitySchema]
        if isinstance(value, dict):
            return schema.load(value)
        if isinstance(value, list):
            errors: dict[int, Any] = {}
            for i, item in enumerate(value):
                try:
                    schema.load(item)
                except MMValidationError as exc:
                    errors[i] = exc.messages
            if errors:
                raise MMValidationError(errors)
            return value
        raise MMValidationError("must be an Activity or an array of Activities")


class ContextActivitiesSchema(XSchema):
    """contextActivities: only parent, grouping, category and other."""

    parent = ContextActivityField()
    grouping = ContextActivityField()
    category = ContextActivityField()
    other = ContextActivityField()


class ContextSchema(XSchema):
    """Context (xAPI-Data 2.4.6), as in xAPI 1.0.3."""

    registration = UUIDField()
    instructor = AgentField()
    team = AgentField("group")
    contextActivities = fields.Nested(ContextActivitiesSchema)
    revision = Str()
    platform = Str()
    language = LanguageTag()
    statement = fields.Nested(StatementRefSchema)
    extensions = Extensions()


class ContextAgentSchema(XSchema):
    """xAPI 2.0 contextAgent: objectType "contextAgent", an Agent, optional relevantTypes."""

    objectType = Const("contextAgent", required=True)
    agent = AgentField("agent", required=True)
    relevantTypes = IRIList()


class ContextGroupSchema(XSchema):
    """xAPI 2.0 contextGroup: objectType "contextGroup", a Group, optional relevantTypes."""

    objectType = Const("contextGroup", required=True)
    group = AgentField("group", required=True)
    relevantTypes = IRIList()


class Context20Schema(ContextSchema):
    """Context as in xAPI 2.0: adds contextAgents and contextGroups."""

    contextAgents = fields.List(fields.Nested(ContextAgentSchema))
    contextGroups = fields.List(fields.Nested(ContextGroupSchema))


class AttachmentSchema(XSchema):
    """Attachment metadata (xAPI-Data 2.4.11)."""

    usageType = IRI(required=True)
    display = LanguageMap(required=True)
    description = LanguageMap()
    contentType = Str(required=True)
    length = NonNegativeInteger(required=True)
    sha2 = Str(required=True)
    fileUrl = IRI("IRL")


def _revision_platform_rule(data: Mapping[str, Any], path: str) -> None:
    # xAPI-Data 2.4.6: revision and platform "MUST only be used if the Statement's Object is an
    # Activity"; the CTS (contexts.js) rejects them with Agent, Group, StatementRef and SubStatement.
    context = data.get("context")
    if not context:
        return
    object_type = data["object"].get("objectType", "Activity")
    if object_type == "Activity":
        return
    for key in ("revision", "platform"):
        if key in context:
            raise _invalid(f"{path}.context.{key}", f"only allowed when the object is an Activity, not a {object_type}")


def _signature_rule(data: Mapping[str, Any], path: str) -> None:
    # xAPI-Data 2.6: the JWS attachment has contentType application/octet-stream; the CTS rejects a
    # signature attachment declared as text/plain.
    for i, attachment in enumerate(data.get("attachments") or ()):
        if attachment["usageType"] == SIGNATURE_USAGE_TYPE:
            media_type = attachment["contentType"].split(";", 1)[0].strip().lower()
            if media_type != "application/octet-stream":
                raise _invalid(
                    f"{path}.attachments[{i}].contentType",
                    "a signature attachment must have contentType 'application/octet-stream'",
                )


def _voiding_rule(data: Mapping[str, Any], path: str) -> None:
    # xAPI-Data 2.3.2: the object of a voiding statement MUST be a StatementRef.
    if data["verb"]["id"] == VOIDED_VERB_ID and data["object"].get("objectType") != "StatementRef":
        raise _invalid(f"{path}.object.objectType", "a voiding Statement's object must be a StatementRef")


def _authority_rule(data: Mapping[str, Any], path: str) -> None:
    # xAPI-Data 2.4.9: an Agent, or for 3-legged OAuth a Group of exactly two Agents (the consumer
    # and the user); the CTS rejects identified Groups and Groups of one or three.
    authority = data.get("authority")
    if authority is None or authority.get("objectType") != "Group":
        return
    if _count_ifis(authority) or len(authority.get("member") or ()) != 2:
        raise _invalid(
            f"{path}.authority",
            "a Group authority must be an anonymous Group of exactly two Agents (OAuth consumer and user)",
        )


class ObjectField(XField):
    """A statement object: Activity (the default), Agent, Group, StatementRef or SubStatement.

    ``substatement`` is the SubStatement schema to use, or None inside a SubStatement (no nesting).
    """

    _AGENT_HINT_KEYS = ("mbox", "mbox_sha1sum", "openid", "account", "member")

    def __init__(self, substatement: type[XSchema] | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.schemas: dict[str, type[XSchema]] = {
            "Activity": ActivitySchema,
            "Agent": AgentSchema,
            "Group": GroupSchema,
            "StatementRef": StatementRefSchema,
        }
        if substatement is not None:
            self.schemas["SubStatement"] = substatement

    def _schema_for(self, value: Mapping[str, Any], path: str) -> type[XSchema]:
        object_type = value.get("objectType")
        if object_type is None:
            if "objectType" not in value and any(k in value for k in self._AGENT_HINT_KEYS):
                # xAPI-Data 2.4.4.2: an Agent or Group object MUST state its objectType.
                raise _invalid(f"{path}.objectType", "is required when the object is an Agent or Group")
            return ActivitySchema
        schema = self.schemas.get(object_type) if isinstance(object_type, str) else None
        if schema is None:
            if object_type == "SubStatement":
                raise _invalid(f"{path}.objectType", "a SubStatement cannot contain another SubStatement")
            raise _invalid(f"{path}.objectType", f"must be one of {', '.join(self.schemas)}; got {object_type!r}")
        return schema

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise _invalid(path, "must be a JSON object")
        run_plan(plan_for(self._schema_for(value, path)), value, path)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> Any:
        if not isinstance(value, dict):
            raise MMValidationError("must be a JSON object")
        try:
            schema_cls = self._schema_for(value, "")
        except InvalidField as exc:
            raise MMValidationError(_relative_message(exc)) from None
        return _SCHEMA_INSTANCES[schema_cls].load(value)


_SUBSTATEMENT_FORBIDDEN = {
    key: "not allowed in a SubStatement (xAPI-Data 2.4.4.3)" for key in ("id", "stored", "version", "authority")
}


class SubStatementSchema(XSchema):
    """SubStatement (xAPI-Data 2.4.4.3), as in xAPI 1.0.3."""

    objectType = Const("SubStatement", required=True)
    actor = AgentField(required=True)
    verb = fields.Nested(VerbSchema, required=True)
    object = ObjectField(None, required=True)
    result = fields.Nested(ResultSchema)
    context = fields.Nested(ContextSchema)
    timestamp = Timestamp()
    attachments = fields.List(fields.Nested(AttachmentSchema))
    xapi_rules = (_revision_platform_rule,)
    unknown_hints = _SUBSTATEMENT_FORBIDDEN


class SubStatement20Schema(SubStatementSchema):
    """SubStatement as in xAPI 2.0 (2.0 context)."""

    context = fields.Nested(Context20Schema)


class StatementSchema(XSchema):
    """Statement (xAPI-Data 2.4), as in xAPI 1.0.3."""

    id = UUIDField()
    actor = AgentField(required=True)
    verb = fields.Nested(VerbSchema, required=True)
    object = ObjectField(SubStatementSchema, required=True)
    result = fields.Nested(ResultSchema)
    context = fields.Nested(ContextSchema)
    timestamp = Timestamp()
    stored = Timestamp()
    authority = AgentField()
    version = Version(allow_2_0=False)
    attachments = fields.List(fields.Nested(AttachmentSchema))
    xapi_rules = (_revision_platform_rule, _voiding_rule, _authority_rule, _signature_rule)


class Statement20Schema(StatementSchema):
    """Statement as in xAPI 2.0: 2.0 context (contextAgents/contextGroups) and version 2.0.x."""

    object = ObjectField(SubStatement20Schema, required=True)
    context = fields.Nested(Context20Schema)
    version = Version(allow_2_0=True)


# ==================================================================================================
# The compiled engine
# ==================================================================================================


class Plan:
    """A schema compiled for the fast engine: checker per key, required keys, rules."""

    __slots__ = ("name", "checks", "required", "rules", "hints")

    def __init__(self, name: str) -> None:
        self.name = name
        self.checks: dict[str, Check] = {}
        self.required: tuple[str, ...] = ()
        self.rules: tuple[Rule, ...] = ()
        self.hints: dict[str, str] = {}


_PLANS: dict[type[XSchema], Plan] = {}


def plan_for(schema_cls: type[XSchema]) -> Plan:
    """Return the compiled plan of a schema class, compiling it on first use."""
    plan = _PLANS.get(schema_cls)
    if plan is None:
        plan = Plan(schema_cls.__name__)
        _PLANS[schema_cls] = plan  # registered before compiling so recursive references terminate
        required = []
        for name, field in schema_cls._declared_fields.items():
            key = field.data_key or name
            plan.checks[key] = _compile_field(field, f"{schema_cls.__name__}.{name}")
            if field.required:
                required.append(key)
        plan.required = tuple(required)
        plan.rules = schema_cls.xapi_rules
        plan.hints = schema_cls.unknown_hints
    return plan


def _compile_field(field: fields.Field, where: str) -> Check:
    # Only the marshmallow features the xAPI schemas use are supported; anything else would be
    # silently ignored by the fast engine, so it fails loudly at import instead.
    if field.validators or field.allow_none:
        raise TypeError(f"{where}: validators/allow_none are not supported by the compiled engine")
    if isinstance(field, XField):
        return field.check
    if isinstance(field, fields.Nested):
        nested = field.nested
        if not (isinstance(nested, type) and issubclass(nested, XSchema)):
            raise TypeError(f"{where}: Nested must name an XSchema class")

        # plan_for registers a plan before filling it, so this is safe even for recursive schemas.
        nested_plan = plan_for(nested)

        def check_nested(value: Any, path: str) -> None:
            run_plan(nested_plan, value, path)

        return check_nested
    if isinstance(field, fields.List):
        inner = _compile_field(field.inner, f"{where}[]")

        def check_list(value: Any, path: str) -> None:
            if not isinstance(value, list):
                raise _invalid(path, "must be an array")
            for i, item in enumerate(value):
                item_path = f"{path}[{i}]"
                if item is None:
                    raise _invalid(item_path, "must not be null")
                inner(item, item_path)

        return check_list
    raise TypeError(f"{where}: field type {type(field).__name__} is not supported by the compiled engine")


def run_plan(plan: Plan, data: Any, path: str) -> None:
    """Validate ``data`` against a compiled plan; raise InvalidField naming the first bad field."""
    if not isinstance(data, dict):
        raise _invalid(path, "must be a JSON object")
    checks = plan.checks
    for key, value in data.items():
        check = checks.get(key)
        if check is None:
            hint = plan.hints.get(key, "unknown property (only the properties xAPI defines are allowed)")
            raise _invalid(f"{path}.{key}", hint)
        if value is None:
            # xAPI-Data 2.2: "MUST reject Statements with any null values (except inside extensions)".
            raise _invalid(f"{path}.{key}", "must not be null")
        check(value, f"{path}.{key}")
    for key in plan.required:
        if key not in data:
            raise _invalid(f"{path}.{key}", "is required")
    for rule in plan.rules:
        rule(data, path)


_ALL_SCHEMAS: tuple[type[XSchema], ...] = (
    AccountSchema, AgentSchema, GroupSchema, VerbSchema, InteractionComponentSchema,
    ActivityDefinitionSchema, ActivitySchema, StatementRefSchema, ScoreSchema, ResultSchema,
    ContextActivitiesSchema, ContextSchema, ContextAgentSchema, ContextGroupSchema, Context20Schema,
    AttachmentSchema, SubStatementSchema, SubStatement20Schema, StatementSchema, Statement20Schema,
)  # fmt: skip
# Built once at import: marshmallow schema instances (for the marshmallow engine) and plans.
_SCHEMA_INSTANCES: dict[type[XSchema], XSchema] = {cls: cls() for cls in _ALL_SCHEMAS}
for _cls in _ALL_SCHEMAS:
    plan_for(_cls)
_STATEMENT_PLANS: dict[str, Plan] = {"1.0": _PLANS[StatementSchema], "2.0": _PLANS[Statement20Schema]}


# ==================================================================================================
# Public API
# ==================================================================================================


def _major_minor(version: str) -> str:
    if version.startswith("1.0"):
        return "1.0"
    if version.startswith("2.0"):
        return "2.0"
    raise ValueError(f"unsupported xAPI version {version!r}")


def statement_schema(version: str = "1.0.3") -> XSchema:
    """Return the (prebuilt) marshmallow statement schema for an xAPI version.

    ``schema.load(stmt)`` applies the same rules as validate_statement but is several times slower
    and reports errors as marshmallow messages; validate_statement is what the LRS uses.
    """
    cls = Statement20Schema if _major_minor(version) == "2.0" else StatementSchema
    return _SCHEMA_INSTANCES[cls]


def validate_statement(stmt: object, *, version: str = "1.0.3", path: str = "statement") -> None:
    """Raise InvalidField (a ValidationError) if ``stmt`` breaks any xAPI Data rule for ``version``.

    ``version`` is the request's xAPI version ("1.0.x" or "2.0.x"); ``path`` prefixes error paths,
    e.g. ``statement[3]`` for the fourth statement of a batch. The statement is not modified.
    """
    run_plan(_STATEMENT_PLANS[_major_minor(version)], stmt, path)


def validate_agent(obj: object, *, path: str = "agent", allow_group: bool = True) -> None:
    """Validate an ``agent`` parameter: an Agent with exactly one IFI, or (if allowed) an identified Group.

    Anonymous Groups are refused because the parameter must identify someone (xAPI-Communication
    2.1.3: "Agent or Identified Group Object").
    """
    if not isinstance(obj, dict):
        raise _invalid(path, "must be a JSON object (an Agent)")
    if obj.get("objectType") == "Group":
        if not allow_group:
            raise _invalid(f"{path}.objectType", "must be 'Agent'")
        run_plan(_PLANS[GroupSchema], obj, path)
        if not _count_ifis(obj):
            raise _invalid(path, "must be an Agent or an identified Group (with one inverse functional identifier)")
        return
    run_plan(_PLANS[AgentSchema], obj, path)


_ACTIVITY_ID = IRI()
_UUID = UUIDField()
_LANGUAGE_TAG = LanguageTag()


def validate_activity_id(value: object, path: str) -> None:
    """Raise InvalidField unless ``value`` is an absolute IRI usable as an Activity id."""
    if value is None:
        raise _invalid(path, "is required")
    _ACTIVITY_ID.check(value, path)


def validate_uuid(value: object, path: str) -> None:
    """Raise InvalidField unless ``value`` is a UUID in standard string form."""
    if value is None:
        raise _invalid(path, "is required")
    _UUID.check(value, path)


def validate_language_tag(value: object, path: str = "language") -> None:
    """Raise InvalidField unless ``value`` is a well-formed RFC 5646 language tag."""
    if value is None:
        raise _invalid(path, "is required")
    _LANGUAGE_TAG.check(value, path)


def marshmallow_errors_to_invalid(messages: Any, path: str) -> InvalidField:
    """Turn marshmallow's nested error messages into an InvalidField for the first error."""
    while isinstance(messages, dict) and messages:
        key, messages = next(iter(messages.items()))
        if key == "_schema":
            continue
        path += f"[{key}]" if isinstance(key, int) else f".{key}"
    if isinstance(messages, list) and messages:
        first = messages[0]
        if isinstance(first, (dict, list)):
            return marshmallow_errors_to_invalid(first, path)
        return _invalid(path, str(first))
    return _invalid(path, str(messages))


def validate_statement_with_marshmallow(stmt: object, *, version: str = "1.0.3", path: str = "statement") -> None:
    """Like validate_statement, but run by marshmallow itself (slower; for cross-checking)."""
    if not isinstance(stmt, dict):
        raise _invalid(path, "must be a JSON object")
    try:
        statement_schema(version).load(stmt)
    except MMValidationError as exc:
        raise marshmallow_errors_to_invalid(exc.messages, path) from None
