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

# PostgreSQL only, run by the first migration (lrs/db/migrations): every insert into the log NOTIFYs channel
# lrs_events with the newest position. A trigger rather than a statement from the appender saves a round trip
# inside the writer lock; NOTIFY is still delivered only at commit, and only if the transaction commits. It is a
# wake-up for workers, never the data itself.
POSTGRES_NOTIFY_TRIGGER = """
CREATE OR REPLACE FUNCTION lrs_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('lrs_events', (SELECT max(position) FROM appended)::text);
  RETURN NULL;
END $$;
CREATE TRIGGER lrs_events_notify AFTER INSERT ON events REFERENCING NEW TABLE AS appended
  FOR EACH STATEMENT EXECUTE FUNCTION lrs_events_notify();
"""

# A batch's payload is large and compressed inside the writer lock: lz4 costs a fraction of PostgreSQL's default
# pglz. Servers built without lz4 keep the default.
POSTGRES_LZ4_PAYLOAD = """
DO $$ BEGIN
  ALTER TABLE events ALTER COLUMN payload SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN NULL;
END $$;
"""
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
