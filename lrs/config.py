"""Settings: defaults, overridden by ``LRS_*`` environment variables, overridden by ``create_app(config)``."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: an SQLite file "lrs.db" in the working directory
    "API_KEY": None,
    "API_SECRET": None,
    "SECRET_KEY": None,  # None: generated once and kept in the database
    "XAPI_VERSION": "2.0.0",  # newest version served; requests choose 1.0.x or 2.0.x per request
    "MAX_BODY_BYTES": 50 * 1024 * 1024,  # bodies over this answer 413
    "MAX_BATCH": 10000,  # statements in one POST
    "STATEMENT_PAGE_LIMIT": 500,  # the most statements one GET returns (limit=0 means this)
    "WORKER": True,  # `lrs serve` runs the projection workers in-process unless --no-worker
    "SCHOOL_YEAR_START": "07-01",
    "BASE_URL": None,  # public base URL used in authorities and links; None: taken from the request
    "SCRYPT_N": 2 ** 14,  # scrypt cost of stored secrets (tests lower it; the cost is stored with each hash)
}

# Values read from the environment are strings, whatever JSON they look like.
STRING_KEYS = {"DATABASE_URL", "API_KEY", "API_SECRET", "SECRET_KEY", "XAPI_VERSION", "SCHOOL_YEAR_START",
               "BASE_URL"}


def load_settings(env: Mapping[str, str], overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Merge defaults, ``LRS_*`` variables from ``env`` and explicit overrides."""
    out = dict(DEFAULTS)
    for name, raw in env.items():
        if not name.startswith("LRS_"):
            continue
        key = name[4:]
        if key in STRING_KEYS or key not in DEFAULTS:
            out[key] = raw
        elif isinstance(DEFAULTS[key], bool):
            out[key] = raw.strip().lower() in ("1", "true", "yes", "on")
        elif isinstance(DEFAULTS[key], int):
            out[key] = int(raw)
        else:
            out[key] = raw
    if overrides:
        out.update(overrides)
    return out
