"""Statement comparison (xAPI-Data 2.3.1 "Statement Comparison Requirements"): a re-sent statement with the same
id must be equivalent to the stored one."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from lrs.times import try_parse_timestamp
from lrs.xapi.agents import _normalize_mbox, as_list
from lrs.xapi.normalize import truncate_duration


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
            out[key] = {k: [_canon_activity(a) for a in as_list(v)] for k, v in value.items()}
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

