"""Verification of signed statements (xAPI-Data 2.6).

A signed statement carries a JWS as an attachment with usageType
``http://adlnet.gov/expapi/attachments/signature``. The LRS must reject malformed signatures
with 400: the JWS must decode, use RS256/RS384/RS512, verify against the x5c certificate when its
header has one, and carry as payload the statement as it was before the signature was added.
The x5c check catches mistakes, it is not a trust decision (2.6, "Note"), so certificate chains
and expiry are not checked, and a JWS without x5c is decoded without verifying the signature.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt import api_jws

from lrs.xapi.errors import InvalidField
from lrs.xapi.model import statements_equivalent
from lrs.xapi.formats import SIGNATURE_CONTENT_TYPE, SIGNATURE_USAGE_TYPE

__all__ = ["ALLOWED_ALGORITHMS", "verify_signed_statement", "signature_attachments", "strip_signature"]

#: JWS algorithms xAPI-Data 2.6 allows.
ALLOWED_ALGORITHMS: tuple[str, ...] = ("RS256", "RS384", "RS512")

_SHA2_BY_HEX_LENGTH = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}
_JWS = api_jws.PyJWS()


class _Fail(Exception):
    """A malformed-signature finding; verify_signed_statement turns it into InvalidField at ``path``."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def signature_attachments(stmt: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the statement's signature attachment objects (usageType .../attachments/signature)."""
    attachments = stmt.get("attachments")
    if not isinstance(attachments, list):
        return []
    return [a for a in attachments if isinstance(a, dict) and a.get("usageType") == SIGNATURE_USAGE_TYPE]


def strip_signature(stmt: Mapping[str, Any], signature: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the statement as it was before ``signature`` (default: every signature attachment) was added."""
    out = dict(stmt)
    attachments = out.get("attachments")
    if isinstance(attachments, list):
        if signature is None:
            kept = [a for a in attachments if not (isinstance(a, dict) and a.get("usageType") == SIGNATURE_USAGE_TYPE)]
        else:
            kept = [a for a in attachments if a is not signature]
        if kept:
            out["attachments"] = kept
        else:
            del out["attachments"]  # the signer added the attachments property with the signature
    return out


def _matches_sha2(attachment: Mapping[str, Any], data: bytes) -> bool:
    sha2 = attachment.get("sha2")
    if not isinstance(sha2, str):
        return False
    hasher = _SHA2_BY_HEX_LENGTH.get(len(sha2))
    return hasher is not None and hasher(data).hexdigest() == sha2.lower()


def _pick_signature_attachment(stmt: Mapping[str, Any], data: bytes) -> dict[str, Any]:
    candidates = signature_attachments(stmt)
    if not candidates:
        raise _Fail(f"the statement has no attachment with usageType {SIGNATURE_USAGE_TYPE!r}")
    for attachment in candidates:
        if _matches_sha2(attachment, data):
            return attachment
    if len(candidates) == 1:
        # The multipart layer matches parts to attachments by sha2; trust its pairing.
        return candidates[0]
    raise _Fail("the JWS data matches the sha2 of none of the signature attachments")


def _member(data: Any) -> str:
    # A JSON-serialization member (protected/payload/signature) is a base64url string.
    if not isinstance(data, str):
        raise _Fail("not a JWS compact serialization")
    return data


def _compact_from_json_serialization(text: str) -> str:
    # 1.0.3 only discourages the JWS JSON Serialization (2.6: "SHOULD*" use compact); accept the
    # flattened form and the general form with a single signature by rebuilding the compact form.
    try:
        doc = json.loads(text)
    except ValueError:
        raise _Fail("not a JWS compact serialization") from None
    if not isinstance(doc, dict) or "payload" not in doc:
        raise _Fail("not a JWS compact serialization")
    signatures = doc.get("signatures")
    if signatures is not None:
        if not isinstance(signatures, list) or len(signatures) != 1 or not isinstance(signatures[0], dict):
            raise _Fail("a JWS JSON serialization must carry exactly one signature")
        entry = signatures[0]
    else:
        entry = doc
    return f"{_member(entry.get('protected'))}.{_member(doc['payload'])}.{_member(entry.get('signature'))}"


def _token_text(attachment_bytes: bytes, version: str) -> str:
    try:
        text = attachment_bytes.decode("ascii").strip()
    except UnicodeDecodeError:
        raise _Fail("not a JWS compact serialization") from None
    if text.startswith("{"):
        if not version.startswith("1.0"):
            # xAPI 2.0 (LRS 4.2.6): "JWS Compact Serialization SHALL be used".
            raise _Fail("not a JWS compact serialization (xAPI 2.0 requires the compact form)")
        text = _compact_from_json_serialization(text)
    if text.count(".") != 2:
        raise _Fail("not a JWS compact serialization")
    return text


def _x5c_public_key(x5c: Any) -> RSAPublicKey:
    if not isinstance(x5c, list) or not x5c or not isinstance(x5c[0], str):
        raise _Fail("the JWS header's x5c must be a non-empty array of base64 certificates")
    try:
        cert = x509.load_der_x509_certificate(base64.b64decode(x5c[0], validate=True))
    except (ValueError, binascii.Error):
        raise _Fail("the first x5c certificate cannot be read") from None
    key = cert.public_key()
    if not isinstance(key, RSAPublicKey):
        raise _Fail("the x5c certificate does not hold an RSA public key")
    return key


def verify_signed_statement(
    stmt: dict[str, Any], attachment_bytes: bytes, *, version: str, path: str = "signature"
) -> None:
    """Check a signed statement's JWS (xAPI-Data 2.6); raise InvalidField (400) if it is malformed.

    ``attachment_bytes`` is the raw body of the signature attachment part; ``version`` is the
    request's xAPI version (1.0.x also accepts a single-signature JWS JSON Serialization, 2.0 only
    the compact form). The JWS payload must be equivalent to ``stmt`` without its signature
    attachment under lrs.xapi.model.statements_equivalent (which compares durations at 0.01 s).
    Errors read ``"<path>: <reason>"``, e.g. ``signature: algorithm must be RS256, RS384 or RS512``;
    pass ``path="statement[3].signature"`` to name a statement of a batch.
    """
    try:
        _verify(stmt, attachment_bytes, version)
    except _Fail as exc:
        raise InvalidField(path, exc.detail) from None


def _verify(stmt: dict[str, Any], attachment_bytes: bytes, version: str) -> None:
    attachment = _pick_signature_attachment(stmt, attachment_bytes)
    content_type = attachment.get("contentType")
    if not isinstance(content_type, str) or content_type.split(";", 1)[0].strip().lower() != SIGNATURE_CONTENT_TYPE:
        raise _Fail(f"the signature attachment's contentType must be {SIGNATURE_CONTENT_TYPE!r}")

    token = _token_text(attachment_bytes, version)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise _Fail("not a JWS compact serialization") from None
    algorithm = header.get("alg")
    if algorithm not in ALLOWED_ALGORITHMS:
        raise _Fail("algorithm must be RS256, RS384 or RS512")

    try:
        if "x5c" in header:
            key = _x5c_public_key(header["x5c"])
            decoded = _JWS.decode_complete(token, key=key, algorithms=[algorithm])
        else:
            decoded = _JWS.decode_complete(token, options={"verify_signature": False})
    except jwt.InvalidSignatureError:
        raise _Fail("the JWS signature does not verify against its x5c certificate") from None
    except jwt.PyJWTError:
        raise _Fail("not a JWS compact serialization") from None

    try:
        payload = json.loads(decoded["payload"])
    except ValueError:
        raise _Fail("the JWS payload is not valid JSON") from None
    if not isinstance(payload, dict):
        raise _Fail("the JWS payload is not a JSON object (a Statement)")
    if not statements_equivalent(payload, strip_signature(stmt, attachment)):
        raise _Fail("JWS payload does not match the statement")
