"""``/api/v1/credentials``: list, create, rotate and revoke credentials (``admin`` scope only).

The same operations as ``lrs credentials …``. A secret is shown once, in the answer to the request that made it.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from lrs.api.context import authenticate, lrs_services
from lrs.auth import Principal
from lrs.credentials import CredentialError
from lrs.xapi.errors import BadRequest, Forbidden, XAPIError

bp = Blueprint("credentials", __name__, url_prefix="/api/v1/credentials")


def _admin() -> Principal:
    p = authenticate()
    if "admin" not in p.scopes:
        raise Forbidden("managing credentials needs the admin scope")
    return p


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True) if request.data else {}
    if not isinstance(body, dict):
        raise BadRequest('the body must be a JSON object such as {"name": "LMS", "scopes": ["statements/write"]}')
    return body


def _str_or_none(body: dict[str, Any], name: str) -> str | None:
    v = body.get(name)
    if v is not None and not isinstance(v, str):
        raise BadRequest(f"{name} must be a string")
    return v


def _scopes(body: dict[str, Any]) -> list[str]:
    scopes = body.get("scopes", ["all"])
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise BadRequest("scopes must be a list of scope names")
    return scopes


def _credential_error(e: CredentialError) -> XAPIError:
    return XAPIError(str(e), e.status)


@bp.get("")
def list_credentials() -> Response:
    """Every credential, without secrets."""
    _admin()
    return jsonify({"items": [c.as_json() for c in lrs_services().auth.credentials.all()], "next": None})


@bp.post("")
def create_credential() -> tuple[Response, int]:
    """Body ``{"name", "scopes", "key"?, "secret"?, "person"?}``: 201 with the key and (once) the secret."""
    admin = _admin()
    body = _body()
    name = _str_or_none(body, "name")
    if not name:
        raise BadRequest("name is required")
    try:
        key, secret = lrs_services().auth.credentials.create(
            name, _scopes(body), key=_str_or_none(body, "key"), secret=_str_or_none(body, "secret"),
            person=_str_or_none(body, "person"), by=admin.key)
    except CredentialError as e:
        raise _credential_error(e) from None
    return jsonify({"key": key, "secret": secret}), 201


@bp.post("/<key>/rotate")
def rotate_credential(key: str) -> Response:
    """A new secret (and optionally new scopes/name): the old secret and its tokens stop working at once."""
    admin = _admin()
    body = _body()
    creds = lrs_services().auth.credentials
    cur = creds.get(key)
    if cur is None:
        raise XAPIError(f"no credential {key!r}", 404)
    try:
        key, secret = creds.create(_str_or_none(body, "name") or cur.name,
                                   _scopes(body) if "scopes" in body else sorted(cur.scopes), key=key,
                                   secret=_str_or_none(body, "secret"), person=_str_or_none(body, "person"),
                                   rotate=True, by=admin.key)
    except CredentialError as e:
        raise _credential_error(e) from None
    return jsonify({"key": key, "secret": secret})


@bp.delete("/<key>")
def revoke_credential(key: str) -> Response:
    """Revoke a credential and every token issued to it (the row stays, marked revoked)."""
    admin = _admin()
    try:
        c = lrs_services().auth.credentials.revoke(key, by=admin.key)
    except CredentialError as e:
        raise _credential_error(e) from None
    return jsonify(c.as_json())
