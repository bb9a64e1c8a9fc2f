"""Inputs about people: effective-dated roster versions, and administrators' exemptions.

The roster version in force on a date D is the one with the greatest (``effective_date``, ``seq``) among those
with ``effective_date <= D`` — the people projection's rule, so a back-dated correction lands in the history
without overriding a later change (``seq`` is the log position of the ``roster.person_upserted`` event).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from projections.compliance.dates import to_date


@dataclass(frozen=True)
class RosterVersion:
    """One version of a person's roster record. ``attributes`` are the roster's extra columns (lowercase names,
    text values; a value may list several items separated by ``;``), e.g. ``{"assignment": "sro-building",
    "fte": "0.5", "certificate_issued": "2022-06-15"}``."""

    effective_date: str
    roles: tuple[str, ...] = ()
    building: str | None = None
    supervisor_id: str | None = None
    hire_date: str | None = None
    status: str = "active"
    attributes: tuple[tuple[str, str], ...] = ()
    seq: int = 0

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], seq: int = 0) -> RosterVersion:
        """From a ``roster.person_upserted`` event payload (``person`` + ``extra`` + ``effective_date``)."""
        person = payload.get("person") or {}
        extra = payload.get("extra") or {}
        return cls.make(effective_date=str(payload["effective_date"]), roles=person.get("roles") or (),
                        building=person.get("building"), supervisor_id=person.get("supervisor_id"),
                        hire_date=person.get("hire_date"), status=person.get("status") or "active",
                        attributes=extra, seq=seq)

    @classmethod
    def make(cls, effective_date: str, roles: Iterable[str] = (), building: str | None = None,
             supervisor_id: str | None = None, hire_date: str | None = None, status: str = "active",
             attributes: Mapping[str, Any] | None = None, seq: int = 0) -> RosterVersion:
        """A version with normalised roles (lowercase, sorted) and attributes (lowercase names, text values)."""
        roles_n = tuple(sorted({" ".join(str(r).split()).lower() for r in roles if str(r).strip()}))
        attrs = tuple(sorted((str(k).strip().lower(), str(v).strip()) for k, v in (attributes or {}).items()
                             if v is not None and str(v).strip()))
        return cls(effective_date=to_date(effective_date).isoformat(), roles=roles_n, building=building or None,
                   supervisor_id=supervisor_id or None,
                   hire_date=to_date(hire_date).isoformat() if hire_date else None,
                   status=(status or "active").lower(), attributes=attrs, seq=seq)

    def attribute(self, name: str) -> str | None:
        """The value of an extra column, or None."""
        return next((v for k, v in self.attributes if k == name), None)


@dataclass(frozen=True)
class PersonHistory:
    """A person's roster versions (any order; they are sorted by (effective_date, seq))."""

    employee_id: str
    versions: tuple[RosterVersion, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "versions", tuple(sorted(self.versions, key=_version_key)))

    def version_on(self, d: date) -> RosterVersion | None:
        """The version in force on ``d`` (None before the first one)."""
        day = d.isoformat()
        found = None
        for v in self.versions:  # sorted by (effective_date, seq): the last one not after d wins
            if v.effective_date <= day:
                found = v
        return found


def _version_key(v: RosterVersion) -> tuple[str, int, str]:
    return (v.effective_date, v.seq, repr(v) if v.seq == 0 else "")  # seq decides; repr only breaks a 0-0 tie


@dataclass(frozen=True)
class Exemption:
    """An administrator's exemption of one person from one requirement: from ``start`` through ``until``
    (inclusive), or until revoked when ``until`` is None. ``revoked`` (the date a revocation takes effect; the
    person is no longer exempt on that date) is normally filled from :class:`ExemptionRevocation` inputs."""

    exemption_id: str
    person: str
    requirement: str
    reason: str
    start: str
    until: str | None = None
    revoked: str | None = None

    def last_day(self) -> date | None:
        """The last exempt day (None: open-ended)."""
        ends = [to_date(self.until)] if self.until else []
        if self.revoked:
            ends.append(date.fromordinal(to_date(self.revoked).toordinal() - 1))
        return min(ends) if ends else None


@dataclass(frozen=True)
class ExemptionRevocation:
    """"Exemption revoked": from ``date`` on the exemption no longer applies."""

    exemption_id: str
    date: str


def apply_revocations(exemptions: Sequence[Exemption],
                      revocations: Sequence[ExemptionRevocation]) -> list[Exemption]:
    """The exemptions with ``revoked`` set from the revocations (the earliest revocation of each wins)."""
    first: dict[str, str] = {}
    for r in revocations:
        d = to_date(r.date).isoformat()
        if r.exemption_id not in first or d < first[r.exemption_id]:
            first[r.exemption_id] = d
    out = []
    for e in exemptions:
        rv = first.get(e.exemption_id)
        if rv is not None and (e.revoked is None or rv < e.revoked):
            e = replace(e, revoked=rv)
        out.append(e)
    return out
