"""The event table. Nothing in the code base issues UPDATE or DELETE against it."""
from __future__ import annotations

from sqlalchemy import Column, Index, LargeBinary, String, Table, Text

from lrs.db.metadata import BigInt, metadata

events = Table(
    "events",
    metadata,
    # Assigned by the appender as head+1 while it holds the writer lock: dense, gapless and in commit order.
    Column("position", BigInt, primary_key=True, autoincrement=False),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("type", String(64), nullable=False),
    Column("stream", String(600), nullable=False),
    Column("payload", Text, nullable=False),  # canonical JSON; hashed exactly as stored
    Column("recorded_at", String(32), nullable=False),  # UTC, fixed width, sorts as text
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
Index("ix_events_recorded_at", events.c.recorded_at)
Index("ix_events_stream", events.c.stream, events.c.position)

# Attachment contents are kept beside the log rather than inside it: the event records each attachment's
# SHA-256 (so the chain covers it) and the bytes live here, content-addressed and written once.
blobs = Table(
    "blobs",
    metadata,
    Column("sha2", String(64), primary_key=True),
    Column("content_type", String(255), nullable=False),
    Column("content", LargeBinary, nullable=False),
)
