"""SQLAlchemy infrastructure shared by the event log, the xAPI read tables and the projections."""
from __future__ import annotations

from lrs.db.engine import make_engine, normalize_url, write_transaction
from lrs.db.metadata import metadata

__all__ = ["make_engine", "metadata", "normalize_url", "write_transaction"]
