"""Shared fixtures. Each test gets a database of its own.

The backend is chosen per run: ``LRS_TEST_DATABASE=sqlite`` (default) or ``postgres``; CI runs the suite once
with each. PostgreSQL tests create a database per test (from a template, which is fast) on the server named by
``LRS_TEST_PG_URL`` (default: the local server, user postgres, database test) and drop it afterwards.
"""
from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

BACKEND = os.environ.get("LRS_TEST_DATABASE", "sqlite")
# Cheap scrypt for every credential the tests make (the cost is stored with each hash, so production's stays 2^14);
# subprocess servers and CLIs inherit it through the environment.
TEST_SCRYPT_N = "16"
os.environ["LRS_SCRYPT_N"] = TEST_SCRYPT_N
PG_ADMIN_URL = os.environ.get("LRS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
API_KEY, API_SECRET = "test-key", "test-secret"


def basic_auth(key: str = API_KEY, secret: str = API_SECRET) -> str:
    """An ``Authorization`` header value for HTTP Basic."""
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


def _pg_admin():
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    """A template database with the schema already created (PostgreSQL runs only)."""
    if BACKEND != "postgres":
        yield None
        return
    from lrs.bootstrap import create_schema
    from lrs.db import make_engine

    name = f"lrs_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = _pg_admin()
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    eng = make_engine(url)
    create_schema(eng)
    eng.dispose()
    yield name
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def new_database_url(tmp_path: Any, pg_template: str | None) -> tuple[str, Any]:
    """A fresh, empty database URL and a function that drops it."""
    if BACKEND == "postgres":
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
    path = tmp_path / f"lrs-{uuid.uuid4().hex[:8]}.db"
    return f"sqlite:///{path}", lambda: None


@pytest.fixture
def db_url(tmp_path: Any, pg_template: str | None) -> Iterator[str]:
    """URL of an empty database of this test's own, on the backend under test."""
    url, drop = new_database_url(tmp_path, pg_template)
    yield url
    drop()


@pytest.fixture
def engine(db_url: str) -> Iterator[Any]:
    """An engine on the test's database with every table created."""
    from lrs.bootstrap import create_schema
    from lrs.db import make_engine

    eng = make_engine(db_url)
    create_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def app(db_url: str) -> Iterator[Any]:
    """The LRS app on the test's database, with credential ``test-key``/``test-secret`` (scope ``all``)."""
    from lrs.app import create_app

    application = create_app({"DATABASE_URL": db_url, "API_KEY": API_KEY, "API_SECRET": API_SECRET,
                              "WORKER": False, "BASE_URL": "http://lrs.test"})
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
