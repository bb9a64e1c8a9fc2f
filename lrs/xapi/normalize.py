"""Statements as the LRS stores them: timestamps in fixed-width UTC, contextActivities as arrays, durations
truncated, the default objectType made explicit."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from lrs.times import format_time, try_parse_timestamp
from lrs.xapi.errors import InvalidField


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
