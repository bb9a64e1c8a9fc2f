"""Engines for SQLite (the embedded default) and PostgreSQL (production), and the write transaction.

Every write to the product goes through :func:`write_transaction`, which serialises writers so that the order
in which event positions are handed out is the order in which they commit (see ``lrs.eventlog.store`` for why
that matters to readers tailing the log).
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

# Any constant works: the key only has to be the same in every process that appends to one database.
EVENTLOG_LOCK_KEY = 0x4C52_5345_5645_4E54  # "LRSEVENT"
# Postgres: how long an append waits for the log lock before failing (the HTTP layer turns that into a 503).
LOCK_TIMEOUT = "15s"


_PG_LOCK = text("SELECT set_config('lock_timeout', :t, true), pg_advisory_xact_lock(:k)")


def default_database_url() -> str:
    """An SQLite file in the working directory, the embedded default."""
    return "sqlite:///" + os.path.abspath("lrs.db")


def normalize_url(url: str) -> str:
    """Map ``postgres://`` and ``postgresql://`` to the psycopg 3 driver SQLAlchemy should use."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` with the settings the event log relies on."""
    url = normalize_url(url or default_database_url())
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return _sqlite_engine(url, **kwargs)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    # No pre-ping: it costs a round trip on every checkout of the hot write path. Connections are recycled
    # instead, and a connection the server dropped fails one request with 503 (see lrs.api.errors).
    kwargs.setdefault("pool_recycle", 1800)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _pg_connect(dbapi_conn: Any, _rec: Any) -> None:
        # A session that dies holding the log lock must not stall every writer (Marten #5108): Postgres ends
        # sessions idle inside a transaction after this long.
        with dbapi_conn.cursor() as cur:
            cur.execute("SET idle_in_transaction_session_timeout = '30s'")
            # psycopg prepares a statement after 5 executions, and PostgreSQL may then settle on a generic plan
            # that ignores the parameters' selectivity: for "gen = $1 AND key IN (...)" on a growing read model,
            # or an agent filter on a skewed key, that is a full scan per query (seen: 300 ms, and rebuilds that
            # grew quadratically). Our queries are cheap to plan; plan each with its actual values.
            cur.execute("SET plan_cache_mode = force_custom_plan")
        dbapi_conn.commit()

    return engine


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    u = make_url(url)
    memory = u.database in (None, "", ":memory:")
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("check_same_thread", False)
    connect_args.setdefault("timeout", 60)
    if memory:
        # One shared connection, or every checkout would see a different empty database.
        from sqlalchemy.pool import StaticPool

        engine = create_engine(url, connect_args=connect_args, poolclass=StaticPool, **kwargs)
    else:
        kwargs.setdefault("pool_size", 8)
        kwargs.setdefault("max_overflow", 16)
        engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_conn: Any, _rec: Any) -> None:
        # Take transaction control away from pysqlite, whose deferred BEGIN would let two writers both read the
        # log head and then race to append (SQLAlchemy's "Serializable isolation / Savepoints" recipe).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")  # readers never block the single writer, nor it them
        cur.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; WAL keeps it consistent
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Connection) -> None:
        # BEGIN IMMEDIATE takes SQLite's write lock up front, so appends are serialised across threads and
        # processes and the head we read is still the head when we insert.
        if conn.get_execution_options().get("lrs_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def is_postgres(engine_or_conn: Engine | Connection) -> bool:
    """True when the connection or engine talks to PostgreSQL."""
    return engine_or_conn.dialect.name == "postgresql"


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A short transaction holding the database's single writer lock; commits on success.

    SQLite: ``BEGIN IMMEDIATE``. PostgreSQL: a transaction-scoped advisory lock, which (unlike
    ``LOCK TABLE … EXCLUSIVE``) does not touch readers at all. Either way only one writer at a time appends, so
    positions are handed out in commit order and a reader tailing the log never sees position n+1 before n.
    Keep the work inside short: validate and serialise before entering.
    """
    with engine.connect().execution_options(lrs_write=True) as conn:
        with conn.begin():
            if is_postgres(conn):
                # One round trip: the select list is evaluated left to right, so the timeout is in force
                # before the lock is requested.
                conn.execute(_PG_LOCK, {"t": LOCK_TIMEOUT, "k": EVENTLOG_LOCK_KEY})
            yield conn
