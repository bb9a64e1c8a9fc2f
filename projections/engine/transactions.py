"""Read-model write transactions (not the event log's: projections never take the log's append lock)."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Engine

from lrs.db.engine import is_postgres

# SQLite rebuild transactions: WAL pages before an automatic checkpoint (4 KiB pages: ~40 MB of WAL at most).
REBUILD_WAL_PAGES = 10_000


@contextlib.contextmanager
def write_conn(engine: Engine, *, durable: bool = True) -> Iterator[Connection]:
    """A transaction for read-model writes.

    SQLite: ``BEGIN IMMEDIATE`` (execution option ``lrs_write``): the handler reads read-model rows and then
    writes, and a deferred transaction that must upgrade to a writer after another connection committed fails at
    once with SQLITE_BUSY instead of waiting. PostgreSQL: an ordinary READ COMMITTED transaction; it does not take
    the event log's append lock, so projections never slow down ingestion there.

    ``durable=False`` (PostgreSQL only) commits without waiting for the WAL flush (``SET LOCAL
    synchronous_commit = off``). That is safe for anything built from the log: the read-model rows and the
    checkpoint commit in one transaction, so a commit lost in a server crash loses both together and the batch is
    simply applied again from the old checkpoint (the log itself is always committed synchronously). Rebuilds use
    it; the live worker could too (a lost commit only means reprocessing), but keeps the default so a reader never
    sees a read model move backwards after a server crash.
    """
    with engine.connect() as conn:
        pg = is_postgres(conn)
        if not pg:
            conn = conn.execution_options(lrs_write=True)
        with _sqlite_rebuild_checkpoints(conn, enabled=not pg and not durable), conn.begin():
            if pg and not durable:
                conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
                # psycopg prepares a statement after 5 executions, and PostgreSQL may then switch to a generic
                # plan; with the statistics of a table whose new generation is still small, the generic plan
                # for "gen = $1 AND entry_key IN (...)" scans the whole generation by ``gen`` and filters (seen:
                # 300 ms per query, a rebuild quadratic in the log). Custom plans use the (gen, key) index.
                conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
            yield conn


@contextlib.contextmanager
def _sqlite_rebuild_checkpoints(conn: Connection, enabled: bool) -> Iterator[None]:
    """SQLite, rebuild transactions only: let the WAL grow to :data:`REBUILD_WAL_PAGES` pages before the committing
    connection copies it back into the database (the default is 1,000 pages, which a rebuild batch exceeds, so
    every commit checkpointed and index pages dirtied again by the next batch were written back each time).
    Set on the raw connection around the transaction (the checkpoint runs at COMMIT) and restored afterwards, as
    the connection goes back to the pool."""
    if not enabled:
        yield
        return
    raw: Any = conn.connection.driver_connection
    prev = raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    raw.execute(f"PRAGMA wal_autocheckpoint = {REBUILD_WAL_PAGES}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA wal_autocheckpoint = {int(prev)}")
