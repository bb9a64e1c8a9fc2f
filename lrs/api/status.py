"""``GET /api/v1/status``: the log head and each projection's position and lag; ``GET /ready``: readiness."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from lrs.api.context import lrs_services
from lrs.api.listing import principal
from lrs.api.openapi import OK, add_paths
from projections.status import status as projection_status

bp = Blueprint("status", __name__)


@bp.get("/api/v1/status")
def status() -> Response:
    """The log head and each projection's position and lag."""
    principal()
    return jsonify(projection_status(lrs_services().engine))


@bp.get("/ready")
def ready() -> tuple[Response, int]:
    """Readiness: 200 when the database answers, 503 when it does not (``/health`` only says the process runs)."""
    try:
        with lrs_services().engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as e:
        first = str(e.orig).strip().splitlines()[0] if e.orig is not None else type(e).__name__
        return jsonify({"status": "unavailable", "database": first[:200]}), 503
    return jsonify({"status": "ready"}), 200


add_paths({"/api/v1/status": {"get": {"summary": "Log head, projection positions and lag", "responses": OK}}})
