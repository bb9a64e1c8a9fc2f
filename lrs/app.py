"""The application factory."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request

from lrs import bootstrap
from lrs.api import (about, activities_agents, credentials, documents, imports, openapi, pages, people, profiles,
                     statements, status, tokens)
from lrs.api.errors import register_error_handlers
from lrs.api.xrequest import add_version_header
from lrs.bootstrap import Services


def create_app(config: Mapping[str, Any] | None = None, *, services: Services | None = None) -> Flask:
    """Build the LRS app from ``LRS_*`` environment settings, overridden by ``config`` (or from ``services``
    already built by :func:`lrs.bootstrap.build`).

    Creates the engine and the schema; nothing is created at import time.
    """
    if services is None:
        services = bootstrap.build(config)
    settings = services.settings
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = int(settings["MAX_BODY_BYTES"])
    app.config["JSON_SORT_KEYS"] = False
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.config["LRS"] = settings
    app.extensions["lrs"] = services
    if settings.get("API_KEY") and settings.get("API_SECRET"):
        outcome = services.credentials.ensure("default", ["all"], key=str(settings["API_KEY"]),
                                              secret=str(settings["API_SECRET"]))
        if outcome == "revoked":
            app.logger.warning("LRS_API_KEY names a revoked credential; it stays revoked")

    register_error_handlers(app)
    for bp in (about.bp, status.bp, tokens.bp, credentials.bp, statements.bp, documents.bp, activities_agents.bp,
               people.bp, openapi.bp, pages.bp, imports.bp, profiles.bp):
        app.register_blueprint(bp)

    @app.after_request
    def _xapi_headers(resp: Response) -> Response:
        if request.path.startswith("/xapi"):
            add_version_header(resp)
            resp.headers.setdefault("Access-Control-Allow-Origin", "*")
            resp.headers.setdefault("Access-Control-Expose-Headers",
                                    "ETag, Last-Modified, X-Experience-API-Version, "
                                    "X-Experience-API-Consistent-Through")
        return resp

    return app
