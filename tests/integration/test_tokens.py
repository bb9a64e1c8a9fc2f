"""Bearer JWTs: issued for a Basic credential, narrowed scopes, expiry and forgery rejected."""
from __future__ import annotations

import json
import time
from typing import Any

import jwt

from tests.builders import make_statement
from tests.conftest import basic_auth


def _token(client: Any, body: dict[str, Any] | None = None, auth: str | None = None) -> Any:
    return client.post("/api/v1/tokens", data=json.dumps(body or {}),
                       headers={"Authorization": auth or basic_auth(), "Content-Type": "application/json"})


def test_token_with_narrowed_scope_reads_but_cannot_write(client: Any, xapi_headers: dict[str, str]) -> None:
    s = make_statement()
    client.post("/xapi/statements", data=json.dumps(s), headers={**xapi_headers, "Content-Type": "application/json"})
    r = _token(client, {"scopes": ["statements/read"], "ttl": 600})
    assert r.status_code == 200, r.json
    h = {"Authorization": "Bearer " + r.json["access_token"], "X-Experience-API-Version": "1.0.3"}
    got = client.get("/xapi/statements", query_string={"statementId": s["id"]}, headers=h)
    assert got.status_code == 200 and got.json["id"] == s["id"]
    w = client.post("/xapi/statements", data=json.dumps(make_statement()),
                    headers={**h, "Content-Type": "application/json"})
    assert w.status_code == 403


def test_cannot_grant_more_than_held(app: Any, client: Any) -> None:
    app.extensions["lrs"].auth.create_credential("reader", ["statements/read"], key="reader", secret="r")
    r = _token(client, {"scopes": ["statements/write"]}, auth=basic_auth("reader", "r"))
    assert r.status_code == 403
    assert _token(client, {"scopes": ["nonsense"]}).status_code == 400
    assert _token(client, {"ttl": 10}).status_code == 400


def test_expired_and_forged_tokens_are_401(app: Any, client: Any) -> None:
    key = app.extensions["lrs"].auth.secret_key
    now = int(time.time())
    expired = jwt.encode({"sub": "test-key", "scope": "all", "iat": now - 100, "exp": now - 10}, key, algorithm="HS256")
    forged = jwt.encode({"sub": "test-key", "scope": "all", "iat": now, "exp": now + 100}, "not-the-signing-key-of-this-lrs-at-all-0123",
                        algorithm="HS256")
    for tok in (expired, forged, "garbage"):
        r = client.get("/xapi/statements", headers={"Authorization": "Bearer " + tok, "X-Experience-API-Version": "1.0.3"})
        assert r.status_code == 401, tok


def test_token_cannot_mint_tokens(client: Any) -> None:
    tok = _token(client).json["access_token"]
    assert _token(client, auth="Bearer " + tok).status_code == 403
