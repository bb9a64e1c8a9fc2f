"""``POST /api/v1/tokens``: trade a Basic credential for a short-lived bearer JWT with fewer (or equal) scopes.

Browser content and reporting tools should not hold a long-lived secret; they hold a token that expires.
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from lrs.api.context import authenticate, lrs_services
from lrs.auth import ALL_SCOPES
from lrs.xapi.errors import BadRequest, Forbidden

bp = Blueprint("tokens", __name__)
MAX_TTL = 24 * 3600


@bp.route("/api/v1/tokens", methods=["POST"])
def issue() -> Response:
    """Body (optional JSON): ``{"scopes": [...], "ttl": seconds}``; answers ``{"access_token", ...}``."""
    svc = lrs_services()
    principal = authenticate()
    if principal.via != "basic":
        raise Forbidden("tokens are issued to Basic credentials only, not to other tokens")
    body = request.get_json(silent=True) if request.data else {}
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object like {\"scopes\": [...], \"ttl\": 3600}")
    scopes = body.get("scopes") or sorted(principal.scopes)
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise BadRequest("scopes must be a list of scope names")
    unknown = [s for s in scopes if s not in ALL_SCOPES]
    if unknown:
        raise BadRequest(f"unknown scope(s): {', '.join(unknown)}")
    missing = [s for s in scopes if not principal.can_grant(s)]
    if missing:
        raise Forbidden(f"this credential cannot grant scope(s) it does not hold: {', '.join(missing)}")
    ttl = body.get("ttl", 3600)
    if not isinstance(ttl, int) or isinstance(ttl, bool) or not 60 <= ttl <= MAX_TTL:
        raise BadRequest(f"ttl must be an integer number of seconds between 60 and {MAX_TTL}")
    token = svc.auth.issue_token(principal, scopes, ttl_seconds=ttl)
    return jsonify({"access_token": token, "token_type": "Bearer", "expires_in": ttl, "scope": " ".join(scopes)})
