"""Schema migrations (Alembic): ``lrs db upgrade`` (also run by ``lrs serve`` and every command that builds the
services), ``lrs db current``.

The migrations live in ``lrs/db/migrations/versions``; the first one is the whole schema. A migration test upgrades
an empty database of each kind from the first migration and compares the result with the models, so the two cannot
drift apart. Checking whether a database is already at the head is one query (the head revision is read from the
scripts once per process), so building the services costs nothing extra once a database is up to date.
"""
from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK_KEY = 0x4C52_534D_4947_5254  # "LRSMIGRT": any constant all processes share


def config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the product's migrations (no alembic.ini)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@functools.lru_cache(maxsize=1)
def head() -> str:
    """The newest revision of the migration scripts."""
    rev = ScriptDirectory.from_config(config()).get_current_head()
    assert rev is not None, "no migration scripts"
    return rev


def current(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (the newest by default); a no-op when it is there already.

    Processes starting together (web workers, a worker, a CLI) must not both run a migration: the upgrade holds the
    database's writer lock (SQLite's BEGIN IMMEDIATE, an advisory lock on PostgreSQL) and looks again once it has it.
    """
    if revision == "head" and current(engine) == head():
        return
    with engine.connect().execution_options(lrs_write=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        if revision == "head" and MigrationContext.configure(conn).get_current_revision() == head():
            return
        command.upgrade(config(conn), revision)
