"""The compiled engine: the schemas turned into small plans (key -> check, required keys, rules) run in a tight loop.

``Schema.load`` costs about 80 us for a typical statement, too slow for the 10,000+ statements/second the LRS must
accept, so at import each schema is compiled once. Only the marshmallow features the xAPI schemas use are supported;
anything else fails loudly at import rather than being silently ignored.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, fields, validates_schema
from marshmallow import ValidationError as MMValidationError

from lrs.xapi.errors import InvalidField
from lrs.xapi.fields import XField, _invalid, _relative_message

Check = Callable[[Any, str], None]
Rule = Callable[[Mapping[str, Any], str], None]


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


_INSTANCES: dict[type[XSchema], XSchema] = {}


def schema_instance(cls: type[XSchema]) -> XSchema:
    """The one marshmallow instance of a schema class (for the marshmallow engine)."""
    inst = _INSTANCES.get(cls)
    if inst is None:
        inst = _INSTANCES[cls] = cls()
    return inst


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
