"""``/xapi/about`` and ``/health``."""
from __future__ import annotations

import re

from flask import Blueprint, Response, g, jsonify, request

from lrs import __version__
from lrs.api.xrequest import V103, VERSION_HEADER, served_versions

bp = Blueprint("about", __name__)


@bp.route("/xapi/about", methods=["GET", "HEAD"])
def about() -> Response:
    """The versions served; works without a version header, as both versions require.

    A client that says it speaks 1.0.x is told about 1.0.3 only: 1.0-era clients validate the list against
    the versions they know (TinCanPython raises on "2.0.0"), and a 1.0 client cannot use 2.0 anyway.
    """
    asked = (request.headers.get(VERSION_HEADER) or "").strip()
    versions = served_versions()
    if re.match(r"^1\.0(\.\d+)?$", asked):
        versions = [V103]
        g.xapi_version = V103
    return jsonify({"version": versions,
                    "extensions": {"https://district.example/xapi/lrs/version": __version__}})


@bp.route("/health", methods=["GET"])
def health() -> Response:
    """Liveness: the process answers (no database or auth involved)."""
    return jsonify({"status": "ok"})
