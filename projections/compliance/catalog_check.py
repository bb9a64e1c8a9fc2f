"""Validation of a requirement catalog: every problem is collected with its path, nothing stops at the first.

A catalog is configuration that decides who is reported as overdue to the state, so it is read strictly: unknown
keys are errors (a typo such as ``recurence`` must not silently drop a rule; the message suggests the closest
known key), so are duplicate keys in a mapping (YAML would otherwise keep the last one), wrong types (``true``
where a number is expected), parameters a recurrence kind does not use, impossible month-days and negative
numbers.
"""
from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import yaml

from projections.compliance.catalog import (DEFAULT_CREDIT_UNITS, DEFAULT_VERBS, KINDS, AppliesTo, Catalog,
                                            CatalogError, Deadline, Recurrence, Requirement, SatisfiedBy)
from projections.compliance.dates import parse_month_day

TOP_KEYS = ("school_year_start", "due_soon_days", "requirements", "effective", "version", "title", "credit_units")
REQUIREMENT_KEYS = ("id", "title", "reference", "description", "applies_to", "satisfied_by", "min_hours",
                    "hours_unit", "recurrence", "deadline", "due_soon_days", "effective_from", "effective_until")
APPLIES_KEYS = ("roles", "buildings", "attributes", "fte_min", "new_hires_only", "include_inactive")
SATISFIED_KEYS = ("activities", "activity_types", "tags", "categories", "verbs", "min_score", "passed")
RECURRENCE_KEYS = ("kind", "months", "years", "days", "hours", "ends", "anchor_attribute")
DEADLINE_KEYS = ("month_day", "days_after_hire", "rule")
# Parameters of each recurrence kind: True = required, False = optional. Any other parameter is an error.
KIND_PARAMS: dict[str, dict[str, bool]] = {
    "school_year": {},
    "rolling": {"months": True},
    "every_n_school_years": {"years": True},
    "once_after_hire": {"days": True},
    "hours_over_years": {"hours": True, "years": True},
    "certificate_cycle": {"years": True, "ends": True, "anchor_attribute": False},
}
# Kinds whose due date comes from the recurrence itself, so a deadline would be ignored: refuse it instead.
NO_DEADLINE = {
    "once_after_hire": "it is due `recurrence.days` after the requirement starts to apply",
    "hours_over_years": "the first due date is `recurrence.years` after the requirement starts to apply",
    "certificate_cycle": "it is due at the end of each certificate cycle",
}
_SLUG = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9 _/.-]{0,99}$")


# ---------------------------------------------------------------------------------------------------------------
# Reading the file
# ---------------------------------------------------------------------------------------------------------------

class _StrictLoader(yaml.SafeLoader):
    """A safe YAML loader that records duplicate mapping keys instead of silently keeping the last."""

    duplicates: list[str]


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, (dict, list)):
            key = str(key)
        if key in out:
            loader.duplicates.append(f"line {key_node.start_mark.line + 1}: duplicate key {key!r}")
        out[key] = loader.construct_object(value_node, deep=deep)
    return out


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load_document(text: str, filename: str) -> Any:
    """Decode a catalog file (JSON for ``*.json``, else YAML); raises :class:`CatalogError` when it cannot be
    read or repeats a key."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if filename.lower().endswith(".json"):
        dups: list[str] = []

        def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
            seen: dict[str, Any] = {}
            for k, v in items:
                if k in seen:
                    dups.append(f"duplicate key {k!r}")
                seen[k] = v
            return seen
        try:
            data = json.loads(text, object_pairs_hook=pairs)
        except ValueError as e:
            raise CatalogError([f"{filename}: not valid JSON: {e}"]) from None
        if dups:
            raise CatalogError([f"{filename}: {d}" for d in dups])
        return data
    loader = _StrictLoader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as e:
        raise CatalogError([f"{filename}: not valid YAML: {e}"]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise CatalogError([f"{filename}: {d}" for d in loader.duplicates])
    return data


# ---------------------------------------------------------------------------------------------------------------
# Checking values
# ---------------------------------------------------------------------------------------------------------------

class _Checker:
    """Collects problems as ``path: message``; each check returns the normalised value or None."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def err(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}" if path else message)

    def mapping(self, path: str, value: Any, keys: tuple[str, ...]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.err(path or "catalog", f"must be a mapping, not {_kind(value)}")
            return None
        for k in value:
            if not isinstance(k, str) or k not in keys:
                close = difflib.get_close_matches(str(k), keys, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(keys)})"
                self.err(_join(path, str(k)), f"unknown key{hint}")
        return value

    def text(self, path: str, value: Any, *, required: bool = False) -> str | None:
        if value is None:
            if required:
                self.err(path, "required")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.err(path, f"must be text, not {_kind(value)}")
            return None
        out = str(value).strip()
        if not out:
            if required:
                self.err(path, "must not be empty")
            return None
        return out

    def integer(self, path: str, value: Any, minimum: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer() and not isinstance(value, bool):
                value = int(value)
            else:
                self.err(path, f"must be a whole number, not {_kind(value)}")
                return None
        if value < 0:
            self.err(path, f"must not be negative ({value})")
            return None
        if value < minimum:
            self.err(path, f"must be at least {minimum}")
            return None
        return int(value)

    def number(self, path: str, value: Any, *, positive: bool = False, maximum: float | None = None) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            self.err(path, f"must be a number, not {_kind(value)}")
            return None
        if value < 0:
            self.err(path, f"must not be negative ({value})")
            return None
        if positive and value == 0:
            self.err(path, "must be greater than 0")
            return None
        if maximum is not None and value > maximum:
            self.err(path, f"must be at most {maximum:g}")
            return None
        return float(value)

    def boolean(self, path: str, value: Any) -> bool | None:
        if not isinstance(value, bool):
            self.err(path, f"must be true or false, not {_kind(value)}")
            return None
        return value

    def month_day(self, path: str, value: Any) -> str | None:
        if not isinstance(value, str):
            self.err(path, f"must be a month-day \"MM-DD\" in quotes, not {_kind(value)}")
            return None
        try:
            parse_month_day(value.strip())
        except ValueError as e:
            self.err(path, str(e))
            return None
        return value.strip()

    def iso_date(self, path: str, value: Any) -> str | None:
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                if re.match(r"^\d{4}-\d{2}-\d{2}$", value.strip()):
                    return date.fromisoformat(value.strip()).isoformat()
            except ValueError as e:
                self.err(path, f"{value!r} is not a valid date: {e}")
                return None
        self.err(path, f"must be a date YYYY-MM-DD, not {_kind(value) if not isinstance(value, str) else repr(value)}")
        return None

    def listed(self, path: str, value: Any) -> list[Any] | None:
        if not isinstance(value, list):
            self.err(path, f"must be a list, not {_kind(value)}")
            return None
        return value

    def iris(self, path: str, value: Any) -> tuple[str, ...]:
        items = self.listed(path, value)
        out: list[str] = []
        for i, v in enumerate(items or []):
            if not isinstance(v, str) or not _IRI.match(v.strip()):
                self.err(f"{path}[{i}]", f"{v!r} is not an absolute IRI (such as https://district.example/pd/x)")
            else:
                out.append(v.strip())
        return tuple(sorted(set(out)))

    def names(self, path: str, value: Any, *, lower: bool = True) -> tuple[str, ...]:
        items = self.listed(path, value)
        out: list[str] = []
        for i, v in enumerate(items or []):
            if isinstance(v, bool) or not isinstance(v, (str, int, float)) or not str(v).strip():
                self.err(f"{path}[{i}]", f"must be non-empty text, not {_kind(v)}")
                continue
            n = " ".join(str(v).split())
            out.append(n.lower() if lower else n)
        return tuple(sorted(set(out)))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, (int, float)):
        return f"{value!r} (a number)"
    if isinstance(value, str):
        return f"text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


# ---------------------------------------------------------------------------------------------------------------
# Building the catalog
# ---------------------------------------------------------------------------------------------------------------

def build_catalog(data: Any) -> Catalog:
    """Validate decoded catalog data and build the normalised :class:`Catalog`; raises :class:`CatalogError`."""
    ck = _Checker()
    top = ck.mapping("", data, TOP_KEYS)
    if top is None:
        raise CatalogError(ck.problems)
    sys_start = ck.month_day("school_year_start", top["school_year_start"]) \
        if "school_year_start" in top else "07-01"
    due_soon = ck.integer("due_soon_days", top["due_soon_days"], 0) if "due_soon_days" in top else 30
    effective = ck.iso_date("effective", top["effective"]) if top.get("effective") is not None else None
    version = ck.text("version", top.get("version"))
    title = ck.text("title", top.get("title"))
    units = dict(DEFAULT_CREDIT_UNITS)
    if "credit_units" in top:
        cu = top["credit_units"]
        if not isinstance(cu, dict):
            ck.err("credit_units", f"must be a mapping of unit -> clock hours, not {_kind(cu)}")
            cu = {}
        for k, v in cu.items():
            n = ck.number(f"credit_units.{k}", v, positive=True)
            if n is not None:
                units[str(k).strip().lower()] = n
    reqs: list[Requirement] = []
    if "requirements" not in top:
        ck.err("requirements", "required (a list of requirements)")
    else:
        items = ck.listed("requirements", top["requirements"]) or []
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            # Duplicates are checked on the raw ids, so a requirement with other problems still claims its id.
            raw_id = item.get("id") if isinstance(item, dict) else None
            if isinstance(raw_id, str) and raw_id.strip():
                if raw_id.strip() in seen:
                    ck.err(f"requirements[{i}].id",
                           f"duplicate id {raw_id.strip()!r} (also requirements[{seen[raw_id.strip()]}])")
                else:
                    seen[raw_id.strip()] = i
            r = _requirement(ck, f"requirements[{i}]", item, sys_start or "07-01",
                             30 if due_soon is None else due_soon, units)
            if r is not None:
                reqs.append(r)
    if ck.problems:
        raise CatalogError(ck.problems)
    return Catalog(requirements=tuple(reqs), school_year_start=sys_start or "07-01",
                   due_soon_days=30 if due_soon is None else due_soon, effective=effective, version=version,
                   title=title, credit_units=tuple(sorted(units.items())))


def _requirement(ck: _Checker, path: str, item: Any, sys_start: str, due_soon: int,
                 units: Mapping[str, float]) -> Requirement | None:
    before = len(ck.problems)
    m = ck.mapping(path, item, REQUIREMENT_KEYS)
    if m is None:
        return None
    rid = ck.text(f"{path}.id", m.get("id"), required=True)
    if rid is not None and not _SLUG.match(rid):
        ck.err(f"{path}.id", f"{rid!r} must be a slug: lowercase letters and digits separated by '-', '_' or '.'")
    title = ck.text(f"{path}.title", m.get("title"), required=True)
    reference = ck.text(f"{path}.reference", m.get("reference"))
    description = ck.text(f"{path}.description", m.get("description"))
    recurrence = _recurrence(ck, f"{path}.recurrence", m.get("recurrence"))
    kind = recurrence.kind if recurrence else None
    applies = _applies_to(ck, f"{path}.applies_to", m["applies_to"]) if "applies_to" in m else AppliesTo()
    satisfied = _satisfied_by(ck, f"{path}.satisfied_by", m.get("satisfied_by"))
    deadline = None
    if m.get("deadline") is not None:
        if kind in NO_DEADLINE:
            ck.err(f"{path}.deadline", f"not used by kind {kind} ({NO_DEADLINE[kind]})")
        else:
            deadline = _deadline(ck, f"{path}.deadline", m["deadline"])
    min_hours = None
    if m.get("min_hours") is not None:
        if kind == "hours_over_years":
            ck.err(f"{path}.min_hours", "not used by kind hours_over_years (set recurrence.hours)")
        else:
            min_hours = ck.number(f"{path}.min_hours", m["min_hours"], positive=True)
    unit = "clock-hour"
    if m.get("hours_unit") is not None:
        u = ck.text(f"{path}.hours_unit", m["hours_unit"])
        if u is not None and u.lower() not in units:
            ck.err(f"{path}.hours_unit", f"unknown unit {u!r} (known: {', '.join(sorted(units))}; "
                   "add it under credit_units)")
        elif u is not None:
            unit = u.lower()
    own_due_soon = due_soon
    if m.get("due_soon_days") is not None:
        own_due_soon = ck.integer(f"{path}.due_soon_days", m["due_soon_days"], 0) or 0
    eff_from = ck.iso_date(f"{path}.effective_from", m["effective_from"]) \
        if m.get("effective_from") is not None else None
    eff_until = ck.iso_date(f"{path}.effective_until", m["effective_until"]) \
        if m.get("effective_until") is not None else None
    if eff_from and eff_until and eff_until < eff_from:
        ck.err(f"{path}.effective_until", f"{eff_until} is before effective_from {eff_from}")
    if len(ck.problems) > before or rid is None or title is None or recurrence is None or satisfied is None:
        return None
    return Requirement(id=rid, title=title, reference=reference, description=description, applies_to=applies,
                       satisfied_by=satisfied, recurrence=recurrence, deadline=deadline, min_hours=min_hours,
                       hours_unit=unit, unit_hours=units[unit], school_year_start=sys_start,
                       due_soon_days=own_due_soon, effective_from=eff_from, effective_until=eff_until)


def _applies_to(ck: _Checker, path: str, value: Any) -> AppliesTo:
    m = ck.mapping(path, value, APPLIES_KEYS)
    if m is None:
        return AppliesTo()
    roles = ck.names(f"{path}.roles", m["roles"]) if "roles" in m else ()
    for r in roles:
        if not _NAME.match(r):
            ck.err(f"{path}.roles", f"role {r!r} has characters a roster role cannot have")
    buildings = ck.names(f"{path}.buildings", m["buildings"], lower=False) if "buildings" in m else ()
    attributes: list[tuple[str, tuple[str, ...]]] = []
    if "attributes" in m:
        raw = m["attributes"]
        if not isinstance(raw, dict):
            ck.err(f"{path}.attributes", f"must be a mapping of roster column -> value(s), not {_kind(raw)}")
        else:
            for name, want in raw.items():
                p = f"{path}.attributes.{name}"
                key = str(name).strip().lower()
                if not key:
                    ck.err(p, "attribute name must not be empty")
                    continue
                values = ck.names(p, want if isinstance(want, list) else [want], lower=True)
                if not values and isinstance(want, list):
                    ck.err(p, "needs at least one value")
                attributes.append((key, values))
    fte_min = ck.number(f"{path}.fte_min", m["fte_min"]) if m.get("fte_min") is not None else None
    nho: str | bool | None = None
    if m.get("new_hires_only") is not None:
        v = m["new_hires_only"]
        nho = (True if v else None) if isinstance(v, bool) else ck.iso_date(f"{path}.new_hires_only", v)
    inactive = bool(ck.boolean(f"{path}.include_inactive", m["include_inactive"])) \
        if "include_inactive" in m else False
    return AppliesTo(roles=roles, buildings=buildings, attributes=tuple(sorted(attributes)), fte_min=fte_min,
                     new_hires_only=nho, include_inactive=inactive)


def _satisfied_by(ck: _Checker, path: str, value: Any) -> SatisfiedBy | None:
    if value is None:
        ck.err(path, "required (activities, activity_types, tags or categories that count as evidence)")
        return None
    m = ck.mapping(path, value, SATISFIED_KEYS)
    if m is None:
        return None
    acts = ck.iris(f"{path}.activities", m["activities"]) if "activities" in m else ()
    types = ck.iris(f"{path}.activity_types", m["activity_types"]) if "activity_types" in m else ()
    tags = ck.names(f"{path}.tags", m["tags"]) if "tags" in m else ()
    cats = ck.iris(f"{path}.categories", m["categories"]) if "categories" in m else ()
    if not (acts or types or tags or cats) and not any(k in m for k in SATISFIED_KEYS[:4]):
        ck.err(path, "needs at least one of activities, activity_types, tags, categories")
    verbs = DEFAULT_VERBS
    if "verbs" in m:
        verbs = ck.iris(f"{path}.verbs", m["verbs"])
        if not verbs and isinstance(m["verbs"], list) and not m["verbs"]:
            ck.err(f"{path}.verbs", "must not be empty (leave it out for completed, passed, attended)")
    min_score = ck.number(f"{path}.min_score", m["min_score"], maximum=1.0) if m.get("min_score") is not None \
        else None
    passed = bool(ck.boolean(f"{path}.passed", m["passed"])) if "passed" in m else False
    return SatisfiedBy(activities=acts, activity_types=types, tags=tags, categories=cats, verbs=tuple(verbs),
                       min_score=min_score, passed=passed)


def _recurrence(ck: _Checker, path: str, value: Any) -> Recurrence | None:
    if value is None:
        ck.err(path, f"required (kind: one of {', '.join(KINDS)})")
        return None
    m = ck.mapping(path, value, RECURRENCE_KEYS)
    if m is None:
        return None
    kind = m.get("kind")
    if kind not in KINDS:
        ck.err(f"{path}.kind", "required" if kind is None else f"{kind!r} is not one of {', '.join(KINDS)}")
        return None
    params = KIND_PARAMS[kind]
    for k in RECURRENCE_KEYS[1:]:
        if k in m and k not in params:
            ck.err(f"{path}.{k}", f"not used by kind {kind}")
        elif params.get(k) and m.get(k) is None:
            ck.err(f"{path}.{k}", f"required for kind {kind}")
    def get_int(k: str, minimum: int) -> int | None:
        return ck.integer(f"{path}.{k}", m[k], minimum) if k in params and m.get(k) is not None else None
    hours = ck.number(f"{path}.hours", m["hours"], positive=True) \
        if "hours" in params and m.get("hours") is not None else None
    ends = ck.month_day(f"{path}.ends", m["ends"]) if "ends" in params and m.get("ends") is not None else None
    anchor = None
    if kind == "certificate_cycle":
        anchor = ck.text(f"{path}.anchor_attribute", m.get("anchor_attribute"))
        anchor = anchor.lower() if anchor else None
    return Recurrence(kind=kind, months=get_int("months", 1), years=get_int("years", 1), days=get_int("days", 0),
                      hours=hours, ends=ends, anchor_attribute=anchor)


def _deadline(ck: _Checker, path: str, value: Any) -> Deadline | None:
    m = ck.mapping(path, value, DEADLINE_KEYS)
    if m is None:
        return None
    md = ck.month_day(f"{path}.month_day", m["month_day"]) if m.get("month_day") is not None else None
    days = ck.integer(f"{path}.days_after_hire", m["days_after_hire"], 0) \
        if m.get("days_after_hire") is not None else None
    rule = "later"
    if m.get("rule") is not None:
        if m["rule"] not in ("later", "earlier"):
            ck.err(f"{path}.rule", f"{m['rule']!r} must be 'later' or 'earlier'")
        else:
            rule = m["rule"]
    if m.get("month_day") is None and m.get("days_after_hire") is None:
        ck.err(path, "needs month_day, days_after_hire, or both")
    return Deadline(month_day=md, days_after_hire=days, rule=rule)
