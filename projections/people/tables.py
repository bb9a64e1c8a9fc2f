"""Tables of people@v1 (every row carries its generation, see projections.engine)."""
from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from lrs.db.metadata import BigInt, metadata

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

# Agent identifier (match key, see lrs.roster.identity) -> employee.
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
    Column("name", Text),  # as the statements said it: any client's text, so unbounded
    Column("first_position", BigInt, nullable=False),
    Column("last_position", BigInt, nullable=False),
    Column("first_stored", String(32), nullable=False),
    Column("last_stored", String(32), nullable=False),
)

