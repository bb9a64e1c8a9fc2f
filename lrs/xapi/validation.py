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

from typing import Any

from marshmallow import ValidationError as MMValidationError

from lrs.xapi.checker import _PLANS, Plan, XSchema, plan_for, run_plan, schema_instance
from lrs.xapi.errors import InvalidField
from lrs.xapi.fields import IRI, LanguageTag, UUIDField, _invalid
from lrs.xapi.formats import SIGNATURE_USAGE_TYPE, is_duration, is_iri, is_language_tag, is_uuid
from lrs.xapi.schemas import (AccountSchema, ActivityDefinitionSchema, ActivitySchema, AgentSchema, AttachmentSchema,
                              Context20Schema, ContextActivitiesSchema, ContextAgentSchema, ContextGroupSchema,
                              ContextSchema, GroupSchema, InteractionComponentSchema, ResultSchema, ScoreSchema,
                              Statement20Schema, StatementRefSchema, StatementSchema, SubStatement20Schema,
                              SubStatementSchema, VerbSchema, _count_ifis)

_ALL_SCHEMAS: tuple[type[XSchema], ...] = (
    AccountSchema, AgentSchema, GroupSchema, VerbSchema, InteractionComponentSchema,
    ActivityDefinitionSchema, ActivitySchema, StatementRefSchema, ScoreSchema, ResultSchema,
    ContextActivitiesSchema, ContextSchema, ContextAgentSchema, ContextGroupSchema, Context20Schema,
    AttachmentSchema, SubStatementSchema, SubStatement20Schema, StatementSchema, Statement20Schema,
)  # fmt: skip
# Compiled once at import, so a schema the compiled engine cannot run fails at start-up, not on a request.
for _cls in _ALL_SCHEMAS:
    plan_for(_cls)
_STATEMENT_PLANS: dict[str, Plan] = {"1.0": _PLANS[StatementSchema], "2.0": _PLANS[Statement20Schema]}

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
    return schema_instance(cls)


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
