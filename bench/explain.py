"""Query plans of the SQL behind GET /statements filters, to explain the latencies (diagnostic only).

Builds the same SELECT the product runs, through ``StatementStore``'s own (private) query builders, and asks
the database for its plan: PostgreSQL ``EXPLAIN (ANALYZE, BUFFERS)``, SQLite ``EXPLAIN QUERY PLAN`` plus a
timing. If those builders change shape, this reports the error instead of a plan; it never fails the run.
"""
from __future__ import annotations

import time
from typing import Any

from sqlalchemy import create_engine, func, select, text

from common import Database
from lrs.db.engine import normalize_url


def plans(db: Database, cases: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``cases``: name -> StatementQuery fields (agent as an agent key, verb, activity, since, until...)."""
    try:
        from lrs.store.statements import StatementQuery, StatementStore
        from lrs.store.tables import statements as s
    except ImportError as e:
        return {"error": f"cannot import the statement store: {e}"}
    eng = create_engine(normalize_url(db.url))
    out: dict[str, Any] = {}
    try:
        st = StatementStore(eng, None)  # type: ignore[arg-type]
        with eng.connect() as conn:
            head = int(conn.execute(select(func.coalesce(func.max(s.c.seq), 0))).scalar_one())
            for name, fields in cases.items():
                try:
                    q = StatementQuery(**fields, limit=10)
                    q.head_seq = head
                    conds = st._filters(q, s)
                    sel = st._window(q, select(s.c.seq, s.c.data, s.c.has_attachments).where(*conds), 11)
                    sql = str(sel.compile(eng, compile_kwargs={"literal_binds": True}))
                    if db.kind == "postgres":
                        rows = conn.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql)).scalars().all()
                        out[name] = {"sql": sql, "plan": list(rows)}
                    else:
                        plan = [" ".join(str(x) for x in r[1:]) for r in
                                conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all()]
                        t0 = time.perf_counter()
                        conn.exec_driver_sql(sql).all()
                        out[name] = {"sql": sql, "plan": plan,
                                     "execution_ms": round((time.perf_counter() - t0) * 1000, 2)}
                except Exception as e:  # a diagnostic: report and go on
                    out[name] = {"error": f"{e.__class__.__name__}: {e}"[:500]}
    finally:
        eng.dispose()
    return out
