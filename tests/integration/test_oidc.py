"""The district identity provider's tokens, against a real local OpenID provider the test starts (discovery and
JWKS over HTTP): valid tokens read the person's own records; wrong audience, issuer, expiry, not-before, algorithm or
key are refused; an unreachable provider is a 503, not a 500."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from lrs.app import create_app
from lrs.roster.importer import import_roster
from tests.conftest import key_file_for

ROSTER = ("employee_id,name,email,roles,building,supervisor_id,hire_date,status\n"
          "T200,Ann Lee,ann@district.org,teacher,Central High,,2019-08-15,active\n"
          "T201,Bob Ray,bob@district.org,teacher,Central High,,2019-08-15,active\n")


class Provider:
    """A minimal OpenID provider: a discovery document and a JWKS with the keys it signs with."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {"k1": rsa.generate_private_key(public_exponent=65537, key_size=2048)}
        self.requests: list[str] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server interface
                provider.requests.append(self.path)
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": provider.issuer, "jwks_uri": provider.issuer + "/jwks"}
                elif self.path == "/jwks":
                    body = {"keys": [{**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(k.public_key())),
                                      "kid": kid, "use": "sig", "alg": "RS256"} for kid, k in provider.keys.items()]}
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def token(self, kid: str = "k1", **claims: Any) -> str:
        now = int(time.time())
        base = {"iss": self.issuer, "aud": "lrs-client", "sub": "u-ann", "iat": now, "exp": now + 300,
                "employee_id": "T200", "name": "Ann Lee"}
        return jwt.encode({**base, **claims}, self.keys[kid], algorithm="RS256", headers={"kid": kid})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider() -> Iterator[Provider]:
    p = Provider()
    yield p
    p.close()


@pytest.fixture
def oidc_client(schema_ready: str, provider: Provider) -> Iterator[Any]:
    app = create_app({"DATABASE_URL": schema_ready, "WORKER": False, "SECRET_KEY_FILE": key_file_for(schema_ready),
                      "OIDC_ISSUER": provider.issuer, "OIDC_AUDIENCE": "lrs-client",
                      "OIDC_GROUP_SCOPES": "pd-office=reports/read"})
    assert import_roster(app.extensions["lrs"].store, ROSTER, effective_date="2024-08-01").ok
    from projections.runner import Worker

    svc = app.extensions["lrs"]
    Worker(svc.engine, settings=svc.settings, poll=0.05).run(once=True)
    yield app.test_client()
    svc.engine.dispose()


def _get(client: Any, token: str, person: str = "T200") -> Any:
    return client.get(f"/api/v1/people/{person}/transcript", headers={"Authorization": f"Bearer {token}"})


def test_a_provider_token_reads_its_own_person_only(oidc_client: Any, provider: Provider) -> None:
    r = _get(oidc_client, provider.token())
    assert r.status_code == 200 and r.json["person"]["id"] == "T200"
    assert _get(oidc_client, provider.token(), "T201").status_code == 403
    # A group the configuration maps to the PD office's scope reads everyone.
    assert _get(oidc_client, provider.token(groups=["pd-office"]), "T201").status_code == 200
    assert provider.requests == ["/.well-known/openid-configuration", "/jwks"]  # fetched once, then cached


@pytest.mark.parametrize("claims,why", [
    ({"aud": "someone-else"}, "audience"), ({"iss": "http://evil.example"}, None),
    ({"exp": int(time.time()) - 120}, "expired"), ({"nbf": int(time.time()) + 3600}, "not yet valid"),
    ({"iat": None}, "iat"),
])
def test_bad_claims_are_refused(oidc_client: Any, provider: Provider, claims: dict[str, Any],
                                why: str | None) -> None:
    token = provider.token(**{k: v for k, v in claims.items() if v is not None})
    if claims.get("iat", 0) is None:
        payload = jwt.decode(token, options={"verify_signature": False})
        payload.pop("iat")
        token = jwt.encode(payload, provider.keys["k1"], algorithm="RS256", headers={"kid": "k1"})
    r = _get(oidc_client, token)
    assert r.status_code == 401, r.json
    if why:
        assert why in r.json["error"]["message"].lower()


def test_algorithm_confusion_and_unsigned_tokens_are_refused(oidc_client: Any, provider: Provider) -> None:
    good = jwt.decode(provider.token(), options={"verify_signature": False})
    unsigned = jwt.encode(good, None, algorithm="none", headers={"kid": "k1"})
    pem = provider.keys["k1"].public_key().public_bytes(
        encoding=__import__("cryptography.hazmat.primitives.serialization", fromlist=["Encoding"]).Encoding.PEM,
        format=__import__("cryptography.hazmat.primitives.serialization", fromlist=["PublicFormat"])
        .PublicFormat.SubjectPublicKeyInfo)
    # HS256 keyed with the public key: the classic confusion attack (PyJWT refuses PEM keys for HMAC itself, so
    # build the signature by hand).
    import base64
    import hashlib
    import hmac

    def b64(b: bytes) -> str:
        return base64.urlsafe_b64encode(b).decode().rstrip("=")

    head = b64(json.dumps({"alg": "HS256", "kid": "k1", "typ": "JWT"}).encode())
    body = b64(json.dumps(good).encode())
    sig = b64(hmac.new(pem, f"{head}.{body}".encode(), hashlib.sha256).digest())
    for token in (unsigned, f"{head}.{body}.{sig}"):
        r = _get(oidc_client, token)
        assert r.status_code == 401 and "algorithm" in r.json["error"]["message"], r.json


def test_a_new_key_is_fetched_and_an_unknown_one_refused(oidc_client: Any, provider: Provider) -> None:
    assert _get(oidc_client, provider.token()).status_code == 200
    provider.keys["k2"] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    import lrs.oidc

    lrs.oidc.REFETCH_AT_MOST_EVERY, old = 0.0, lrs.oidc.REFETCH_AT_MOST_EVERY
    try:
        assert _get(oidc_client, provider.token("k2")).status_code == 200  # a rotation at the provider
        forged = jwt.encode(jwt.decode(provider.token(), options={"verify_signature": False}),
                            rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256",
                            headers={"kid": "k9"})
        r = _get(oidc_client, forged)
        assert r.status_code == 401 and "no key" in r.json["error"]["message"]
    finally:
        lrs.oidc.REFETCH_AT_MOST_EVERY = old


def test_an_unreachable_provider_is_503(oidc_client: Any, provider: Provider) -> None:
    token = provider.token()
    provider.close()
    r = _get(oidc_client, token)
    assert r.status_code == 503 and "identity provider" in r.json["error"]["message"]
