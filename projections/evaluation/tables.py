"""Tables of evaluation@v1 (every row carries its generation, see projections.engine).

The evaluation keeps digests, not statements: what each kind of statement contributes to the metrics
(``projections/evaluation/digests.py``), keyed by the statement id and the learner's agent match key. Learning
facts themselves (participation, hours, delivery model) are the transcript's (``transcript_facts`` and
``transcript_entries`` of transcript@v1), so the Board report and the transcripts count hours alike; this model
only adds what the transcript does not keep: a statement's context activities and tags (program membership).

Coaching and walkthrough rows are personnel records (Neb. Rev. Stat. 79-8,109): they are read only by
:mod:`projections.evaluation.queries`, which publishes suppressed aggregates and nothing else. The coach and the
observer are not stored (no metric reads them).
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, Integer, String, Table, Text

from lrs.db.metadata import BigInt, metadata

KEY = 2048  # agent match keys and IRIs

# Roster versions as the evaluation needs them: roles, building, status and the certified flag (the roster's
# optional ``certified`` column; NULL when the roster does not say, then LRS_CERTIFIED_ROLES decides at read time).
evaluation_staff = Table(
    "evaluation_staff",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("employee_id", String(100), primary_key=True),
    Column("position", BigInt, primary_key=True, autoincrement=False),
    Column("effective_date", String(10), nullable=False),
    Column("roles", Text, nullable=False),  # JSON list
    Column("building", String(200)),
    Column("status", String(16), nullable=False),
    Column("certified", Boolean),
)

# Every program catalog loaded (``programs.loaded``); the one in force is the latest.
evaluation_catalogs = Table(
    "evaluation_catalogs",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("position", BigInt, primary_key=True, autoincrement=False),
    Column("recorded_at", String(40), nullable=False),
    Column("catalog", Text, nullable=False),  # ProgramCatalog.to_json()
    Column("sha256", String(64), nullable=False),
    Column("source", String(500)),
)

# Outcome aggregates (``outcomes.imported``): one row per measure, period, group and program ('' = any program);
# a later import of the same key replaces the figure.
evaluation_outcomes = Table(
    "evaluation_outcomes",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("measure", String(200), primary_key=True),
    Column("period", String(50), primary_key=True),
    Column("grp", String(200), primary_key=True),
    Column("program", String(100), primary_key=True),
    Column("group_type", String(20), nullable=False),
    Column("participants", Boolean, nullable=False),  # the group is taught by program participants
    Column("value", Float, nullable=False),
    Column("n", Integer, nullable=False),
    Column("position", BigInt, nullable=False),
)

# Statement ids voided by a voiding statement (digests of a voided statement are not read; the order in which a
# voiding and its target arrive does not matter).
evaluation_voids = Table(
    "evaluation_voids",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("statement_id", String(36), primary_key=True),
    Column("position", BigInt, nullable=False),
)

# Program membership of a learning statement: its parent and grouping ids and its tags (JSON lists).
evaluation_context = Table(
    "evaluation_context",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("statement_id", String(36), primary_key=True),
    Column("parents", Text, nullable=False),
    Column("grouping", Text, nullable=False),
    Column("tags", Text, nullable=False),
    Column("team", Boolean, nullable=False),
)

# Guskey level 1: exit-survey answers and session ratings.
evaluation_answers = Table(
    "evaluation_answers",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("statement_id", String(36), primary_key=True),
    Column("person_key", String(KEY), primary_key=True),
    Column("item", String(KEY), primary_key=True),
    Column("kind", String(10), nullable=False),  # likert | rating
    Column("value", Float, nullable=False),
    Column("scale_min", Float, nullable=False),
    Column("scale_max", Float, nullable=False),
    Column("date", String(10), nullable=False),
    Column("session", String(KEY)),
    Column("presenters", Text, nullable=False),  # JSON list of agent keys (published as "Presenter n")
    Column("delivery_model", String(32)),
    Column("context_ids", Text, nullable=False),  # JSON list
)
Index("ix_evaluation_answers_date", evaluation_answers.c.gen, evaluation_answers.c.date)

# Guskey level 2: pretests and posttests.
evaluation_assessments = Table(
    "evaluation_assessments",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("statement_id", String(36), primary_key=True),
    Column("person_key", String(KEY), primary_key=True),
    Column("activity", String(KEY), nullable=False),
    Column("kind", String(10), nullable=False),  # pretest | posttest
    Column("ts", String(40), nullable=False),  # UTC, one form, so text order is time order
    Column("date", String(10), nullable=False),
    Column("scaled", Float),
    Column("success", Boolean),
    Column("subject", String(KEY)),
    Column("context_ids", Text, nullable=False),
)
Index("ix_evaluation_assessments_date", evaluation_assessments.c.gen, evaluation_assessments.c.date)

# Guskey level 3: coaching sessions (the teacher coached; hours as the profile's statement gives them).
evaluation_coaching = Table(
    "evaluation_coaching",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("statement_id", String(36), primary_key=True),
    Column("teacher_key", String(KEY), primary_key=True),
    Column("date", String(10), nullable=False),
    Column("hours", Float, nullable=False),
    Column("activity", String(KEY)),
    Column("context_ids", Text, nullable=False),
)
Index("ix_evaluation_coaching_date", evaluation_coaching.c.gen, evaluation_coaching.c.date)

# Guskey level 3: PLC meeting attendance.
evaluation_plc = Table(
    "evaluation_plc",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("statement_id", String(36), primary_key=True),
    Column("person_key", String(KEY), primary_key=True),
    Column("date", String(10), nullable=False),
    Column("minutes", Float, nullable=False),
    Column("team", String(KEY)),
    Column("activity", String(KEY)),
    Column("activity_type", String(KEY)),
    Column("context_ids", Text, nullable=False),
    Column("tags", Text, nullable=False),
)
Index("ix_evaluation_plc_date", evaluation_plc.c.gen, evaluation_plc.c.date)

# Guskey level 4: one row per look-for seen in a walkthrough or observation.
evaluation_observations = Table(
    "evaluation_observations",
    metadata,
    Column("gen", Integer, primary_key=True, autoincrement=False),
    Column("statement_id", String(36), primary_key=True),
    Column("teacher_key", String(KEY), primary_key=True),
    Column("practice", String(200), primary_key=True),
    Column("date", String(10), nullable=False),
    Column("level", Float, nullable=False),
    Column("scale_min", Float, nullable=False),
    Column("scale_max", Float, nullable=False),
    Column("activity", String(KEY)),
)
Index("ix_evaluation_observations_date", evaluation_observations.c.gen, evaluation_observations.c.date)

TABLES = (evaluation_staff, evaluation_catalogs, evaluation_outcomes, evaluation_voids, evaluation_context,
          evaluation_answers, evaluation_assessments, evaluation_coaching, evaluation_plc, evaluation_observations)
