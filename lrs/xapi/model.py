"""Pure helpers on xAPI statement dicts: identifiers, timestamps, normalisation, comparison, formats.

Everything here works on plain JSON-shaped data (dicts, lists, strings, numbers) and never mutates its
input. Functions that return a modified statement copy only the containers on the modified paths and
share every untouched sub-object with the input, because a deep copy would cost more than the rest of
the work; callers must treat both the input and the result as read-only below the top level.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from lrs.times import format_time, try_parse_timestamp
from lrs.xapi.errors import InvalidField

__all__ = [
    "IFI_KEYS",
    "VOIDED_VERB_ID",
    "agent_key",
    "parse_timestamp",
    "try_parse_timestamp",
    "truncate_duration",
    "normalize_statement",
    "statements_equivalent",
    "format_statement",
    "parse_accept_language",
    "pick_language",
    "referenced_agents",
    "referenced_activities",
]

#: The inverse functional identifier properties, in the order agent_key prefers them.
IFI_KEYS: tuple[str, ...] = ("mbox", "mbox_sha1sum", "openid", "account")

#: The reserved verb that voids another statement (xAPI-Data 2.3.2).
VOIDED_VERB_ID = "http://adlnet.gov/expapi/verbs/voided"

_CONTEXT_ACTIVITY_KEYS: tuple[str, ...] = ("parent", "grouping", "category", "other")


# --------------------------------------------------------------------------------------------------
# Agent identifiers
# --------------------------------------------------------------------------------------------------


def agent_key(agent: object) -> str | None:
    """Return the stable identifier string of an Agent or identified Group, or None if it has no IFI.

    The forms are ``mbox:mailto:a@b.org``, ``mbox_sha1sum:HEX``, ``openid:URL`` and
    ``account:HOMEPAGE|NAME`` (the project's public person identifier format). The domain part of
    an mbox and the sha1 hex are lowercased because the spec makes them case-insensitive
    (xAPI-Data 2.3.1, 2.4.2.3); everything else is kept exactly.
    """
    if not isinstance(agent, dict):
        return None
    mbox = agent.get("mbox")
    if isinstance(mbox, str):
        return "mbox:" + _normalize_mbox(mbox)
    sha1 = agent.get("mbox_sha1sum")
    if isinstance(sha1, str):
        return "mbox_sha1sum:" + sha1.lower()
    openid = agent.get("openid")
    if isinstance(openid, str):
        return "openid:" + openid
    account = agent.get("account")
    if isinstance(account, dict):
        home, name = account.get("homePage"), account.get("name")
        if isinstance(home, str) and isinstance(name, str):
            return f"account:{home}|{name}"
    return None


def _normalize_mbox(mbox: str) -> str:
    # Only the domain of an e-mail address is case-insensitive; the local part may legally differ.
    local, sep, domain = mbox.rpartition("@")
    return f"{local}{sep}{domain.lower()}" if sep else mbox


# --------------------------------------------------------------------------------------------------
# Timestamps and durations
# --------------------------------------------------------------------------------------------------

def parse_timestamp(value: object, path: str = "timestamp") -> datetime:
    """Parse an ISO 8601 timestamp into an aware UTC datetime.

    Raises InvalidField (a 400 ValidationError) naming ``path`` if the value is not a timestamp, so
    API code can use it directly on query parameters such as ``since``.
    """
    dt = try_parse_timestamp(value)
    if dt is None:
        raise InvalidField(path, f"not an ISO 8601 timestamp: {value!r}")
    return dt


_DURATION_FINE_SECONDS = re.compile(r"(\d[.,]\d\d)\d+S$")


def truncate_duration(duration: str) -> str:
    """Truncate (never round) the seconds of an ISO 8601 duration to 0.01 s: ``PT0.12567S`` -> ``PT0.12S``.

    xAPI 2.0 (LRS 4.2.7) allows truncation but forbids rounding; anything coarser is left untouched.
    """
    if "S" not in duration:
        return duration
    return _DURATION_FINE_SECONDS.sub(r"\1S", duration)


# --------------------------------------------------------------------------------------------------
# Normalisation for storage
# --------------------------------------------------------------------------------------------------


def normalize_statement(stmt: dict[str, Any], *, version: str) -> dict[str, Any]:
    """Return the statement as the LRS stores it; the input is not modified.

    Changes, applied to the statement and to a SubStatement object alike, and nothing else:
    timestamps converted to fixed-width UTC (2.0 LRS 4.2.7 requires it, 1.0.3 recommends it);
    single contextActivities objects wrapped in arrays (xAPI-Data 2.4.6.2 requires returning arrays);
    result durations truncated to 0.01 s (allowed by both versions); ``objectType: "Activity"`` added
    to an object that has no objectType (xAPI-Data 2.4.4 makes it the default). ``version`` is the
    xAPI version of the request; the rules above are currently the same for both versions.

    The statement must already be valid (see lrs.xapi.validation.validate_statement).
    """
    del version  # same normalisation for 1.0.3 and 2.0; kept so callers need not change later
    return _normalize(stmt)


def _normalize(stmt: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(stmt)
    ts = out.get("timestamp")
    if isinstance(ts, str):
        dt = try_parse_timestamp(ts)
        if dt is not None:
            out["timestamp"] = format_time(dt)
    obj = out.get("object")
    if isinstance(obj, dict):
        object_type = obj.get("objectType")
        if object_type is None:
            obj = {"objectType": "Activity", **obj}
        elif object_type == "SubStatement":
            obj = _normalize(obj)
        out["object"] = obj
    result = out.get("result")
    if isinstance(result, dict):
        duration = result.get("duration")
        if isinstance(duration, str):
            truncated = truncate_duration(duration)
            if truncated != duration:
                out["result"] = {**result, "duration": truncated}
    context = out.get("context")
    if isinstance(context, dict):
        activities = context.get("contextActivities")
        if isinstance(activities, dict) and any(isinstance(v, dict) for v in activities.values()):
            wrapped = {k: [v] if isinstance(v, dict) else v for k, v in activities.items()}
            out["context"] = {**context, "contextActivities": wrapped}
    return out


# --------------------------------------------------------------------------------------------------
# Statement comparison (xAPI-Data 2.3.1 "Statement Comparison Requirements")
# --------------------------------------------------------------------------------------------------

# Properties the LRS may assign during processing (2.3.1, first exception). "id" and "timestamp" are
# only filled in when missing, so a difference is ignored only when one side lacks them. "stored" and
# "authority" are (re)written by the LRS (2.4.8, 2.4.9), and "version" is stamped per request version
# (1.0.0 under 1.0.3, 2.0.0 under 2.0), so the same statement re-sent under the other version must
# still match: those three are ignored entirely.
_ASSIGNABLE = ("id", "timestamp")
_IGNORED = frozenset({"stored", "authority", "version"})


def statements_equivalent(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Decide whether two statements are "the same" under xAPI-Data 2.3.1.

    Used for a re-sent statement id (same -> 204, different -> 409) and for a signed statement
    against its JWS payload. Differences the immutability exceptions allow are ignored:

    * ``stored``, ``authority`` and ``version``; ``id``/``timestamp`` present on only one side;
    * Activity definitions and Verb ``display`` (not part of the statement, 2.3.1);
    * serialisation of timestamps (compared as instants, at millisecond precision, since 4.5 lets
      the LRS truncate to milliseconds) and group member order;
    * case of case-insensitive values: mbox domain, mbox_sha1sum, UUIDs, language tags and
      language-map keys;
    * contextActivities given as a single Activity vs. a one-element array, and a missing
      objectType where the spec defines the default (Activity for objects, Agent for agents).

    Durations are compared as strings (2.3.1) after truncation to 0.01 s (4.6). Attachment
    metadata is compared (an empty ``attachments`` array equals none). Everything else is compared
    exactly, with booleans never equal to numbers.
    """
    ca, cb = _canon_statement(a), _canon_statement(b)
    for key in _ASSIGNABLE:
        if (key in ca) != (key in cb):
            ca.pop(key, None)
            cb.pop(key, None)
    return ca == cb


def _canon_statement(stmt: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in stmt.items():
        if key in _IGNORED:
            continue
        if key == "id":
            out[key] = value.lower() if isinstance(value, str) else _canon_json(value)
        elif key == "timestamp":
            out[key] = _canon_instant(value)
        elif key == "actor":
            out[key] = _canon_agent(value)
        elif key == "verb":
            out[key] = {"id": value.get("id")} if isinstance(value, dict) else _canon_json(value)
        elif key == "object":
            out[key] = _canon_object(value)
        elif key == "result":
            out[key] = _canon_result(value)
        elif key == "context":
            out[key] = _canon_context(value)
        elif key == "attachments":
            if value:  # [] and absent are the same statement
                out[key] = [_canon_attachment(a) for a in value] if isinstance(value, list) else _canon_json(value)
        else:
            out[key] = _canon_json(value)
    return out


def _canon_json(value: Any) -> Any:
    # Tag scalars so that True never equals 1 (Python's bool is an int); 1 and 1.0 stay equal.
    if isinstance(value, dict):
        return {k: _canon_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canon_json(v) for v in value]
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("num", value)
    return value


def _canon_instant(value: Any) -> Any:
    dt = try_parse_timestamp(value)
    if dt is None:
        return ("raw", value)
    return dt.replace(microsecond=dt.microsecond // 1000 * 1000)


def _canon_lang_map(value: Any) -> Any:
    if isinstance(value, dict):
        return {k.lower(): _canon_json(v) for k, v in value.items()}
    return _canon_json(value)


def _canon_agent(agent: Any) -> Any:
    if not isinstance(agent, dict):
        return _canon_json(agent)
    out: dict[str, Any] = {"objectType": agent.get("objectType", "Agent")}
    for key, value in agent.items():
        if key == "objectType":
            continue
        if key == "mbox" and isinstance(value, str):
            out[key] = _normalize_mbox(value)
        elif key == "mbox_sha1sum" and isinstance(value, str):
            out[key] = value.lower()
        elif key == "member" and isinstance(value, list):
            # Group members are an unordered list (2.3.1): compare them as a sorted multiset.
            members = [_canon_agent(m) for m in value]
            out[key] = sorted(members, key=_sort_key)
        else:
            out[key] = _canon_json(value)
    return out


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _canon_activity(activity: Any) -> Any:
    # The definition is not part of the statement (2.3.1), and objectType defaults to Activity.
    if not isinstance(activity, dict):
        return _canon_json(activity)
    return {"objectType": activity.get("objectType", "Activity"), "id": activity.get("id")}


def _canon_object(obj: Any) -> Any:
    if not isinstance(obj, dict):
        return _canon_json(obj)
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        return _canon_activity(obj)
    if object_type in ("Agent", "Group"):
        return _canon_agent(obj)
    if object_type == "SubStatement":
        return _canon_statement(obj)
    if object_type == "StatementRef":
        ref_id = obj.get("id")
        return {"objectType": object_type, "id": ref_id.lower() if isinstance(ref_id, str) else ref_id}
    return _canon_json(obj)


def _canon_result(result: Any) -> Any:
    if not isinstance(result, dict):
        return _canon_json(result)
    out = _canon_json(result)
    duration = result.get("duration")
    if isinstance(duration, str):
        out["duration"] = truncate_duration(duration)
    return out


def _canon_context(context: Any) -> Any:
    if not isinstance(context, dict):
        return _canon_json(context)
    out: dict[str, Any] = {}
    for key, value in context.items():
        if key in ("registration", "language") and isinstance(value, str):
            out[key] = value.lower()
        elif key in ("instructor", "team"):
            out[key] = _canon_agent(value)
        elif key == "statement":
            out[key] = _canon_object(value)
        elif key == "contextActivities" and isinstance(value, dict):
            out[key] = {k: [_canon_activity(a) for a in _as_list(v)] for k, v in value.items()}
        elif key in ("contextAgents", "contextGroups") and isinstance(value, list):
            out[key] = [_canon_context_agent(item) for item in value]
        else:
            out[key] = _canon_json(value)
    return out


def _canon_context_agent(item: Any) -> Any:
    if not isinstance(item, dict):
        return _canon_json(item)
    return {k: _canon_agent(v) if k in ("agent", "group") else _canon_json(v) for k, v in item.items()}


def _canon_attachment(attachment: Any) -> Any:
    if not isinstance(attachment, dict):
        return _canon_json(attachment)
    out: dict[str, Any] = {}
    for key, value in attachment.items():
        if key in ("display", "description"):
            out[key] = _canon_lang_map(value)
        elif key == "sha2" and isinstance(value, str):
            out[key] = value.lower()
        else:
            out[key] = _canon_json(value)
    return out


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [value]


# --------------------------------------------------------------------------------------------------
# GET formats: exact, ids, canonical
# --------------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------------
# Index keys for the agent / activity query filters
# --------------------------------------------------------------------------------------------------


def _agent_keys(agent: Any, into: set[str]) -> None:
    # xAPI-Communication 2.1.3, "agent": "Groups that have members which match the specified Agent
    # based on their Inverse Functional Identifier ... are considered a match", so a Group indexes
    # both its own IFI (when identified) and each member's.
    if not isinstance(agent, dict):
        return
    key = agent_key(agent)
    if key is not None:
        into.add(key)
    members = agent.get("member")
    if isinstance(members, list):
        for member in members:
            key = agent_key(member)
            if key is not None:
                into.add(key)


def _context_agent_keys(context: Any, into: set[str]) -> None:
    if not isinstance(context, dict):
        return
    _agent_keys(context.get("instructor"), into)
    _agent_keys(context.get("team"), into)
    # xAPI 2.0 contextAgents/contextGroups replace instructor/team (CL x1, x2), so they are indexed
    # the same way.
    for key, inner in (("contextAgents", "agent"), ("contextGroups", "group")):
        items = context.get(key)
        if isinstance(items, list):
            for item in items:
                if isinstance(item, dict):
                    _agent_keys(item.get(inner), into)


def referenced_agents(stmt: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """Return ``(direct, related)`` agent_key sets used to index a statement for agent queries.

    Per xAPI-Communication 2.1.3: ``direct`` serves the plain ``agent`` filter -- "the specified Agent
    or Group is the Actor or Object of the Statement", Group members included. ``related`` serves
    ``related_agents=true`` -- "the Actor, Object, Authority, Instructor, Team, or any of these
    properties in a contained SubStatement", plus xAPI 2.0 contextAgents/contextGroups; it is a
    superset of ``direct``. StatementRef targets are not followed here (the query does that).
    """
    direct: set[str] = set()
    _agent_keys(stmt.get("actor"), direct)
    obj = stmt.get("object")
    object_type = obj.get("objectType") if isinstance(obj, dict) else None
    if object_type in ("Agent", "Group"):
        _agent_keys(obj, direct)
    related = set(direct)
    _agent_keys(stmt.get("authority"), related)
    _context_agent_keys(stmt.get("context"), related)
    if object_type == "SubStatement" and isinstance(obj, dict):
        _agent_keys(obj.get("actor"), related)
        sub_obj = obj.get("object")
        if isinstance(sub_obj, dict) and sub_obj.get("objectType") in ("Agent", "Group"):
            _agent_keys(sub_obj, related)
        _context_agent_keys(obj.get("context"), related)
    return direct, related


def _context_activity_ids(context: Any, into: set[str]) -> None:
    if not isinstance(context, dict):
        return
    activities = context.get("contextActivities")
    if not isinstance(activities, dict):
        return
    for value in activities.values():
        for activity in _as_list(value):
            if isinstance(activity, dict) and isinstance(activity.get("id"), str):
                into.add(activity["id"])


def _activity_id(obj: Any) -> str | None:
    if isinstance(obj, dict) and obj.get("objectType", "Activity") == "Activity":
        activity_id = obj.get("id")
        return activity_id if isinstance(activity_id, str) else None
    return None


def referenced_activities(stmt: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """Return ``(direct, related)`` Activity id sets used to index a statement for activity queries.

    Per xAPI-Communication 2.1.3: ``direct`` serves ``activity`` -- "the Object of the Statement is an
    Activity with the specified id"; ``related`` serves ``related_activities=true`` -- "the Object,
    any of the context Activities, or any of those properties in a contained SubStatement"; it is a
    superset of ``direct``.
    """
    direct: set[str] = set()
    obj = stmt.get("object")
    activity_id = _activity_id(obj)
    if activity_id is not None:
        direct.add(activity_id)
    related = set(direct)
    _context_activity_ids(stmt.get("context"), related)
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        sub_id = _activity_id(obj.get("object"))
        if sub_id is not None:
            related.add(sub_id)
        _context_activity_ids(obj.get("context"), related)
    return direct, related
