"""Tests for lrs.xapi.signature: signed statements as the conformance suites send them (E.Data2.6, 4.2.7)."""
from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from jwt import api_jws

from lrs.xapi.errors import InvalidField
from lrs.xapi.signature import signature_attachments, strip_signature, verify_signed_statement
from lrs.xapi.validation import SIGNATURE_USAGE_TYPE, validate_statement
from tests.builders import make_attachment, make_statement

V1, V2 = "1.0.3", "2.0.0"


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _self_signed(key: Any) -> str:
    """Base64 DER of a self-signed certificate for ``key`` (the x5c header format)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "xAPI test signer")])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


KEY = _rsa_key()
OTHER_KEY = _rsa_key()
CERT = _self_signed(KEY)


def _sign(payload: Any, *, algorithm: str = "RS256", key: Any = KEY, x5c: list[str] | None = None) -> bytes:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"x5c": x5c} if x5c is not None else None
    return api_jws.encode(raw, key, algorithm=algorithm, headers=headers).encode()


def _b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _hmac_token(payload: Any, algorithm: str, secret: bytes) -> bytes:
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[algorithm]
    signing_input = _b64url(json.dumps({"alg": algorithm}).encode()) + b"." + _b64url(json.dumps(payload).encode())
    return signing_input + b"." + _b64url(hmac.new(secret, signing_input, digest).digest())


def _signed(stmt: dict[str, Any], token: bytes, **attachment: Any) -> dict[str, Any]:
    """What the client sends: the statement plus the signature attachment (as the CTS helper does)."""
    signed = copy.deepcopy(stmt)
    meta = {
        "usageType": SIGNATURE_USAGE_TYPE,
        "display": {"en-US": "Signed by the Test Suite"},
        "description": {"en-US": "Signed by the Test Suite"},
        "contentType": "application/octet-stream",
        "length": len(token),
        "sha2": hashlib.sha256(token).hexdigest(),
    }
    meta.update(attachment)
    signed.setdefault("attachments", []).append(meta)
    return signed


def _rejects(stmt: dict[str, Any], token: bytes, version: str = V1) -> str:
    with pytest.raises(InvalidField) as info:
        verify_signed_statement(stmt, token, version=version)
    assert info.value.status == 400
    assert info.value.path == "signature"
    return info.value.message


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
@pytest.mark.parametrize("version", [V1, V2])
@pytest.mark.parametrize("with_x5c", [True, False])
def test_accepts_rsa_signatures(algorithm: str, version: str, with_x5c: bool) -> None:
    stmt = make_statement()
    token = _sign(stmt, algorithm=algorithm, x5c=[CERT] if with_x5c else None)
    signed = _signed(stmt, token)
    validate_statement(signed, version=version)
    verify_signed_statement(signed, token, version=version)


@pytest.mark.parametrize("algorithm", ["HS256", "HS512", "ES256", "PS256"])
def test_rejects_other_algorithms(algorithm: str) -> None:
    stmt = make_statement()
    if algorithm.startswith("HS"):
        # The CTS signs HS256 with the PEM of its RSA key as the HMAC secret; PyJWT refuses to, so
        # build that token by hand.
        pem = KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        token = _hmac_token(stmt, algorithm, pem)
    else:
        key = ec.generate_private_key(ec.SECP256R1()) if algorithm.startswith("ES") else KEY
        token = _sign(stmt, algorithm=algorithm, key=key)
    assert _rejects(_signed(stmt, token), token) == "signature: algorithm must be RS256, RS384 or RS512"


def test_rejects_unsigned_alg_none() -> None:
    stmt = make_statement()
    token = _b64url(b'{"alg":"none"}') + b"." + _b64url(json.dumps(stmt).encode()) + b"."
    assert "algorithm" in _rejects(_signed(stmt, token), token)


@pytest.mark.parametrize(
    "token",
    [b"not a jws", b"a.b", b"a.b.c.d", b"e30.e30", b"!!!.@@@.###", "é.é.é".encode(), b""],
)
def test_rejects_malformed_jws(token: bytes) -> None:
    stmt = make_statement()
    assert _rejects(_signed(stmt, token), token).startswith("signature: not a JWS compact serialization")


def test_rejects_payload_that_is_not_json() -> None:
    # CTS "breakJson": JSON.stringify(statement).replace('"', "'").
    stmt = make_statement()
    token = _sign(json.dumps(stmt).replace('"', "'", 1).encode())
    assert _rejects(_signed(stmt, token), token) == "signature: the JWS payload is not valid JSON"
    token = _sign([stmt])
    assert "not a JSON object" in _rejects(_signed(stmt, token), token)


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.update(verb={"id": "http://adlnet.gov/expapi/verbs/failed"}),
        lambda s: s["object"].update(id="http://example.org/other"),
        lambda s: s.update(result={"success": True}),
        lambda s: s.update(timestamp="2001-01-01T00:00:00Z"),
        lambda s: s["actor"].update(mbox="mailto:someone-else@example.org"),
    ],
)
def test_rejects_payload_that_differs_from_the_statement(change: Any) -> None:
    stmt = make_statement()
    token = _sign(stmt, x5c=[CERT])
    sent = copy.deepcopy(stmt)
    change(sent)
    assert _rejects(_signed(sent, token), token) == "signature: JWS payload does not match the statement"


def test_rejects_signature_that_does_not_verify_against_x5c() -> None:
    stmt = make_statement()
    token = _sign(stmt, key=OTHER_KEY, x5c=[CERT])
    assert "does not verify" in _rejects(_signed(stmt, token), token)


@pytest.mark.parametrize("x5c", [[], ["%%%"], [base64.b64encode(b"not a certificate").decode()], "cert", [12]])
def test_rejects_unreadable_x5c(x5c: Any) -> None:
    stmt = make_statement()
    token = _sign(stmt, x5c=x5c)
    assert "x5c" in _rejects(_signed(stmt, token), token)


def test_rejects_non_rsa_certificate() -> None:
    stmt = make_statement()
    ec_cert = _self_signed(ec.generate_private_key(ec.SECP256R1()))
    token = _sign(stmt, x5c=[ec_cert])
    assert "RSA" in _rejects(_signed(stmt, token), token)


def test_rejects_wrong_content_type() -> None:
    # CTS "bad content type": usageType signature but contentType text/plain.
    stmt = make_statement()
    token = _sign(stmt)
    assert "contentType" in _rejects(_signed(stmt, token, contentType="text/plain; charset=ascii"), token)


def test_rejects_statement_without_signature_attachment() -> None:
    stmt = make_statement(attachments=[make_attachment()])
    token = _sign(stmt)
    assert "no attachment with usageType" in _rejects(stmt, token)


def test_duration_precision_beyond_hundredths_is_ignored() -> None:
    # 2.0 CTS 4.2.7: payload signed with 0.12S, body sent with 0.1237S -> accepted.
    stmt = make_statement(result={"duration": "P1DT12H36M0.12S"})
    token = _sign(stmt)
    sent = _signed(stmt, token)
    sent["result"]["duration"] = "P1DT12H36M0.1237S"
    verify_signed_statement(sent, token, version=V2)
    sent["result"]["duration"] = "P1DT12H36M0.13S"
    _rejects(sent, token, V2)


def test_lrs_assignments_and_serialisation_differences_are_ignored() -> None:
    stmt = make_statement(timestamp="2023-05-04T12:00:00-05:00", context={"contextActivities": {"parent": {"id": "http://example.org/p"}}})
    del stmt["id"]
    token = _sign(stmt, x5c=[CERT])
    sent = _signed(stmt, token)
    sent["id"] = "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"
    sent["timestamp"] = "2023-05-04T17:00:00.000Z"
    sent["context"]["contextActivities"]["parent"] = [sent["context"]["contextActivities"]["parent"]]
    sent["object"].pop("objectType")
    verify_signed_statement(sent, token, version=V1)


def test_other_attachments_stay_part_of_the_signed_statement() -> None:
    stmt = make_statement(attachments=[make_attachment()])
    token = _sign(stmt)
    sent = _signed(stmt, token)
    verify_signed_statement(sent, token, version=V1)
    # Adding an attachment after signing changes the statement.
    sent["attachments"].insert(0, make_attachment(sha2="1" * 64))
    _rejects(sent, token)


def test_picks_the_signature_attachment_by_sha2() -> None:
    stmt = make_statement()
    token = _sign(stmt)
    sent = _signed(stmt, token)
    decoy = dict(sent["attachments"][0], sha2="0" * 64)
    sent["attachments"].insert(0, decoy)
    # The decoy signature attachment is not part of what was signed, so the payload no longer matches...
    _rejects(sent, token)
    # ...but the right attachment was found: with two signature attachments whose sha2 matches
    # neither, the data cannot be paired at all.
    sent["attachments"][1] = dict(sent["attachments"][1], sha2="1" * 64)
    assert "sha2" in _rejects(sent, token)


def test_json_serialization_only_under_1_0_3() -> None:
    stmt = make_statement()
    compact = _sign(stmt).decode()
    protected, payload, signature = compact.split(".")
    flattened = json.dumps({"payload": payload, "protected": protected, "signature": signature}).encode()
    general = json.dumps({"payload": payload, "signatures": [{"protected": protected, "signature": signature}]}).encode()
    for token in (flattened, general):
        sent = _signed(stmt, token)
        verify_signed_statement(sent, token, version=V1)
        assert "compact" in _rejects(sent, token, V2)
    two = json.dumps({"payload": payload, "signatures": [{"protected": protected, "signature": signature}] * 2}).encode()
    assert "exactly one signature" in _rejects(_signed(stmt, two), two)


def test_error_path_can_name_the_statement() -> None:
    stmt = make_statement()
    token = b"not a jws"
    with pytest.raises(InvalidField) as info:
        verify_signed_statement(_signed(stmt, token), token, version=V1, path="statement[2].signature")
    assert info.value.message == "statement[2].signature: not a JWS compact serialization"


def test_helpers() -> None:
    stmt = make_statement(attachments=[make_attachment()])
    token = _sign(stmt)
    sent = _signed(stmt, token)
    assert [a["usageType"] for a in signature_attachments(sent)] == [SIGNATURE_USAGE_TYPE]
    assert strip_signature(sent) == stmt
    only_signature = _signed(make_statement(), token)
    assert "attachments" not in strip_signature(only_signature)
    assert signature_attachments(make_statement()) == []


def test_jwt_library_is_pyjwt() -> None:
    # The module relies on PyJWT's JWS API (not python-jose); guard against a swapped dependency.
    assert hasattr(jwt, "get_unverified_header") and hasattr(api_jws, "PyJWS")
