"""The application factory."""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request

from lrs.config import load_settings


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the LRS app from ``LRS_*`` environment settings, overridden by ``config``.

    Creates the engine and the schema; nothing is created at import time.
    """
    from lrs.api.context import Services
    from lrs.api.errors import register_error_handlers
    from lrs.api.xrequest import add_version_header
    from lrs.auth import Authenticator
    from lrs.credentials import CredentialStore
    from lrs.db import make_engine, metadata
    from lrs.eventlog.store import EventStore
    from lrs.store.group_commit import GroupCommitter
    from lrs.store.statements import StatementStore, cursor_signer

    settings = load_settings(os.environ, config)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = int(settings["MAX_BODY_BYTES"])
    app.config["JSON_SORT_KEYS"] = False
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.config["LRS"] = settings

    engine = make_engine(settings["DATABASE_URL"])
    _load_table_modules()
    metadata.create_all(engine)
    store = EventStore(engine)
    auth = Authenticator(engine, CredentialStore(engine, store, int(settings["SCRYPT_N"])), settings.get("SECRET_KEY"))
    statements = StatementStore(engine, store)
    services = Services(engine=engine, store=store, auth=auth, settings=settings, statements=statements,
                        committer=GroupCommitter(statements), cursors=cursor_signer(auth.secret_key))
    app.extensions["lrs"] = services
    if settings.get("API_KEY") and settings.get("API_SECRET"):
        outcome = auth.credentials.ensure("default", ["all"], key=str(settings["API_KEY"]),
                                          secret=str(settings["API_SECRET"]))
        if outcome == "revoked":
            app.logger.warning("LRS_API_KEY names a revoked credential; it stays revoked")

    register_error_handlers(app)
    _register_blueprints(app)

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


def _load_table_modules() -> None:
    """Import every module that declares tables, so ``create_all`` knows them."""
    import lrs.eventlog.tables  # noqa: F401
    import lrs.store.tables  # noqa: F401

    try:
        import projections.registry  # noqa: F401  (imports every read model and its tables)
    except ImportError:
        pass


def _register_blueprints(app: Flask) -> None:
    from lrs.api import about, credentials, tokens

    app.register_blueprint(about.bp)
    app.register_blueprint(tokens.bp)
    app.register_blueprint(credentials.bp)
    for name in ("lrs.api.statements", "lrs.api.documents", "lrs.api.activities_agents", "lrs.api.reporting"):
        try:
            mod = __import__(name, fromlist=["bp"])
        except ModuleNotFoundError as e:
            if e.name == name:
                continue  # that resource is not built yet
            raise
        app.register_blueprint(mod.bp)
