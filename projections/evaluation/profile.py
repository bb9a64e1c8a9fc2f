"""Statement Template validation for xAPI Profiles (xAPI Profiles 1.0, communication part 2.1), enough to check
statements against the district profile (docs/profile/district-pd.jsonld).

JSONPath is the subset the Profiles spec allows: ``$``, ``.name``, ``['name']`` (and unions ``['a','b']``),
``[n]``, ``[*]``/``.*``, and ``|`` between whole expressions; no filters or scripts.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

_WILD = object()
_UNMATCHABLE = object()
PROFILE_PATH = Path(__file__).resolve().parents[2] / "docs" / "profile" / "district-pd.jsonld"


def load_profile(path: str | Path | None = None) -> dict[str, Any]:
    """The profile document (default: the district profile in docs/profile/)."""
    return dict(json.loads(Path(path or PROFILE_PATH).read_text(encoding="utf-8")))


def _parse(path: str) -> list[list[Any]]:
    """One JSONPath expression -> segments; each segment is a list of selectors (names, ints or _WILD)."""
    path = path.strip()
    if not path.startswith("$"):
        raise ValueError(f"JSONPath must start with $: {path!r}")
    i, segs = 1, []
    while i < len(path):
        c = path[i]
        if c == ".":
            i += 1
            if i < len(path) and path[i] == "*":
                segs.append([_WILD])
                i += 1
                continue
            j = i
            while j < len(path) and path[j] not in ".[":
                j += 1
            if j == i:
                raise ValueError(f"empty name in {path!r}")
            segs.append([path[i:j]])
            i = j
        elif c == "[":
            sels: list[Any] = []
            i += 1
            while True:
                while path[i] == " ":
                    i += 1
                if path[i] in "'\"":
                    q = path[i]
                    j = path.index(q, i + 1)
                    sels.append(path[i + 1:j])
                    i = j + 1
                elif path[i] == "*":
                    sels.append(_WILD)
                    i += 1
                else:
                    j = i
                    while path[j].isdigit():
                        j += 1
                    if j == i:
                        raise ValueError(f"bad selector in {path!r}")
                    sels.append(int(path[i:j]))
                    i = j
                while path[i] == " ":
                    i += 1
                if path[i] == ",":
                    i += 1
                    continue
                if path[i] == "]":
                    i += 1
                    break
                raise ValueError(f"bad selector in {path!r}")
            segs.append(sels)
        else:
            raise ValueError(f"unexpected {c!r} in {path!r}")
    return segs


def jsonpath(doc: Any, path: str) -> list[Any]:
    """Every value ``path`` finds in ``doc`` (``|`` joins expressions; results are flattened in order)."""
    out: list[Any] = []
    for expr in path.split("|"):
        values = [doc]
        for sels in _parse(expr):
            nxt: list[Any] = []
            for v in values:
                for s in sels:
                    if s is _WILD:
                        nxt.extend(v.values() if isinstance(v, dict) else v if isinstance(v, list) else [])
                    elif isinstance(s, int):
                        if isinstance(v, list) and s < len(v):
                            nxt.append(v[s])
                    elif isinstance(v, dict) and s in v:
                        nxt.append(v[s])
            values = nxt
        out.extend(values)
    return out


def normalise(stmt: Mapping[str, Any]) -> dict[str, Any]:
    """A copy with single contextActivities objects turned into arrays (xAPI 1.0 allowed both)."""
    s = copy.deepcopy(dict(stmt))
    ca = (s.get("context") or {}).get("contextActivities")
    if isinstance(ca, dict):
        for k, v in ca.items():
            if isinstance(v, dict):
                ca[k] = [v]
    return s


_CONTEXT_TYPES = {"contextGroupingActivityType": "grouping", "contextParentActivityType": "parent",
                  "contextOtherActivityType": "other", "contextCategoryActivityType": "category"}


def matches_determining_properties(stmt: Mapping[str, Any], template: Mapping[str, Any]) -> bool:
    """Verb, object activity type, context activity types and attachment usage types all present."""
    if "verb" in template and (stmt.get("verb") or {}).get("id") != template["verb"]:
        return False
    if "objectActivityType" in template:
        obj = stmt.get("object") or {}
        if ((obj.get("definition") or {}).get("type") if isinstance(obj, dict) else None) != template["objectActivityType"]:
            return False
    for prop, kind in _CONTEXT_TYPES.items():
        if prop in template:
            types = set(jsonpath(stmt, f"$.context.contextActivities.{kind}[*].definition.type"))
            if not set(template[prop]) <= types:
                return False
    if "attachmentUsageType" in template:
        if not set(template["attachmentUsageType"]) <= set(jsonpath(stmt, "$.attachments[*].usageType")):
            return False
    return True


def rule_problem(stmt: Mapping[str, Any], rule: Mapping[str, Any]) -> str | None:
    """Why ``stmt`` breaks a Statement Template Rule, or None when it follows it (spec ``follows_rule``)."""
    values: list[Any] = jsonpath(stmt, rule["location"])
    if rule.get("selector"):
        selected: list[Any] = []
        for v in values:
            found = jsonpath(v, rule["selector"])
            selected.extend(found if found else [_UNMATCHABLE])
        values = selected
    loc = rule["location"]
    strict = True
    presence = rule.get("presence")
    matchable = [v for v in values if v is not _UNMATCHABLE]
    if presence == "included":
        if not values or len(matchable) < len(values):
            return f"{loc}: required"
    elif presence == "excluded":
        if matchable:
            return f"{loc}: must not be present"
    elif presence == "recommended":
        strict = False
    if "any" in rule and (strict or values) and not any(v in rule["any"] for v in matchable):
        return f"{loc}: must include one of {rule['any']}"
    if "all" in rule and (strict or values):
        if len(matchable) < len(values) or any(v not in rule["all"] for v in values):
            return f"{loc}: every value must be one of {rule['all']}"
    if "none" in rule and (strict or values) and any(v in rule["none"] for v in matchable):
        return f"{loc}: must not be one of {rule['none']}"
    return None


def template_problems(stmt: Mapping[str, Any], template: Mapping[str, Any]) -> list[str]:
    """Every rule of ``template`` that ``stmt`` breaks (StatementRef templates are not followed)."""
    s = normalise(stmt)
    return [p for r in template.get("rules", []) if (p := rule_problem(s, r))]


def validate(stmt: Mapping[str, Any], profile: Mapping[str, Any]) -> tuple[str, list[str], list[str]]:
    """``(outcome, template ids, problems)`` as the spec's ``validates``: ``success`` with the matching
    templates, ``invalid`` with the matched-but-broken ones (and why), or ``unmatched``."""
    s = normalise(stmt)
    matched: list[str] = []
    failing: list[str] = []
    problems: list[str] = []
    for t in profile.get("templates", []):
        if matches_determining_properties(s, t):
            errs = template_problems(s, t)
            if errs:
                failing.append(t["id"])
                problems.extend(f"{t['id']}: {e}" for e in errs)
            else:
                matched.append(t["id"])
    if failing:
        return "invalid", failing, problems
    return ("success", matched, []) if matched else ("unmatched", [], [])


def concept_ids(profile: Mapping[str, Any]) -> set[str]:
    """The ids of the profile's own concepts."""
    return {c["id"] for c in profile.get("concepts", [])}


def template_iris(template: Mapping[str, Any]) -> set[str]:
    """Every IRI a template names: its determining properties, rule values and the extension keys in its rule
    locations (``['<iri>']``). Reused vocabulary (ADL, Tin Can, cmi5...) is declared this way rather than
    redefined as concepts (Profiles 7.0: a profile must not define another profile's concept)."""
    out: set[str] = set()
    for k in ("verb", "objectActivityType"):
        if k in template:
            out.add(template[k])
    for k in list(_CONTEXT_TYPES) + ["attachmentUsageType"]:
        out.update(template.get(k, []))
    for r in template.get("rules", []):
        for part in r["location"].split("|"):
            for sels in _parse(part):
                out.update(s for s in sels if isinstance(s, str) and ":" in s)
        for k in ("any", "all", "none"):
            out.update(v for v in r.get(k, []) if isinstance(v, str) and ":" in v)
    return out


def _seq(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else [value]


def pattern_members(pattern: Mapping[str, Any]) -> list[str]:
    """The template or pattern ids a pattern refers to."""
    for k in ("alternates", "sequence", "optional", "oneOrMore", "zeroOrMore"):
        if k in pattern:
            return list(_seq(pattern[k]))
    return []
