"""Timeline segments and the status on a date.

A person x requirement timeline is a list of contiguous, non-overlapping :class:`Segment` rows
``[valid_from, valid_to)``. Inside a segment everything is constant except comparisons of the read date D with
dates the segment stores, so the status on D is a lookup (``valid_from <= D < valid_to``) plus a CASE:

* ``exempt``  -> ``exempt``
* ``covered`` -> ``due_soon`` if ``next_due_soon_from`` is set and D >= it, else ``compliant``
* ``open``    -> ``overdue`` if D > ``due``; ``due_soon`` if D >= ``due_soon_from``; else ``pending``

No segment covering D means ``not_applicable``. :data:`STATUS_SQL` is the same CASE for the read side.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

from projections.compliance.dates import OPEN_END

STATUSES = ("compliant", "pending", "due_soon", "overdue", "exempt", "not_applicable")
KIND_EXEMPT, KIND_COVERED, KIND_OPEN = "exempt", "covered", "open"

# The status on :d of a segment row (columns named as the Segment fields), for SQL read models. The ISO date
# text compares correctly as text, so this works on SQLite and PostgreSQL alike.
STATUS_SQL = """CASE kind
  WHEN 'exempt' THEN 'exempt'
  WHEN 'covered' THEN CASE WHEN next_due_soon_from IS NOT NULL AND :d >= next_due_soon_from
                           THEN 'due_soon' ELSE 'compliant' END
  ELSE CASE WHEN :d > due THEN 'overdue' WHEN :d >= due_soon_from THEN 'due_soon' ELSE 'pending' END
END"""


@dataclass(frozen=True)
class Evidence:
    """A statement counted in a segment: its id, date and hours (in the requirement's ``hours_unit``)."""

    statement_id: str
    date: str
    hours: float = 0.0


@dataclass(frozen=True)
class Segment:
    """One constant stretch of a person x requirement timeline (see the module docstring for the status rule).

    Descriptive fields: ``period_start``/``period_end`` (inclusive; the school year, coverage window or cycle),
    ``evidence`` counted in this period, ``hours_done``/``hours_required`` (in ``hours_unit``), ``completed``
    (the date the evidence became complete), ``expires`` (the last day the completion covers; None: never),
    ``next_due`` (when the next completion is due once this one lapses), ``due_basis`` (why ``due`` is what it is,
    e.g. "30 days after hire"), ``window_years`` (hours_over_years), the exemption's reason and last day, and the
    roster context in force (``building``, ``roles``, ``supervisor_id``) so reads filter without a join.
    """

    requirement_id: str
    valid_from: str
    valid_to: str
    kind: str
    due: str | None = None
    due_soon_from: str | None = None
    next_due_soon_from: str | None = None
    next_due: str | None = None
    due_basis: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    evidence: tuple[Evidence, ...] = ()
    hours_done: float = 0.0
    hours_required: float | None = None
    hours_unit: str = "clock-hour"
    window_years: int | None = None
    completed: str | None = None
    expires: str | None = None
    exempt_reason: str | None = None
    exempt_until: str | None = None
    building: str | None = None
    roles: tuple[str, ...] = ()
    supervisor_id: str | None = None

    @property
    def open_ended(self) -> bool:
        return self.valid_to == OPEN_END

    def same_state(self, other: Segment) -> bool:
        """Equal in everything but the validity interval (adjacent equal segments are merged)."""
        return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(self)
                   if f.name not in ("valid_from", "valid_to"))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (evidence as a list of objects, roles as a list)."""
        d = asdict(self)
        d["roles"] = list(self.roles)
        d["evidence"] = [asdict(e) for e in self.evidence]
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Segment:
        """The inverse of :meth:`to_dict`."""
        d = dict(data)
        d["roles"] = tuple(d.get("roles") or ())
        d["evidence"] = tuple(Evidence(**e) for e in d.get("evidence") or ())
        return cls(**d)


def _day(d: date | str) -> str:
    return d.isoformat() if isinstance(d, date) else str(d)[:10]


def status_on(segment: Segment, d: date | str) -> str:
    """The status on ``d`` of a segment that covers ``d``."""
    day = _day(d)
    if segment.kind == KIND_EXEMPT:
        return "exempt"
    if segment.kind == KIND_COVERED:
        return "due_soon" if segment.next_due_soon_from is not None and day >= segment.next_due_soon_from \
            else "compliant"
    assert segment.due is not None and segment.due_soon_from is not None
    if day > segment.due:
        return "overdue"
    return "due_soon" if day >= segment.due_soon_from else "pending"


def segment_on(segments: Sequence[Segment], d: date | str) -> Segment | None:
    """The segment of a timeline that covers ``d`` (None: not applicable on that date)."""
    day = _day(d)
    return next((s for s in segments if s.valid_from <= day < s.valid_to), None)


def status_in(segments: Sequence[Segment], d: date | str) -> str:
    """The status on ``d`` from a whole timeline (``not_applicable`` when no segment covers ``d``)."""
    s = segment_on(segments, d)
    return status_on(s, d) if s is not None else "not_applicable"


def hours_missing(segment: Segment) -> float | None:
    """Hours (in ``hours_unit``) still needed in the segment's period: None when the requirement counts
    completions rather than hours, 0 when covered or exempt."""
    if segment.hours_required is None:
        return None
    if segment.kind != KIND_OPEN:
        return 0.0
    return round(max(segment.hours_required - segment.hours_done, 0.0), 4)


def _num(x: float) -> str:
    return f"{round(x, 2):g}"


_UNIT_NAMES = {"clock-hour": ("hour", "hours"), "semester-hour": ("semester hour", "semester hours"),
               "ceu": ("CEU", "CEUs"), "quarter-hour": ("quarter hour", "quarter hours")}


def _unit(unit: str, amount: float) -> str:
    one, many = _UNIT_NAMES.get(unit, (unit, unit + "s"))
    return one if amount == 1 else many


def progress(segment: Segment) -> str:
    """"0.5 of 1 hour completed" / "not completed"."""
    if segment.hours_required is not None and segment.hours_done > 0:
        req = segment.hours_required
        return f"{_num(segment.hours_done)} of {_num(req)} {_unit(segment.hours_unit, req)} completed"
    return "not completed"


def reason(segment: Segment, d: date | str) -> str:
    """A one-line reason a person can read, e.g. "due 2026-10-31; 0.5 of 1 hour completed",
    "completed 2026-09-14; valid until 2027-09-14", "overdue since 2026-10-31; not completed",
    "exempt until 2027-06-30: medical leave", "due 2026-11-30 (30 days after hire); not completed"."""
    status = status_on(segment, d)
    if status == "exempt":
        why = segment.exempt_reason or "exempt"
        return f"exempt until {segment.exempt_until}: {why}" if segment.exempt_until else f"exempt: {why}"
    if segment.kind == KIND_COVERED:
        if segment.window_years is not None and segment.hours_required is not None:
            req = segment.hours_required
            text = (f"{_num(segment.hours_done)} of {_num(req)} {_unit(segment.hours_unit, req)} in the past "
                    f"{segment.window_years} years")
        else:
            text = f"completed {segment.completed}"
        if segment.expires:
            text += f"; valid until {segment.expires}"
        if status == "due_soon" and segment.next_due:
            text += f"; due again by {segment.next_due}"
        return text
    basis = f" ({segment.due_basis})" if segment.due_basis else ""
    head = f"overdue since {segment.due}" if status == "overdue" else f"due {segment.due}"
    return f"{head}{basis}; {progress(segment)}"
