"""Offline checks: inclusion proofs against signed checkpoints, consistency between checkpoints, the witness."""
from __future__ import annotations

import base64
import copy
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lrs.eventlog import checkpoint as C
from lrs.eventlog import merkle as M
from lrs.eventlog.proofs import (ProofError, TrustedKey, Witness, check_consistency, check_consistency_proof,
                                 check_inclusion_proof, load_checkpoint, trusted_key)
from tests.unit.audit import rfc9162 as R

ORIGIN = "lrs.district.example/log"
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUB = C.public_key_bytes(KEY)


def event(position: int) -> bytes:
    return M.leaf_bytes(position, f"ev-{position}", "statement.stored", "actor:mailto:t@x.example",
                        f"2024-01-01T00:00:{position % 60:02d}.000000Z", json.dumps({"n": position}))


class Log:
    """A tiny stand-in for the database layer: rows by (leaf_index, entry), served like the endpoints."""

    def __init__(self, n: int, origin: str = ORIGIN) -> None:
        self.origin, self.cr = origin, M.CompactRange()
        self.rows: dict[tuple[int, int], bytes] = {}
        self.leaves: list[bytes] = []
        self.roots = [self.cr.root()]
        for p in range(1, n + 1):
            self.append(event(p))

    def append(self, data: bytes) -> None:
        index = self.cr.size
        self.leaves.append(data)
        for entry, h in enumerate(self.cr.append(M.leaf_hash(data))):
            self.rows[(index, entry)] = h
        self.roots.append(self.cr.root())

    def get_nodes(self, refs):
        return {r: self.rows[M.node_location(*r)] for r in refs}

    def checkpoint(self, size: int | None = None, key: Ed25519PrivateKey = KEY) -> C.Checkpoint:
        size = self.cr.size if size is None else size
        return C.sign_checkpoint(self.origin, size, self.roots[size], key, timestamp="2024-02-03T04:05:06.000000Z")

    def inclusion(self, position: int, size: int) -> dict:
        data = self.leaves[position - 1]
        return {"position": position, "leaf_index": position - 1, "tree_size": size,
                "leaf": base64.b64encode(data).decode(), "leaf_hash": M.leaf_hash(data).hex(),
                "path": [h.hex() for h in M.inclusion_proof(position - 1, size, self.get_nodes)]}

    def consistency(self, m: int, n: int) -> dict:
        return {"from": m, "to": n, "path": [h.hex() for h in M.consistency_proof(m, n, self.get_nodes)]}


@pytest.fixture()
def log() -> Log:
    return Log(37)


# --- keys and checkpoints ---------------------------------------------------------------------------------------

def test_trusted_key_forms(log: Log) -> None:
    vkey = C.verifier_key(ORIGIN, PUB)
    key_doc = C.key_json(PUB, ORIGIN)
    assert trusted_key(PUB) == TrustedKey(PUB)
    assert trusted_key(PUB.hex().upper()) == TrustedKey(PUB)
    assert trusted_key(vkey) == TrustedKey(PUB, ORIGIN, key_doc["key_id"])
    assert trusted_key(key_doc) == TrustedKey(PUB, None, key_doc["key_id"])
    assert trusted_key(json.dumps(key_doc)) == TrustedKey(PUB, None, key_doc["key_id"])
    for bad in ["zz", PUB[:31], {"algorithm": "rsa", "public_key": PUB.hex()}, {"key_id": "x"}, {"nokey": 1}]:
        with pytest.raises(ProofError):
            trusted_key(bad)  # type: ignore[arg-type]


def test_load_checkpoint_accepts_json_text_and_note(log: Log) -> None:
    cp = log.checkpoint()
    for form in (cp, cp.as_json(), json.dumps(cp.as_json()), cp.note, cp.note.encode()):
        assert load_checkpoint(form, PUB, origin=ORIGIN) == cp
    assert load_checkpoint(cp.as_json(), C.verifier_key(ORIGIN, PUB)) == cp


@pytest.mark.parametrize("field, value", [("size", 36), ("root_hash", "00" * 32), ("timestamp", "x"),
                                          ("key_id", "00000000"), ("signature", "00" * 64)])
def test_edited_json_fields_are_caught(log: Log, field: str, value: object) -> None:
    doc = log.checkpoint().as_json()
    doc[field] = value
    with pytest.raises(ProofError, match=f"field '{field}' does not match its signed note"):
        load_checkpoint(doc, PUB)


def test_checkpoint_key_problems(log: Log) -> None:
    cp = log.checkpoint()
    other = C.public_key_bytes(Ed25519PrivateKey.generate())
    with pytest.raises(ProofError, match="^checkpoint: note is not signed by"):
        load_checkpoint(cp.as_json(), other)
    with pytest.raises(ProofError, match="not the trusted 0000abcd"):
        load_checkpoint(cp.as_json(), {"key_id": "0000abcd", "public_key": PUB.hex()})
    with pytest.raises(ProofError, match="no signed note"):
        load_checkpoint({"size": 1}, PUB)
    with pytest.raises(ProofError, match="not valid JSON"):
        load_checkpoint("{nope", PUB)


# --- inclusion --------------------------------------------------------------------------------------------------

def test_check_inclusion_proof_ok_for_every_position(log: Log) -> None:
    cp = log.checkpoint(30)
    for p in range(1, 31):
        msg = check_inclusion_proof(log.inclusion(p, 30), cp.as_json(), PUB)
        assert msg == (f"OK: event ev-{p} (statement.stored) at position {p} is in {ORIGIN} at tree size 30, "
                       f"root {log.roots[30].hex()}, checkpoint signed by {ORIGIN}+{cp.key_id}")
    # The proof may come as JSON text and the checkpoint as its bare note; the reference verifier agrees.
    proof = log.inclusion(5, 30)
    assert check_inclusion_proof(json.dumps(proof), cp.note, C.verifier_key(ORIGIN, PUB)).startswith("OK: ")
    assert R.verify_inclusion(R.leaf(log.leaves[4]), 4, 30, [bytes.fromhex(h) for h in proof["path"]],
                              log.roots[30])


def tampered(proof: dict, **changes) -> dict:
    out = copy.deepcopy(proof)
    out.update(changes)
    return out


def test_check_inclusion_proof_failures(log: Log) -> None:
    cp = log.checkpoint(30).as_json()
    good = log.inclusion(7, 30)
    other_leaf = event(7).replace(b'{"n": 7}', b'{"n": 8}')
    flipped = list(good["path"])
    flipped[1] = ("1" if flipped[1][0] != "1" else "2") + flipped[1][1:]
    cases: list[tuple[dict, str]] = [
        (dict(tree_size=31), "proof is for tree size 31 but the checkpoint is for size 30; fetch the proof with "
                             "size=30"),
        (dict(leaf_index=7), "leaf_index 7 is not its position 7 minus one"),
        (dict(position=8, leaf_index=7), "the leaf records position 7, not the proof's position 8"),
        (dict(leaf=base64.b64encode(other_leaf).decode()), "leaf_hash is not the hash of its leaf bytes"),
        (dict(leaf=base64.b64encode(other_leaf).decode(), leaf_hash=M.leaf_hash(other_leaf).hex()),
         "does not lead to the checkpoint's root: the event or the proof was altered"),
        (dict(path=flipped), "does not lead to the checkpoint's root"),
        (dict(path=good["path"][:-1]), "does not lead to the checkpoint's root"),
        (dict(path=good["path"] + ["00" * 32]), "does not lead to the checkpoint's root"),
        (dict(path=["xyz"]), "proof path entry 0 is not a 64-digit hex hash"),
        (dict(path="abc"), "proof path is not a list"),
        (dict(leaf="!!"), "'leaf' is not valid base64"),
        (dict(leaf=None), "no base64 'leaf'"),
        (dict(position="7"), "'position' must be an integer >= 1"),
        (dict(tree_size=True), "'tree_size' must be an integer >= 1"),
        (dict(position=31, leaf_index=30), "beyond the checkpoint's tree size"),
    ]
    for changes, message in cases:
        with pytest.raises(ProofError) as info:
            check_inclusion_proof(tampered(good, **changes), cp, PUB)
        assert message in str(info.value), changes
        assert "\n" not in str(info.value)
    with pytest.raises(ProofError, match="not valid JSON"):
        check_inclusion_proof("[", cp, PUB)
    with pytest.raises(ProofError, match="JSON is not an object"):
        check_inclusion_proof("[1]", cp, PUB)


# --- consistency and the witness --------------------------------------------------------------------------------

def test_check_consistency(log: Log) -> None:
    older, newer = log.checkpoint(13), log.checkpoint(37)
    check_consistency(older, newer, log.consistency(13, 37)["path"])
    check_consistency(newer, newer, [])
    assert check_consistency_proof(log.consistency(13, 37), older, newer) == (
        f"OK: {ORIGIN} at size 37 (root {log.roots[37].hex()}) extends size 13 (root {log.roots[13].hex()})")
    with pytest.raises(ProofError, match="does not verify: the newer tree does not extend the older one"):
        check_consistency(older, newer, log.consistency(12, 37)["path"])
    with pytest.raises(ProofError, match="smaller than the older"):
        check_consistency(newer, older, [])
    with pytest.raises(ProofError, match="proof is from 12 to 37"):
        check_consistency_proof(log.consistency(12, 37), older, newer)
    with pytest.raises(ProofError, match="different logs"):
        check_consistency(Log(13, "other.example/log").checkpoint(), newer, log.consistency(13, 37)["path"])


def forked(log: Log, at: int) -> Log:
    """The same log rewritten from position ``at`` on (an edited record), re-signed with the same key."""
    other = Log(0)
    for p in range(1, log.cr.size + 1):
        other.append(event(p) if p != at else event(p) + b" ")
    return other


def size_of(w: Witness) -> int:
    assert w.last is not None
    return w.last.size


def test_witness_ok_path(log: Log) -> None:
    w = Witness()
    v = w.observe(log.checkpoint(0))
    assert (v.status, v.ok, size_of(w)) == ("ok", True, 0)
    assert w.proof_needed(log.checkpoint(10)) == (0, 10)
    v = w.observe(log.checkpoint(10), log.consistency(0, 10)["path"])
    assert v.ok and size_of(w) == 10
    v = w.observe(log.checkpoint(10))
    assert v.ok and v.reason == "no new entries (size 10)"
    assert w.proof_needed(log.checkpoint(10)) is None
    v = w.observe(log.checkpoint(37), log.consistency(10, 37)["path"])
    assert v.ok and v.reason == "log grew from size 10 to 37 consistently" and w.last == log.checkpoint(37)


def test_witness_rollback_and_forks(log: Log) -> None:
    w = Witness(log.checkpoint(20))
    v = w.observe(log.checkpoint(19))
    assert (v.status, v.kept.size, v.observed.size) == ("rollback", 20, 19)
    assert size_of(w) == 20  # state unchanged
    evil = forked(log, 15)
    v = w.observe(evil.checkpoint(20))
    assert v.status == "fork" and "two different roots for size 20" in v.reason
    v = w.observe(evil.checkpoint(30), evil.consistency(20, 30)["path"])
    assert v.status == "fork" and "does not extend" in v.reason and w.last == log.checkpoint(20)
    # A rewrite after the size the witness saw is just growth: nothing was changed that it had vouched for.
    later = forked(log, 25)
    assert w.observe(later.checkpoint(30), later.consistency(20, 30)["path"]).ok
    # Junk instead of a proof is no proof: fork, not a crash.
    assert Witness(log.checkpoint(20)).observe(log.checkpoint(30), ["zz"]).status == "fork"


def test_witness_refuses_to_judge_without_what_it_needs(log: Log) -> None:
    w = Witness(log.checkpoint(5))
    with pytest.raises(ProofError, match="consistency proof from size 5 to 9 is needed"):
        w.observe(log.checkpoint(9))
    with pytest.raises(ProofError, match="the witness follows"):
        w.observe(Log(9, "other.example/log").checkpoint())
    assert size_of(w) == 5
