"""Import options, and the mapping file (YAML) they are usually read from.

Every format accepts a mapping file (``--mapping FILE``) for the settings an export cannot carry: the time zone
of its times, the date order, the session's activity IRI, its parent (series, workshop, conference), the
training provider. ``generic`` also needs ``columns``, naming which of the file's columns hold what. Every key
is documented in ``docs/import-mapping.md``; unknown keys are refused so that a typo is not silently ignored.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from adapters.errors import MappingError
from adapters.files import delimiter_from_name
from adapters.records import ActivityRef
from adapters.times import BARE_UNITS, ORDERS

DEFAULT_IRI_BASE = "https://district.example/xapi/"
COLUMN_KEYS = ("email", "employee_id", "name", "first_name", "last_name", "session", "session_name", "start",
               "end", "date", "duration", "status", "building", "role")
STATUS_KEYS = ("attended", "registered", "skip")
TOP_LEVEL_KEYS = ("format", "encoding", "allow_latin1", "delimiter", "sheet", "timezone", "date_order",
                  "datetime_format", "columns", "duration_unit", "activity", "parent", "session", "provider",
                  "platform", "status_values", "iri_base", "language")
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+")


@lru_cache(maxsize=32)
def zone(name: str) -> tzinfo:
    """The tzinfo for an IANA zone name (``America/Chicago``) or ``UTC``."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise MappingError(f"timezone {name!r} is not an IANA time zone name (e.g. America/Chicago)") from None


@dataclass(frozen=True)
class ImportOptions:
    """How to read a file and what its statements are about. All optional except where a format needs them.

    ``activity`` is ``--activity`` (or ``activity.iri``): the session's IRI, or, when the file has a session
    column, the series the per-row sessions belong to (their IRIs go under it and it becomes their parent).
    ``activity_base`` puts per-row session IRIs under a base instead. ``iri_base`` is the district's base for
    extension IRIs (``<iri_base>ext/import``) and for derived activity IRIs.
    """

    activity: str | None = None
    activity_base: str | None = None
    activity_type: str | None = None
    activity_name: str | None = None
    parent: ActivityRef | None = None
    iri_base: str = DEFAULT_IRI_BASE
    provider: Any = None
    platform: str | None = None
    language: str = "en-US"
    encoding: str | None = None
    allow_latin1: bool = False
    delimiter: str | None = None
    sheet: str | None = None
    timezone: str = "UTC"
    date_order: str | None = None
    datetime_formats: tuple[str, ...] = ()
    session_start: datetime | None = None
    session_end: datetime | None = None
    session_minutes: float | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    duration_unit: str | None = None
    status_values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    format: str | None = None          # the format the mapping was written for, if it says
    importer_agent: Mapping[str, Any] | None = None  # actor of voiding statements

    @property
    def tz(self) -> tzinfo:
        return zone(self.timezone)

    def ext(self, name: str) -> str:
        """A district extension IRI: ``<iri_base>ext/<name>``."""
        return f"{self.iri_base}ext/{name}"

    def voiding_actor(self) -> dict[str, Any]:
        """The Agent that voids superseded imported statements (configurable; an account under the base)."""
        if self.importer_agent is not None:
            return dict(self.importer_agent)
        return {"objectType": "Agent", "name": "Attendance import",
                "account": {"homePage": self.iri_base, "name": "attendance-import"}}

    def with_activity(self, activity: str | None) -> ImportOptions:
        """These options with ``--activity`` applied (it wins over the mapping's activity.iri)."""
        if activity is None:
            return self
        _check_iri(activity, "--activity")
        return replace(self, activity=activity)


# ---------------------------------------------------------------------------------------------------------
# The mapping file
# ---------------------------------------------------------------------------------------------------------

def load_mapping(source: str | Path) -> dict[str, Any]:
    """Read a mapping file (a path, or YAML text containing a newline) into a dict; refuses non-mappings."""
    if isinstance(source, Path) or "\n" not in source:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise MappingError(f"cannot read the mapping file {source}: {exc.strerror}") from None
    else:
        text = source
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError(f"the mapping file is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise MappingError("the mapping file must be a YAML mapping (key: value lines)")
    return data


def _check_keys(data: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    unknown = [k for k in data if k not in allowed]
    if unknown:
        raise MappingError(f"unknown {where} key{'s' if len(unknown) > 1 else ''} {', '.join(map(str, unknown))} "
                           f"(known: {', '.join(allowed)})")


def _str(value: Any, where: str) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool) or str(value).strip() == "":
        raise MappingError(f"{where} must be a non-empty text value")
    return str(value).strip()


def _check_iri(value: str, where: str) -> str:
    if not _IRI.fullmatch(value):
        raise MappingError(f"{where} must be an absolute IRI (e.g. https://district.example/...), not {value!r}")
    return value


def _section(data: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MappingError(f"{key} must be a mapping with keys {', '.join(allowed)}")
    _check_keys(value, allowed, key)
    return value


def _when(value: Any, where: str, tz: tzinfo) -> datetime:
    """A session time from YAML: a date-time (YAML may already have parsed it), a date, or ISO 8601 text."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime.combine(value, time())
    else:
        try:
            dt = datetime.fromisoformat(_str(value, where))
        except ValueError:
            raise MappingError(f"{where} must be an ISO 8601 date-time such as 2026-09-15T08:00:00-05:00") from None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=tz)


def options_from_mapping(data: Mapping[str, Any], *, activity: str | None = None,
                         base: ImportOptions | None = None) -> ImportOptions:
    """ImportOptions from a loaded mapping (``--activity`` wins over ``activity.iri``); refuses unknown keys."""
    _check_keys(data, TOP_LEVEL_KEYS, "mapping")
    opts = base or ImportOptions()
    changes: dict[str, Any] = {}
    for key in ("format", "encoding", "sheet", "platform", "language"):
        if data.get(key) is not None:
            changes[key] = _str(data[key], key)
    if "allow_latin1" in data:
        if not isinstance(data["allow_latin1"], bool):
            raise MappingError("allow_latin1 must be true or false")
        changes["allow_latin1"] = data["allow_latin1"]
    if data.get("delimiter") is not None:
        changes["delimiter"] = delimiter_from_name(str(data["delimiter"]))
    if data.get("timezone") is not None:
        changes["timezone"] = _str(data["timezone"], "timezone")
        zone(changes["timezone"])
    tz = zone(changes.get("timezone", opts.timezone))
    if data.get("date_order") is not None:
        order = _str(data["date_order"], "date_order").upper()
        if order not in ORDERS:
            raise MappingError(f"date_order must be one of {', '.join(ORDERS)}, not {data['date_order']!r}")
        changes["date_order"] = order
    if data.get("datetime_format") is not None:
        raw = data["datetime_format"]
        changes["datetime_formats"] = tuple(_str(f, "datetime_format") for f in (raw if isinstance(raw, list)
                                                                                 else [raw]))
    if data.get("duration_unit") is not None:
        unit = _str(data["duration_unit"], "duration_unit").lower()
        if unit not in BARE_UNITS:
            raise MappingError(f"duration_unit must be one of {', '.join(BARE_UNITS)}, not {unit!r}")
        changes["duration_unit"] = unit
    if data.get("iri_base") is not None:
        iri_base = _check_iri(_str(data["iri_base"], "iri_base"), "iri_base")
        changes["iri_base"] = iri_base if iri_base.endswith("/") else iri_base + "/"
    if data.get("provider") is not None:
        provider = data["provider"]
        changes["provider"] = provider if isinstance(provider, dict) else _str(provider, "provider")
    if data.get("columns") is not None:
        columns = data["columns"]
        if not isinstance(columns, dict):
            raise MappingError("columns must be a mapping of field: column title")
        _check_keys(columns, COLUMN_KEYS, "columns")
        changes["columns"] = {k: _str(v, f"columns.{k}") for k, v in columns.items() if v is not None}
    act = _section(data, "activity", ("iri", "base", "type", "name"))
    for key, attr in (("iri", "activity"), ("base", "activity_base"), ("type", "activity_type"),
                      ("name", "activity_name")):
        if act.get(key) is not None:
            value = _str(act[key], f"activity.{key}")
            changes[attr] = _check_iri(value, f"activity.{key}") if key != "name" else value
    parent = _section(data, "parent", ("iri", "type", "name"))
    if parent:
        if parent.get("iri") is None:
            raise MappingError("parent needs an iri")
        changes["parent"] = ActivityRef(
            _check_iri(_str(parent["iri"], "parent.iri"), "parent.iri"),
            _check_iri(_str(parent["type"], "parent.type"), "parent.type") if parent.get("type") else None,
            _str(parent["name"], "parent.name") if parent.get("name") else None)
    session = _section(data, "session", ("start", "end", "minutes"))
    if session.get("start") is not None:
        changes["session_start"] = _when(session["start"], "session.start", tz)
    if session.get("end") is not None:
        changes["session_end"] = _when(session["end"], "session.end", tz)
    if session.get("minutes") is not None:
        minutes = session["minutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or minutes <= 0:
            raise MappingError("session.minutes must be a positive number")
        changes["session_minutes"] = float(minutes)
    statuses = _section(data, "status_values", STATUS_KEYS)
    if statuses:
        values: dict[str, tuple[str, ...]] = {}
        for key, listed in statuses.items():
            items = listed if isinstance(listed, list) else [listed]
            values[key] = tuple(_str(v, f"status_values.{key}").casefold() for v in items)
        changes["status_values"] = values
    return replace(opts, **changes).with_activity(activity)
