"""The district identity provider's tokens (OpenID Connect): staff sign in with the accounts they already have.

A bearer token whose ``iss`` is the configured issuer (``LRS_OIDC_ISSUER``) is verified against the provider's
published keys (JWKS, fetched with ``requests`` and cached; fetched again, at most once a minute, when a token names
a key the cache lacks): the algorithm is pinned (RS256 by default; the token's own ``alg`` is never trusted, so a
token "signed" with ``none`` or with HMAC over the public key is refused), and ``iss``, ``aud``, ``exp``, ``nbf`` and
``iat`` are checked with a small leeway for clock skew. Such a caller gets the scopes the configuration grants
(``LRS_OIDC_SCOPES``, plus ``LRS_OIDC_GROUP_SCOPES`` for members of named groups) and is the person named by
``LRS_OIDC_PERSON_CLAIM`` (an employee id, so a teacher reads their own transcript).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests

from lrs.xapi.errors import XAPIError

LEEWAY_SECONDS = 30
JWKS_TTL_SECONDS = 300
REFETCH_AT_MOST_EVERY = 60.0


class ProviderUnavailable(XAPIError):
    """503: the identity provider's keys cannot be fetched, so its tokens cannot be checked right now."""

    status = 503


@dataclass(frozen=True)
class OidcSettings:
    """What ``LRS_OIDC_*`` configures."""

    issuer: str
    audience: str
    jwks_url: str | None = None
    algorithms: tuple[str, ...] = ("RS256",)
    person_claim: str = "employee_id"
    scopes: frozenset[str] = frozenset({"reports/read/mine"})
    groups_claim: str = "groups"
    group_scopes: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, s: Mapping[str, Any]) -> OidcSettings | None:
        """None unless ``LRS_OIDC_ISSUER`` is set. ``LRS_OIDC_GROUP_SCOPES`` reads ``group=scope scope;group=…``."""
        if not s.get("OIDC_ISSUER"):
            return None
        groups: dict[str, frozenset[str]] = {}
        for part in str(s.get("OIDC_GROUP_SCOPES") or "").split(";"):
            if "=" in part:
                name, scopes = part.split("=", 1)
                groups[name.strip()] = frozenset(scopes.split())
        return cls(issuer=str(s["OIDC_ISSUER"]).rstrip("/"), audience=str(s.get("OIDC_AUDIENCE") or ""),
                   jwks_url=s.get("OIDC_JWKS_URL") or None,
                   algorithms=tuple(str(s.get("OIDC_ALGORITHMS") or "RS256").split()),
                   person_claim=str(s.get("OIDC_PERSON_CLAIM") or "employee_id"),
                   scopes=frozenset(str(s.get("OIDC_SCOPES") if s.get("OIDC_SCOPES") is not None
                                        else "reports/read/mine").split()),
                   groups_claim=str(s.get("OIDC_GROUPS_CLAIM") or "groups"), group_scopes=groups)


@dataclass(frozen=True)
class Identity:
    """A verified provider token: who, which scopes, which person."""

    subject: str
    name: str
    scopes: frozenset[str]
    person: str | None


class OidcVerifier:
    """Verifies the provider's tokens (thread-safe; one per process)."""

    def __init__(self, settings: OidcSettings, session: requests.Session | None = None) -> None:
        self.settings = settings
        self.session = session or requests.Session()
        self._keys: dict[str, Any] = {}
        self._fetched = 0.0
        self._lock = threading.Lock()

    def is_ours(self, unverified_claims: Mapping[str, Any]) -> bool:
        """True when a token claims to come from the configured issuer."""
        return str(unverified_claims.get("iss", "")).rstrip("/") == self.settings.issuer

    def verify(self, token: str) -> Identity:
        """The identity in a provider token; :class:`jwt.PyJWTError` when it is not valid."""
        header = jwt.get_unverified_header(token)
        if header.get("alg") not in self.settings.algorithms:
            raise jwt.InvalidAlgorithmError(f"algorithm {header.get('alg')!r} is not accepted")
        key = self._key(str(header.get("kid") or ""))
        claims = jwt.decode(token, key, algorithms=list(self.settings.algorithms), audience=self.settings.audience,
                            issuer=self.settings.issuer, leeway=LEEWAY_SECONDS,
                            options={"require": ["exp", "iat", "iss", "aud", "sub"]})
        scopes = set(self.settings.scopes)
        groups = claims.get(self.settings.groups_claim)
        for g in groups if isinstance(groups, list) else []:
            scopes |= self.settings.group_scopes.get(str(g), frozenset())
        person = claims.get(self.settings.person_claim)
        name = claims.get("name") or claims.get("preferred_username") or claims["sub"]
        return Identity(subject=str(claims["sub"]), name=str(name), scopes=frozenset(scopes),
                        person=str(person) if isinstance(person, (str, int)) else None)

    # -- keys --------------------------------------------------------------------------------------------------

    def _key(self, kid: str) -> Any:
        with self._lock:
            stale = time.monotonic() - self._fetched > JWKS_TTL_SECONDS
            if stale or (kid not in self._keys and time.monotonic() - self._fetched > REFETCH_AT_MOST_EVERY):
                self._keys = self._fetch()
                self._fetched = time.monotonic()
            key = self._keys.get(kid) if kid else (next(iter(self._keys.values())) if len(self._keys) == 1 else None)
        if key is None:
            raise jwt.InvalidKeyError(f"the identity provider publishes no key {kid!r}")
        return key

    def _fetch(self) -> dict[str, Any]:
        try:
            url = self.settings.jwks_url or self._discover()
            r = self.session.get(url, timeout=10)
            r.raise_for_status()
            keyset = jwt.PyJWKSet.from_dict(r.json())
        except (requests.RequestException, ValueError, jwt.PyJWTError) as e:
            raise ProviderUnavailable(f"the identity provider's keys cannot be fetched ({type(e).__name__}); "
                                      "retry shortly") from None
        return {str(k.key_id or ""): k.key for k in keyset.keys}

    def _discover(self) -> str:
        r = self.session.get(self.settings.issuer + "/.well-known/openid-configuration", timeout=10)
        r.raise_for_status()
        return str(r.json()["jwks_uri"])
