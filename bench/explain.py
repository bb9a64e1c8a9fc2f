"""Query plans of the SQL behind GET /statements filters, to explain the latencies (diagnostic only).

Runs ``StatementStore.query`` in-process for each filter, captures every SQL statement it sends (through a
SQLAlchemy ``before_cursor_execute`` listener, so it follows the product's code whatever its shape), then times
each statement on its own and asks the database for its plan: PostgreSQL ``EXPLAIN (ANALYZE, BUFFERS)``,
SQLite ``EXPLAIN QUERY PLAN``. A failure is reported in place of the plan; it never fails the run.
"""
from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event

from common import Database
from lrs.db.engine import make_engine


def plans(db: Database, cases: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``cases``: name -> StatementQuery fields (agent as an agent key, verb, activity, since, until...)."""
    try:
        from lrs.eventlog.store import EventStore
        from lrs.store.statements import StatementQuery, StatementStore
    except ImportError as e:
        return {"error": f"cannot import the statement store: {e}"}
    eng = make_engine(db.url)
    st = StatementStore(eng, EventStore(eng))
    out: dict[str, Any] = {}
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cur: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        captured.append((statement, parameters))

    try:
        for name, fields in cases.items():
            try:
                captured.clear()
                event.listen(eng, "before_cursor_execute", capture)
                try:
                    t0 = time.perf_counter()
                    page = st.query(StatementQuery(**fields, limit=10), 500)
                    total_ms = (time.perf_counter() - t0) * 1000
                finally:
                    event.remove(eng, "before_cursor_execute", capture)
                stmts = [(s, p) for s, p in captured if s.lstrip().upper().startswith(("SELECT", "WITH"))]
                steps = []
                with eng.connect() as conn:
                    for sql, params in stmts:
                        t1 = time.perf_counter()
                        conn.exec_driver_sql(sql, params).all()
                        ms = (time.perf_counter() - t1) * 1000
                        if db.kind == "postgres":
                            plan = [r[0] for r in conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)]
                        else:
                            plan = [" ".join(str(x) for x in r[1:]) for r in
                                    conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)]
                        steps.append({"ms": round(ms, 2), "sql": " ".join(sql.split())[:600], "plan": plan})
                out[name] = {"query_ms": round(total_ms, 2), "rows": len(page.rows), "statements": steps}
            except Exception as e:  # a diagnostic: report and go on
                out[name] = {"error": f"{e.__class__.__name__}: {e}"[:500]}
    finally:
        eng.dispose()
    return out
