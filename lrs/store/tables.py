"""Read tables the xAPI resources answer from, written in the same transaction as the events that cause them.

They are derived data: every row is written from an event in the same transaction, so it can be rebuilt from
the log.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, LargeBinary, String, Table, Text

from lrs.db.metadata import BigInt, metadata

statements = Table(
    "statements",
    metadata,
    # Stored order. Rows are inserted under the log's writer lock, so ``seq`` grows in commit order and a
    # `more` cursor over it pages through a stable result.
    Column("seq", BigInt, primary_key=True, autoincrement=False),
    Column("statement_id", String(36), nullable=False, unique=True),
    Column("position", BigInt, nullable=False),  # the event that stored it
    Column("stored", String(32), nullable=False),  # fixed-width UTC text
    Column("timestamp", String(32), nullable=False),
    Column("verb_id", String(2048), nullable=False),
    Column("actor_key", String(2048)),
    Column("registration", String(36)),
    Column("voided", Boolean, nullable=False, default=False),
    Column("voids", String(36)),  # set on a voiding statement: the id it voids
    Column("ref_id", String(36)),  # the StatementRef target of any statement whose object is one
    Column("authority_key", String(2048)),
    Column("version", String(16), nullable=False),
    Column("has_attachments", Boolean, nullable=False, default=False),
    Column("data", Text, nullable=False),  # the statement as stored, JSON
)
Index("ix_statements_verb", statements.c.verb_id, statements.c.seq)
Index("ix_statements_registration", statements.c.registration, statements.c.seq)
Index("ix_statements_stored", statements.c.stored, statements.c.seq)
# Few statements reference others, so these two indexes are partial: nearly free to maintain on insert.
Index("ix_statements_ref", statements.c.ref_id, postgresql_where=statements.c.ref_id.is_not(None),
      sqlite_where=statements.c.ref_id.is_not(None))
# Every insert asks "was this id voided before it arrived?", so the lookup must not scan the table.
Index("ix_statements_voids", statements.c.voids, postgresql_where=statements.c.voids.is_not(None),
      sqlite_where=statements.c.voids.is_not(None))
Index("ix_statements_authority", statements.c.authority_key, statements.c.seq)

# direct=True rows answer the `agent`/`activity` filters; direct=False rows (every related key, direct ones too)
# answer `related_agents`/`related_activities`. Each filter reads one (key, direct, seq) range, newest first; an
# index on seq alone would cost every insert and serve no query.
statement_agents = Table(
    "statement_agents",
    metadata,
    Column("seq", BigInt, nullable=False),
    Column("agent_key", String(2048), nullable=False),
    Column("direct", Boolean, nullable=False),
)
Index("ix_statement_agents", statement_agents.c.agent_key, statement_agents.c.direct, statement_agents.c.seq)

statement_activities = Table(
    "statement_activities",
    metadata,
    Column("seq", BigInt, nullable=False),
    Column("activity_id", String(2048), nullable=False),
    Column("direct", Boolean, nullable=False),
)
Index("ix_statement_activities", statement_activities.c.activity_id, statement_activities.c.direct,
      statement_activities.c.seq)

# The canonical Activity definitions built from stored statements (GET /xapi/activities).
activities = Table(
    "activities",
    metadata,
    Column("activity_id", String(2048), primary_key=True),
    Column("definition", Text, nullable=False),  # JSON
    Column("updated_position", BigInt, nullable=False),
)

# Every Agent object seen for an identifier, for GET /xapi/agents (the Person object).
agent_names = Table(
    "agent_names",
    metadata,
    Column("agent_key", String(2048), primary_key=True),
    Column("agent", Text, nullable=False),  # JSON of the agent's IFI, e.g. {"mbox": "..."}
    Column("names", Text, nullable=False),  # JSON list of names seen
)

# State, Activity Profile and Agent Profile documents, current versions.
documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # state | activity_profile | agent_profile
    Column("activity_id", Text, nullable=False, default=""),
    Column("agent_key", Text, nullable=False, default=""),
    Column("registration", String(36), nullable=False, default=""),
    Column("doc_id", Text, nullable=False),
    # SHA-256 of (kind, activity, agent, registration, id) and of (kind, activity, agent): the unique key and the
    # lookup of a context's documents. Indexing the raw parts instead could pass PostgreSQL's btree entry limit.
    Column("key_hash", String(64), nullable=False),
    Column("context_hash", String(64), nullable=False),
    Column("content_type", String(255), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("etag", String(64), nullable=False),
    Column("updated", String(32), nullable=False),
    Column("position", BigInt, nullable=False),
)
Index("ux_documents_key", documents.c.key_hash, unique=True)
Index("ix_documents_context", documents.c.context_hash, documents.c.updated)

credentials = Table(
    "credentials",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("secret_hash", String(255), nullable=False),  # scrypt; the secret is never stored
    Column("name", String(255), nullable=False),
    Column("scopes", String(1024), nullable=False),  # space separated
    Column("person", String(2048)),  # optional: the person (agent key or employee id) it speaks for
    Column("created", String(32), nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    # Incremented by every change (rotation, revocation, scopes): tokens carry the version they were issued under.
    Column("version", Integer, nullable=False, default=1),
    Column("last_version", String(16)),  # the xAPI version this client last spoke (see api.xapi.versioning)
)

settings = Table(
    "settings",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("value", Text, nullable=False),
)

# Every read of a person's records through the reporting API or the pages (FERPA's record of disclosures), one row
# per person shown, written in the same transaction as its ``disclosure.recorded`` event (lrs.api.access).
disclosures = Table(
    "disclosures",
    metadata,
    Column("position", BigInt, primary_key=True, autoincrement=False),
    Column("subject", String(2048), primary_key=True),  # employee id, agent key, or "*" (everyone)
    Column("by_key", String(255), nullable=False),
    Column("what", String(64), nullable=False),
    Column("path", Text, nullable=False),
    Column("recorded_at", String(32), nullable=False),
)
Index("ix_disclosures_subject", disclosures.c.subject, disclosures.c.position)
