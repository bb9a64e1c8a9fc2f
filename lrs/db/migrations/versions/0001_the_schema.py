"""The whole schema (the first migration): the event log, the xAPI read tables and every read model's tables.

Generated from the models with ``lrs db revision`` (autogenerate), plus PostgreSQL's NOTIFY trigger and lz4 payload
compression on the log. tests/integration/test_migrations.py checks the result against the models.

Revision ID: 0001
Revises: (none)
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lrs.eventlog.tables import POSTGRES_LZ4_PAYLOAD, POSTGRES_NOTIFY_TRIGGER

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('activities',
    sa.Column('activity_id', sa.String(length=2048), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('updated_position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('activity_id')
    )
    op.create_table('agent_names',
    sa.Column('agent_key', sa.String(length=2048), nullable=False),
    sa.Column('agent', sa.Text(), nullable=False),
    sa.Column('names', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('agent_key')
    )
    op.create_table('blobs',
    sa.Column('sha2', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('sha2')
    )
    op.create_table('credentials',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('secret_hash', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('scopes', sa.String(length=1024), nullable=False),
    sa.Column('person', sa.String(length=2048), nullable=True),
    sa.Column('created', sa.String(length=32), nullable=False),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('last_version', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('disclosures',
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('subject', sa.String(length=2048), nullable=False),
    sa.Column('by_key', sa.String(length=255), nullable=False),
    sa.Column('what', sa.String(length=64), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('position', 'subject')
    )
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.create_index('ix_disclosures_subject', ['subject', 'position'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('activity_id', sa.Text(), nullable=False),
    sa.Column('agent_key', sa.Text(), nullable=False),
    sa.Column('registration', sa.String(length=36), nullable=False),
    sa.Column('doc_id', sa.Text(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('context_hash', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('etag', sa.String(length=64), nullable=False),
    sa.Column('updated', sa.String(length=32), nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_context', ['context_hash', 'updated'], unique=False)
        batch_op.create_index('ux_documents_key', ['key_hash'], unique=True)

    op.create_table('evaluation_answers',
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('person_key', sa.String(length=2048), nullable=False),
    sa.Column('item', sa.String(length=2048), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('scale_min', sa.Float(), nullable=False),
    sa.Column('scale_max', sa.Float(), nullable=False),
    sa.Column('date', sa.String(length=10), nullable=False),
    sa.Column('session', sa.String(length=2048), nullable=True),
    sa.Column('presenters', sa.Text(), nullable=False),
    sa.Column('delivery_model', sa.String(length=32), nullable=True),
    sa.Column('context_ids', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'statement_id', 'person_key', 'item')
    )
    with op.batch_alter_table('evaluation_answers', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_answers_date', ['gen', 'date'], unique=False)

    op.create_table('evaluation_assessments',
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('person_key', sa.String(length=2048), nullable=False),
    sa.Column('activity', sa.String(length=2048), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('ts', sa.String(length=40), nullable=False),
    sa.Column('date', sa.String(length=10), nullable=False),
    sa.Column('scaled', sa.Float(), nullable=True),
    sa.Column('success', sa.Boolean(), nullable=True),
    sa.Column('subject', sa.String(length=2048), nullable=True),
    sa.Column('context_ids', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'statement_id', 'person_key')
    )
    with op.batch_alter_table('evaluation_assessments', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_assessments_date', ['gen', 'date'], unique=False)

    op.create_table('evaluation_catalogs',
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('recorded_at', sa.String(length=40), nullable=False),
    sa.Column('catalog', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('gen', 'position')
    )
    op.create_table('evaluation_coaching',
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('teacher_key', sa.String(length=2048), nullable=False),
    sa.Column('date', sa.String(length=10), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('activity', sa.String(length=2048), nullable=True),
    sa.Column('context_ids', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'statement_id', 'teacher_key')
    )
    with op.batch_alter_table('evaluation_coaching', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_coaching_date', ['gen', 'date'], unique=False)

    op.create_table('evaluation_context',
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('parents', sa.Text(), nullable=False),
    sa.Column('grouping', sa.Text(), nullable=False),
    sa.Column('tags', sa.Text(), nullable=False),
    sa.Column('team', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'statement_id')
    )
    op.create_table('evaluation_observations',
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('teacher_key', sa.String(length=2048), nullable=False),
    sa.Column('practice', sa.String(length=200), nullable=False),
    sa.Column('date', sa.String(length=10), nullable=False),
    sa.Column('level', sa.Float(), nullable=False),
    sa.Column('scale_min', sa.Float(), nullable=False),
    sa.Column('scale_max', sa.Float(), nullable=False),
    sa.Column('activity', sa.String(length=2048), nullable=True),
    sa.PrimaryKeyConstraint('gen', 'statement_id', 'teacher_key', 'practice')
    )
    with op.batch_alter_table('evaluation_observations', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_observations_date', ['gen', 'date'], unique=False)

    op.create_table('evaluation_outcomes',
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('measure', sa.String(length=200), nullable=False),
    sa.Column('period', sa.String(length=50), nullable=False),
    sa.Column('grp', sa.String(length=200), nullable=False),
    sa.Column('program', sa.String(length=100), nullable=False),
    sa.Column('group_type', sa.String(length=20), nullable=False),
    sa.Column('participants', sa.Boolean(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'measure', 'period', 'grp', 'program')
    )
    op.create_table('evaluation_plc',
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('person_key', sa.String(length=2048), nullable=False),
    sa.Column('date', sa.String(length=10), nullable=False),
    sa.Column('minutes', sa.Float(), nullable=False),
    sa.Column('team', sa.String(length=2048), nullable=True),
    sa.Column('activity', sa.String(length=2048), nullable=True),
    sa.Column('activity_type', sa.String(length=2048), nullable=True),
    sa.Column('context_ids', sa.Text(), nullable=False),
    sa.Column('tags', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'statement_id', 'person_key')
    )
    with op.batch_alter_table('evaluation_plc', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_plc_date', ['gen', 'date'], unique=False)

    op.create_table('evaluation_staff',
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('employee_id', sa.String(length=100), nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('effective_date', sa.String(length=10), nullable=False),
    sa.Column('roles', sa.Text(), nullable=False),
    sa.Column('building', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('certified', sa.Boolean(), nullable=True),
    sa.PrimaryKeyConstraint('gen', 'employee_id', 'position')
    )
    op.create_table('evaluation_voids',
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'statement_id')
    )
    op.create_table('events',
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('stream', sa.String(length=600), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.String(length=32), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('position'),
    sa.UniqueConstraint('event_id')
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_recorded_at', ['recorded_at'], unique=False)
        batch_op.create_index('ix_events_stream', ['stream', 'position'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_NOTIFY_TRIGGER)
        op.execute(POSTGRES_LZ4_PAYLOAD)

    op.create_table('people',
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('employee_id', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('roles', sa.Text(), nullable=False),
    sa.Column('building', sa.String(length=200), nullable=True),
    sa.Column('supervisor_id', sa.String(length=100), nullable=True),
    sa.Column('hire_date', sa.String(length=10), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('account_homepage', sa.String(length=2048), nullable=True),
    sa.Column('account_name', sa.String(length=300), nullable=True),
    sa.Column('effective_date', sa.String(length=10), nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'employee_id')
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index('ix_people_building', ['gen', 'building'], unique=False)
        batch_op.create_index('ix_people_supervisor', ['gen', 'supervisor_id'], unique=False)

    op.create_table('people_agents',
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('agent_key', sa.String(length=2048), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('first_position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('last_position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('first_stored', sa.String(length=32), nullable=False),
    sa.Column('last_stored', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'agent_key')
    )
    op.create_table('people_roles',
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('employee_id', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'employee_id', 'role')
    )
    with op.batch_alter_table('people_roles', schema=None) as batch_op:
        batch_op.create_index('ix_people_roles_role', ['gen', 'role'], unique=False)

    op.create_table('people_versions',
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('employee_id', sa.String(length=100), nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('effective_date', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('roles', sa.Text(), nullable=False),
    sa.Column('building', sa.String(length=200), nullable=True),
    sa.Column('supervisor_id', sa.String(length=100), nullable=True),
    sa.Column('hire_date', sa.String(length=10), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('changed', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'employee_id', 'position')
    )
    with op.batch_alter_table('people_versions', schema=None) as batch_op:
        batch_op.create_index('ix_people_versions_eff', ['gen', 'employee_id', 'effective_date'], unique=False)

    op.create_table('person_identifiers',
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('agent_key', sa.String(length=2048), nullable=False),
    sa.Column('employee_id', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'agent_key')
    )
    with op.batch_alter_table('person_identifiers', schema=None) as batch_op:
        batch_op.create_index('ix_person_identifiers_emp', ['gen', 'employee_id'], unique=False)

    op.create_table('projection_checkpoints',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('upto', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('name', 'gen')
    )
    op.create_table('projection_leases',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('token', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('settings',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('statement_activities',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('activity_id', sa.String(length=2048), nullable=False),
    sa.Column('direct', sa.Boolean(), nullable=False)
    )
    with op.batch_alter_table('statement_activities', schema=None) as batch_op:
        batch_op.create_index('ix_statement_activities', ['activity_id', 'direct', 'seq'], unique=False)

    op.create_table('statement_agents',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('agent_key', sa.String(length=2048), nullable=False),
    sa.Column('direct', sa.Boolean(), nullable=False)
    )
    with op.batch_alter_table('statement_agents', schema=None) as batch_op:
        batch_op.create_index('ix_statement_agents', ['agent_key', 'direct', 'seq'], unique=False)

    op.create_table('statements',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('stored', sa.String(length=32), nullable=False),
    sa.Column('timestamp', sa.String(length=32), nullable=False),
    sa.Column('verb_id', sa.String(length=2048), nullable=False),
    sa.Column('actor_key', sa.String(length=2048), nullable=True),
    sa.Column('registration', sa.String(length=36), nullable=True),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.Column('voids', sa.String(length=36), nullable=True),
    sa.Column('ref_id', sa.String(length=36), nullable=True),
    sa.Column('authority_key', sa.String(length=2048), nullable=True),
    sa.Column('version', sa.String(length=16), nullable=False),
    sa.Column('has_attachments', sa.Boolean(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('statement_id')
    )
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.create_index('ix_statements_authority', ['authority_key', 'seq'], unique=False)
        batch_op.create_index('ix_statements_ref', ['ref_id'], unique=False, postgresql_where=sa.text('ref_id IS NOT NULL'), sqlite_where=sa.text('ref_id IS NOT NULL'))
        batch_op.create_index('ix_statements_registration', ['registration', 'seq'], unique=False)
        batch_op.create_index('ix_statements_stored', ['stored', 'seq'], unique=False)
        batch_op.create_index('ix_statements_verb', ['verb_id', 'seq'], unique=False)
        batch_op.create_index('ix_statements_voids', ['voids'], unique=False, postgresql_where=sa.text('voids IS NOT NULL'), sqlite_where=sa.text('voids IS NOT NULL'))

    op.create_table('transcript_activities',
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('activity_id', sa.String(length=2048), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'activity_id')
    )
    op.create_table('transcript_entries',
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('entry_key', sa.String(length=40), nullable=False),
    sa.Column('actor_key', sa.String(length=2048), nullable=False),
    sa.Column('activity_id', sa.String(length=2048), nullable=False),
    sa.Column('registration', sa.String(length=36), nullable=True),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('activity_type', sa.Text(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('date', sa.String(length=10), nullable=False),
    sa.Column('start_date', sa.String(length=10), nullable=False),
    sa.Column('end_date', sa.String(length=10), nullable=False),
    sa.Column('school_year', sa.String(length=16), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('hours_source', sa.String(length=16), nullable=True),
    sa.Column('credit_type', sa.Text(), nullable=True),
    sa.Column('credit_amount', sa.Float(), nullable=True),
    sa.Column('delivery_model', sa.String(length=32), nullable=False),
    sa.Column('classification', sa.String(length=32), nullable=False),
    sa.Column('provider', sa.Text(), nullable=True),
    sa.Column('instructors', sa.Text(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('statement_ids', sa.Text(), nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'entry_key')
    )
    with op.batch_alter_table('transcript_entries', schema=None) as batch_op:
        batch_op.create_index('ix_transcript_entries_activity', ['gen', 'activity_id'], unique=False)
        batch_op.create_index('ix_transcript_entries_actor', ['gen', 'actor_key', 'date'], unique=False)

    op.create_table('transcript_facts',
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('actor_key', sa.String(length=2048), nullable=False),
    sa.Column('entry_key', sa.String(length=40), nullable=False),
    sa.Column('activity_id', sa.String(length=2048), nullable=False),
    sa.Column('verb_id', sa.String(length=2048), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('ts', sa.String(length=40), nullable=True),
    sa.Column('date', sa.String(length=10), nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('duration_s', sa.Float(), nullable=True),
    sa.Column('registration', sa.String(length=36), nullable=True),
    sa.Column('attrs', sa.Text(), nullable=False),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'statement_id', 'actor_key')
    )
    with op.batch_alter_table('transcript_facts', schema=None) as batch_op:
        batch_op.create_index('ix_transcript_facts_entry', ['gen', 'entry_key'], unique=False)

    op.create_table('transcript_voids',
    sa.Column('gen', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('gen', 'statement_id')
    )


def downgrade() -> None:
    op.drop_table('transcript_voids')
    with op.batch_alter_table('transcript_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_transcript_facts_entry')

    op.drop_table('transcript_facts')
    with op.batch_alter_table('transcript_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_transcript_entries_actor')
        batch_op.drop_index('ix_transcript_entries_activity')

    op.drop_table('transcript_entries')
    op.drop_table('transcript_activities')
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_index('ix_statements_voids', postgresql_where=sa.text('voids IS NOT NULL'), sqlite_where=sa.text('voids IS NOT NULL'))
        batch_op.drop_index('ix_statements_verb')
        batch_op.drop_index('ix_statements_stored')
        batch_op.drop_index('ix_statements_registration')
        batch_op.drop_index('ix_statements_ref', postgresql_where=sa.text('ref_id IS NOT NULL'), sqlite_where=sa.text('ref_id IS NOT NULL'))
        batch_op.drop_index('ix_statements_authority')

    op.drop_table('statements')
    with op.batch_alter_table('statement_agents', schema=None) as batch_op:
        batch_op.drop_index('ix_statement_agents')

    op.drop_table('statement_agents')
    with op.batch_alter_table('statement_activities', schema=None) as batch_op:
        batch_op.drop_index('ix_statement_activities')

    op.drop_table('statement_activities')
    op.drop_table('settings')
    op.drop_table('projection_leases')
    op.drop_table('projection_checkpoints')
    with op.batch_alter_table('person_identifiers', schema=None) as batch_op:
        batch_op.drop_index('ix_person_identifiers_emp')

    op.drop_table('person_identifiers')
    with op.batch_alter_table('people_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_people_versions_eff')

    op.drop_table('people_versions')
    with op.batch_alter_table('people_roles', schema=None) as batch_op:
        batch_op.drop_index('ix_people_roles_role')

    op.drop_table('people_roles')
    op.drop_table('people_agents')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index('ix_people_supervisor')
        batch_op.drop_index('ix_people_building')

    op.drop_table('people')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_stream')
        batch_op.drop_index('ix_events_recorded_at')

    op.drop_table('events')
    op.drop_table('evaluation_voids')
    op.drop_table('evaluation_staff')
    with op.batch_alter_table('evaluation_plc', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_plc_date')

    op.drop_table('evaluation_plc')
    op.drop_table('evaluation_outcomes')
    with op.batch_alter_table('evaluation_observations', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_observations_date')

    op.drop_table('evaluation_observations')
    op.drop_table('evaluation_context')
    with op.batch_alter_table('evaluation_coaching', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_coaching_date')

    op.drop_table('evaluation_coaching')
    op.drop_table('evaluation_catalogs')
    with op.batch_alter_table('evaluation_assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_assessments_date')

    op.drop_table('evaluation_assessments')
    with op.batch_alter_table('evaluation_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_answers_date')

    op.drop_table('evaluation_answers')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ux_documents_key')
        batch_op.drop_index('ix_documents_context')

    op.drop_table('documents')
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.drop_index('ix_disclosures_subject')

    op.drop_table('disclosures')
    op.drop_table('credentials')
    op.drop_table('blobs')
    op.drop_table('agent_names')
    op.drop_table('activities')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS lrs_events_notify()")
