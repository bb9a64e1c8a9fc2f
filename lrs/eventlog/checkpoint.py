"""Signed checkpoints of the Merkle tree: C2SP signed notes (c2sp.org/signed-note) carrying a C2SP tlog-checkpoint.

A checkpoint note looks like::

    lrs.district.example/log
    1234
    <base64 of the 32-byte root hash>
    timestamp 2024-01-02T03:04:05.123456Z

    — lrs.district.example/log <base64(4-byte key ID || 64-byte Ed25519 signature)>

The first three body lines are exactly the tlog-checkpoint lines (origin, decimal size, base64 root), so any
tlog-checkpoint client (Go's ``golang.org/x/mod/sumdb/note`` + a checkpoint parser, transparency-dev tools) reads
and verifies our notes with the verifier key from :func:`verifier_key`.

Why the timestamp is an extension line: the interface JSON carries a ``timestamp``, and a timestamp outside the
signed text would be an unauthenticated claim. Inside the body it is signed, so an auditor holding a checkpoint
can show "by this time the log had this size and root", which is what makes a backdated edit provable. The cost is
that tlog-checkpoint calls extension lines opaque and NOT RECOMMENDED (monitors cannot audit them and cosigners
may not sign them); a client that ignores extensions still verifies size and root, so nothing is lost for it. It
uses the log's own fixed-width UTC format (``recorded_at``), so it compares as text against event times.

Key ID (signed-note "key ID", Go's "key hash"): ``SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]``;
the interface's ``key_id`` is its lowercase hex, ``signature`` the hex of the raw 64-byte Ed25519 signature.
The key name defaults to the origin, as tlog-checkpoint recommends.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SIG_ED25519 = 0x01
TIMESTAMP_EXTENSION = "timestamp "
MAX_NOTE_CHARS = 1_000_000
MAX_SIGNATURES = 100
_SIG_PREFIX = "\u2014 "  # em dash, space
_TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
_SIZE_RE = re.compile(r"0|[1-9][0-9]*")


class NoteError(ValueError):
    """A note or checkpoint that cannot be parsed or does not verify; the message is one line saying why."""


class KeyFileError(Exception):
    """The signing key file cannot be read, created or parsed; the message is one line saying why."""


# --- keys ------------------------------------------------------------------------------------------------------


def valid_key_name(name: object) -> bool:
    """Key names are non-empty and contain no Unicode space and no ``+`` (signed-note; Go's isValidName)."""
    return (isinstance(name, str) and name != "" and "+" not in name and not any(c.isspace() for c in name)
            and not any(ord(c) < 0x20 for c in name))


def public_key_bytes(key: Ed25519PrivateKey | Ed25519PublicKey | bytes | str) -> bytes:
    """The raw 32-byte Ed25519 public key from a private key, a public key object, raw bytes or hex."""
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    if isinstance(key, Ed25519PublicKey):
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if isinstance(key, str):
        try:
            key = bytes.fromhex(key)
        except ValueError:
            raise NoteError("public key is not hex") from None
    if not isinstance(key, bytes) or len(key) != 32:
        raise NoteError("an Ed25519 public key is 32 bytes (64 hex characters)")
    return key


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte signed-note key ID of an Ed25519 key under ``name``."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([SIG_ED25519]) + public_key).digest()[:4]


def verifier_key(name: str, public_key: bytes | str | Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """The vkey ``<name>+<hex key ID>+<base64(0x01 || public key)>`` that Go's ``note.NewVerifier`` accepts."""
    if not valid_key_name(name):
        raise NoteError(f"invalid key name {name!r}: it must be non-empty, without spaces or '+'")
    pub = public_key_bytes(public_key)
    return f"{name}+{key_id(name, pub).hex()}+{base64.b64encode(bytes([SIG_ED25519]) + pub).decode()}"


def parse_verifier_key(vkey: str) -> tuple[str, bytes, bytes]:
    """``(name, key ID, public key)`` from a vkey; raises NoteError if malformed or if the ID does not match."""
    # Only the first two '+' separate fields: base64 key material may itself contain '+'.
    parts = vkey.strip().split("+", 2) if isinstance(vkey, str) else []
    if len(parts) != 3 or not valid_key_name(parts[0]) or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
        raise NoteError("verifier key must look like NAME+8-hex-digit-key-id+BASE64KEY")
    name, kid = parts[0], bytes.fromhex(parts[1])
    raw = _b64(parts[2], "verifier key")
    if len(raw) != 33 or raw[0] != SIG_ED25519:
        raise NoteError("verifier key is not an Ed25519 (type 0x01) key")
    if key_id(name, raw[1:]) != kid:
        raise NoteError(f"verifier key ID {parts[1]} does not match its name and public key")
    return name, kid, raw[1:]


def key_json(public_key: bytes | str | Ed25519PublicKey | Ed25519PrivateKey, key_name: str) -> dict[str, str]:
    """The body of ``GET /api/v1/audit/key``."""
    pub = public_key_bytes(public_key)
    return {"key_id": key_id(key_name, pub).hex(), "algorithm": "ed25519", "public_key": pub.hex()}


def load_or_create_key(path: str | os.PathLike[str]) -> tuple[Ed25519PrivateKey, bytes]:
    """Read the Ed25519 signing key at ``path`` (PKCS8 PEM), creating it (mode 0600) only if there is none.

    An existing file is never overwritten, even if it is empty or malformed: replacing a log's key silently would
    make every earlier checkpoint unverifiable, so that is a KeyFileError for an operator to resolve.
    """
    p = Path(path)
    if not os.path.lexists(p):
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        try:
            if not p.parent.exists():
                p.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # O_EXCL: if another process created the file since the check above, we read theirs instead.
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        except OSError as e:
            raise KeyFileError(f"cannot create audit signing key {p}: {e.strerror or e}") from None
        else:
            try:
                os.fchmod(fd, 0o600)  # exactly 0600 whatever the umask
                os.write(fd, pem)
                os.fsync(fd)
            except OSError as e:
                os.close(fd)
                p.unlink(missing_ok=True)
                raise KeyFileError(f"cannot write audit signing key {p}: {e.strerror or e}") from None
            os.close(fd)
            return key, public_key_bytes(key)
    return _read_key(p)


def _read_key(p: Path) -> tuple[Ed25519PrivateKey, bytes]:
    try:
        data = p.read_bytes()
    except OSError as e:
        raise KeyFileError(f"cannot read audit signing key {p}: {e.strerror or e}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise KeyFileError(f"audit signing key {p} is encrypted; store it unencrypted, protected by file "
                           "permissions") from None
    except (ValueError, UnsupportedAlgorithm):
        raise KeyFileError(f"audit signing key {p} is not a PEM (PKCS8) private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"audit signing key {p} is not an Ed25519 key")
    return key, public_key_bytes(key)


# --- signed notes ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: the key name, the 4-byte key ID and the signature bytes."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        """The signature line, newline included."""
        return f"{_SIG_PREFIX}{self.name} {base64.b64encode(self.key_id + self.signature).decode()}\n"


def _b64(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(f"{what} is not valid base64") from None
    return raw


def _check_text(text: str, what: str) -> None:
    for c in text:
        if ord(c) < 0x20 and c != "\n":
            raise NoteError(f"{what} contains a control character (U+{ord(c):04X})")
    try:
        text.encode()
    except UnicodeEncodeError:
        raise NoteError(f"{what} is not valid UTF-8") from None


def parse_note(text: str | bytes) -> tuple[str, list[NoteSignature]]:
    """Split a signed note into its body (the signed text, final newline included) and its signature lines.

    Follows signed-note / Go's ``note.Open``: UTF-8, no control characters but newline, the body ends at the
    LAST blank line, then one or more ``— NAME BASE64`` lines each ending in a newline. Nothing is verified.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode()
        except UnicodeDecodeError:
            raise NoteError("note is not valid UTF-8") from None
    if not isinstance(text, str):
        raise NoteError("note must be text")
    if len(text) > MAX_NOTE_CHARS:
        raise NoteError(f"note is longer than {MAX_NOTE_CHARS} characters")
    _check_text(text, "note")
    split = text.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    body, sig_text = text[:split + 1], text[split + 2:]
    if not sig_text:
        raise NoteError("note has no signature lines")
    if not sig_text.endswith("\n"):
        raise NoteError("note's last signature line does not end with a newline")
    sigs: list[NoteSignature] = []
    for number, line in enumerate(sig_text[:-1].split("\n"), start=1):
        if number > MAX_SIGNATURES:
            raise NoteError(f"note has more than {MAX_SIGNATURES} signatures")
        if not line.startswith(_SIG_PREFIX):
            raise NoteError(f"signature line {number} does not start with an em dash and a space")
        name, sep, b64 = line[len(_SIG_PREFIX):].partition(" ")
        if not sep or not valid_key_name(name):
            raise NoteError(f"signature line {number} has no valid key name")
        raw = _b64(b64, f"signature line {number}")
        if len(raw) < 5:
            raise NoteError(f"signature line {number} is too short to hold a key ID and a signature")
        sigs.append(NoteSignature(name, raw[:4], raw[4:]))
    return body, sigs


def sign_note(body: str, private_key: Ed25519PrivateKey, key_name: str) -> str:
    """``body`` followed by a blank line and its Ed25519 signature line."""
    if not valid_key_name(key_name):
        raise NoteError(f"invalid key name {key_name!r}: it must be non-empty, without spaces or '+'")
    if not body.endswith("\n"):
        raise NoteError("note text must end with a newline")
    _check_text(body, "note text")
    sig = private_key.sign(body.encode())
    return body + "\n" + NoteSignature(key_name, key_id(key_name, public_key_bytes(private_key)), sig).line()


def open_note(text: str | bytes, public_key: bytes | str | Ed25519PublicKey,
              key_name: str | None = None) -> tuple[str, NoteSignature]:
    """Parse ``text`` and verify its signature(s) by ``public_key``; return the body and the verified signature.

    Signatures from other keys are ignored, as signed-note requires. A key is "ours" when the line's name is
    ``key_name`` (or any name, if None) and the line's key ID is that name's ID for ``public_key``. Raises
    NoteError if no such line exists or if one fails to verify.
    """
    body, sigs = parse_note(text)
    pub = public_key_bytes(public_key)
    ours = [s for s in sigs if (key_name is None or s.name == key_name) and s.key_id == key_id(s.name, pub)]
    if not ours:
        want = f"{key_name}+{key_id(key_name, pub).hex()}" if key_name else f"public key {pub.hex()[:16]}..."
        found = ", ".join(f"{s.name}+{s.key_id.hex()}" for s in sigs)
        raise NoteError(f"note is not signed by {want} (it has signatures by {found})")
    verifier = Ed25519PublicKey.from_public_bytes(pub)
    for s in ours:
        try:
            verifier.verify(s.signature, body.encode())
        except InvalidSignature:
            raise NoteError(f"signature by {s.name}+{s.key_id.hex()} does not verify: the note text was changed "
                            "or signed by another key") from None
    return body, ours[0]


# --- checkpoints -----------------------------------------------------------------------------------------------


def format_time(dt: datetime) -> str:
    """The log's fixed-width UTC format (``2024-01-02T03:04:05.123456Z``); naive datetimes are taken as UTC."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def checkpoint_body(origin: str, size: int, root: bytes, extensions: tuple[str, ...] | list[str] = ()) -> str:
    """The tlog-checkpoint note text: origin, size, base64 root, then any extension lines."""
    if not isinstance(origin, str) or not origin or "\n" in origin:
        raise NoteError("checkpoint origin must be a non-empty single line")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise NoteError("checkpoint size must be a non-negative integer")
    if not isinstance(root, bytes) or len(root) != 32:
        raise NoteError("checkpoint root must be a 32-byte hash")
    for ext in extensions:
        if not ext or "\n" in ext:
            raise NoteError("checkpoint extension lines must be non-empty single lines")
    lines = [origin, str(size), base64.b64encode(root).decode(), *extensions]
    return "".join(line + "\n" for line in lines)


def parse_checkpoint_body(body: str) -> tuple[str, int, bytes, tuple[str, ...]]:
    """``(origin, size, root, extension lines)`` from checkpoint note text; raises NoteError if malformed."""
    if not body.endswith("\n"):
        raise NoteError("checkpoint text does not end with a newline")
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("checkpoint has fewer than three lines (origin, size, root hash)")
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise NoteError("checkpoint origin line is empty")
    if not _SIZE_RE.fullmatch(size_text):
        raise NoteError(f"checkpoint size line {size_text[:40]!r} is not a decimal number without leading zeros")
    root = _b64(root_text, "checkpoint root hash line")
    if len(root) != 32 or base64.b64encode(root).decode() != root_text:
        raise NoteError("checkpoint root hash line is not the base64 of a 32-byte hash")
    if any(not ext for ext in extensions):
        raise NoteError("checkpoint has an empty extension line")
    return origin, int(size_text), root, tuple(extensions)


@dataclass(frozen=True)
class Checkpoint:
    """A verified (or freshly signed) checkpoint; :meth:`as_json` is the interface's checkpoint object."""

    origin: str
    size: int
    root_hash: str          # lowercase hex
    timestamp: str | None   # from the "timestamp " extension line, if any
    key_name: str
    key_id: str             # lowercase hex of the 4-byte key ID
    signature: str          # lowercase hex of the 64-byte Ed25519 signature over the body
    note: str
    extensions: tuple[str, ...] = field(default=())

    @property
    def root(self) -> bytes:
        """The root hash as bytes."""
        return bytes.fromhex(self.root_hash)

    @property
    def body(self) -> str:
        """The signed text of the note."""
        return self.note[:self.note.rfind("\n\n") + 1]

    def as_json(self) -> dict[str, Any]:
        """``{"size", "root_hash", "timestamp", "key_id", "signature", "note"}``."""
        return {"size": self.size, "root_hash": self.root_hash, "timestamp": self.timestamp,
                "key_id": self.key_id, "signature": self.signature, "note": self.note}


def sign_checkpoint(origin: str, size: int, root: bytes | str, private_key: Ed25519PrivateKey,
                    key_name: str | None = None, timestamp: datetime | str | None = None) -> Checkpoint:
    """Sign the checkpoint of the tree of ``size`` with ``root`` (bytes or hex); the key name defaults to origin.

    ``timestamp`` (a datetime, or text already in the fixed-width format; default now) goes into the signed
    body as a ``timestamp`` extension line.
    """
    if isinstance(root, str):
        try:
            root = bytes.fromhex(root)
        except ValueError:
            raise NoteError("checkpoint root is not hex") from None
    name = origin if key_name is None else key_name
    if timestamp is None:
        timestamp = datetime.now(timezone.utc)
    ts = format_time(timestamp) if isinstance(timestamp, datetime) else timestamp
    if not isinstance(ts, str) or not _TIMESTAMP_RE.fullmatch(ts):
        raise NoteError("checkpoint timestamp must look like 2024-01-02T03:04:05.123456Z")
    body = checkpoint_body(origin, size, root, [TIMESTAMP_EXTENSION + ts])
    note = sign_note(body, private_key, name)
    sig = parse_note(note)[1][0]
    return Checkpoint(origin, size, root.hex(), ts, name, sig.key_id.hex(), sig.signature.hex(), note,
                      (TIMESTAMP_EXTENSION + ts,))


def verify_note(text: str | bytes, public_key: bytes | str | Ed25519PublicKey, key_name: str | None = None,
                origin: str | None = None) -> Checkpoint:
    """Verify a checkpoint note signed by ``public_key`` (under ``key_name``, any name if None) and parse it.

    ``origin``, if given, must match the note's first line (a checkpoint of another log proves nothing about
    ours). Raises NoteError with a one-line reason.
    """
    body, sig = open_note(text, public_key, key_name)
    log_origin, size, root, extensions = parse_checkpoint_body(body)
    if origin is not None and log_origin != origin:
        raise NoteError(f"checkpoint is for log {log_origin!r}, not {origin!r}")
    stamps = [e[len(TIMESTAMP_EXTENSION):] for e in extensions if e.startswith(TIMESTAMP_EXTENSION)]
    if len(stamps) > 1:
        raise NoteError("checkpoint has more than one timestamp line")
    note = text.decode() if isinstance(text, bytes) else text
    return Checkpoint(log_origin, size, root.hex(), stamps[0] if stamps else None, sig.name, sig.key_id.hex(),
                      sig.signature.hex(), note, extensions)
