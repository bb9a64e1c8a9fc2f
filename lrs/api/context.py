"""The services an app holds (built by :mod:`lrs.bootstrap`), reachable from views as ``lrs_services()``."""
from __future__ import annotations

from flask import current_app, request

from lrs.auth import Principal
from lrs.bootstrap import Services


def lrs_services() -> Services:
    """The current app's :class:`~lrs.bootstrap.Services`."""
    services: Services = current_app.extensions["lrs"]
    return services


def authenticate() -> Principal:
    """The caller of the current request (401 without valid credentials, 429 when throttled)."""
    return lrs_services().auth.authenticate(request.headers.get("Authorization"), client=request.remote_addr)
