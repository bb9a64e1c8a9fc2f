"""The OpenAPI 3.1 document of the reporting API (``GET /api/v1/openapi.json``).

Each blueprint describes its own paths beside its views with :func:`add_paths`; this module only assembles them,
so the document cannot fall behind an endpoint that exists (a test compares it with the app's URL map).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

_PATHS: dict[str, dict[str, Any]] = {}

OK = {"200": {"description": "OK (JSON, or CSV with Accept: text/csv or format=csv)"},
      "400": {"description": "a parameter is malformed (the message names it)"},
      "401": {"description": "no valid credentials"}, "403": {"description": "not allowed for this credential"}}


def q(name: str, desc: str, *, required: bool = False) -> dict[str, Any]:
    """A string query parameter."""
    return {"name": name, "in": "query", "required": required, "schema": {"type": "string"}, "description": desc}


def path_param(name: str, desc: str) -> dict[str, Any]:
    """A string path parameter."""
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "description": desc}


PERSON = path_param("person", "employee id, or mbox:mailto:…, mbox_sha1sum:HEX, openid:URL, account:HOMEPAGE|NAME")
PAGING = [q("limit", "1-1000, default 100"), q("cursor", "from `next`")]
KNOWN_AT = q("known_at", "ISO 8601 time or log position: the answer as the LRS knew it then")
FORMAT = q("format", "json | csv")


def add_paths(paths: dict[str, dict[str, Any]]) -> None:
    """Describe some paths (each ``{method: operation}``); later calls add methods to a path already described."""
    for path, ops in paths.items():
        _PATHS.setdefault(path, {}).update(ops)


def document() -> dict[str, Any]:
    """The whole document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "District LRS reporting API", "version": "1",
                 "description": "Read models of the district LRS: people, transcripts, compliance, programs. "
                                "Every list answers {items, next}; CSV with Accept: text/csv or format=csv."},
        "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"},
                                           "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
        "security": [{"basic": []}, {"bearer": []}],
        "paths": dict(sorted(_PATHS.items())),
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    """An OpenAPI 3.1 description of this API."""
    return jsonify(document())
