"""The keys that sign this LRS's own tokens and cursors: kept in a file (or a setting), never in the database.

A key in the database would be readable by anyone who can read the database, and forging tokens is exactly what
such a person should not be able to do. The file holds one key per line, newest first, mode 0600; the newest signs,
any of them verifies, so ``lrs keys rotate`` adds a key and keeps the previous ones (default 2) for the tokens and
cursors already handed out. Every process re-reads the file when it changes (one stat per use, a microsecond), so
a rotation reaches every web worker at once, without a restart.

``LRS_SECRET_KEY`` (a setting) stands for a file with that one key: deployments that inject secrets as variables
keep working, but cannot rotate without a restart.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

KEEP = 2  # previous keys kept on rotation


class SigningKeyError(Exception):
    """The key file cannot be read or written (the message names the file and why)."""


def key_id(key: str) -> str:
    """A short public id of a key (in tokens' ``kid`` header): the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class KeyRing:
    """The keys in force, newest first."""

    keys: tuple[str, ...]

    @property
    def current(self) -> str:
        return self.keys[0]

    def by_id(self, kid: str) -> str | None:
        return next((k for k in self.keys if key_id(k) == kid), None)


def default_key_file(database_url: str | None) -> str:
    """Beside the SQLite database (``lrs.db`` -> ``lrs.db.keys``), else ``lrs-signing.keys`` in the working
    directory; set ``LRS_SECRET_KEY_FILE`` in production so every process finds the same file."""
    from sqlalchemy.engine import make_url

    from lrs.db.engine import default_database_url

    url = make_url(database_url or default_database_url())
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return str(url.database) + ".keys"
    return os.path.abspath("lrs-signing.keys")


class SigningKeys:
    """The key ring of one key file (created with one new key the first time), re-read when the file changes."""

    def __init__(self, path: str | None = None, explicit: str | None = None, legacy: str | None = None) -> None:
        """``explicit``: ``LRS_SECRET_KEY`` (no file). ``legacy``: a key an older version kept in the database, taken
        as the first key when the file does not exist yet, so tokens it signed keep working."""
        self.path = Path(path) if path else None
        self._explicit = explicit
        self._legacy = legacy
        self._ring: KeyRing | None = None
        self._stamp: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def ring(self) -> KeyRing:
        """The keys in force now."""
        if self._explicit:
            return KeyRing((self._explicit,))
        with self._lock:
            stamp = self._file_stamp()
            if self._ring is None or stamp != self._stamp:
                self._ring, self._stamp = self._load(), self._file_stamp()
            return self._ring

    def refresh(self) -> KeyRing:
        """Re-read the file now (a token named a key this process has not seen yet; a write within the same
        timestamp granularity would otherwise go unnoticed)."""
        with self._lock:
            self._ring = None
        return self.ring()

    def rotate(self, keep: int = KEEP) -> KeyRing:
        """Add a new key (the one that signs from now on), keeping ``keep`` previous ones; returns the new ring."""
        if self._explicit or self.path is None:
            raise SigningKeyError("LRS_SECRET_KEY is set: the key comes from the setting and cannot be rotated here")
        ring = self.refresh()
        new = KeyRing((secrets.token_urlsafe(48),) + ring.keys[:max(0, keep)])
        self._write(new)
        return self.refresh()

    # -- the file ------------------------------------------------------------------------------------------------

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path) if self.path else None
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size) if st else None

    def _load(self) -> KeyRing:
        assert self.path is not None
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            ring = KeyRing((self._legacy or secrets.token_urlsafe(48),))
            try:
                self._write(ring, create=True)
            except FileExistsError:  # another process made it first: use theirs
                return self._load()
            return ring
        except OSError as e:
            raise SigningKeyError(f"cannot read the signing keys in {self.path}: {e.strerror}") from None
        keys = tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))
        if not keys or any(len(k) < 32 for k in keys):
            raise SigningKeyError(f"{self.path} holds no usable signing key (one key of 32+ characters per line)")
        return KeyRing(keys)

    def _write(self, ring: KeyRing, create: bool = False) -> None:
        assert self.path is not None
        body = "# LRS signing keys, newest first (lrs keys rotate). Keep this file secret.\n" + \
            "".join(k + "\n" for k in ring.keys)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if create:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            else:
                tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(body)
            if not create:
                os.replace(tmp, self.path)  # readers see the old file or the new one, never half of one
        except FileExistsError:
            raise
        except OSError as e:
            raise SigningKeyError(f"cannot write the signing keys to {self.path}: {e.strerror}") from None
