"""Credentials, scopes and the authority a credential stamps on statements.

Secrets are stored as scrypt hashes. Verifying scrypt costs milliseconds, which would cap single-statement
ingest, so a successful check is remembered in-process under a SHA-256 of key and secret (never the secret).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

import jwt
from sqlalchemy import Engine, insert, select, update

from lrs.eventlog.store import EventStore, NewEvent, format_time, utc_now
from lrs.store.tables import credentials, settings
from lrs.xapi.errors import Forbidden, Unauthorized

XAPI_SCOPES = frozenset({"statements/write", "statements/read", "statements/read/mine", "all/read", "all",
                         "state", "define", "profile"})
REPORT_SCOPES = frozenset({"reports/read", "reports/read/mine", "admin"})
ALL_SCOPES = XAPI_SCOPES | REPORT_SCOPES
JWT_ALGORITHM = "HS256"


def hash_secret(secret: str) -> str:
    """scrypt with a random salt, as ``scrypt$salt$hash`` (hex)."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=2 ** 14, r=8, p=1, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_secret(secret: str, stored: str) -> bool:
    """Constant-time check of ``secret`` against a :func:`hash_secret` value."""
    try:
        _, salt, digest = stored.split("$")
        got = hashlib.scrypt(secret.encode(), salt=bytes.fromhex(salt), n=2 ** 14, r=8, p=1, dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


@dataclass
class Principal:
    """Who is calling: the credential key, its scopes, its display name and the person it speaks for."""

    key: str
    name: str
    scopes: frozenset[str]
    person: str | None = None
    via: str = "basic"
    extra: dict[str, Any] = field(default_factory=dict)

    def authority(self, base_url: str) -> dict[str, Any]:
        """The Agent the LRS stamps as ``authority`` on statements this credential stores."""
        return {"objectType": "Agent", "name": self.name,
                "account": {"homePage": base_url.rstrip("/") + "/credentials", "name": self.key}}

    def has(self, *wanted: str) -> bool:
        """True if the principal holds any of ``wanted`` (``all`` implies everything xAPI)."""
        if "all" in self.scopes and any(w in XAPI_SCOPES or w == "all" for w in wanted):
            return True
        if "admin" in self.scopes:
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
    """Looks up credentials and JWTs; creates credentials (recording each creation in the log)."""

    def __init__(self, engine: Engine, store: EventStore, secret_key: str | None = None) -> None:
        self.engine = engine
        self.store = store
        self._verified: dict[str, Principal] = {}
        self._lock = threading.Lock()
        self.secret_key = secret_key or self._stored_secret_key()

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

    def create_credential(self, name: str, scopes: list[str], key: str | None = None, secret: str | None = None,
                          person: str | None = None) -> tuple[str, str]:
        """Create a credential; returns (key, secret). An existing key with the same secret is left as is."""
        bad = [s for s in scopes if s not in ALL_SCOPES]
        if bad:
            raise ValueError(f"unknown scopes: {', '.join(bad)}")
        key = key or secrets.token_hex(10)
        secret = secret or secrets.token_urlsafe(24)
        with self.store.write() as tx:
            row = tx.conn.execute(select(credentials).where(credentials.c.key == key)).first()
            if row is not None:
                if check_secret(secret, row.secret_hash):
                    return key, secret
                tx.conn.execute(update(credentials).where(credentials.c.key == key)
                                .values(secret_hash=hash_secret(secret), scopes=" ".join(scopes), name=name))
                tx.append([NewEvent("credential.rotated", f"credential:{key}",
                                    {"key": key, "name": name, "scopes": scopes})])
                self._verified.clear()
                return key, secret
            tx.conn.execute(insert(credentials).values(
                key=key, secret_hash=hash_secret(secret), name=name, scopes=" ".join(scopes), person=person,
                created=format_time(utc_now()), revoked=False))
            # The event records who can write, never the secret or its hash.
            tx.append([NewEvent("credential.created", f"credential:{key}",
                                {"key": key, "name": name, "scopes": scopes, "person": person})])
        return key, secret

    def basic(self, header: str) -> Principal:
        """Authenticate an ``Authorization: Basic`` header value."""
        try:
            raw = base64.b64decode(header.split(" ", 1)[1].strip(), validate=True).decode()
            key, secret = raw.split(":", 1)
        except (IndexError, ValueError, binascii.Error, UnicodeDecodeError):
            raise Unauthorized("malformed Basic authorization header") from None
        memo = hashlib.sha256(f"{key}\x00{secret}".encode()).hexdigest()
        p = self._verified.get(memo)
        if p is not None:
            return p
        with self.engine.connect() as conn:
            row = conn.execute(select(credentials).where(credentials.c.key == key)).first()
        if row is None or row.revoked or not check_secret(secret, row.secret_hash):
            raise Unauthorized("unknown key or wrong secret")
        p = Principal(key=row.key, name=row.name, scopes=frozenset(row.scopes.split()), person=row.person)
        with self._lock:
            if len(self._verified) > 10000:
                self._verified.clear()
            self._verified[memo] = p
        return p

    def issue_token(self, principal: Principal, scopes: list[str] | None = None, ttl_seconds: int = 3600) -> str:
        """A JWT for ``principal`` carrying ``scopes`` (a subset of its own)."""
        granted = sorted(s for s in set(scopes or principal.scopes) if principal.can_grant(s))
        now = int(utc_now().timestamp())
        claims = {"sub": principal.key, "name": principal.name, "scope": " ".join(granted), "iat": now,
                  "exp": now + ttl_seconds}
        if principal.person:
            claims["person"] = principal.person
        return jwt.encode(claims, self.secret_key, algorithm=JWT_ALGORITHM)

    def bearer(self, header: str) -> Principal:
        """Authenticate an ``Authorization: Bearer`` JWT signed with the LRS's secret key."""
        token = header.split(" ", 1)[1].strip() if " " in header else ""
        try:
            claims = jwt.decode(token, self.secret_key, algorithms=[JWT_ALGORITHM], options={"require": ["exp", "sub"]})
        except jwt.PyJWTError as e:
            raise Unauthorized(f"invalid bearer token: {e}") from None
        return Principal(key=str(claims["sub"]), name=str(claims.get("name", claims["sub"])),
                         scopes=frozenset(str(claims.get("scope", "")).split()), person=claims.get("person"),
                         via="jwt")

    def authenticate(self, header: str | None) -> Principal:
        """Authenticate an Authorization header (Basic or Bearer); 401 when missing or wrong."""
        if not header:
            raise Unauthorized("authentication required (HTTP Basic or a bearer token)")
        scheme = header.split(" ", 1)[0].lower()
        if scheme == "basic":
            return self.basic(header)
        if scheme == "bearer":
            return self.bearer(header)
        raise Unauthorized(f"unsupported authorization scheme {scheme!r}")
