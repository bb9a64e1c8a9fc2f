"""The application factory."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from flask import Flask, Response, request
from flask.json.provider import JSONProvider

from lrs import bootstrap
from lrs.api import (about, activities_agents, credentials, documents, imports, openapi, pages, people, profiles,
                     programs, statements, status, tokens)
from lrs.api.errors import register_error_handlers
from lrs.api.xrequest import add_version_header
from lrs.bootstrap import Services


class OrjsonProvider(JSONProvider):
    """Flask's JSON through orjson: a non-finite float is written as null (the stdlib writes ``Infinity``, which is
    not JSON), keys keep their order, and it is several times faster."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS, default=_default).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(s)


def _default(obj: Any) -> Any:
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


def create_app(config: Mapping[str, Any] | None = None, *, services: Services | None = None) -> Flask:
    """Build the LRS app from ``LRS_*`` environment settings, overridden by ``config`` (or from ``services``
    already built by :func:`lrs.bootstrap.build`).

    Creates the engine and the schema; nothing is created at import time.
    """
    if services is None:
        services = bootstrap.build(config)
    settings = services.settings
    app = Flask(__name__)
    app.json = OrjsonProvider(app)
    app.config["MAX_CONTENT_LENGTH"] = int(settings["MAX_BODY_BYTES"])
    app.config["LRS"] = settings
    app.extensions["lrs"] = services
    if settings.get("API_KEY") and settings.get("API_SECRET"):
        outcome = services.credentials.ensure("default", ["all"], key=str(settings["API_KEY"]),
                                              secret=str(settings["API_SECRET"]))
        if outcome == "revoked":
            app.logger.warning("LRS_API_KEY names a revoked credential; it stays revoked")

    if int(settings.get("PROXY_HOPS") or 0) > 0:
        # Behind nginx the peer is the proxy: take the client's address from X-Forwarded-For, trusting exactly as
        # many hops as are configured (more would let a client choose its own address, and dodge the throttle).
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(settings["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    register_error_handlers(app)
    for bp in (about.bp, status.bp, tokens.bp, credentials.bp, statements.bp, documents.bp, activities_agents.bp,
               people.bp, openapi.bp, pages.bp, programs.bp, programs.pages, imports.bp, profiles.bp):
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
