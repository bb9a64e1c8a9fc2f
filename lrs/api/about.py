"""``/xapi/about`` and ``/health``."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify

from lrs import __version__
from lrs.api.xrequest import served_versions

bp = Blueprint("about", __name__)


@bp.route("/xapi/about", methods=["GET", "HEAD"])
def about() -> Response:
    """The versions served; works without a version header, as both versions require."""
    return jsonify({"version": served_versions(),
                    "extensions": {"https://district.example/xapi/lrs/version": __version__}})


@bp.route("/health", methods=["GET"])
def health() -> Response:
    """Liveness: the process answers (no database or auth involved)."""
    return jsonify({"status": "ok"})
