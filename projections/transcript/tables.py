"""Tables of transcript@v1 (every row carries its generation, see projections.engine)."""
from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, Integer, String, Table, Text

from lrs.db.metadata import BigInt, metadata

# One row per (statement, credited agent) that means something for a transcript. Entries are recomputed from
# these, so late voiding and activity-definition changes just mark entries for recomputation.
transcript_facts = Table(
    "transcript_facts",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("statement_id", String(36), primary_key=True),
    Column("actor_key", String(2048), primary_key=True),
    Column("entry_key", String(40), nullable=False),
    Column("activity_id", String(2048), nullable=False),
    Column("verb_id", String(2048), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("ts", String(40)),
    Column("date", String(10), nullable=False),
    Column("position", BigInt, nullable=False),
    Column("duration_s", Float),
    Column("registration", String(36)),
    Column("attrs", Text, nullable=False),  # JSON
    Column("voided", Boolean, nullable=False),
)
Index("ix_transcript_facts_entry", transcript_facts.c.gen, transcript_facts.c.entry_key)

# Ids voided by a voiding statement: a voiding that arrives before its target still applies.
transcript_voids = Table(
    "transcript_voids",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("statement_id", String(36), primary_key=True),
    Column("position", BigInt, nullable=False),
)

# Activity definitions as the statements described them so far (merged, later wins).
transcript_activities = Table(
    "transcript_activities",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("activity_id", String(2048), primary_key=True),
    Column("definition", Text, nullable=False),  # JSON
    Column("position", BigInt, nullable=False),
)

# Text columns hold what statements said (names, types, providers, credit types): any client's text, so a long value
# must never fail the worker's batch (the batch would be retried forever).
transcript_entries = Table(
    "transcript_entries",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("entry_key", String(40), primary_key=True),
    Column("actor_key", String(2048), nullable=False),
    Column("activity_id", String(2048), nullable=False),
    Column("registration", String(36)),
    Column("name", Text),
    Column("activity_type", Text),
    Column("outcome", String(16), nullable=False),
    Column("date", String(10), nullable=False),
    Column("start_date", String(10), nullable=False),
    Column("end_date", String(10), nullable=False),
    Column("school_year", String(16), nullable=False),
    Column("hours", Float, nullable=False),
    Column("hours_source", String(16)),
    Column("credit_type", Text),
    Column("credit_amount", Float),
    Column("delivery_model", String(32), nullable=False),
    Column("classification", String(32), nullable=False),
    Column("provider", Text),
    Column("instructors", Text, nullable=False),  # JSON list
    Column("score", Float),
    Column("statement_ids", Text, nullable=False),  # JSON list, in stored order
    Column("position", BigInt, nullable=False),  # the newest statement in the entry
)
Index("ix_transcript_entries_actor", transcript_entries.c.gen, transcript_entries.c.actor_key,
      transcript_entries.c.date)
Index("ix_transcript_entries_activity", transcript_entries.c.gen, transcript_entries.c.activity_id)
