"""The structure of every xAPI object, declared once as marshmallow schemas (xAPI-Data 2.2-2.6), with the rules
that are awkward as fields (one IFI per Agent, score ranges, interaction components...) attached as ``xapi_rules``.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import fields
from marshmallow import ValidationError as MMValidationError

from lrs.xapi.checker import XSchema, plan_for, run_plan, schema_instance
from lrs.xapi.errors import InvalidField
from lrs.xapi.fields import (IRI, Bool, Const, Duration, Extensions, IRIList, LanguageMap, LanguageTag, Mbox,
                             NonEmptyStr, NonNegativeInteger, Number, OneOf, Sha1Hex, Str, StrList, Timestamp,
                             UUIDField, Version, XField, _invalid, _relative_message)
from lrs.xapi.formats import SIGNATURE_USAGE_TYPE, is_signature_content_type
from lrs.xapi.model import IFI_KEYS, VOIDED_VERB_ID


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
        return schema_instance(schema_cls).load(value)


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
        schema = schema_instance(ActivitySchema)
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
            if not is_signature_content_type(attachment["contentType"]):
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
        return schema_instance(schema_cls).load(value)


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
