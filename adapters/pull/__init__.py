"""Pulling workshop attendance from check-in systems over HTTP (``lrs pull SOURCE``, ``lrs pull --all``).

Each source is configured in a YAML file (docs/pull-sources.md): its kind (``zoom``, ``eventbrite`` or
``graph`` for Microsoft Teams via Graph), the environment variable holding its token, and which of its meetings
or events map to which session activity. ``load_sources`` reads that file; ``pull`` fetches one source.

This package only talks to the APIs. It stores nothing: ``pull(source, cursor, session)`` returns every
attendance record found since ``cursor`` together with the new cursor, and the caller stores the records
(as statements, through the ordinary write path) and then the cursor (as an event). A pull either completes
or raises PullError, with no partial result and no cursor, so the caller keeps its old cursor and the next
pull starts from it again; records carry a deterministic ``raw_identity`` so that fetching a fact twice adds
nothing downstream.

Modules: ``config`` (the file), ``http`` (timeouts, retries, errors), ``base`` (records, results, errors),
``zoom``, ``eventbrite``, ``graph`` (one per API: requests, paging, cursor).
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import requests

from .base import (ATTENDED, CANCELLED, REGISTERED, STATUSES, PullAuthError, PulledAttendance, PullError,
                   PullNotFoundError, PullResult, PullRetriesExhausted)
from .config import ConfigError, HttpSettings, SessionMapping, SourceConfig, load_sources
from .eventbrite import pull_eventbrite
from .graph import pull_graph
from .http import HttpClient
from .zoom import pull_zoom

__all__ = [
    "ATTENDED", "CANCELLED", "REGISTERED", "STATUSES", "ConfigError", "HttpSettings", "PullAuthError",
    "PullError", "PullNotFoundError", "PullResult", "PullRetriesExhausted", "PulledAttendance", "SessionMapping",
    "SourceConfig", "load_sources", "pull",
]

Puller = Callable[[SourceConfig, Mapping[str, Any], HttpClient],
                  "tuple[list[PulledAttendance], dict[str, Any], list[str]]"]
PULLERS: dict[str, Puller] = {"zoom": pull_zoom, "eventbrite": pull_eventbrite, "graph": pull_graph}


def pull(source: SourceConfig, cursor: Mapping[str, Any] | None, session: requests.Session, *,
         sleep: Callable[[float], None] = time.sleep, clock: Callable[[], datetime] | None = None,
         rand: Callable[[], float] = random.random) -> PullResult:
    """Fetch everything new at ``source`` since ``cursor`` (None or {}: everything).

    Returns the complete PullResult or raises PullError (nothing half: no records, no cursor). ``sleep``,
    ``clock`` (aware UTC now, for Retry-After dates) and ``rand`` (jitter in [0, 1)) are injectable for tests.
    """
    client = HttpClient(source, session, sleep=sleep, clock=clock, rand=rand)
    given: Mapping[str, Any] = cursor if isinstance(cursor, Mapping) else {}
    stored_kind = given.get("kind")
    if stored_kind not in (None, source.kind):
        raise client.error(f"the stored cursor is of kind {stored_kind!r}, not {source.kind!r}; a source that "
                           f"changes kind needs a new name")
    try:
        records, new_cursor, warnings = PULLERS[source.kind](source, given, client)
    except PullError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # A response of an unexpected shape (a bad timestamp, a string where an object was documented). It is
        # reported as a PullError so the caller's rule "PullError: keep the old cursor" covers it too.
        raise client.error(f"unexpected answer from the API ({type(exc).__name__}: {exc})") from exc
    return PullResult(records=tuple(records), new_cursor=new_cursor, pages=client.pages,
                      requests=client.requests, retries=client.retries, warnings=tuple(warnings))
