"""Authentication: who is calling (HTTP Basic with a credential, or a bearer JWT), and with which scopes.

Every request reads the caller's credential row (one primary-key lookup), so a revocation, a rotation or a change of
scopes made by any process takes effect on the next request everywhere. What is cached is only the expensive part:
that a given secret verifies against a given stored scrypt hash. The cache is keyed by a SHA-256 of (key, secret,
stored hash), never the secret, so a rotated credential (a new hash) can never match an entry made for the old one.

Tokens carry the credential version they were issued under (claim ``cv``); a token is refused once its credential
is revoked, rotated or deleted.

Unknown keys cost the same scrypt as wrong secrets (a check against a dummy hash): keys are public, they appear in
every statement's ``authority``, and a faster answer for an unknown key would tell an attacker which keys exist.

Failed attempts are throttled per key and per client address (``limits``, a moving window): past the limit an
attempt that would need a scrypt is answered 429 at once, so a wrong-secret flood cannot spend the server's CPU on
scrypt. A secret already verified in this process needs no scrypt and is never throttled, so flooding a key (which
is public) does not lock its honest client out.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import jwt
from limits import parse as parse_limit
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import Engine

from lrs.credentials import (ALL_SCOPES, READ_SCOPES, REPORT_SCOPES, XAPI_SCOPES, Credential, CredentialStore,
                             check_secret, hash_secret)
from lrs.oidc import OidcVerifier
from lrs.signing import SigningKeys, key_id
from lrs.times import utc_now
from lrs.xapi.errors import Forbidden, TooManyRequests, Unauthorized

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


class Throttle:
    """Failed-attempt limits per key and per client address (moving windows in ``limits`` storage)."""

    def __init__(self, per_key: str = "10/minute", per_address: str = "30/minute", storage: str = "memory://") -> None:
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage))
        self.per_key, self.per_address = parse_limit(per_key), parse_limit(per_address)

    def check(self, key: str, address: str | None) -> None:
        """Raise 429 if ``key`` or ``address`` has used up its failed attempts."""
        for item, ident in ((self.per_key, "key:" + key), (self.per_address, f"addr:{address}")):
            if (ident.startswith("addr:") and address is None) or self.limiter.test(item, ident):
                continue
            reset = self.limiter.get_window_stats(item, ident).reset_time
            raise TooManyRequests("too many failed sign-in attempts; try again later",
                                  retry_after=max(1, int(reset - time.time()) + 1))

    def failed(self, key: str, address: str | None) -> None:
        """Count one failed attempt."""
        self.limiter.hit(self.per_key, "key:" + key)
        if address is not None:
            self.limiter.hit(self.per_address, f"addr:{address}")


class Authenticator:
    """Authenticates requests against the credential store and issues the LRS's own bearer tokens."""

    def __init__(self, engine: Engine, credentials: CredentialStore, keys: SigningKeys,
                 throttle: Throttle | None = None, oidc: OidcVerifier | None = None) -> None:
        self.engine = engine
        self.credentials = credentials
        self.keys = keys
        self.throttle = throttle or Throttle()
        self.oidc = oidc
        self._verified: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self._dummy_hash: str | None = None

    @property
    def secret_key(self) -> str:
        """The key that signs new tokens now (see :mod:`lrs.signing`)."""
        return self.keys.ring().current

    # -- credentials (kept here for callers that hold the authenticator) -----------------------------------

    def create_credential(self, name: str, scopes: list[str], key: str | None = None, secret: str | None = None,
                          person: str | None = None, *, rotate: bool = False) -> tuple[str, str]:
        """See :meth:`lrs.credentials.CredentialStore.create`."""
        return self.credentials.create(name, scopes, key=key, secret=secret, person=person, rotate=rotate)

    # -- Basic -------------------------------------------------------------------------------------------------

    def basic(self, header: str, client: str | None = None) -> Principal:
        """Authenticate an ``Authorization: Basic`` header value (``client``: the caller's address, throttled)."""
        try:
            raw = base64.b64decode(header.split(" ", 1)[1].strip(), validate=True).decode()
            key, secret = raw.split(":", 1)
        except (IndexError, ValueError, binascii.Error, UnicodeDecodeError):
            raise Unauthorized("malformed Basic authorization header") from None
        cred = self.credentials.get(key) if key and "\x00" not in key else None
        stored = cred.secret_hash if cred is not None else self._dummy()
        if not self._known(key, secret, stored):
            self.throttle.check(key, client)  # before the scrypt, which is what a flood would cost
            # An unknown key costs the same scrypt as a wrong secret (against a dummy hash): see the module
            # docstring. The check runs first, whatever the key, so both cases take the same time.
            verified = self._verify(key, secret, stored)
            if cred is None or not verified:
                self.throttle.failed(key, client)
                raise Unauthorized("unknown key or wrong secret")
        assert cred is not None
        if cred.revoked:
            raise Unauthorized(f"credential {key!r} has been revoked")
        return Principal(key=cred.key, name=cred.name, scopes=cred.scopes, person=cred.person,
                         last_version=cred.last_version)

    @staticmethod
    def _memo(key: str, secret: str, stored: str) -> str:
        return hashlib.sha256(f"{key}\x00{secret}\x00{stored}".encode()).hexdigest()

    def _known(self, key: str, secret: str, stored: str) -> bool:
        """True if this secret was verified against this stored hash before (no scrypt needed)."""
        memo = self._memo(key, secret, stored)
        with self._lock:
            if memo in self._verified:
                self._verified.move_to_end(memo)
                return True
        return False

    def _verify(self, key: str, secret: str, stored: str) -> bool:
        if not check_secret(secret, stored):
            return False
        with self._lock:
            self._verified[self._memo(key, secret, stored)] = None
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
        key = self.keys.ring().current
        return jwt.encode(claims, key, algorithm=JWT_ALGORITHM, headers={"kid": key_id(key)})

    def bearer(self, header: str) -> Principal:
        """Authenticate an ``Authorization: Bearer`` JWT signed with the LRS's secret key, whose credential is
        still the one it was issued under."""
        token = header.split(" ", 1)[1].strip() if " " in header else ""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            # Only to route the token: the district's identity provider's, or this LRS's own. Everything is
            # verified by whichever path it takes.
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as e:
            raise Unauthorized(f"invalid bearer token: {e}") from None
        if self.oidc is not None and self.oidc.is_ours(unverified):
            try:
                who = self.oidc.verify(token)
            except jwt.PyJWTError as e:
                raise Unauthorized(f"invalid identity-provider token: {e}") from None
            return Principal(key=f"oidc:{who.subject}", name=who.name, scopes=who.scopes, person=who.person,
                             via="oidc")
        ring = self.keys.ring()
        # The key that signed it: named by kid (newest first without one); a kid this process has not seen yet may
        # be a rotation another process just made.
        candidates = ring.keys if not isinstance(kid, str) else \
            [k for k in (ring.by_id(kid) or self.keys.refresh().by_id(kid),) if k is not None]
        if not candidates:
            raise Unauthorized("invalid bearer token: it was signed with a key this LRS no longer holds; request a "
                               "new token")
        claims: dict[str, Any] | None = None
        error: jwt.PyJWTError | None = None
        for key in candidates:
            try:
                claims = jwt.decode(token, key, algorithms=[JWT_ALGORITHM], options={"require": ["exp", "sub", "cv"]})
                break
            except jwt.InvalidSignatureError as e:
                error = e
            except jwt.PyJWTError as e:
                raise Unauthorized(f"invalid bearer token: {e}") from None
        if claims is None:
            raise Unauthorized(f"invalid bearer token: {error}")
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

    def authenticate(self, header: str | None, client: str | None = None) -> Principal:
        """Authenticate an Authorization header (Basic or Bearer); 401 when missing or wrong, 429 when the key or
        the client address ``client`` has used up its failed attempts."""
        if not header:
            raise Unauthorized("authentication required (HTTP Basic or a bearer token)")
        scheme = header.split(" ", 1)[0].lower()
        if scheme == "basic":
            return self.basic(header, client)
        if scheme == "bearer":
            return self.bearer(header)
        raise Unauthorized(f"unsupported authorization scheme {scheme[:20]!r}")


def _grantable(cred: Credential) -> frozenset[str]:
    """Every scope a token of this credential may carry (never more than the credential holds now)."""
    p = Principal(key=cred.key, name=cred.name, scopes=cred.scopes)
    return frozenset(s for s in ALL_SCOPES if p.can_grant(s))
