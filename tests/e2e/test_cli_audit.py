"""``lrs audit verify`` and ``lrs export statements``, run as the installed console script on the test database."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.builders import make_statement
from tests.e2e.live import lrs, lrs_env, lrs_executable  # noqa: F401  (lrs_env, lrs_executable: used by other tests)

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def post(client: Any, headers: dict[str, str], body: Any) -> list[str]:
    r = client.post("/xapi/statements", data=json.dumps(body),
                    headers={**headers, "Content-Type": "application/json"})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json


def raw(app: Any, sql: str) -> None:
    with app.extensions["lrs"].engine.begin() as conn:
        conn.execute(text(sql))


def head(app: Any) -> int:
    return app.extensions["lrs"].store.head()


# --- audit verify -----------------------------------------------------------------------------------------

def test_audit_verify_reports_an_intact_log(app: Any, client: Any, xapi_headers: dict[str, str]) -> None:
    post(client, xapi_headers, [make_statement(), make_statement()])
    post(client, xapi_headers, make_statement())
    n = head(app)
    assert n >= 3  # the credential created at start-up, then two stores
    r = lrs(app.config["LRS"]["DATABASE_URL"], "audit", "verify")
    assert r.returncode == 0, r.stderr
    assert re.search(rf"\bintact: {n} events, head {n}\b", r.stdout), r.stdout


def test_audit_verify_names_an_edited_event(app: Any, client: Any, xapi_headers: dict[str, str]) -> None:
    for _ in range(3):
        post(client, xapi_headers, make_statement())
    target = head(app) - 1
    # An insider rewrites who completed what.
    raw(app, f"UPDATE events SET payload = REPLACE(payload, 'mailto:', 'mailto:x') WHERE position = {target}")
    r = lrs(app.config["LRS"]["DATABASE_URL"], "audit", "verify")
    assert r.returncode == 2  # the documented status for a broken log
    assert re.search(rf"\bposition {target}\b", r.stderr), r.stderr
    assert "intact" not in r.stdout


def test_audit_verify_names_a_deleted_event(app: Any, client: Any, xapi_headers: dict[str, str]) -> None:
    for _ in range(3):
        post(client, xapi_headers, make_statement())
    target = head(app) - 1
    raw(app, f"DELETE FROM events WHERE position = {target}")
    r = lrs(app.config["LRS"]["DATABASE_URL"], "audit", "verify")
    assert r.returncode == 2
    assert re.search(rf"\bposition {target}\b", r.stderr), r.stderr


# --- export statements ------------------------------------------------------------------------------------

def exported(stdout: str) -> list[dict[str, Any]]:
    assert stdout == "" or stdout.endswith("\n")
    return [json.loads(line) for line in stdout.splitlines()]


def test_export_writes_every_stored_statement_as_ndjson_in_stored_order(app: Any, client: Any,
                                                                        xapi_headers: dict[str, str],
                                                                        tmp_path: Path) -> None:
    db_url = app.config["LRS"]["DATABASE_URL"]
    first = [make_statement() for _ in range(3)]
    ids = post(client, xapi_headers, first)
    ids += post(client, xapi_headers, make_statement())
    # A voiding statement and the statement it voids are both part of what was stored.
    ids += post(client, xapi_headers, make_statement(verb={"id": VOIDED},
                                                     object={"objectType": "StatementRef", "id": ids[1]}))

    r = lrs(db_url, "export", "statements")
    assert r.returncode == 0, r.stderr
    rows = exported(r.stdout)
    assert [s["id"] for s in rows] == ids
    assert rows[0]["actor"] == first[0]["actor"] and rows[0]["verb"] == first[0]["verb"]
    stored = [s["stored"] for s in rows]
    assert all(stored) and stored == sorted(stored)
    # The export is the statements as the LRS stored them (authority and all), as GET returns them.
    got = client.get("/xapi/statements", query_string={"statementId": ids[3]}, headers=xapi_headers).json
    assert rows[3]["authority"] == got["authority"] and rows[3]["stored"] == got["stored"]

    out = tmp_path / "export.ndjson"
    r = lrs(db_url, "export", "statements", "--output", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert [s["id"] for s in exported(out.read_text(encoding="utf-8"))] == ids


def test_export_since_takes_statements_stored_after_that_time(app: Any, client: Any,
                                                              xapi_headers: dict[str, str]) -> None:
    db_url = app.config["LRS"]["DATABASE_URL"]
    post(client, xapi_headers, [make_statement(), make_statement()])
    [cut] = exported(lrs(db_url, "export", "statements").stdout)[-1:]
    time.sleep(0.01)  # the next store gets a later stored time
    later = post(client, xapi_headers, [make_statement(), make_statement()])

    r = lrs(db_url, "export", "statements", "--since", cut["stored"])
    assert r.returncode == 0, r.stderr
    assert [s["id"] for s in exported(r.stdout)] == later

    r = lrs(db_url, "export", "statements", "--since", "2999-01-01T00:00:00Z")
    assert (r.returncode, r.stdout) == (0, "")


def test_export_of_an_lrs_with_no_statements_is_empty(app: Any) -> None:
    r = lrs(app.config["LRS"]["DATABASE_URL"], "export", "statements")
    assert (r.returncode, r.stdout) == (0, ""), r.stderr


@pytest.mark.parametrize("args", [("audit", "verify"), ("export", "statements")])
def test_commands_do_not_write_the_log(app: Any, client: Any, xapi_headers: dict[str, str],
                                       args: tuple[str, ...]) -> None:
    post(client, xapi_headers, make_statement())
    before = head(app)
    assert lrs(app.config["LRS"]["DATABASE_URL"], *args).returncode == 0
    assert head(app) == before
