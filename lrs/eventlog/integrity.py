"""The hash chain that makes the log tamper-evident.

``hash_n = SHA-256(json([hash_{n-1}, position, event_id, type, stream, recorded_at]) + newline + payload)`` over
the exact stored text, so verification needs no re-serialisation and any edit, deletion or reordering of a row
changes every later hash. The header is a JSON array rather than a ``|``-joined string because streams carry
agent keys such as ``account:HOMEPAGE|NAME``: with a bare separator, text could be moved from one field to the
next (``type="a|b", stream="c"`` against ``type="a", stream="b|c"``) without changing the hash.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import Engine, select

from lrs.eventlog.tables import events

GENESIS = "0" * 64


def chain_hash(prev_hash: str, position: int, event_id: str, type_: str, stream: str, recorded_at: str,
               payload: str) -> str:
    """The hash of one event given its predecessor's."""
    h = hashlib.sha256()
    h.update(json.dumps([prev_hash, position, event_id, type_, stream, recorded_at], ensure_ascii=False,
                        separators=(",", ":")).encode())
    h.update(b"\n")
    h.update(payload.encode())
    return h.hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify_chain`: ``first_bad`` is the first position that fails, if any."""

    ok: bool
    checked: int
    head: int
    head_hash: str
    first_bad: int | None = None
    reason: str | None = None


def verify_chain(engine: Engine, batch: int = 5000) -> VerifyResult:
    """Walk the whole log in position order and check positions, links and hashes."""
    prev_hash, expected, checked = GENESIS, 1, 0
    last = 0
    with engine.connect() as conn:
        while True:
            rows = conn.execute(
                select(events.c.position, events.c.event_id, events.c.type, events.c.stream,
                       events.c.recorded_at, events.c.payload, events.c.prev_hash, events.c.hash)
                .where(events.c.position > last).order_by(events.c.position).limit(batch)
            ).all()
            if not rows:
                break
            for r in rows:
                if r.position != expected:
                    return VerifyResult(False, checked, last, prev_hash, expected,
                                        f"position {expected} is missing (next row is {r.position})")
                if r.prev_hash != prev_hash:
                    return VerifyResult(False, checked, last, prev_hash, r.position,
                                        "prev_hash does not link to the previous event")
                h = chain_hash(prev_hash, r.position, r.event_id, r.type, r.stream, r.recorded_at, r.payload)
                if h != r.hash:
                    return VerifyResult(False, checked, last, prev_hash, r.position,
                                        "hash does not match the event's contents")
                prev_hash, expected, last = h, expected + 1, r.position
                checked += 1
    return VerifyResult(True, checked, last, prev_hash)
