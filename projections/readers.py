"""Reading xAPI statements for read models: durations, dates in the district's zone, school years, language maps,
context activities, credits, providers, instructors and tags. Pure functions over statement dicts; every read model
(transcript, compliance, evaluation) reads statements through these, so they agree on what a statement says."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import tzinfo
from functools import lru_cache
from typing import Any

from lrs.roster.identity import match_key
from lrs.times import format_date, local_date, try_parse_timestamp

EXT_TAGS = "http://id.tincanapi.com/extension/tags"
#: The most credit one statement may award (in its own unit); more is taken as malformed and ignored.
MAX_CREDIT = 10_000.0


_NUM = r"(\d+(?:[.,]\d+)?)"
_DURATION = re.compile(rf"^P(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}W)?(?:{_NUM}D)?(?:T(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?$")
_UNITS = (365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1)


def parse_duration(text: Any) -> float | None:
    """Seconds in an ISO 8601 duration such as ``PT1H30M`` (None when absent or malformed)."""
    return _parse_duration(text) if isinstance(text, str) else None


@lru_cache(maxsize=4096)  # durations repeat ("PT45M"): parse each spelling once
def _parse_duration(text: str) -> float | None:
    if text in ("P", "PT") or text.endswith("T"):
        return None
    m = _DURATION.match(text.strip())
    if not m:
        return None
    return float(sum(float(g.replace(",", ".")) * u for g, u in zip(m.groups(), _UNITS) if g))


def statement_date(stmt: Mapping[str, Any], tz: tzinfo | None = None) -> str:
    """The calendar date the statement happened on, ``YYYY-MM-DD``: in the district's time zone ``tz`` when
    given (the LRS stores timestamps in UTC, and a 7 pm session in Nebraska is the next day in UTC), else in the
    timestamp's own offset."""
    for k in ("timestamp", "stored"):
        v = stmt.get(k)
        if isinstance(v, str) and re.match(r"^\d{4}-\d{2}-\d{2}", v):
            if tz is not None:
                t = try_parse_timestamp(v)
                if t is not None:
                    return format_date(local_date(t, tz))
            return v[:10]
    return "1970-01-01"


@lru_cache(maxsize=8192)
def school_year(date_text: str, start: tuple[int, int] = (7, 1)) -> str:
    """The school year a date falls in, e.g. ``2024-2025`` (a ``01-01`` start gives calendar years: ``2024``)."""
    y, m, d = int(date_text[0:4]), int(date_text[5:7]), int(date_text[8:10])
    if start == (1, 1):
        return str(y)
    first = y if (m, d) >= start else y - 1
    return f"{first}-{first + 1}"


def display_text(value: Any) -> str | None:
    """One string from a language map, preferring US then any English, then the first tag in sorted order."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict) or not value:
        return None
    for tag in ("en-US", "en", "en-GB"):
        if isinstance(value.get(tag), str):
            return value[tag]
    for tag in sorted(value):
        if tag.lower().startswith("en") and isinstance(value[tag], str):
            return value[tag]
    first = value[sorted(value)[0]]
    return first if isinstance(first, str) else None


def agent_label(agent: Any) -> str | None:
    """A display name for an Agent or Group: its name, else its identifier."""
    if not isinstance(agent, dict):
        return None
    name = agent.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    return match_key(agent)


def context_activities(ctx: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    """``context.contextActivities[kind]`` as a list (1.0.x allowed a single object)."""
    ca = ctx.get("contextActivities")
    if not isinstance(ca, dict):
        return []
    v = ca.get(kind)
    if isinstance(v, dict):
        return [v]
    return [a for a in v if isinstance(a, dict)] if isinstance(v, list) else []


def parse_credit(value: Any) -> tuple[str, float] | None:
    """``{"type": "clock-hour", "amount": 1.5}`` -> ("clock-hour", 1.5); None when malformed."""
    if not isinstance(value, dict):
        return None
    kind, amount = value.get("type"), value.get("amount")
    if not isinstance(kind, str) or not kind.strip():
        return None
    try:
        amt = float(amount)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    # Finite and plausible: 1e308 semester hours would make transcript hours infinite.
    if not 0 <= amt <= MAX_CREDIT:
        return None
    return kind.strip().lower(), amt


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (typed, so callers can ``.get`` on it)."""
    return value if isinstance(value, dict) else {}


def provider_label(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return display_text(value.get("name")) or agent_label(value) or display_text(value)
    return None


def instructor_labels(ctx: Mapping[str, Any]) -> list[str]:
    if not ctx:
        return []
    out: list[str] = []
    inst = agent_label(ctx.get("instructor"))
    if inst:
        out.append(inst)
    # xAPI 2.0: contextAgents / contextGroups with a relevant type naming the instructor role.
    for key, inner in (("contextAgents", "agent"), ("contextGroups", "group")):
        for ca in ctx.get(key) or []:
            if not isinstance(ca, dict):
                continue
            types = ca.get("relevantTypes") or []
            if any(isinstance(t, str) and "instructor" in t.lower() for t in types):
                label = agent_label(ca.get(inner))
                if label:
                    out.append(label)
    return sorted(set(out))


def statement_tags(ctx: Mapping[str, Any]) -> list[str]:
    exts = ctx.get("extensions")
    raw = exts.get(EXT_TAGS) if isinstance(exts, dict) else None
    if isinstance(raw, str):
        raw = [raw]
    return [t.strip().lower() for t in raw or [] if isinstance(t, str)]
