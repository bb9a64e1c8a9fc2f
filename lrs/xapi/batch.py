"""Turning a received batch into statements ready to store: the one path every writer uses.

The HTTP API, the attendance importers and the demo loader all call :func:`prepare_batch`, so a statement
is valid, stamped and signature-checked the same way whichever door it came in by.
"""
from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import Any, Protocol

from lrs.xapi import model
from lrs.xapi.errors import BadRequest, XAPIError
from lrs.xapi.formats import SIGNATURE_USAGE_TYPE
from lrs.xapi.limits import check_storable
from lrs.xapi.signature import verify_signed_statement
from lrs.xapi.validation import validate_statement



class HasContent(Protocol):
    content: bytes


def sha_matches(sha: str, data: bytes) -> bool:
    """True if ``sha`` is the SHA-256/384/512 hex digest of ``data``."""
    algo = {64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}.get(len(sha))
    return algo is not None and algo(data).hexdigest() == sha.lower()


def prepare_statement(stmt: dict[str, Any], *, version: str, authority: dict[str, Any]) -> dict[str, Any]:
    """Normalise a validated statement and stamp what the LRS sets (id, authority, version)."""
    s = model.normalize_statement(stmt, version=version)
    s["id"] = str(uuid.uuid4()) if "id" not in s else s["id"].lower()
    s["authority"] = authority
    if "version" not in s:
        s["version"] = "2.0.0" if version.startswith("2") else "1.0.0"
    return s


def prepare_batch(raw: list[Any], parts: Mapping[str, HasContent], *, version: str, authority: dict[str, Any],
                  single: bool = False, max_batch: int = 10000) -> list[dict[str, Any]]:
    """Validate every statement, match attachments to parts, verify signatures, stamp id/authority/version.

    Raises :class:`~lrs.xapi.errors.XAPIError` (400, or 413 for an oversized batch) naming the statement and
    field at fault; nothing is stored unless the whole batch passes.
    """
    if len(raw) > max_batch:
        raise XAPIError(f"a batch may hold at most {max_batch} statements; this one has {len(raw)}", 413)
    prepared: list[dict[str, Any]] = []
    seen: set[str] = set()
    needed: set[str] = set()
    for i, stmt in enumerate(raw):
        path = "statement" if single else f"statement[{i}]"
        validate_statement(stmt, version=version, path=path)
        check_storable(stmt, path)
        sid = stmt.get("id")
        if sid is not None:
            sid = sid.lower()
            if sid in seen:
                raise BadRequest(f"{path}.id: {sid} appears more than once in the batch")
            seen.add(sid)
        for j, att in enumerate(stmt.get("attachments") or ()):
            sha = att.get("sha2")
            if sha not in parts:
                if "fileUrl" in att:
                    continue
                raise BadRequest(f"{path}.attachments[{j}]: no attachment part with sha2 {sha} was sent "
                                 "(and the attachment has no fileUrl)")
            needed.add(sha)
            if att.get("usageType") == SIGNATURE_USAGE_TYPE:
                # (its content type was checked with the rest of the statement, lrs.xapi.schemas)
                verify_signed_statement(stmt, parts[sha].content, version=version)
        prepared.append(prepare_statement(stmt, version=version, authority=authority))
    unused = set(parts) - needed
    if unused:
        raise BadRequest(f"attachment part(s) {', '.join(sorted(unused))} match no attachment of any statement")
    return prepared
