"""The keys that sign tokens and cursors live in a 0600 file, never in the database, and rotate without
invalidating what they recently signed."""
from __future__ import annotations

import json
import os
import stat
from typing import Any

import pytest
from sqlalchemy import insert, select

from lrs.app import create_app
from lrs.signing import SigningKeyError, SigningKeys, key_id
from lrs.store.tables import settings
from tests.builders import make_statement
from tests.conftest import basic_auth, key_file_for
from tests.e2e.live import lrs

V = {"X-Experience-API-Version": "1.0.3"}


def _token(client: Any) -> str:
    r = client.post("/api/v1/tokens", data="{}", headers={"Authorization": basic_auth(),
                                                          "Content-Type": "application/json"})
    assert r.status_code == 200, r.json
    return "Bearer " + r.json["access_token"]


def _read(client: Any, auth: str) -> int:
    return int(client.get("/xapi/statements?limit=1", headers={**V, "Authorization": auth}).status_code)


def test_the_key_file_is_private_and_the_database_holds_no_key(app: Any, db_url: str) -> None:
    keys = app.extensions["lrs"].auth.keys
    ring = keys.ring()
    mode = stat.S_IMODE(os.stat(keys.path).st_mode)
    assert mode == 0o600 and len(ring.keys) == 1 and ring.current in keys.path.read_text()
    with app.extensions["lrs"].engine.connect() as conn:
        assert conn.execute(select(settings.c.value).where(settings.c.name == "secret_key")).first() is None


def test_rotation_keeps_recent_tokens_and_cursors_valid(app: Any, client: Any, xapi_headers: dict[str, str],
                                                        db_url: str) -> None:
    client.post("/xapi/statements", data=json.dumps([make_statement() for _ in range(3)]),
                headers={**xapi_headers, "Content-Type": "application/json"})
    before = _token(client)
    more = client.get("/xapi/statements?limit=1", headers=xapi_headers).json["more"]
    keys = app.extensions["lrs"].auth.keys
    first = keys.ring().current
    # Another process (here: another app on the same database and key file) rotates.
    other = create_app({"DATABASE_URL": db_url, "SECRET_KEY_FILE": key_file_for(db_url), "WORKER": False})
    try:
        other.extensions["lrs"].auth.keys.rotate(keep=1)
        after = _token(client)  # this process signs with the new key at once (a changed file is re-read)
        assert key_id(keys.ring().current) != key_id(first)
        assert _read(client, before) == 200 and _read(client, after) == 200
        assert _read(other.test_client(), after) == 200
        assert client.get(more, headers=xapi_headers).status_code == 200  # a cursor from before the rotation
        other.extensions["lrs"].auth.keys.rotate(keep=1)  # the first key is no longer kept
        keys.refresh()
        r = client.get("/xapi/statements?limit=1", headers={**V, "Authorization": before})
        assert r.status_code == 401 and "no longer holds" in r.json["error"]["message"]
        assert _read(client, after) == 200
        assert client.get(more, headers=xapi_headers).status_code == 400
    finally:
        other.extensions["lrs"].engine.dispose()


def test_a_key_an_older_version_kept_in_the_database_moves_to_the_file(engine: Any, tmp_path: Any) -> None:
    legacy = "L" * 64
    with engine.begin() as conn:
        conn.execute(insert(settings).values(name="secret_key", value=legacy))
    from lrs.bootstrap import _legacy_secret_key

    keys = SigningKeys(str(tmp_path / "k.keys"), legacy=_legacy_secret_key(engine))
    assert keys.ring().current == legacy and legacy in (tmp_path / "k.keys").read_text()


def test_bad_key_files_are_clear_errors(tmp_path: Any) -> None:
    bad = tmp_path / "bad.keys"
    bad.write_text("short\n")
    with pytest.raises(SigningKeyError, match="no usable signing key"):
        SigningKeys(str(bad)).ring()
    with pytest.raises(SigningKeyError, match="cannot be rotated"):
        SigningKeys(None, explicit="x" * 40).rotate()


def test_cli_rotate_and_show(db_url: str) -> None:
    shown = lrs(db_url, "keys", "show")
    assert shown.returncode == 0 and shown.stdout.strip().endswith("(signs)")
    first = shown.stdout.split()[0]
    rotated = lrs(db_url, "keys", "rotate")
    assert rotated.returncode == 0 and "1 previous key(s) still verify" in rotated.stdout
    lines = lrs(db_url, "keys", "show").stdout.splitlines()
    assert len(lines) == 2 and lines[1] == first and lines[0].endswith("(signs)")
    fixed = lrs(db_url, "keys", "rotate", LRS_SECRET_KEY="k" * 40)
    assert fixed.returncode == 1 and fixed.stderr.startswith("error: LRS_SECRET_KEY is set")
