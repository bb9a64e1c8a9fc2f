"""Shared fixtures. Each test gets a database of its own.

The backend is chosen per run: ``LRS_TEST_DATABASE=sqlite`` (default) or ``postgres``; CI runs the suite once
with each. SQLite: a new file per test. PostgreSQL (the server named by ``LRS_TEST_PG_URL``; default the local
server, user postgres, database test): each test process owns one database, cloned once from a template that holds
the schema, and every test starts by emptying it (a DELETE per table and the end of any session a previous test left
behind, ~20 ms) — creating a database per test cost half a second each under load. Tests that need a database
beside their own, or are written per backend (the event-store contract), ask for :func:`sqlite_url` /
:func:`postgres_url` directly.

Parallel runs (pytest-xdist): every worker process has its own template, database and temporary files, so workers
never share a database.
"""
from __future__ import annotations

import base64
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError

BACKEND = os.environ.get("LRS_TEST_DATABASE", "sqlite")
PG_ADMIN_URL = os.environ.get("LRS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
API_KEY, API_SECRET = "test-key", "test-secret"
# Cheap scrypt for every credential the tests make (the cost is stored with each hash, so production's stays 2^14);
# subprocess servers and CLIs inherit it through the environment.
TEST_SCRYPT_N = "16"
os.environ["LRS_SCRYPT_N"] = TEST_SCRYPT_N
# Signing keys of apps a test builds without naming a key file: a temporary file, never one in the working directory.
os.environ.setdefault("LRS_SECRET_KEY_FILE", os.path.join(tempfile.mkdtemp(prefix="lrs-test-keys-"), "signing.keys"))


def key_file_for(db_url: str) -> str:
    """Where a test database's signing keys live: beside an SQLite file, else a temporary file named after the
    PostgreSQL database (every process of one test finds the same file; nothing lands in the repository)."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        return f"{url.database}.keys"
    return os.path.join(tempfile.gettempdir(), "lrs-test-keys", f"{url.database}.keys")


def basic_auth(key: str = API_KEY, secret: str = API_SECRET) -> str:
    """An ``Authorization`` header value for HTTP Basic."""
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


def _pg_admin() -> Engine:
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    """A template database with the schema already created, or None when PostgreSQL is not reachable (and the
    run does not need it: a postgres run fails instead)."""
    from lrs.bootstrap import create_schema
    from lrs.db import make_engine

    name = f"lrs_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = _pg_admin()
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        if BACKEND == "postgres":
            raise
        yield None
        return
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    eng = make_engine(url)
    create_schema(eng)
    eng.dispose()
    yield name
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def sqlite_url(tmp_path: Path) -> str:
    """The URL of a new, empty SQLite file under ``tmp_path``."""
    return f"sqlite:///{tmp_path / f'lrs-{uuid.uuid4().hex[:8]}.db'}"


def postgres_url(pg_template: str) -> tuple[str, Callable[[], None]]:
    """A new PostgreSQL database cloned from the template (schema included), and a function that drops it."""
    name = f"lrs_t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def new_database_url(tmp_path: Any, pg_template: str | None) -> tuple[str, Callable[[], None]]:
    """A fresh, empty database URL on the run's backend, and a function that drops it."""
    if BACKEND == "postgres":
        assert pg_template is not None, "PostgreSQL is not reachable at LRS_TEST_PG_URL"
        return postgres_url(pg_template)
    return sqlite_url(tmp_path), lambda: None


@pytest.fixture(scope="session")
def pg_process_db(pg_template: str | None) -> Iterator[tuple[str, Engine, list[str]]]:
    """This test process's own PostgreSQL database (schema from the template) and an engine to reset it with."""
    from sqlalchemy.pool import NullPool

    assert pg_template is not None, "PostgreSQL is not reachable at LRS_TEST_PG_URL"
    url, drop = postgres_url(pg_template)
    eng = create_engine(url, poolclass=NullPool)
    with eng.connect() as c:
        # Every table but the schema's own version: the rows go, the schema stays.
        tables = [r[0] for r in c.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                               "AND tablename <> 'alembic_version'"))]
    yield url, eng, sorted(tables)
    eng.dispose()
    drop()


def _empty_postgres(eng: Engine, tables: list[str]) -> None:
    with eng.begin() as c:
        # Sessions a previous test left behind (a killed worker's, a server still shutting down) must not hold
        # locks over the reset or see the next test's rows.
        c.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        for t in tables:
            c.execute(text(f'DELETE FROM "{t}"'))


@pytest.fixture
def db_url(tmp_path: Any, request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of an empty database for this test, on the backend under test."""
    if BACKEND == "postgres":
        url, eng, tables = request.getfixturevalue("pg_process_db")
        _empty_postgres(eng, tables)
        with contextlib.suppress(FileNotFoundError):
            os.remove(key_file_for(url))  # a fresh database gets fresh signing keys
        yield url
        return
    yield sqlite_url(tmp_path)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An SQLite file migrated to the newest schema once per test process; copied for each test that needs one."""
    from lrs.bootstrap import create_schema
    from lrs.db import make_engine

    path = str(tmp_path_factory.mktemp("template") / "template.db")
    eng = make_engine(f"sqlite:///{path}")
    create_schema(eng)
    eng.dispose()
    return path


@pytest.fixture
def schema_ready(db_url: str, request: pytest.FixtureRequest) -> str:
    """``db_url`` with the schema in place: an SQLite file starts as a copy of the migrated template (a copy costs
    a millisecond, running the migrations a tenth of a second); PostgreSQL's process database has it already."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database and not os.path.exists(url.database):
        shutil.copyfile(request.getfixturevalue("sqlite_template"), url.database)
    return db_url


@pytest.fixture
def engine(schema_ready: str) -> Iterator[Any]:
    """An engine on the test's database with every table created."""
    from lrs.bootstrap import create_schema
    from lrs.db import make_engine

    eng = make_engine(schema_ready)
    create_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def app(schema_ready: str) -> Iterator[Any]:
    """The LRS app on the test's database, with credential ``test-key``/``test-secret`` (scope ``all``)."""
    from lrs.app import create_app

    db_url = schema_ready
    application = create_app({"DATABASE_URL": db_url, "API_KEY": API_KEY, "API_SECRET": API_SECRET,
                              "WORKER": False, "BASE_URL": "http://lrs.test", "SECRET_KEY_FILE": key_file_for(db_url)})
    application.config["TESTING"] = True
    yield application
    application.extensions["lrs"].engine.dispose()


@pytest.fixture
def client(app: Any) -> Any:
    """Flask test client for ``app``."""
    return app.test_client()


@pytest.fixture
def xapi_headers() -> dict[str, str]:
    """Headers of an authenticated xAPI 1.0.3 request."""
    return {"Authorization": basic_auth(), "X-Experience-API-Version": "1.0.3"}


@pytest.fixture
def xapi2_headers() -> dict[str, str]:
    """Headers of an authenticated xAPI 2.0 request."""
    return {"Authorization": basic_auth(), "X-Experience-API-Version": "2.0.0"}
