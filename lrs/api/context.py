"""The services an app holds (built by :mod:`lrs.bootstrap`), reachable from views as ``lrs_services()``."""
from __future__ import annotations

from flask import current_app

from lrs.bootstrap import Services


def lrs_services() -> Services:
    """The current app's :class:`~lrs.bootstrap.Services`."""
    services: Services = current_app.extensions["lrs"]
    return services
