"""The services an app holds, reachable from views as ``lrs_services()``."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from itsdangerous import URLSafeSerializer
from sqlalchemy import Engine

from lrs.auth import Authenticator
from lrs.eventlog.store import EventStore
from lrs.store.group_commit import GroupCommitter
from lrs.store.statements import StatementStore


@dataclass
class Services:
    """Everything a request handler needs; built once per app by ``create_app``."""

    engine: Engine
    store: EventStore
    auth: Authenticator
    settings: dict[str, Any]
    statements: StatementStore
    committer: GroupCommitter
    cursors: URLSafeSerializer
    extra: dict[str, Any] = field(default_factory=dict)


def lrs_services() -> Services:
    """The current app's :class:`Services`."""
    return current_app.extensions["lrs"]
