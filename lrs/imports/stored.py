"""What the store already holds that an import or a pull must know before it writes.

* the statements earlier imports stored for a file's sessions (to leave unchanged or void), and the ids of
  those sessions that were voided (never to be reused: ``adapters.statements.fresh_statement_id``);
* which of a set of statement ids are stored already (a re-pull adds nothing);
* a pull source's last cursor event.

All reads, outside the writer lock (the write that follows is one append, checked again by the store).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import Engine, select

from adapters.statements import VERB_IRIS, PriorStatement, priors_from_statements
from lrs.db.bulk import chunks
from lrs.eventlog.tables import events
from lrs.store.tables import statement_activities, statements


def prior_imports(engine: Engine, session_iris: Sequence[str], *, iri_base: str
                  ) -> tuple[list[PriorStatement], set[str]]:
    """(the live statements earlier attendance imports stored about ``session_iris``, the voided ids among the
    imported statements about them).

    Only attended/registered statements whose object is one of the sessions are read (``statement_activities``
    rows with ``direct``), and of those only the ones carrying the import extension under ``iri_base``
    (statements other tools sent about the same activity are not an import's to void).
    """
    s, sa = statements, statement_activities
    live: list[dict[str, Any]] = []
    voided: set[str] = set()
    verbs = list(VERB_IRIS.values())
    with engine.connect() as conn:
        for chunk in chunks(dict.fromkeys(session_iris)):
            q = (select(s.c.statement_id, s.c.voided, s.c.data)
                 .select_from(sa.join(s, s.c.seq == sa.c.seq))
                 .where(sa.c.activity_id.in_(chunk), sa.c.direct.is_(True), s.c.verb_id.in_(verbs)))
            for r in conn.execute(q):
                if r.voided:
                    voided.add(str(r.statement_id).lower())
                else:
                    live.append(orjson.loads(r.data))
    return priors_from_statements(live, iri_base=iri_base), voided


def stored_ids(engine: Engine, ids: Iterable[str]) -> set[str]:
    """The ids among ``ids`` that are stored (voided or not), lower-cased."""
    found: set[str] = set()
    with engine.connect() as conn:
        for chunk in chunks(dict.fromkeys(i.lower() for i in ids)):
            found.update(conn.execute(select(statements.c.statement_id)
                                      .where(statements.c.statement_id.in_(chunk))).scalars())
    return found


def last_event(engine: Engine, stream: str, event_type: str) -> tuple[int, dict[str, Any]] | None:
    """(position, payload) of the newest ``event_type`` event on ``stream``, or None."""
    e = events
    with engine.connect() as conn:
        row = conn.execute(select(e.c.position, e.c.payload).where(e.c.stream == stream, e.c.type == event_type)
                           .order_by(e.c.position.desc()).limit(1)).first()
    return None if row is None else (int(row.position), orjson.loads(row.payload))
