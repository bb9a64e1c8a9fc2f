"""Tables of the projection engine and of every read model it maintains.

Every read-model row carries ``gen``, the *generation* it belongs to. A projection has one ``active`` generation
that readers use and the live worker advances; ``lrs replay`` builds a new generation beside it from position
zero and flips the pointer when it has caught up, and as-of builds are generations frozen at a position. So a
rebuild never disturbs readers, and no DDL happens at run time (``create_all`` knows every table).
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, Integer, String, Table, Text

from lrs.db.metadata import BigInt, metadata

# --- engine -------------------------------------------------------------------------------------------------------

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

# --- people@v1 ----------------------------------------------------------------------------------------------------

people = Table(
    "people",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("employee_id", String(100), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("email", String(320)),
    Column("roles", Text, nullable=False),  # JSON list
    Column("building", String(200)),
    Column("supervisor_id", String(100)),
    Column("hire_date", String(10)),
    Column("status", String(16), nullable=False),
    Column("account_homepage", String(2048)),
    Column("account_name", String(300)),
    Column("effective_date", String(10), nullable=False),  # of the version this row shows
    Column("position", BigInt, nullable=False),
)
Index("ix_people_supervisor", people.c.gen, people.c.supervisor_id)
Index("ix_people_building", people.c.gen, people.c.building)

people_roles = Table(
    "people_roles",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("employee_id", String(100), primary_key=True),
    Column("role", String(100), primary_key=True),
)
Index("ix_people_roles_role", people_roles.c.gen, people_roles.c.role)

# Every roster version with its effective date: "roles/building/supervisor/status at date D" is the version with
# the greatest (effective_date, position) not after D.
people_versions = Table(
    "people_versions",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("employee_id", String(100), primary_key=True),
    Column("position", BigInt, primary_key=True, autoincrement=False),
    Column("effective_date", String(10), nullable=False),
    Column("name", String(300), nullable=False),
    Column("email", String(320)),
    Column("roles", Text, nullable=False),
    Column("building", String(200)),
    Column("supervisor_id", String(100)),
    Column("hire_date", String(10)),
    Column("status", String(16), nullable=False),
    Column("changed", Text, nullable=False),  # JSON list of the fields this version changed
)
Index("ix_people_versions_eff", people_versions.c.gen, people_versions.c.employee_id, people_versions.c.effective_date)

# Agent identifier (match key, see projections.identity) -> employee.
person_identifiers = Table(
    "person_identifiers",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("agent_key", String(2048), primary_key=True),
    Column("employee_id", String(100), nullable=False),
    Column("source", String(16), nullable=False),  # roster | linked
    Column("position", BigInt, nullable=False),
)
Index("ix_person_identifiers_emp", person_identifiers.c.gen, person_identifiers.c.employee_id)

# Every learner agent seen in statements (those the transcript credits), with the name it last used.
people_agents = Table(
    "people_agents",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("agent_key", String(2048), primary_key=True),
    Column("name", String(300)),
    Column("first_position", BigInt, nullable=False),
    Column("last_position", BigInt, nullable=False),
    Column("first_stored", String(32), nullable=False),
    Column("last_stored", String(32), nullable=False),
)

# --- transcript@v1 ------------------------------------------------------------------------------------------------

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

transcript_entries = Table(
    "transcript_entries",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("entry_key", String(40), primary_key=True),
    Column("actor_key", String(2048), nullable=False),
    Column("activity_id", String(2048), nullable=False),
    Column("registration", String(36)),
    Column("name", String(1000)),
    Column("activity_type", String(2048)),
    Column("outcome", String(16), nullable=False),
    Column("date", String(10), nullable=False),
    Column("start_date", String(10), nullable=False),
    Column("end_date", String(10), nullable=False),
    Column("school_year", String(16), nullable=False),
    Column("hours", Float, nullable=False),
    Column("hours_source", String(16)),
    Column("credit_type", String(50)),
    Column("credit_amount", Float),
    Column("delivery_model", String(32), nullable=False),
    Column("classification", String(32), nullable=False),
    Column("provider", String(500)),
    Column("instructors", Text, nullable=False),  # JSON list
    Column("score", Float),
    Column("statement_ids", Text, nullable=False),  # JSON list, in stored order
    Column("position", BigInt, nullable=False),  # the newest statement in the entry
)
Index("ix_transcript_entries_actor", transcript_entries.c.gen, transcript_entries.c.actor_key,
      transcript_entries.c.date)
Index("ix_transcript_entries_activity", transcript_entries.c.gen, transcript_entries.c.activity_id)
