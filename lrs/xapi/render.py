"""GET formats (xAPI-Communication 2.1.3): exact, ids and canonical, and the Accept-Language negotiation the
canonical format uses."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from lrs.xapi.agents import IFI_KEYS


def format_statement(
    stmt: dict[str, Any],
    fmt: str,
    languages: list[str],
    *,
    activity_definitions: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Render a stored statement in the ``format`` the client asked for; the input is not modified.

    * ``exact``: the statement itself.
    * ``ids``: Agents and identified Groups reduced to objectType and IFI, anonymous Groups to
      objectType and members (each reduced), Activities to ``{"id"}`` (Activity is the default
      objectType) and Verbs to ``{"id"}`` (2.0 requires it, 1.0.3 recommends it).
    * ``canonical``: every language map (Verb display, Activity name/description and interaction
      component descriptions, attachment display/description) reduced to the one entry that best
      matches ``languages`` (see pick_language). When ``activity_definitions`` maps an Activity id
      to the LRS's canonical definition, that definition replaces the one in the statement first.
      Agents and Groups are returned as in ``exact``.
    """
    if fmt == "exact":
        return stmt
    if fmt == "ids":
        return _ids_statement(stmt)
    if fmt == "canonical":
        return _canonical_statement(stmt, languages, activity_definitions or {})
    raise ValueError(f"unknown statement format {fmt!r}")


def _ids_agent(agent: Any) -> Any:
    if not isinstance(agent, dict):
        return agent
    is_group = agent.get("objectType") == "Group"
    out: dict[str, Any] = {"objectType": "Group" if is_group else "Agent"}
    identified = False
    for key in IFI_KEYS:
        if key in agent:
            out[key] = agent[key]
            identified = True
    if is_group and not identified and isinstance(agent.get("member"), list):
        # An anonymous Group is identified only by its members (xAPI-Communication 2.1.3 "format").
        out["member"] = [_ids_agent(m) for m in agent["member"]]
    return out


def _ids_activity(activity: Any) -> Any:
    if not isinstance(activity, dict):
        return activity
    # "Activity" is the default objectType, so the id alone is the minimum that identifies it (the suites check
    # that a sub-statement's Activity object has exactly one key in this format).
    return {"id": activity.get("id")}


def _ids_object(obj: Any) -> Any:
    if not isinstance(obj, dict):
        return obj
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        return _ids_activity(obj)
    if object_type in ("Agent", "Group"):
        return _ids_agent(obj)
    if object_type == "SubStatement":
        return _ids_statement(obj)
    return obj


def _ids_statement(stmt: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(stmt)
    if "actor" in out:
        out["actor"] = _ids_agent(out["actor"])
    if "authority" in out:
        out["authority"] = _ids_agent(out["authority"])
    verb = out.get("verb")
    if isinstance(verb, dict):
        out["verb"] = {"id": verb.get("id")}
    if "object" in out:
        out["object"] = _ids_object(out["object"])
    context = out.get("context")
    if isinstance(context, dict):
        ctx = dict(context)
        for key in ("instructor", "team"):
            if key in ctx:
                ctx[key] = _ids_agent(ctx[key])
        activities = ctx.get("contextActivities")
        if isinstance(activities, dict):
            ctx["contextActivities"] = {
                k: [_ids_activity(a) for a in v] if isinstance(v, list) else _ids_activity(v)
                for k, v in activities.items()
            }
        for key, inner in (("contextAgents", "agent"), ("contextGroups", "group")):
            items = ctx.get(key)
            if isinstance(items, list):
                ctx[key] = [
                    {**item, inner: _ids_agent(item.get(inner))} if isinstance(item, dict) and inner in item else item
                    for item in items
                ]
        out["context"] = ctx
    return out


_DEFINITION_LANG_MAPS = ("name", "description")
_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")


def _canonical_statement(
    stmt: Mapping[str, Any], languages: list[str], definitions: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    out = dict(stmt)
    verb = out.get("verb")
    if isinstance(verb, dict) and isinstance(verb.get("display"), dict):
        out["verb"] = {**verb, "display": _reduce_lang_map(verb["display"], languages)}
    obj = out.get("object")
    if isinstance(obj, dict):
        object_type = obj.get("objectType", "Activity")
        if object_type == "Activity":
            out["object"] = _canonical_activity(obj, languages, definitions)
        elif object_type == "SubStatement":
            out["object"] = _canonical_statement(obj, languages, definitions)
    context = out.get("context")
    if isinstance(context, dict) and isinstance(context.get("contextActivities"), dict):
        out["context"] = {
            **context,
            "contextActivities": {
                k: [_canonical_activity(a, languages, definitions) for a in v]
                if isinstance(v, list)
                else _canonical_activity(v, languages, definitions)
                for k, v in context["contextActivities"].items()
            },
        }
    attachments = out.get("attachments")
    if isinstance(attachments, list):
        out["attachments"] = [_canonical_attachment(a, languages) for a in attachments]
    return out


def _canonical_activity(
    activity: Any, languages: list[str], definitions: Mapping[str, Mapping[str, Any]]
) -> Any:
    if not isinstance(activity, dict):
        return activity
    definition = definitions.get(activity.get("id"), activity.get("definition"))  # type: ignore[arg-type]
    if not isinstance(definition, Mapping):
        return activity
    new_def = dict(definition)
    for key in _DEFINITION_LANG_MAPS:
        if isinstance(new_def.get(key), dict):
            new_def[key] = _reduce_lang_map(new_def[key], languages)
    for key in _COMPONENT_LISTS:
        components = new_def.get(key)
        if isinstance(components, list):
            new_def[key] = [
                {**c, "description": _reduce_lang_map(c["description"], languages)}
                if isinstance(c, dict) and isinstance(c.get("description"), dict)
                else c
                for c in components
            ]
    return {**activity, "definition": new_def}


def _canonical_attachment(attachment: Any, languages: list[str]) -> Any:
    if not isinstance(attachment, dict):
        return attachment
    out = dict(attachment)
    for key in ("display", "description"):
        if isinstance(out.get(key), dict):
            out[key] = _reduce_lang_map(out[key], languages)
    return out


def _reduce_lang_map(lang_map: Mapping[str, Any], languages: list[str]) -> dict[str, Any]:
    tag = pick_language(lang_map.keys(), languages)
    return {} if tag is None else {tag: lang_map[tag]}


def pick_language(available: Iterable[str], languages: list[str]) -> str | None:
    """Choose the entry of a language map to return for an Accept-Language preference list.

    For each preferred range in order (case-insensitively): an exact tag; else a tag the range is a
    prefix of (``en`` -> ``en-GB``, RFC 2616 14.4 matching); else the range progressively truncated
    (``en-US`` -> ``en``, RFC 4647 3.4 lookup). ``*`` stops the search. Failing all that: ``und``,
    then the map's first entry. Returns None only for an empty map.
    """
    tags = list(available)
    if not tags:
        return None
    lowered = {t.lower(): t for t in reversed(tags)}  # first spelling wins on case-only duplicates
    for wanted in languages:
        rng = wanted.lower()
        if rng == "*":
            break
        if rng in lowered:
            return lowered[rng]
        prefix = rng + "-"
        for tag in tags:
            if tag.lower().startswith(prefix):
                return tag
        for shorter in _truncations(rng):
            if shorter in lowered:
                return lowered[shorter]
    return lowered.get("und", tags[0])


def _truncations(rng: str) -> Iterator[str]:
    # RFC 4647 3.4: drop the last subtag, and a single-letter subtag left dangling before it.
    parts = rng.split("-")
    while len(parts) > 1:
        parts.pop()
        if len(parts) > 1 and len(parts[-1]) == 1:
            parts.pop()
        yield "-".join(parts)


def parse_accept_language(header: str | None) -> list[str]:
    """Parse an Accept-Language header into language ranges ordered by quality (highest first).

    Ties keep header order; ranges with ``q=0`` or a malformed q-value are dropped.
    """
    if not header:
        return []
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        rng = pieces[0].strip()
        if not rng:
            continue
        quality = 1.0
        for param in pieces[1:]:
            name, _, val = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(val.strip())
                except ValueError:
                    quality = -1.0
        if 0.0 < quality <= 1.0:
            ranked.append((-quality, index, rng))
    ranked.sort()
    return [rng for _, _, rng in ranked]
