"""The composition root: the one place that builds the engine, the schema and the services.

The app factory (``lrs.app.create_app``), every CLI command, the projection worker and the tests get what they
need from :func:`build`; no module builds an engine or a service of its own, and nothing is built at import time.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from itsdangerous import URLSafeSerializer
from sqlalchemy import Engine, inspect, select

import lrs.eventlog.tables  # noqa: F401  (the log's tables)
import lrs.store.tables  # noqa: F401  (the xAPI read tables)
import projections.registry  # noqa: F401  (every read model, and so its tables)
from lrs.auth import Authenticator, Throttle
from lrs.config import SettingsError, load_settings, unknown_variables
from lrs.credentials import ALL_SCOPES, CredentialStore
from lrs.db import make_engine, metadata, migrate
from lrs.eventlog.store import EventStore
from lrs.oidc import OidcSettings, OidcVerifier
from lrs.store.group_commit import GroupCommitter
from lrs.signing import SigningKeys, default_key_file
from lrs.store.statements import StatementStore, cursor_signer
from lrs.store.tables import settings as settings_table

log = logging.getLogger("lrs")


class NoDatabase(Exception):
    """The configured database does not exist or is not an LRS's."""


@dataclass
class Services:
    """Everything the app, the CLI and the worker use, built once by :func:`build`."""

    settings: dict[str, Any]
    engine: Engine
    store: EventStore
    credentials: CredentialStore
    auth: Authenticator
    statements: StatementStore
    committer: GroupCommitter

    @property
    def cursors(self) -> URLSafeSerializer:
        """The signer of ``more`` cursors: the newest signing key signs, every key in force verifies."""
        ring = self.auth.keys.ring()
        cached = self._cursor_signer
        if cached is None or cached[0] != ring.keys:
            cached = self._cursor_signer = (ring.keys, cursor_signer(list(reversed(ring.keys))))
        return cached[1]

    _cursor_signer: tuple[tuple[str, ...], URLSafeSerializer] | None = None

    def require_database(self) -> None:
        """Raise :class:`NoDatabase` unless the configured database exists and holds an LRS's tables (commands that
        only read must not create an empty database where a path was mistyped)."""
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            if not os.path.exists(url.database):
                raise NoDatabase(f"there is no database at {url.database} (LRS_DATABASE_URL)")
        if not inspect(self.engine).has_table("events"):
            raise NoDatabase(f"{url.render_as_string(hide_password=True)} holds no LRS event log")

    def close(self) -> None:
        """Give the engine's connections back (before a fork, or at exit)."""
        self.engine.dispose()


def _legacy_secret_key(engine: Engine) -> str | None:
    """The signing key versions before 0.2 kept in the settings table (moved to the key file on first start)."""
    with engine.connect() as conn:
        return conn.execute(select(settings_table.c.value).where(settings_table.c.name == "secret_key")).scalar()


def create_schema(engine: Engine) -> None:
    """Bring the database's schema to the newest migration (creating it in an empty database)."""
    migrate.upgrade(engine)


def build(config: Mapping[str, Any] | None = None, *, env: Mapping[str, str] | None = None, schema: bool = True,
          engine_kwargs: Mapping[str, Any] | None = None) -> Services:
    """Build the services from the ``LRS_*`` settings of ``env`` (default: the environment), overridden by
    ``config``.

    ``schema=False`` leaves the database as it is (for commands that must not create one, such as ``lrs audit
    verify``). Unknown ``LRS_*`` variables are logged as warnings.
    """
    env = os.environ if env is None else env
    for name in unknown_variables(env):
        log.warning("%s is not a setting of this LRS (see the README's configuration table)", name)
    settings = load_settings(env, config)
    engine = make_engine(settings.get("DATABASE_URL"), **dict(engine_kwargs or {}))
    if schema:
        create_schema(engine)
    store = EventStore(engine)
    credentials = CredentialStore(engine, store, int(settings.get("SCRYPT_N") or 2 ** 14))
    throttle = Throttle(str(settings["AUTH_FAILURES_PER_KEY"]), str(settings["AUTH_FAILURES_PER_ADDRESS"]),
                        str(settings["RATE_LIMIT_STORAGE"]))
    keys = SigningKeys(settings.get("SECRET_KEY_FILE") or default_key_file(settings.get("DATABASE_URL")),
                       explicit=settings.get("SECRET_KEY"), legacy=_legacy_secret_key(engine) if schema else None)
    oidc = OidcSettings.from_settings(settings)
    if oidc is not None:
        unknown = (oidc.scopes | frozenset().union(*oidc.group_scopes.values())) - ALL_SCOPES
        if unknown:
            raise SettingsError(f"LRS_OIDC_SCOPES / LRS_OIDC_GROUP_SCOPES name unknown scope(s): "
                                f"{', '.join(sorted(unknown))}")
    auth = Authenticator(engine, credentials, keys, throttle, OidcVerifier(oidc) if oidc else None)
    statements = StatementStore(engine, store)
    return Services(settings=settings, engine=engine, store=store, credentials=credentials, auth=auth,
                    statements=statements, committer=GroupCommitter(statements))
