"""Offline checks of the log's proofs against signed checkpoints (``lrs audit check-proof``, the witness).

Everything here is pure: it takes the JSON the audit endpoints serve (or the note text) and a trusted public key,
and either returns / passes or raises :class:`ProofError` with a one-line reason an auditor can act on.

The trusted key may be given as raw bytes, hex, a signed-note verifier key (``name+keyid+base64``, which also fixes
the key name) or the ``GET /api/v1/audit/key`` JSON (which also fixes the key ID).
"""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lrs.eventlog.checkpoint import Checkpoint, NoteError, parse_verifier_key, public_key_bytes, verify_note
from lrs.eventlog.merkle import EMPTY_ROOT, leaf_hash, verify_consistency, verify_inclusion


class ProofError(ValueError):
    """A proof or checkpoint that does not check out; the message is one line saying why."""


@dataclass(frozen=True)
class TrustedKey:
    """The key an auditor trusts: the raw public key, and the key name / key ID if the source fixed them."""

    public_key: bytes
    name: str | None = None
    key_id: str | None = None


def trusted_key(spec: TrustedKey | bytes | str | Mapping[str, Any]) -> TrustedKey:
    """A :class:`TrustedKey` from raw bytes, hex, a vkey, or the ``/audit/key`` JSON (dict or text)."""
    if isinstance(spec, TrustedKey):
        return spec
    try:
        if isinstance(spec, str):
            text = spec.strip()
            if text.startswith("{"):
                return _key_from_json(_json_object(text, "key"))
            if "+" in text:
                name, kid, pub = parse_verifier_key(text)
                return TrustedKey(pub, name, kid.hex())
            return TrustedKey(public_key_bytes(text.lower()))
        if isinstance(spec, Mapping):
            return _key_from_json(spec)
        return TrustedKey(public_key_bytes(spec))
    except NoteError as e:
        raise ProofError(str(e)) from None


def _key_from_json(obj: Mapping[str, Any]) -> TrustedKey:
    if obj.get("algorithm", "ed25519") != "ed25519":
        raise ProofError(f"key algorithm {obj.get('algorithm')!r} is not ed25519")
    kid = obj.get("key_id")
    if kid is not None and not (isinstance(kid, str) and len(kid) == 8):
        raise ProofError("key JSON's key_id is not 8 hex digits")
    pub = obj.get("public_key")
    if not isinstance(pub, str):
        raise ProofError("key JSON has no public_key")
    return TrustedKey(public_key_bytes(pub.lower()), None, kid.lower() if kid else None)


def _json_object(text: str | bytes, what: str) -> dict[str, Any]:
    try:
        obj = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise ProofError(f"{what} is not valid JSON") from None
    if not isinstance(obj, dict):
        raise ProofError(f"{what} JSON is not an object")
    return obj


def load_checkpoint(checkpoint: Checkpoint | Mapping[str, Any] | str | bytes,
                    public_key: TrustedKey | bytes | str | Mapping[str, Any], *, origin: str | None = None
                    ) -> Checkpoint:
    """Verify a checkpoint given as the interface JSON (dict or text) or as the bare signed note.

    With JSON, every field besides ``note`` must agree with the signed note: only the note is signed, so a
    JSON field that disagrees with it has been edited.
    """
    key = trusted_key(public_key)
    fields: Mapping[str, Any] = {}
    note: object
    if isinstance(checkpoint, Checkpoint):
        fields, note = checkpoint.as_json(), checkpoint.note
    elif isinstance(checkpoint, Mapping):
        fields, note = checkpoint, checkpoint.get("note")
    else:
        text = checkpoint.decode("utf-8", "replace") if isinstance(checkpoint, bytes) else checkpoint
        if text.lstrip().startswith("{"):
            fields = _json_object(text, "checkpoint")
            note = fields.get("note")
        else:
            note = checkpoint
    if not isinstance(note, (str, bytes)):
        raise ProofError("checkpoint has no signed note")
    try:
        cp = verify_note(note, key.public_key, key.name, origin)
    except NoteError as e:
        raise ProofError(f"checkpoint: {e}") from None
    if key.key_id is not None and cp.key_id != key.key_id:
        raise ProofError(f"checkpoint is signed with key ID {cp.key_id}, not the trusted {key.key_id}")
    signed = cp.as_json()
    for name in ("size", "root_hash", "timestamp", "key_id", "signature"):
        if name in fields and fields[name] != signed[name]:
            raise ProofError(f"checkpoint field {name!r} does not match its signed note (it was edited)")
    return cp


def _hex_hashes(path: object, what: str) -> list[bytes]:
    if not isinstance(path, (list, tuple)):
        raise ProofError(f"{what} is not a list of hashes")
    out = []
    for n, h in enumerate(path):
        if isinstance(h, bytes) and len(h) == 32:
            out.append(h)
            continue
        if not isinstance(h, str) or len(h) != 64:
            raise ProofError(f"{what} entry {n} is not a 64-digit hex hash")
        try:
            out.append(bytes.fromhex(h))
        except ValueError:
            raise ProofError(f"{what} entry {n} is not a 64-digit hex hash") from None
    return out


def _int_field(obj: Mapping[str, Any], name: str, minimum: int) -> int:
    value = obj.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ProofError(f"proof field {name!r} must be an integer >= {minimum}")
    return value


def _leaf_header(leaf: bytes) -> list[Any] | None:
    """The JSON header line of an event leaf (``[position, event_id, type, stream, recorded_at]``), if any."""
    first = leaf.split(b"\n", 1)[0]
    try:
        header = json.loads(first)
    except (ValueError, UnicodeDecodeError):
        return None
    return header if isinstance(header, list) and len(header) == 5 else None


def check_inclusion_proof(proof: Mapping[str, Any] | str | bytes,
                          checkpoint: Checkpoint | Mapping[str, Any] | str | bytes,
                          public_key: TrustedKey | bytes | str | Mapping[str, Any], *,
                          origin: str | None = None) -> str:
    """Check an inclusion proof (``/audit/proof/inclusion`` JSON) against a signed checkpoint.

    Verifies the checkpoint's signature, that the proof is for the checkpoint's tree size, that ``leaf_hash``
    is the hash of ``leaf``, that the leaf's own position is the proof's, and that the path leads to the signed
    root. Returns a one-line success message; raises ProofError otherwise.
    """
    obj = proof if isinstance(proof, Mapping) else _json_object(proof, "proof")
    cp = load_checkpoint(checkpoint, public_key, origin=origin)
    position = _int_field(obj, "position", 1)
    index = _int_field(obj, "leaf_index", 0)
    size = _int_field(obj, "tree_size", 1)
    if index != position - 1:
        raise ProofError(f"proof's leaf_index {index} is not its position {position} minus one")
    if size != cp.size:
        raise ProofError(f"proof is for tree size {size} but the checkpoint is for size {cp.size}; "
                         f"fetch the proof with size={cp.size}")
    if index >= size:
        raise ProofError(f"position {position} is beyond the checkpoint's tree size {size}")
    leaf_b64 = obj.get("leaf")
    if not isinstance(leaf_b64, str):
        raise ProofError("proof has no base64 'leaf'")
    try:
        leaf = base64.b64decode(leaf_b64, validate=True)
    except (binascii.Error, ValueError):
        raise ProofError("proof's 'leaf' is not valid base64") from None
    computed = leaf_hash(leaf)
    claimed = obj.get("leaf_hash")
    if claimed is not None and claimed != computed.hex():
        raise ProofError("proof's leaf_hash is not the hash of its leaf bytes")
    header = _leaf_header(leaf)
    if header is not None and header[0] != position:
        raise ProofError(f"the leaf records position {header[0]!r}, not the proof's position {position}")
    path = _hex_hashes(obj.get("path"), "proof path")
    if not verify_inclusion(computed, index, size, path, cp.root):
        raise ProofError(f"inclusion proof for position {position} does not lead to the checkpoint's root: "
                         "the event or the proof was altered")
    what = f"event {header[1]} ({header[2]})" if header is not None else "leaf"
    return (f"OK: {what} at position {position} is in {cp.origin} at tree size {size}, root {cp.root_hash}, "
            f"checkpoint signed by {cp.key_name}+{cp.key_id}")


def check_consistency(older: Checkpoint, newer: Checkpoint, proof_path: Sequence[str | bytes]) -> None:
    """Check that ``newer`` extends ``older`` (both already verified); raises ProofError if it does not."""
    if older.origin != newer.origin:
        raise ProofError(f"checkpoints are for different logs ({older.origin!r} and {newer.origin!r})")
    if newer.size < older.size:
        raise ProofError(f"the newer checkpoint has size {newer.size}, smaller than the older {older.size}")
    path = _hex_hashes(proof_path, "consistency path")
    if not verify_consistency(older.size, newer.size, older.root, newer.root, path):
        if older.size == 0 and older.root != EMPTY_ROOT:
            raise ProofError("the older checkpoint has size 0 but not the empty tree's root")
        if older.size == newer.size:
            raise ProofError(f"two different roots for tree size {older.size}: the log forked")
        raise ProofError(f"consistency proof from size {older.size} to {newer.size} does not verify: the newer "
                         "tree does not extend the older one")


def check_consistency_proof(proof: Mapping[str, Any] | str | bytes, older: Checkpoint, newer: Checkpoint) -> str:
    """Check a ``/audit/proof/consistency`` JSON between two verified checkpoints; one-line success message."""
    obj = proof if isinstance(proof, Mapping) else _json_object(proof, "proof")
    if obj.get("from") != older.size or obj.get("to") != newer.size:
        raise ProofError(f"proof is from {obj.get('from')!r} to {obj.get('to')!r}, but the checkpoints have "
                         f"sizes {older.size} and {newer.size}")
    check_consistency(older, newer, _hex_hashes(obj.get("path"), "proof path"))
    return (f"OK: {newer.origin} at size {newer.size} (root {newer.root_hash}) extends size {older.size} "
            f"(root {older.root_hash})")


@dataclass(frozen=True)
class Verdict:
    """What a witness concluded: ``status`` is "ok", "fork" or "rollback"; ``kept`` is its state afterwards.

    For "fork" and "rollback", ``kept`` and ``observed`` are two signed checkpoints that together prove the log
    misbehaved: keep both notes as the evidence.
    """

    status: str
    reason: str
    kept: Checkpoint
    observed: Checkpoint

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class Witness:
    """The decision logic of a witness: it keeps the last good checkpoint and judges each new one against it.

    Fetching checkpoints and proofs (and verifying their signatures, e.g. with :func:`load_checkpoint`) is the
    caller's job; :meth:`proof_needed` says which consistency proof to fetch.
    """

    def __init__(self, last: Checkpoint | None = None) -> None:
        self.last = last

    def proof_needed(self, new: Checkpoint) -> tuple[int, int] | None:
        """``(from, to)`` of the consistency proof :meth:`observe` needs for ``new``, or None if it needs none."""
        if self.last is None or new.size <= self.last.size:
            return None
        return self.last.size, new.size

    def observe(self, new: Checkpoint, consistency_path: Sequence[str | bytes] | None = None) -> Verdict:
        """Judge ``new``: smaller than seen is a rollback; same size with another root, or a failing proof, a fork.

        The state moves to ``new`` only when the verdict is "ok". Raises ProofError if ``new`` is for another log
        or if a needed proof is missing (neither is evidence against the log).
        """
        last = self.last
        if last is None:
            self.last = new
            return Verdict("ok", f"first checkpoint seen: size {new.size}, root {new.root_hash}", new, new)
        if new.origin != last.origin:
            raise ProofError(f"checkpoint is for log {new.origin!r}, the witness follows {last.origin!r}")
        if new.size < last.size:
            return Verdict("rollback", f"log went back from size {last.size} to {new.size}", last, new)
        if new.size == last.size:
            if new.root_hash != last.root_hash:
                return Verdict("fork", f"two different roots for size {new.size}: {last.root_hash} and "
                                       f"{new.root_hash}", last, new)
            self.last = new
            return Verdict("ok", f"no new entries (size {new.size})", new, new)
        if consistency_path is None:
            raise ProofError(f"a consistency proof from size {last.size} to {new.size} is needed")
        try:
            check_consistency(last, new, consistency_path)
        except ProofError as e:
            return Verdict("fork", str(e), last, new)
        self.last = new
        return Verdict("ok", f"log grew from size {last.size} to {new.size} consistently", new, new)
