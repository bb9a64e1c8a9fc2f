"""What a pull yields: canonical attendance records, the result of one pull, and the errors it raises.

Nothing here talks HTTP or reads configuration; the kind modules (zoom, eventbrite, graph) build these.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

ATTENDED = "attended"
REGISTERED = "registered"
# An attendee who registered and then cancelled or was refunded (Eventbrite). Emitted rather than dropped
# because an incremental pull may be the only place the cancellation is ever seen: an earlier pull may already
# have produced a "registered" record for the same person.
CANCELLED = "cancelled"
STATUSES = (ATTENDED, REGISTERED, CANCELLED)


class PullError(Exception):
    """A pull that did not complete. Nothing of it is to be stored; the caller keeps its old cursor."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source
        self.message = message


class PullAuthError(PullError):
    """The API refused the token (401 or 403)."""


class PullNotFoundError(PullError):
    """A configured meeting, event or report does not exist at the API (404)."""


class PullRetriesExhausted(PullError):
    """Every allowed attempt of one request failed with a retryable error (429, 5xx, connection)."""


@dataclass(frozen=True)
class PulledAttendance:
    """One person's attendance (or registration) at one session, in the same shape whatever the source.

    ``raw_identity`` is stable across pulls of the same fact (it names the source system's own ids and the
    status, never the configured source name), so statement ids derived from it make a re-pull add nothing,
    while a later "attended" for someone first seen as "registered" is a new statement.
    """

    source: str  # the configured source name, e.g. "district-zoom"
    kind: str  # zoom | eventbrite | graph
    session_key: str  # one meeting instance / event / report, e.g. "zoom:<meeting uuid>"
    activity: str  # activity IRI from the source configuration
    activity_name: str | None
    parent: str | None  # parent activity IRI (series, workshop), for contextActivities.parent
    activity_type: str
    email: str | None  # lowercased; None when the source has none (e.g. a Zoom guest)
    person_name: str | None
    person_id: str | None  # the source system's id for the person, when it has one
    start: datetime | None  # aware UTC: first join (Zoom, Graph) or the event's start (Eventbrite)
    end: datetime | None  # aware UTC: last leave, or the event's end
    seconds: int | None  # time present, intervals merged and summed; None when unknown (registrations)
    minutes: float | None  # seconds / 60, rounded to 2 places
    status: str  # one of STATUSES
    raw_identity: str

    def as_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict (times as ISO 8601 with ``Z``), e.g. for ``--dry-run`` output."""
        return {
            "source": self.source, "kind": self.kind, "session_key": self.session_key,
            "activity": self.activity, "activity_name": self.activity_name, "parent": self.parent,
            "activity_type": self.activity_type, "email": self.email, "person_name": self.person_name,
            "person_id": self.person_id, "start": format_time(self.start), "end": format_time(self.end),
            "seconds": self.seconds, "minutes": self.minutes, "status": self.status,
            "raw_identity": self.raw_identity,
        }


@dataclass(frozen=True)
class PullResult:
    """The complete outcome of one pull: every record, and the cursor to store once they are stored."""

    records: tuple[PulledAttendance, ...]
    new_cursor: dict[str, Any]
    pages: int  # list pages fetched (participants, attendees, reports, records)
    requests: int  # HTTP requests sent, retries included
    retries: int  # requests that were sent again after a retryable failure
    warnings: tuple[str, ...] = field(default_factory=tuple)  # rows skipped and why


def minutes_of(seconds: int | None) -> float | None:
    """Seconds as minutes, rounded to 2 places (None stays None)."""
    return None if seconds is None else round(seconds / 60, 2)


def parse_time(value: Any) -> datetime | None:
    """An API timestamp as an aware UTC datetime; None for a missing or empty value.

    Accepts ``2021-10-05T04:38:27.6027225Z`` (Graph's 7 fractional digits) and offsets. A naive value is taken
    as UTC because all three APIs document their timestamps as UTC.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # fromisoformat takes at most 6 fractional digits on some inputs; trim longer fractions to microseconds.
    if "." in text:
        head, _, rest = text.partition(".")
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        text = f"{head}.{(digits + '000000')[:6]}{rest}"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def format_time(value: datetime | None) -> str | None:
    """An aware datetime as ISO 8601 UTC with ``Z`` (whole seconds when there is no fraction)."""
    if value is None:
        return None
    text = value.astimezone(timezone.utc).isoformat()
    return text.replace("+00:00", "Z")


def merged_seconds(intervals: Iterable[tuple[datetime, datetime]]) -> int:
    """Total seconds covered by the intervals, overlaps counted once.

    Why merge rather than add: a person who joins from a laptop and a phone at once has two overlapping rows
    (Zoom) or intervals; adding them would credit more time than the session lasted.
    """
    spans = sorted((a, b) for a, b in intervals if b > a)
    total = 0.0
    current: tuple[datetime, datetime] | None = None
    for a, b in spans:
        if current is None:
            current = (a, b)
        elif a <= current[1]:
            current = (current[0], max(current[1], b))
        else:
            total += (current[1] - current[0]).total_seconds()
            current = (a, b)
    if current is not None:
        total += (current[1] - current[0]).total_seconds()
    return int(round(total))


def lower_email(value: Any) -> str | None:
    """An email address trimmed and lowercased; None for empty or non-string values."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    return text or None


def clean_text(value: Any) -> str | None:
    """A trimmed non-empty string, or None."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def string_list(cursor: Mapping[str, Any], key: str) -> list[str]:
    """``cursor[key]`` as a list of strings (an absent or malformed entry is empty)."""
    value = cursor.get(key)
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str)]
