"""Credentials: create, rotate, revoke and list the keys clients authenticate with.

Secrets are stored as scrypt hashes (the secret itself is never stored or logged). Every change is an event on
stream ``credential:KEY`` recording who may write (key, name, scopes, person), never the secret or its hash.

Each credential has a ``version`` that every change (rotation, revocation, new scopes) increments. Tokens carry the
version they were issued under, and the verified-secret cache is keyed by the stored hash, so a change takes effect
on the very next request in every process: no process trusts anything it remembered about a credential without
reading the credential's row, which is one primary-key lookup (see :class:`lrs.auth.Authenticator`).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from lrs.eventlog.store import EventStore, NewEvent
from lrs.store.tables import credentials
from lrs.times import format_time, utc_now

XAPI_SCOPES = frozenset({"statements/write", "statements/read", "statements/read/mine", "all/read", "all",
                         "state", "define", "profile"})
REPORT_SCOPES = frozenset({"reports/read", "reports/read/mine", "reports/aggregate", "imports/write", "audit",
                           "admin"})
#: What ``audit`` implies: every read, no write.
READ_SCOPES = frozenset({"statements/read", "all/read", "reports/read", "reports/aggregate", "reports/read/mine"})
ALL_SCOPES = XAPI_SCOPES | REPORT_SCOPES

#: scrypt's cost parameter N in production (with r=8: ~70 ms and 16 MiB per check here). A verified secret is
#: remembered per process (lrs.auth), so the cost is paid once per credential and process, and a wrong guess pays
#: it every time. ``LRS_SCRYPT_N`` lowers it (tests), never below 2.
DEFAULT_SCRYPT_N = 2 ** 14
_R, _P = 8, 1


class CredentialError(Exception):
    """A credential request that cannot be done; ``status`` is the HTTP status the API answers with."""

    status = 400


class CredentialExists(CredentialError):
    status = 409


class CredentialNotFound(CredentialError):
    status = 404


def hash_secret(secret: str, n: int = DEFAULT_SCRYPT_N) -> str:
    """scrypt with a random salt, as ``scrypt$N$salt$hash`` (hex): the cost travels with the hash, so a change of
    ``LRS_SCRYPT_N`` never invalidates stored secrets."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=n, r=_R, p=_P, dklen=32)
    return f"scrypt${n}${salt.hex()}${digest.hex()}"


def check_secret(secret: str, stored: str) -> bool:
    """Constant-time check of ``secret`` against a :func:`hash_secret` value (also the older ``scrypt$salt$hash``
    form, whose cost was 2^14)."""
    try:
        parts = stored.split("$")
        if len(parts) == 3:
            n, salt, digest = DEFAULT_SCRYPT_N, parts[1], parts[2]
        else:
            n, salt, digest = int(parts[1]), parts[2], parts[3]
        got = hashlib.scrypt(secret.encode(), salt=bytes.fromhex(salt), n=n, r=_R, p=_P, dklen=32)
    except (ValueError, TypeError, IndexError):
        return False
    return hmac.compare_digest(got.hex(), digest)


@dataclass(frozen=True)
class Credential:
    """A credential's row (``secret_hash`` never leaves the server)."""

    key: str
    name: str
    scopes: frozenset[str]
    person: str | None
    created: str
    revoked: bool
    version: int
    secret_hash: str
    last_version: str | None = None  # the xAPI version this client last spoke (see lrs.api.xrequest)

    def as_json(self) -> dict[str, Any]:
        """What ``lrs credentials list`` and ``GET /api/v1/credentials`` show (no secret, no hash)."""
        return {"key": self.key, "name": self.name, "scopes": sorted(self.scopes), "person": self.person,
                "created": self.created, "revoked": self.revoked, "version": self.version}


def _row(r: Any) -> Credential:
    return Credential(key=r.key, name=r.name, scopes=frozenset(r.scopes.split()), person=r.person,
                      created=r.created, revoked=bool(r.revoked), version=int(r.version or 1),
                      secret_hash=r.secret_hash, last_version=r.last_version)


def check_scopes(scopes: list[str]) -> None:
    """Raise :class:`CredentialError` naming any scope this LRS does not know."""
    bad = [s for s in scopes if s not in ALL_SCOPES]
    if bad:
        raise CredentialError(f"unknown scope(s): {', '.join(bad)} (known: {', '.join(sorted(ALL_SCOPES))})")


class CredentialStore:
    """The ``credentials`` table, written through the event log."""

    def __init__(self, engine: Engine, store: EventStore, scrypt_n: int = DEFAULT_SCRYPT_N) -> None:
        self.engine = engine
        self.store = store
        self.scrypt_n = max(2, int(scrypt_n))

    def get(self, key: str, conn: Connection | None = None) -> Credential | None:
        """The credential with ``key`` (revoked ones included), or None."""
        q = select(credentials).where(credentials.c.key == key)
        if conn is not None:
            r = conn.execute(q).first()
        else:
            with self.engine.connect() as c:
                r = c.execute(q).first()
        return _row(r) if r is not None else None

    def all(self) -> list[Credential]:
        """Every credential, by key."""
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(select(credentials).order_by(credentials.c.key))]

    def create(self, name: str, scopes: list[str], key: str | None = None, secret: str | None = None,
               person: str | None = None, *, rotate: bool = False, by: str | None = None) -> tuple[str, str]:
        """Create a credential, or with ``rotate`` give an existing one a new secret (and these scopes).

        Returns (key, secret). Refuses an existing key unless ``rotate`` (409): re-creating a key must never
        silently replace its secret. Rotation takes effect at once: the old secret stops working and every token
        issued under the old version is refused.
        """
        check_scopes(scopes)
        if not scopes:
            raise CredentialError("a credential needs at least one scope")
        key = key or secrets.token_hex(10)
        if not key or len(key) > 255 or any(c.isspace() or c == ":" for c in key):
            raise CredentialError("a key is 1-255 characters without spaces or ':'")
        secret = secret or secrets.token_urlsafe(24)
        hashed = hash_secret(secret, self.scrypt_n)  # before the lock: scrypt is slow on purpose
        with self.store.write() as tx:
            cur = self.get(key, tx.conn)
            if cur is not None and not rotate:
                raise CredentialExists(f"credential {key!r} already exists; use --rotate to give it a new secret")
            if cur is None and rotate:
                raise CredentialNotFound(f"no credential {key!r} to rotate")
            if cur is not None:
                if cur.revoked:
                    raise CredentialError(f"credential {key!r} is revoked; create a new key instead")
                tx.conn.execute(update(credentials).where(credentials.c.key == key).values(
                    secret_hash=hashed, scopes=" ".join(scopes), name=name,
                    person=person if person is not None else cur.person, version=cur.version + 1))
                tx.append([NewEvent("credential.rotated", f"credential:{key}",
                                    {"key": key, "name": name, "scopes": scopes, "version": cur.version + 1,
                                     "person": person if person is not None else cur.person, "by": by})])
                return key, secret
            tx.conn.execute(insert(credentials).values(
                key=key, secret_hash=hashed, name=name, scopes=" ".join(scopes), person=person,
                created=format_time(utc_now()), revoked=False, version=1))
            # The event records who can write, never the secret or its hash.
            tx.append([NewEvent("credential.created", f"credential:{key}",
                                {"key": key, "name": name, "scopes": scopes, "person": person, "version": 1,
                                 "by": by})])
        return key, secret

    def ensure(self, name: str, scopes: list[str], key: str, secret: str) -> str:
        """Make the configured credential (``LRS_API_KEY``/``LRS_API_SECRET``) exist with this secret.

        The configuration is authoritative: a different stored secret is rotated to the configured one. A revoked
        configured credential stays revoked (revocation is a deliberate act; configuration must not undo it).
        Returns what happened: ``created``, ``rotated``, ``unchanged`` or ``revoked``.
        """
        cur = self.get(key)
        if cur is None:
            try:
                self.create(name, scopes, key=key, secret=secret, by="configuration")
                return "created"
            except CredentialExists:  # another process of this server created it a moment ago
                cur = self.get(key)
                assert cur is not None
        if cur.revoked:
            return "revoked"
        if check_secret(secret, cur.secret_hash) and cur.scopes == frozenset(scopes):
            return "unchanged"
        self.create(name, scopes, key=key, secret=secret, rotate=True, by="configuration")
        return "rotated"

    def note_version(self, key: str, version: str) -> None:
        """Remember the xAPI version a client spoke (bookkeeping for version-less requests, not an event: it
        changes nothing anyone is allowed to do). A plain short transaction, outside the log's lock."""
        with self.engine.begin() as conn:
            conn.execute(update(credentials).where(credentials.c.key == key).values(last_version=version))

    def revoke(self, key: str, by: str | None = None) -> Credential:
        """Revoke a credential and every token issued to it, at once (404 for an unknown key)."""
        with self.store.write() as tx:
            cur = self.get(key, tx.conn)
            if cur is None:
                raise CredentialNotFound(f"no credential {key!r}")
            if cur.revoked:
                return cur
            tx.conn.execute(update(credentials).where(credentials.c.key == key)
                            .values(revoked=True, version=cur.version + 1))
            tx.append([NewEvent("credential.revoked", f"credential:{key}",
                                {"key": key, "version": cur.version + 1, "by": by})])
        out = self.get(key)
        assert out is not None
        return out
