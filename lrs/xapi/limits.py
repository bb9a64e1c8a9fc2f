"""What a statement must satisfy to be *storable*, checked with the rest of validation, before any write.

xAPI itself bounds neither nesting nor lengths, but the store does: orjson serialises at most 254 levels, a
PostgreSQL ``text`` cannot hold U+0000, indexed columns are ``varchar(2048)`` and a btree index entry must fit in
about 2.7 kB. A statement that breaks one of these used to pass validation and fail *inside* the write
transaction, where group commit had batched it with other clients' requests, so one client's input failed
everyone's writes (issue 9, defect 2). Every limit here is therefore enforced before a request joins a group,
with a message naming the field, and the same on SQLite and PostgreSQL so that both backends accept the same
statements.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from lrs.xapi import model
from lrs.xapi.errors import InvalidField

#: Deepest nesting of JSON objects and arrays in a statement (a statement needs ~16 levels; the rest is
#: room for extension values). Well under orjson's 254-level serialisation limit.
MAX_DEPTH = 64
#: Longest identifier that goes into an index (IRIs, agent keys): bytes of UTF-8, so a btree entry of one key
#: (or of the documents' composite key) stays under PostgreSQL's ~2,700-byte limit.
MAX_KEY_BYTES = 2000
#: Longest attachment content type (stored in a varchar(255)).
MAX_CONTENT_TYPE = 255
#: Longest single string anywhere in a statement (1 MiB of text; bodies are bounded as a whole too).
MAX_STRING = 1 << 20
#: Longest ``result.duration`` kept: 1,000 years. Nothing a person learns lasts longer, and an unbounded
#: "P9999...9Y" made transcript hours infinite (not even JSON).
MAX_DURATION_SECONDS = 1000 * 365.25 * 86400

_DURATION_PARTS = re.compile(r"(\d+(?:[.,]\d+)?)([YMWDHS])")
_UNIT_SECONDS = {"Y": 365.25 * 86400, "W": 7 * 86400, "D": 86400, "H": 3600, "S": 1}


def check_storable(stmt: Mapping[str, Any], path: str = "statement") -> None:
    """Raise :class:`~lrs.xapi.errors.InvalidField` (400) if ``stmt`` could not be stored as it is.

    Call after :func:`lrs.xapi.validation.validate_statement` (the statement's shape is known to be valid).
    """
    if not (_surely_fine(stmt) or _fine(stmt, 1)):
        _walk(stmt, path, 1)  # the same checks again, building the paths that name the field at fault
    _check_keys(stmt, path)
    _check_duration(stmt, path)
    obj = stmt.get("object")
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        _check_duration(obj, f"{path}.object")


def check_key(value: str, path: str, what: str = "identifier") -> None:
    """Raise 400 if ``value`` is too long to be indexed (see :data:`MAX_KEY_BYTES`)."""
    n = len(value.encode("utf-8", "surrogatepass"))
    if n > MAX_KEY_BYTES:
        raise InvalidField(path, f"this {what} is {n} bytes long; this LRS stores at most {MAX_KEY_BYTES}")


def check_text(value: str, path: str) -> None:
    """Raise 400 for text the store cannot hold (U+0000, which PostgreSQL's text type refuses)."""
    if "\x00" in value:
        raise InvalidField(path, "contains a NUL character (U+0000), which this LRS does not store")


def duration_seconds(text: str) -> float:
    """The length of a (valid) ISO 8601 duration in seconds; months count 1/12 of a year."""
    date, _, time = text[1:].partition("T")
    total = 0.0
    for part, in_time in ((date, False), (time, True)):
        for num, unit in _DURATION_PARTS.findall(part):
            n = float(num.replace(",", "."))
            if unit == "M":
                total += n * (60 if in_time else 365.25 * 86400 / 12)
            else:
                total += n * _UNIT_SECONDS[unit]
    return total


def _check_duration(stmt: Mapping[str, Any], path: str) -> None:
    result = stmt.get("result")
    duration = result.get("duration") if isinstance(result, dict) else None
    if isinstance(duration, str) and not duration_seconds(duration) <= MAX_DURATION_SECONDS:  # also refuses inf
        raise InvalidField(f"{path}.result.duration", "is longer than 1,000 years; this LRS stores no such duration")


def _surely_fine(stmt: Mapping[str, Any]) -> bool:
    """A conservative one-pass check in C: True only if nothing :func:`_walk` looks for can be in ``stmt``.

    The serialised statement is short enough that no string in it is too long, has fewer brackets than the depth
    limit (brackets inside strings only make the count larger), and has no escaped NUL (orjson writes U+0000 as
    ``\\u0000``; a string that spells those six characters only makes this answer False). False sends the caller
    to the exact walk.
    """
    try:
        data = orjson.dumps(stmt)
    except (TypeError, orjson.JSONEncodeError):
        return False
    return (len(data) <= MAX_STRING and data.count(b"{") + data.count(b"[") <= MAX_DEPTH
            and b"\\u0000" not in data)


def _fine(value: Any, depth: int) -> bool:
    """True when :func:`_walk` would find nothing in the object or array ``value`` (at nesting ``depth``), without
    building a path per node (most of its cost) and recursing into containers only."""
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, dict):
        for k in value:
            if "\x00" in k:
                return False
        items: Iterable[Any] = value.values()
    else:
        items = value
    for v in items:
        if isinstance(v, str):
            if len(v) > MAX_STRING or "\x00" in v:
                return False
        elif isinstance(v, (dict, list)) and not _fine(v, depth + 1):
            return False
    return True


def _walk(value: Any, path: str, depth: int) -> None:
    # Iterative over siblings, recursive over depth: the depth bound keeps the recursion shallow.
    if isinstance(value, dict):
        if depth > MAX_DEPTH:
            raise InvalidField(path, f"nests deeper than {MAX_DEPTH} levels of objects and arrays")
        for k, v in value.items():
            sub = f"{path}.{k}" if _plain(k) else f"{path}[{k!r}]"
            if "\x00" in k:
                raise InvalidField(path, "has a property name containing a NUL character (U+0000)")
            _walk(v, sub, depth + 1)
    elif isinstance(value, list):
        if depth > MAX_DEPTH:
            raise InvalidField(path, f"nests deeper than {MAX_DEPTH} levels of objects and arrays")
        for i, v in enumerate(value):
            _walk(v, f"{path}[{i}]", depth + 1)
    elif isinstance(value, str):
        if len(value) > MAX_STRING:
            raise InvalidField(path, f"is {len(value)} characters long; the longest string stored is {MAX_STRING}")
        check_text(value, path)


def _plain(key: str) -> bool:
    return key.isidentifier()


def _check_keys(stmt: Mapping[str, Any], path: str) -> None:
    """The identifiers that become index rows: verb, activity ids, agent keys, attachment content types."""
    verb = stmt.get("verb")
    if isinstance(verb, dict) and isinstance(verb.get("id"), str):
        check_key(verb["id"], f"{path}.verb.id", "verb IRI")
    _, activities = model.referenced_activities(stmt)
    _check_all(activities, path, "activity IRI")
    _, agents = model.referenced_agents(stmt)
    _check_all(agents, path, "agent identifier")
    for i, att in enumerate(stmt.get("attachments") or ()):
        if isinstance(att, dict):
            ctype = att.get("contentType")
            if isinstance(ctype, str) and len(ctype) > MAX_CONTENT_TYPE:
                raise InvalidField(f"{path}.attachments[{i}].contentType",
                                   f"is longer than {MAX_CONTENT_TYPE} characters")
            usage = att.get("usageType")
            if isinstance(usage, str):
                check_key(usage, f"{path}.attachments[{i}].usageType", "usageType IRI")


def _check_all(keys: Iterable[str], path: str, what: str) -> None:
    for k in keys:
        n = len(k.encode("utf-8", "surrogatepass"))
        if n > MAX_KEY_BYTES:
            raise InvalidField(path, f"the {what} beginning {k[:40]!r} is {n} bytes long; this LRS stores at "
                                     f"most {MAX_KEY_BYTES}")
