"""Revocation and rotation take effect at once, for secrets and for tokens (issue 9, defect 3)."""
from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest

from lrs.app import create_app
from lrs.credentials import CredentialExists, CredentialNotFound, check_secret, hash_secret
from tests.builders import make_statement
from tests.conftest import API_KEY, API_SECRET, basic_auth, key_file_for

V = {"X-Experience-API-Version": "1.0.3"}


def _get(client: Any, auth: str) -> int:
    return int(client.get("/xapi/statements?limit=1", headers={**V, "Authorization": auth}).status_code)


def _token(client: Any, auth: str, scopes: list[str] | None = None) -> str:
    r = client.post("/api/v1/tokens", data=json.dumps({"scopes": scopes} if scopes else {}),
                    headers={"Authorization": auth, "Content-Type": "application/json"})
    assert r.status_code == 200, r.json
    return "Bearer " + r.json["access_token"]


@pytest.fixture
def second_app(db_url: str) -> Any:
    """A second app on the same database: another process's caches, as a second gunicorn worker has."""
    a = create_app({"DATABASE_URL": db_url, "SECRET_KEY_FILE": key_file_for(db_url), "WORKER": False, "BASE_URL": "http://lrs.test"})
    yield a
    a.extensions["lrs"].engine.dispose()


def test_revocation_takes_effect_in_every_app_at_once(app: Any, client: Any, second_app: Any) -> None:
    creds = app.extensions["lrs"].auth.credentials
    creds.create("LMS", ["statements/read"], key="lms", secret="lms-secret")
    other = second_app.test_client()
    auth = basic_auth("lms", "lms-secret")
    token = _token(client, auth)
    # Both apps have now verified (and cached) the secret.
    assert _get(client, auth) == 200 and _get(other, auth) == 200 and _get(other, token) == 200
    second_app.extensions["lrs"].auth.credentials.revoke("lms", by="test")
    assert _get(client, auth) == 401
    assert _get(other, auth) == 401
    r = client.get("/xapi/statements", headers={**V, "Authorization": token})
    assert r.status_code == 401 and "revoked" in r.json["error"]["message"]
    # A revoked credential cannot get a new token either.
    assert client.post("/api/v1/tokens", headers={"Authorization": auth}).status_code == 401


def test_create_refuses_an_existing_key_and_rotation_replaces_the_secret(app: Any, client: Any,
                                                                         second_app: Any) -> None:
    creds = app.extensions["lrs"].auth.credentials
    creds.create("LMS", ["statements/read", "statements/write"], key="lms", secret="old")
    old = basic_auth("lms", "old")
    old_token = _token(client, old)
    assert _get(client, old) == 200 and _get(second_app.test_client(), old) == 200
    with pytest.raises(CredentialExists):
        creds.create("LMS", ["all"], key="lms", secret="new")
    assert _get(client, old) == 200  # the refused re-create changed nothing
    creds.create("LMS", ["statements/read"], key="lms", secret="new", rotate=True)
    new = basic_auth("lms", "new")
    for c in (client, second_app.test_client()):
        assert _get(c, old) == 401
        assert _get(c, new) == 200
        assert _get(c, old_token) == 401
    # The rotated scopes hold: no more writing.
    w = client.post("/xapi/statements", data=json.dumps(make_statement()),
                    headers={**V, "Authorization": new, "Content-Type": "application/json"})
    assert w.status_code == 403
    with pytest.raises(CredentialNotFound):
        creds.create("x", ["all"], key="nobody", secret="s", rotate=True)


def test_tokens_are_checked_against_their_credential(app: Any, client: Any) -> None:
    signing = app.extensions["lrs"].auth.secret_key
    now = int(time.time())

    def forge(**claims: Any) -> str:
        base = {"sub": "ghost", "scope": "all", "iat": now, "exp": now + 600, "cv": 1}
        return "Bearer " + jwt.encode({**base, **claims}, signing, algorithm="HS256")

    # Correctly signed, but for a key that does not exist, without a version, or for an older version.
    assert _get(client, forge()) == 401
    assert _get(client, forge(sub=API_KEY, cv=None)) == 401
    assert _get(client, forge(sub=API_KEY, cv=99)) == 401
    assert _get(client, forge(sub=API_KEY, cv=1)) == 200
    # A token can never carry more than its credential holds now.
    app.extensions["lrs"].auth.credentials.create("reader", ["statements/read"], key="reader", secret="r")
    tok = forge(sub="reader", scope="all statements/write", cv=1)
    w = client.post("/xapi/statements", data=json.dumps(make_statement()),
                    headers={**V, "Authorization": tok, "Content-Type": "application/json"})
    assert w.status_code == 403


def test_unknown_keys_cost_a_scrypt_like_wrong_secrets(app: Any, client: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import lrs.auth

    calls: list[str] = []
    real = lrs.auth.check_secret

    def counting(secret: str, stored: str) -> bool:
        calls.append(secret)
        return real(secret, stored)

    monkeypatch.setattr(lrs.auth, "check_secret", counting)
    assert _get(client, basic_auth("no-such-key", "guess")) == 401
    assert _get(client, basic_auth(API_KEY, "wrong")) == 401
    assert calls == ["guess", "wrong"]
    # The right secret is verified once, then remembered.
    assert _get(client, basic_auth()) == 200 and _get(client, basic_auth()) == 200
    assert calls == ["guess", "wrong", API_SECRET]


def test_hashes_carry_their_cost() -> None:
    h = hash_secret("s", 16)
    assert h.startswith("scrypt$16$") and check_secret("s", h) and not check_secret("t", h)
    assert not check_secret("s", "garbage") and not check_secret("s", "scrypt$x$y$z")


# --- the admin API -------------------------------------------------------------------------------------------

def test_credentials_api_is_admin_only_and_works(app: Any, client: Any) -> None:
    creds = app.extensions["lrs"].auth.credentials
    creds.create("Admin", ["admin"], key="adm", secret="adm")
    adm = {"Authorization": basic_auth("adm", "adm"), "Content-Type": "application/json"}
    plain = {"Authorization": basic_auth(), "Content-Type": "application/json"}
    assert client.get("/api/v1/credentials", headers=plain).status_code == 403
    assert client.get("/api/v1/credentials").status_code == 401
    r = client.post("/api/v1/credentials", headers=adm,
                    data=json.dumps({"name": "Coaching app", "scopes": ["statements/write"], "key": "coach"}))
    assert r.status_code == 201 and r.json["key"] == "coach" and r.json["secret"]
    secret = r.json["secret"]
    listed = client.get("/api/v1/credentials", headers=adm).json["items"]
    assert {c["key"] for c in listed} == {API_KEY, "adm", "coach"}
    assert all("secret" not in c and "secret_hash" not in c for c in listed)
    assert client.post("/api/v1/credentials", headers=adm,
                       data=json.dumps({"name": "again", "key": "coach"})).status_code == 409
    assert client.post("/api/v1/credentials", headers=adm,
                       data=json.dumps({"name": "x", "scopes": ["nope"]})).status_code == 400
    rot = client.post("/api/v1/credentials/coach/rotate", headers=adm, data="{}")
    assert rot.status_code == 200 and rot.json["secret"] != secret
    assert _get(client, basic_auth("coach", secret)) == 401
    rv = client.delete("/api/v1/credentials/coach", headers=adm)
    assert rv.status_code == 200 and rv.json["revoked"] is True
    assert client.delete("/api/v1/credentials/nobody", headers=adm).status_code == 404
    assert client.post("/api/v1/credentials/nobody/rotate", headers=adm, data="{}").status_code == 404


def test_failed_attempts_are_throttled_without_locking_out_the_honest_client(app: Any, client: Any,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import lrs.auth

    scrypts: list[str] = []
    real = lrs.auth.check_secret
    monkeypatch.setattr(lrs.auth, "check_secret", lambda s, h: (scrypts.append(s), real(s, h))[1])
    assert _get(client, basic_auth()) == 200  # the honest client, verified (and remembered) first
    statuses = [_get(client, basic_auth(API_KEY, f"guess-{i}")) for i in range(15)]
    assert statuses == [401] * 10 + [429] * 5  # 10 failures a minute per key (the default)
    assert len(scrypts) == 1 + 10  # throttled attempts cost no scrypt
    r = client.get("/xapi/statements", headers={**V, "Authorization": basic_auth(API_KEY, "again")})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1 and "too many" in r.json["error"]["message"]
    # The key is public, so the flood must not lock its honest client out: its secret needs no scrypt.
    assert _get(client, basic_auth()) == 200


def test_failed_attempts_are_throttled_per_address(db_url: str) -> None:
    a = create_app({"DATABASE_URL": db_url, "SECRET_KEY_FILE": key_file_for(db_url), "WORKER": False, "AUTH_FAILURES_PER_ADDRESS": "5/minute",
                    "API_KEY": API_KEY, "API_SECRET": API_SECRET})
    try:
        c = a.test_client()
        attempts = [_get(c, basic_auth(f"nobody-{i}", "x")) for i in range(7)]  # a different key each time
        assert attempts == [401] * 5 + [429] * 2
        other = a.test_client()
        r = other.get("/xapi/statements?limit=1", headers={**V, "Authorization": basic_auth(API_KEY, "wrong")},
                      environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert r.status_code == 401  # another address is not throttled
    finally:
        a.extensions["lrs"].engine.dispose()
