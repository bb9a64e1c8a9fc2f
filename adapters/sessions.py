"""Which activity a session's statements are about: its IRI, type, name and parent.

The rules, the same for every format (docs/import-mapping.md explains them to users):

* A file about one meeting: ``--activity`` (or ``activity.iri``) is the session's IRI. Without it, a meeting
  the export identifies (a Zoom meeting id and start, a Teams title and start, an Eventbrite event id) gets a
  derived IRI under ``<iri_base>activities/<importer>/...``; a file that identifies nothing is refused.
* A file with a session per row (a Google Forms session question, a generic ``session`` column): each value
  becomes an IRI under ``activity.base`` if given, else under ``<activity>/sessions/``, in which case the
  ``activity`` is the series and becomes every session's parent. Ids are percent-encoded exactly; free-text
  choices are turned into slugs, and two choices that would share a slug refuse the file.
* ``parent`` in the mapping always wins as the parent (the workshop series or conference).
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import quote

from adapters.errors import ImportFileError
from adapters.options import ImportOptions
from adapters.records import ActivityRef, Session

MEETING = "http://adlnet.gov/expapi/activities/meeting"
WEBINAR = "http://id.tincanapi.com/activitytype/webinar"

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """``Morning: Literacy keynote (Room 101)`` -> ``morning-literacy-keynote-room-101``."""
    return _NON_SLUG.sub("-", text.casefold()).strip("-") or "session"


def compact_utc(dt: datetime) -> str:
    """``2026-09-15T20:00:00Z`` style, without separators that would need escaping: ``20260915T200000Z``."""
    return dt.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def derived_iri(options: ImportOptions, importer: str, *parts: str) -> str:
    """``<iri_base>activities/<importer>/<part>/<part>`` with each part percent-encoded."""
    return f"{options.iri_base}activities/{importer}/" + "/".join(quote(p, safe="") for p in parts)


def single_session(options: ImportOptions, *, key: str, importer: str, default_type: str,
                   derived: tuple[str, ...] | None, name: str | None, start: datetime | None,
                   end: datetime | None, platform: str | None, what: str) -> Session:
    """The Session of a one-meeting file (see the module docstring). ``what`` names what identifies it."""
    iri = options.activity
    if iri is None:
        if not derived:
            raise ImportFileError(f"this {what} does not identify its session; pass --activity IRI (or set "
                                  "activity.iri in the mapping)")
        iri = derived_iri(options, importer, *derived)
    return Session(key=key, iri=iri, activity_type=options.activity_type or default_type,
                   name=options.activity_name or name, start=options.session_start or start,
                   end=options.session_end or end, parent=options.parent, platform=options.platform or platform)


class SessionNamer:
    """IRIs for per-row sessions; ``exact`` percent-encodes values (ids), otherwise they become slugs."""

    def __init__(self, options: ImportOptions, *, default_type: str, exact: bool, platform: str | None = None,
                 column: str = "session") -> None:
        if options.activity_base is None and options.activity is None:
            raise ImportFileError(f"the file has a {column} column but no activity to put its sessions under; "
                                  "set activity.base (or pass --activity IRI for the series) in the mapping")
        self.options = options
        self.default_type = default_type
        self.exact = exact
        self.platform = platform
        self._slugs: dict[str, str] = {}

    def iri(self, value: str, line: int) -> str:
        part = quote(value, safe="-._~") if self.exact else slug(value)
        if not self.exact:
            seen = self._slugs.setdefault(part, value)
            if seen != value:
                raise ImportFileError(f"line {line}: sessions {seen!r} and {value!r} would get the same IRI; "
                                      "rename one, or map the file with a session id column")
        if self.options.activity_base is not None:
            return self.options.activity_base + part
        assert self.options.activity is not None
        return f"{self.options.activity.rstrip('/')}/sessions/{part}"

    def session(self, value: str, line: int, *, name: str | None = None, start: datetime | None = None,
                end: datetime | None = None) -> Session:
        opts = self.options
        parent = opts.parent
        if parent is None and opts.activity_base is None and opts.activity is not None:
            parent = ActivityRef(opts.activity, None, opts.activity_name)  # the series the sessions belong to
        return Session(key=value, iri=self.iri(value, line), activity_type=opts.activity_type or self.default_type,
                       name=name or value, start=opts.session_start or start, end=opts.session_end or end,
                       parent=parent, platform=opts.platform or self.platform)


def planned_seconds(options: ImportOptions) -> int | None:
    """The session length the mapping gives (``session.minutes``, else ``session.end - session.start``), for
    exports that record presence but no duration (sign-in sheets, check-ins); None when it gives none."""
    if options.session_minutes is not None:
        return round(options.session_minutes * 60)
    if options.session_start is not None and options.session_end is not None:
        return max(0, round((options.session_end - options.session_start).total_seconds()))
    return None
