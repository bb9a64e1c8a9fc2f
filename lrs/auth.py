"""Authentication: who is calling (HTTP Basic with a credential, or a bearer JWT), and with which scopes.

Every request reads the caller's credential row (one primary-key lookup), so a revocation, a rotation or a change of
scopes made by any process takes effect on the next request everywhere. What is cached is only the expensive part:
that a given secret verifies against a given stored scrypt hash. The cache is keyed by a SHA-256 of (key, secret,
stored hash), never the secret, so a rotated credential (a new hash) can never match an entry made for the old one.

Tokens carry the credential version they were issued under (claim ``cv``); a token is refused once its credential
is revoked, rotated or deleted.

Unknown keys cost the same scrypt as wrong secrets (a check against a dummy hash): keys are public, they appear in
every statement's ``authority``, and a faster answer for an unknown key would tell an attacker which keys exist.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import jwt
from sqlalchemy import Engine, insert, select

from lrs.credentials import (ALL_SCOPES, READ_SCOPES, REPORT_SCOPES, XAPI_SCOPES, Credential, CredentialStore,
                             check_secret, hash_secret)
from lrs.store.tables import settings
from lrs.times import utc_now
from lrs.xapi.errors import Forbidden, Unauthorized

__all__ = ["ALL_SCOPES", "REPORT_SCOPES", "XAPI_SCOPES", "Authenticator", "Principal"]

JWT_ALGORITHM = "HS256"
#: Verified (key, secret, hash) triples remembered per process.
MEMO_SIZE = 10_000


@dataclass
class Principal:
    """Who is calling: the credential key, its scopes, its display name and the person it speaks for."""

    key: str
    name: str
    scopes: frozenset[str]
    person: str | None = None
    via: str = "basic"
    last_version: str | None = None  # the xAPI version its credential last spoke, as stored

    def authority(self, base_url: str) -> dict[str, Any]:
        """The Agent the LRS stamps as ``authority`` on statements this credential stores."""
        return {"objectType": "Agent", "name": self.name,
                "account": {"homePage": base_url.rstrip("/") + "/credentials", "name": self.key}}

    def has(self, *wanted: str) -> bool:
        """True if the principal holds any of ``wanted`` (``all`` implies everything xAPI, ``audit`` every read,
        ``admin`` everything)."""
        if "admin" in self.scopes:
            return True
        if "all" in self.scopes and any(w in XAPI_SCOPES or w == "all" for w in wanted):
            return True
        if "audit" in self.scopes and any(w in READ_SCOPES or w == "audit" for w in wanted):
            return True
        return any(w in self.scopes for w in wanted)

    def can_grant(self, scope: str) -> bool:
        """True if a token issued by this principal may carry ``scope``."""
        return scope in self.scopes or "admin" in self.scopes or ("all" in self.scopes and scope in XAPI_SCOPES)

    def require(self, *wanted: str) -> None:
        """Raise 403 unless the principal holds one of ``wanted``."""
        if not self.has(*wanted):
            raise Forbidden(f"this credential lacks the scope for this request (needs one of: {', '.join(wanted)})")


class Authenticator:
    """Authenticates requests against the credential store and issues the LRS's own bearer tokens."""

    def __init__(self, engine: Engine, credentials: CredentialStore, secret_key: str | None = None) -> None:
        self.engine = engine
        self.credentials = credentials
        self._verified: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self._dummy_hash: str | None = None
        self._secret_key = secret_key

    @property
    def secret_key(self) -> str:
        """The key that signs this LRS's tokens (the setting, else generated once and kept in the database)."""
        if self._secret_key is None:
            self._secret_key = self._stored_secret_key()
        return self._secret_key

    # -- credentials (kept here for callers that hold the authenticator) -----------------------------------

    def create_credential(self, name: str, scopes: list[str], key: str | None = None, secret: str | None = None,
                          person: str | None = None, *, rotate: bool = False) -> tuple[str, str]:
        """See :meth:`lrs.credentials.CredentialStore.create`."""
        return self.credentials.create(name, scopes, key=key, secret=secret, person=person, rotate=rotate)

    # -- signing key -------------------------------------------------------------------------------------------

    def _stored_secret_key(self) -> str:
        with self.engine.begin() as conn:
            row = conn.execute(select(settings.c.value).where(settings.c.name == "secret_key")).first()
            if row:
                return str(row.value)
        key = secrets.token_urlsafe(48)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(settings).values(name="secret_key", value=key))
        except Exception:  # another process created it first: use theirs
            pass
        with self.engine.connect() as conn:
            return str(conn.execute(select(settings.c.value).where(settings.c.name == "secret_key")).scalar_one())

    # -- Basic -------------------------------------------------------------------------------------------------

    def basic(self, header: str) -> Principal:
        """Authenticate an ``Authorization: Basic`` header value."""
        try:
            raw = base64.b64decode(header.split(" ", 1)[1].strip(), validate=True).decode()
            key, secret = raw.split(":", 1)
        except (IndexError, ValueError, binascii.Error, UnicodeDecodeError):
            raise Unauthorized("malformed Basic authorization header") from None
        cred = self.credentials.get(key) if key and "\x00" not in key else None
        if cred is None:
            check_secret(secret, self._dummy())  # same cost as a wrong secret: see the module docstring
            raise Unauthorized("unknown key or wrong secret")
        if not self._verify(key, secret, cred.secret_hash):
            raise Unauthorized("unknown key or wrong secret")
        if cred.revoked:
            raise Unauthorized(f"credential {key!r} has been revoked")
        return Principal(key=cred.key, name=cred.name, scopes=cred.scopes, person=cred.person,
                         last_version=cred.last_version)

    def _verify(self, key: str, secret: str, stored: str) -> bool:
        memo = hashlib.sha256(f"{key}\x00{secret}\x00{stored}".encode()).hexdigest()
        with self._lock:
            if memo in self._verified:
                self._verified.move_to_end(memo)
                return True
        if not check_secret(secret, stored):
            return False
        with self._lock:
            self._verified[memo] = None
            while len(self._verified) > MEMO_SIZE:
                self._verified.popitem(last=False)
        return True

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = hash_secret(secrets.token_urlsafe(16), self.credentials.scrypt_n)
        return self._dummy_hash

    # -- tokens ------------------------------------------------------------------------------------------------

    def issue_token(self, principal: Principal, scopes: list[str] | None = None, ttl_seconds: int = 3600) -> str:
        """A JWT for ``principal`` carrying ``scopes`` (a subset of its own) and its credential's version."""
        cred = self.credentials.get(principal.key)
        if cred is None or cred.revoked:
            raise Unauthorized(f"credential {principal.key!r} is not active")
        granted = sorted(s for s in set(scopes or principal.scopes) if principal.can_grant(s))
        now = int(utc_now().timestamp())
        claims: dict[str, Any] = {"sub": principal.key, "name": principal.name, "scope": " ".join(granted),
                                  "iat": now, "exp": now + ttl_seconds, "cv": cred.version}
        if principal.person:
            claims["person"] = principal.person
        return jwt.encode(claims, self.secret_key, algorithm=JWT_ALGORITHM)

    def bearer(self, header: str) -> Principal:
        """Authenticate an ``Authorization: Bearer`` JWT signed with the LRS's secret key, whose credential is
        still the one it was issued under."""
        token = header.split(" ", 1)[1].strip() if " " in header else ""
        try:
            claims = jwt.decode(token, self.secret_key, algorithms=[JWT_ALGORITHM],
                                options={"require": ["exp", "sub", "cv"]})
        except jwt.PyJWTError as e:
            raise Unauthorized(f"invalid bearer token: {e}") from None
        sub, cv = claims["sub"], claims["cv"]
        cred = self.credentials.get(sub) if isinstance(sub, str) and "\x00" not in sub else None
        if cred is None or type(cv) is not int:
            raise Unauthorized("invalid bearer token: its credential does not exist")
        if cred.revoked:
            raise Unauthorized(f"invalid bearer token: credential {sub!r} has been revoked")
        if cred.version != cv:
            raise Unauthorized(f"invalid bearer token: credential {sub!r} has changed since it was issued "
                               "(rotated or re-scoped); request a new token")
        scopes = frozenset(str(claims.get("scope", "")).split())
        return Principal(key=cred.key, name=str(claims.get("name", cred.name)), scopes=scopes & _grantable(cred),
                         person=claims.get("person") if isinstance(claims.get("person"), str) else None, via="jwt",
                         last_version=cred.last_version)

    def authenticate(self, header: str | None) -> Principal:
        """Authenticate an Authorization header (Basic or Bearer); 401 when missing or wrong."""
        if not header:
            raise Unauthorized("authentication required (HTTP Basic or a bearer token)")
        scheme = header.split(" ", 1)[0].lower()
        if scheme == "basic":
            return self.basic(header)
        if scheme == "bearer":
            return self.bearer(header)
        raise Unauthorized(f"unsupported authorization scheme {scheme[:20]!r}")


def _grantable(cred: Credential) -> frozenset[str]:
    """Every scope a token of this credential may carry (never more than the credential holds now)."""
    p = Principal(key=cred.key, name=cred.name, scopes=cred.scopes)
    return frozenset(s for s in ALL_SCOPES if p.can_grant(s))
