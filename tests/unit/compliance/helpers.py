"""Builders for the compliance tests: requirements from catalog snippets, people, facts, and reading timelines."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from projections.compliance import (EvidenceFact, Exemption, PersonHistory, Requirement, RosterVersion, Segment,
                                    parse_catalog_data, reason, segment_on, status_in, timeline)

PD = "https://district.example/pd/"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
PASSED = "http://adlnet.gov/expapi/verbs/passed"
FAILED = "http://adlnet.gov/expapi/verbs/failed"
WAIVED = "https://w3id.org/xapi/adl/verbs/waived"


def requirement(recurrence: dict[str, Any], *, activity: str = "training", catalog: dict[str, Any] | None = None,
                **keys: Any) -> Requirement:
    """A validated requirement ``r`` applying to teachers, satisfied by ``PD + activity``."""
    req: dict[str, Any] = {"id": "r", "title": "R", "applies_to": {"roles": ["teacher"]},
                           "satisfied_by": {"activities": [PD + activity]}, "recurrence": recurrence}
    req.update(keys)
    data = dict(catalog or {})
    data["requirements"] = [req]
    return parse_catalog_data(data).requirements[0]


def person(*versions: RosterVersion, employee_id: str = "e1") -> PersonHistory:
    return PersonHistory(employee_id, tuple(versions))


def version(effective: str, *, roles: Sequence[str] = ("teacher",), building: str = "north",
            hire: str | None = None, status: str = "active", supervisor: str | None = "p1", seq: int = 0,
            **attributes: Any) -> RosterVersion:
    return RosterVersion.make(effective, roles=roles, building=building, supervisor_id=supervisor,
                              hire_date=hire or effective, status=status, attributes=attributes, seq=seq)


def teacher(hire: str, **kw: Any) -> PersonHistory:
    """A teacher hired on ``hire`` (one roster version from that date)."""
    return person(version(hire, hire=hire, **kw))


def fact(sid: str, day: str, *, activity: str = "training", verb: str = COMPLETED, hours: float = 0.0,
         **kw: Any) -> EvidenceFact:
    return EvidenceFact(statement_id=sid, date=day, verb=verb, activity=PD + activity, hours=hours, **kw)


def exemption(start: str, until: str | None = None, *, reason_text: str = "medical leave", eid: str = "x1",
              requirement_id: str = "r", person_id: str = "e1", revoked: str | None = None) -> Exemption:
    return Exemption(eid, person_id, requirement_id, reason_text, start, until, revoked)


def build(p: PersonHistory, req: Requirement, facts: Sequence[EvidenceFact] = (),
          exemptions: Sequence[Exemption] = (), *, windows: Sequence[tuple[str, str | None]] = (("2000-01-01", None),),
          horizon: str = "2028-06-30", **kw: Any) -> list[Segment]:
    return timeline(p, req, list(windows), list(facts), list(exemptions), horizon, **kw)


def statuses(segments: Sequence[Segment], *days: str) -> list[str]:
    """The status on each day."""
    return [status_in(segments, d) for d in days]


def at(segments: Sequence[Segment], day: str) -> Segment:
    s = segment_on(segments, day)
    assert s is not None, f"no segment on {day}"
    return s


def why(segments: Sequence[Segment], day: str) -> str:
    return reason(at(segments, day), day)


def check_shape(segments: Sequence[Segment]) -> None:
    """Sorted, non-empty, non-overlapping segments, with touching ones different (equal ones are merged)."""
    for s in segments:
        assert s.valid_from < s.valid_to, s
    for a, b in zip(segments, segments[1:]):
        assert a.valid_to <= b.valid_from, (a, b)
        if a.valid_to == b.valid_from:
            assert not a.same_state(b), (a, b)


def days(first: str, last: str) -> list[str]:
    """Every ISO day from ``first`` to ``last`` inclusive."""
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    return [date.fromordinal(o).isoformat() for o in range(a.toordinal(), b.toordinal() + 1)]
