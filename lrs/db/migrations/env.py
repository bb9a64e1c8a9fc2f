"""Alembic's environment for the LRS: migrations run on the connection lrs.db.migrate hands over (never a URL from a
config file), with the product's metadata as the target for autogenerate."""
from __future__ import annotations

from alembic import context

from lrs.bootstrap import metadata  # every table of the product (bootstrap imports each table module)

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - lrs.db.migrate always passes one
    raise RuntimeError("run migrations through lrs.db.migrate (lrs db upgrade)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  compare_type=True, compare_server_default=False)
with context.begin_transaction():
    context.run_migrations()
