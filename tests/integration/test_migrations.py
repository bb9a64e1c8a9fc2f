"""Schema migrations: an empty database of each kind upgraded from the first migration has exactly the models'
schema; upgrading again changes nothing; ``lrs db`` reports and upgrades."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from lrs.bootstrap import metadata
from lrs.db import make_engine, migrate
from tests.conftest import postgres_url, sqlite_url
from tests.e2e.live import lrs


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    template = request.getfixturevalue("pg_template")
    if template is None:
        pytest.skip("PostgreSQL is not reachable")
    # An empty database (no template): the migrations must build everything themselves.
    url, drop = postgres_url("template0")
    yield url
    drop()


def test_the_migrations_build_exactly_the_models_schema(empty_url: str) -> None:
    engine = make_engine(empty_url)
    try:
        assert migrate.current(engine) is None
        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head()
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
        assert diff == [], diff
        tables = set(inspect(engine).get_table_names())
        assert set(metadata.tables) <= tables
        migrate.upgrade(engine)  # at the head already: nothing to do
        assert migrate.current(engine) == migrate.head()
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                triggers = conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars().all()
            assert "lrs_events_notify" in triggers
    finally:
        engine.dispose()


def test_lrs_db_current_and_upgrade(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    missing = lrs(url, "db", "current")
    assert missing.returncode == 1 and "no LRS schema yet" in missing.stderr
    up = lrs(url, "db", "upgrade")
    assert up.returncode == 0 and up.stdout.strip() == f"upgraded from an empty database to {migrate.head()}"
    assert lrs(url, "db", "current").stdout.strip() == f"{migrate.head()} (the newest)"
    assert lrs(url, "db", "upgrade").stdout.strip() == f"at {migrate.head()}"
