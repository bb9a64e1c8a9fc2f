"""The canonical records every importer produces, whatever the export looked like.

An importer reads rows and aggregates them into one ``Attendance`` per (session, person as the file names
them, status): the minutes of a person's rows add up (a Zoom rejoin, Teams join/leave intervals, several
generic rows), the first join and last leave are kept, and so are the line numbers that contributed. The
aggregate is bounded by the number of attendees, not the number of rows, so memory stays flat with file size.

Rows that cannot become attendance are ``Rejected`` (they make the import invalid: a missing e-mail, a guest,
a bad time) or ``Skipped`` (a note only: a cancelled Eventbrite order, waiting-room time).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from adapters.files import SourceInfo

if TYPE_CHECKING:  # options imports records (ActivityRef); only the annotation needs ImportOptions here
    from adapters.options import ImportOptions

#: Line numbers kept per record. A person's rows are counted in full (``rows``) but only the first lines are
#: listed, so that a record stays small however many times someone rejoined (memory flat with file size).
MAX_LINES = 20

ATTENDED = "attended"
REGISTERED = "registered"
STATUSES = (ATTENDED, REGISTERED)


@dataclass(frozen=True)
class ActivityRef:
    """A parent (series, workshop, conference) or any activity named by IRI, with optional type and name."""

    iri: str
    type: str | None = None
    name: str | None = None


@dataclass
class Session:
    """One session (a meeting occurrence, a workshop, a conference session) and its activity."""

    key: str                   # identity within the file (meeting id, session column value, ...)
    iri: str                   # the activity IRI statements are about
    activity_type: str
    name: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    parent: ActivityRef | None = None
    platform: str | None = None


@dataclass(slots=True)
class Attendance:
    """One person's attendance (or registration) at one session, summed over their rows."""

    session: str               # Session.key
    status: str                # ATTENDED or REGISTERED
    email: str | None          # lower-cased
    employee_id: str | None
    name: str | None
    seconds: int | None        # None: the file gives no duration (a sign-in sheet, a check-in)
    first_join: datetime | None
    last_leave: datetime | None
    at: datetime | None        # when it happened when there is no join time (registration, sign-in)
    lines: list[int]           # the first MAX_LINES line numbers that contributed
    extra: dict[str, str] = field(default_factory=dict)
    rows: int = 1              # how many rows contributed

    @property
    def file_key(self) -> str:
        """The person as the file names them: ``email:...`` or ``employee:...``."""
        return f"email:{self.email}" if self.email else f"employee:{self.employee_id}"

    @property
    def minutes(self) -> float | None:
        return None if self.seconds is None else self.seconds / 60

    def copy(self) -> Attendance:
        """A copy whose lines and extra can be extended without touching this one."""
        return Attendance(self.session, self.status, self.email, self.employee_id, self.name, self.seconds,
                          self.first_join, self.last_leave, self.at, list(self.lines), dict(self.extra), self.rows)

    def merge(self, other: Attendance) -> None:
        """Fold ``other`` (the same person, session and status) into this one: minutes add up."""
        if other.seconds is not None:
            self.seconds = (self.seconds or 0) + other.seconds
        self.first_join = _earliest(self.first_join, other.first_join)
        self.last_leave = _latest(self.last_leave, other.last_leave)
        self.at = _earliest(self.at, other.at)
        room = MAX_LINES - len(self.lines)
        if room > 0:
            self.lines.extend(other.lines[:room])
        self.rows += other.rows
        self.name = self.name or other.name
        self.email = self.email or other.email
        self.employee_id = self.employee_id or other.employee_id
        for key, value in other.extra.items():
            self.extra.setdefault(key, value)


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


@dataclass(frozen=True)
class Rejected:
    """A row (or a person's rows) that cannot be imported: ``code`` is machine-readable, ``reason`` is not.

    ``session`` and ``person`` (the file's ``email:``/``employee:`` key) are set when known, so planning can
    keep the rest of that person's rows out too rather than store a partial total.
    """

    lines: tuple[int, ...]
    code: str
    reason: str
    session: str | None = None
    person: str | None = None

    @property
    def line(self) -> int:
        return self.lines[0]


@dataclass(frozen=True)
class Skipped:
    """A row deliberately not imported (cancelled, refunded, waiting room): reported, never an error."""

    line: int
    reason: str


class Aggregator:
    """Sums rows into Attendance records keyed by (session, file person key, status)."""

    def __init__(self) -> None:
        self._records: dict[tuple[str, str, str], Attendance] = {}

    def add(self, record: Attendance) -> None:
        key = (record.session, record.file_key, record.status)
        existing = self._records.get(key)
        if existing is None:
            self._records[key] = record
        else:
            existing.merge(record)

    def __contains__(self, key: tuple[str, str, str]) -> bool:
        return key in self._records

    def __len__(self) -> int:
        return len(self._records)

    def records(self) -> list[Attendance]:
        return list(self._records.values())


@dataclass
class ParseResult:
    """Everything an importer read from one file, before anyone is matched to the roster."""

    importer: str              # registry name: zoom, teams, eventbrite, google-forms, generic
    layout: str                # which variant: zoom-participants, teams-report, eventbrite-current, ...
    what: str                  # "Teams attendance report with 3 sections"
    row_noun: str              # "participant rows"
    rows: int                  # data rows read
    source: SourceInfo
    sessions: dict[str, Session]
    attendances: list[Attendance]
    rejected: list[Rejected]
    skipped: list[Skipped]
    warnings: list[str]
    options: ImportOptions     # the options used (planning builds statements with them)

    def describe(self) -> str:
        """"read UTF-16LE (BOM), tab-separated, Teams attendance report with 3 sections, 42 participant rows"."""
        return f"{self.source.read_phrase()}, {self.what}, {self.rows} {self.row_noun}"

    def session_iris(self) -> list[str]:
        """The activity IRIs of the sessions in the file (whose earlier imports the caller should look up)."""
        return [s.iri for s in self.sessions.values()]
