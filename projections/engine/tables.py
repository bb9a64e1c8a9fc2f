"""Tables of the projection engine and of every read model it maintains.

Every read-model row carries ``gen``, the *generation* it belongs to. A projection has one ``active`` generation
that readers use and the live worker advances; ``lrs replay`` builds a new generation beside it from position
zero and flips the pointer when it has caught up, and as-of builds are generations frozen at a position. So a
rebuild never disturbs readers, and no DDL happens at run time (``create_all`` knows every table).
"""
from __future__ import annotations

from sqlalchemy import Column, Float, Integer, String, Table

from lrs.db.metadata import BigInt, metadata

# One row per (projection, generation). ``position`` is the last log position whose effects are in the read model;
# it is advanced by compare-and-set in the same transaction as the read-model writes (see engine.apply_batch).
projection_checkpoints = Table(
    "projection_checkpoints",
    metadata,
    Column("name", String(100), primary_key=True),  # "transcript@v1"
    Column("gen", Integer, primary_key=True, autoincrement=False),
    # active | building (replay in progress) | retired (being dropped) | as_of_building | as_of (frozen build)
    Column("status", String(16), nullable=False),
    Column("position", BigInt, nullable=False),
    Column("upto", BigInt),  # as-of builds: the last position they include
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)

# Ownership where advisory locks are not available (SQLite): a lease with a fencing token. A worker owns a
# projection while ``owner`` is its id and ``expires_at`` (epoch seconds) is in the future; taking over an expired
# lease increments ``token``, and every batch commit checks the token it was granted (engine.apply_batch).
projection_leases = Table(
    "projection_leases",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("token", BigInt, nullable=False),
    Column("expires_at", Float, nullable=False),
)

