"""``lrs credentials create|list|revoke`` as the installed console script, and revocation across real web workers."""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

import pytest

from tests.e2e.live import live_server
from tests.e2e.live import lrs


def _status(base: str, key: str, secret: str) -> int:
    auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
    req = urllib.request.Request(base + "/xapi/statements?limit=1",
                                 headers={"Authorization": auth, "X-Experience-API-Version": "1.0.3"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def test_create_list_revoke_and_refusals(db_url: str) -> None:
    made = lrs(db_url, "credentials", "create", "--name", "LMS", "--scope", "statements/write", "--key", "lms")
    assert made.returncode == 0, made.stderr
    secret = dict(line.split("=", 1) for line in made.stdout.split())["secret"]
    again = lrs(db_url, "credentials", "create", "--name", "LMS", "--key", "lms")
    assert again.returncode == 1
    assert again.stderr.strip().splitlines() == ["error: credential 'lms' already exists; use --rotate to give it a "
                                                 "new secret"]
    rotated = lrs(db_url, "credentials", "create", "--name", "LMS", "--key", "lms", "--rotate")
    assert rotated.returncode == 0 and secret not in rotated.stdout
    bad = lrs(db_url, "credentials", "create", "--name", "x", "--scope", "everything")
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1 and "unknown scope" in bad.stderr
    listed = lrs(db_url, "credentials", "list", "--json")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["key"], r["version"], r["revoked"]) for r in rows] == [("lms", 2, False)]
    assert "secret" not in listed.stdout
    rv = lrs(db_url, "credentials", "revoke", "lms")
    assert rv.returncode == 0 and "revoked lms" in rv.stdout
    assert json.loads(lrs(db_url, "credentials", "list", "--json").stdout)["revoked"] is True
    missing = lrs(db_url, "credentials", "revoke", "nobody")
    assert missing.returncode == 1 and missing.stderr.strip() == "error: no credential 'nobody'"
    assert "Traceback" not in missing.stderr + bad.stderr + again.stderr


@pytest.mark.slow
def test_revoke_takes_effect_at_once_in_both_web_workers(db_url: str) -> None:
    made = lrs(db_url, "credentials", "create", "--name", "Reader", "--scope", "statements/read", "--key", "rdr",
               "--secret", "rdr-secret")
    assert made.returncode == 0, made.stderr
    with live_server(db_url, "--no-worker", workers=2) as base:
        # Enough requests that both worker processes have verified and cached the secret.
        assert {_status(base, "rdr", "rdr-secret") for _ in range(30)} == {200}
        assert lrs(db_url, "credentials", "revoke", "rdr").returncode == 0
        assert {_status(base, "rdr", "rdr-secret") for _ in range(30)} == {401}
