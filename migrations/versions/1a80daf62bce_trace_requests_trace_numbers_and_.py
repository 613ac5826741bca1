"""trace requests, trace numbers and firearm links

Revision ID: 1a80daf62bce
Revises: ec5fbdeef2e3
Create Date: 2026-11-28 00:21:29.328050

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1a80daf62bce'
down_revision = 'ec5fbdeef2e3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('trace_number_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_trace_number_counters'))
    )
    op.create_table('firearm_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firearm_id', sa.Integer(), nullable=False),
    sa.Column('other_firearm_id', sa.Integer(), nullable=False),
    sa.Column('match', sa.Enum('exact', 'lookalike', 'one_edit', 'letters_ignored', name='firearm_link_match', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('status', sa.Enum('possible', 'confirmed', 'dismissed', name='firearm_link_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('firearm_id <> other_firearm_id', name=op.f('ck_firearm_links_distinct')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_firearm_links_decided_by_id_users')),
    sa.ForeignKeyConstraint(['firearm_id'], ['firearms.id'], name=op.f('fk_firearm_links_firearm_id_firearms')),
    sa.ForeignKeyConstraint(['other_firearm_id'], ['firearms.id'], name=op.f('fk_firearm_links_other_firearm_id_firearms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_firearm_links')),
    sa.UniqueConstraint('firearm_id', 'other_firearm_id', name='uq_firearm_links_pair')
    )
    with op.batch_alter_table('firearm_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_firearm_links_firearm_id'), ['firearm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_firearm_links_other_firearm_id'), ['other_firearm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_firearm_links_status'), ['status'], unique=False)

    op.create_table('trace_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trace_number', sa.String(length=20), nullable=False),
    sa.Column('firearm_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('requesting_agency_id', sa.Integer(), nullable=False),
    sa.Column('addressed_to_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'submitted', 'completed', 'no_trace', name='trace_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('priority', sa.Enum('routine', 'urgent', name='trace_priority', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('identifiers', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Enum('us_retail', 'us_other', 'foreign', 'undetermined', 'no_trace', name='trace_outcome', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('no_trace_reason', sa.Enum('obliterated_serial', 'incomplete_identifiers', 'dealer_out_of_business', 'too_old', 'records_unavailable', 'other', name='no_trace_reason', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('ffl_name', sa.String(length=200), nullable=True),
    sa.Column('ffl_license', sa.String(length=20), nullable=True),
    sa.Column('ffl_street', sa.String(length=200), nullable=True),
    sa.Column('ffl_city', sa.String(length=120), nullable=True),
    sa.Column('ffl_state', sa.String(length=2), nullable=True),
    sa.Column('ffl_zip', sa.String(length=10), nullable=True),
    sa.Column('origin_latitude', sa.Float(), nullable=True),
    sa.Column('origin_longitude', sa.Float(), nullable=True),
    sa.Column('origin_source', sa.Enum('gazetteer', 'geocoded', name='origin_source', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('purchase_date', sa.Date(), nullable=True),
    sa.Column('purchaser_name', sa.String(length=200), nullable=True),
    sa.Column('multiple_sale', sa.Boolean(), nullable=True),
    sa.Column('time_to_crime_days', sa.Integer(), nullable=True),
    sa.Column('result_notes', sa.Text(), nullable=True),
    sa.Column('result_by_id', sa.Integer(), nullable=True),
    sa.Column('result_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['addressed_to_id'], ['agencies.id'], name=op.f('fk_trace_requests_addressed_to_id_agencies')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_trace_requests_agency_id_agencies')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_trace_requests_case_id_cases')),
    sa.ForeignKeyConstraint(['firearm_id'], ['firearms.id'], name=op.f('fk_trace_requests_firearm_id_firearms')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_trace_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['requesting_agency_id'], ['agencies.id'], name=op.f('fk_trace_requests_requesting_agency_id_agencies')),
    sa.ForeignKeyConstraint(['result_by_id'], ['users.id'], name=op.f('fk_trace_requests_result_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trace_requests')),
    sa.UniqueConstraint('firearm_id', name=op.f('uq_trace_requests_firearm_id')),
    sa.UniqueConstraint('trace_number', name=op.f('uq_trace_requests_trace_number'))
    )
    with op.batch_alter_table('trace_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trace_requests_addressed_to_id'), ['addressed_to_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trace_requests_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trace_requests_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trace_requests_ffl_license'), ['ffl_license'], unique=False)
        batch_op.create_index(batch_op.f('ix_trace_requests_ffl_state'), ['ffl_state'], unique=False)
        batch_op.create_index(batch_op.f('ix_trace_requests_outcome'), ['outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_trace_requests_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('trace_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trace_requests_status'))
        batch_op.drop_index(batch_op.f('ix_trace_requests_outcome'))
        batch_op.drop_index(batch_op.f('ix_trace_requests_ffl_state'))
        batch_op.drop_index(batch_op.f('ix_trace_requests_ffl_license'))
        batch_op.drop_index(batch_op.f('ix_trace_requests_case_id'))
        batch_op.drop_index(batch_op.f('ix_trace_requests_agency_id'))
        batch_op.drop_index(batch_op.f('ix_trace_requests_addressed_to_id'))

    op.drop_table('trace_requests')
    with op.batch_alter_table('firearm_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_firearm_links_status'))
        batch_op.drop_index(batch_op.f('ix_firearm_links_other_firearm_id'))
        batch_op.drop_index(batch_op.f('ix_firearm_links_firearm_id'))

    op.drop_table('firearm_links')
    op.drop_table('trace_number_counters')
