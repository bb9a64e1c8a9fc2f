"""Who may read whose records, and the record of every disclosure (domain.md section 5).

Transcripts, compliance and coaching records are personnel records (Neb. Rev. Stat. 79-8,109): the employee, and
school officials in their professional duties, may see them. The rules:

* ``reports/read`` (the PD office), ``all/read`` and ``all`` (whoever can read every statement can already rebuild
  every transcript, so hiding transcripts from them protects nothing), ``audit`` (reads everything, writes
  nothing) and ``admin`` read everyone's records;
* ``reports/read/mine`` reads the records of the credential's own person, and of the employees that person
  supervises on the current roster;
* ``reports/aggregate`` (the Board, the public) reads aggregates only: summaries, program evaluation, never a
  person-level record;
* every read of a person's records through the reporting API or the pages is recorded (who, whose, what, when:
  FERPA's record of disclosures, 34 CFR 99.32) as a ``disclosure.recorded`` event and a row of ``disclosures``,
  in the same transaction, before the answer is sent. The person can list the disclosures of their records, and
  ``audit`` can list all of them.

Answers: 401 without valid credentials; 403 when the credential may not read that person (also when the person
does not exist, so existence does not leak to someone who could not read them anyway); 404 for an unknown person
when the caller may read everyone.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import request

from lrs.api.context import lrs_services
from lrs.auth import Principal
from lrs.eventlog.store import NewEvent
from lrs.store.tables import disclosures
from lrs.xapi.errors import Forbidden, NotFound
from projections.people import queries as people_q
from projections.people.queries import PersonRef
from projections.scope import ReadScope

READ_ALL = ("reports/read", "all/read", "all", "audit")  # admin is implied by Principal.has
READ_MINE = "reports/read/mine"
AGGREGATE = "reports/aggregate"
DISCLOSURE_EVENT = "disclosure.recorded"
EVERYONE = "*"


def reads_everyone(p: Principal) -> bool:
    """True when ``p`` may read every person's records."""
    return p.has(*READ_ALL)


def require_everyone(p: Principal, what: str) -> None:
    """403 unless ``p`` reads everyone (district-wide exports and lists of people's records)."""
    if not reads_everyone(p):
        raise Forbidden(f"{what} needs the reports/read scope")


def require_aggregates(p: Principal, what: str) -> None:
    """403 unless ``p`` may read aggregates (the Board's scope, or anyone who reads everyone)."""
    if not (reads_everyone(p) or p.has(AGGREGATE)):
        raise Forbidden(f"{what} needs the reports/aggregate or reports/read scope")


def me(scope: ReadScope, p: Principal) -> PersonRef | None:
    """The person a credential speaks for, if any."""
    return people_q.resolve_person(scope, p.person) if p.person else None


def authorized_person(scope: ReadScope, p: Principal, person_param: str, what: str = "records") -> PersonRef:
    """The person named in the URL, if ``p`` may read their ``what`` (else 403/404 as the module says)."""
    everyone = reads_everyone(p)
    if not everyone and not p.has(READ_MINE):
        raise Forbidden(f"reading a person's {what} needs the reports/read or reports/read/mine scope")
    person = people_q.resolve_person(scope, person_param)
    if everyone:
        if person is None:
            raise NotFound(f"no person {person_param!r} (not an employee id on the roster, nor an agent seen)")
        return person
    mine = me(scope, p)
    if person is not None and mine is not None and (mine.id == person.id or people_q.supervises(scope, mine, person)):
        return person
    raise Forbidden(f"this credential may read only its own person's {what} and their staff's")


def disclose(p: Principal, subjects: Iterable[str], what: str, extra: Mapping[str, Any] | None = None) -> None:
    """Record that ``p`` was shown ``what`` about ``subjects`` (person ids, or ``"*"`` for everyone).

    Written before the answer leaves: a disclosure that cannot be recorded is not made (the request fails 503).
    """
    who = sorted(set(subjects))
    if not who:
        return
    payload = {"by": p.key, "by_name": p.name, "via": p.via, "subjects": who, "what": what,
               "path": request.path, "query": {k: v for k, v in request.args.items() if k != "cursor"},
               **(extra or {})}
    store = lrs_services().store
    with store.write() as tx:
        ev = tx.append([NewEvent(DISCLOSURE_EVENT, "disclosure", payload)])[0]
        tx.conn.execute(disclosures.insert(), [
            {"position": ev.position, "subject": s, "by_key": p.key, "what": what, "path": request.path,
             "recorded_at": ev.recorded_at} for s in who])
