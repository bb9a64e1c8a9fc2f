"""``lrs serve``: the real gunicorn server as a subprocess on the test database, spoken to over loopback HTTP."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.builders import make_statement
from tests.conftest import basic_auth, new_database_url
from tests.e2e.live import LiveServer as Server
from tests.e2e.live import start_server

KEY, SECRET = "serve-key", "serve-secret"
V103 = {"X-Experience-API-Version": "1.0.3"}


def start(db_url: str, log: Path) -> Server:
    """``lrs serve --no-worker`` with this module's credential."""
    return start_server(db_url, "--no-worker", env={"LRS_API_KEY": KEY, "LRS_API_SECRET": SECRET}, workers=2,
                        threads=8, log=log)


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory, pg_template: str | None) -> Iterator[Server]:
    """One server for the tests that only read or add statements (starting gunicorn costs seconds)."""
    tmp = tmp_path_factory.mktemp("serve")
    db_url, drop = new_database_url(tmp, pg_template)
    srv = start(db_url, tmp / "serve.log")
    yield srv
    srv.stop()
    drop()


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[Server]:
    """A server of this test's own."""
    srv = start(db_url, tmp_path / "serve.log")
    yield srv
    srv.stop()


def test_health_and_about_answer_without_credentials(shared_server: Server) -> None:
    r = requests.get(shared_server.base + "/health", timeout=10)
    assert (r.status_code, r.json()) == (200, {"status": "ok"})

    r = requests.get(shared_server.base + "/xapi/about", timeout=10)
    assert r.status_code == 200
    assert "1.0.3" in r.json()["version"]
    assert r.headers["X-Experience-API-Version"]


@pytest.mark.parametrize("auth", [None, basic_auth(KEY, "wrong-secret"), basic_auth("nobody", SECRET),
                                  "Bearer not-a-token"])
def test_xapi_without_valid_credentials_is_401(shared_server: Server, auth: str | None) -> None:
    headers = dict(V103, **({"Authorization": auth} if auth else {}))
    r = requests.get(shared_server.base + "/xapi/statements", headers=headers, timeout=10)
    assert r.status_code == 401, r.text
    r = requests.post(shared_server.base + "/xapi/statements", json=make_statement(), headers=headers,
                      timeout=10)
    assert r.status_code == 401, r.text


def test_the_configured_credential_stores_and_reads_statements(shared_server: Server) -> None:
    headers = {**V103, "Authorization": basic_auth(KEY, SECRET)}
    stmt = make_statement()
    r = requests.post(shared_server.base + "/xapi/statements", json=stmt, headers=headers, timeout=10)
    assert (r.status_code, r.json()) == (200, [stmt["id"]]), r.text
    # Gunicorn runs several worker processes: whichever answers, the statement is there.
    for _ in range(4):
        r = requests.get(shared_server.base + "/xapi/statements", params={"statementId": stmt["id"]},
                         headers=headers, timeout=10)
        assert r.status_code == 200, r.text
        assert r.json()["id"] == stmt["id"]


def test_sigterm_stops_the_server_cleanly(server: Server) -> None:
    assert server.stop() == 0, server.output()
    with pytest.raises(requests.ConnectionError):
        requests.get(server.base + "/health", timeout=2)
    assert "Traceback" not in server.output()
