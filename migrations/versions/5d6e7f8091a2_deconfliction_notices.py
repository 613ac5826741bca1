"""deconfliction notices: one per restricted disclosure, with the owning agency's records

Revision ID: 5d6e7f8091a2
Revises: 7b1c9e4d2f05
Create Date: 2026-12-05 02:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5d6e7f8091a2'
down_revision = '7b1c9e4d2f05'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deconfliction_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.Enum('search', 'recording', 'import', 'link', 'ballistic', name='deconfliction_channel', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('match', sa.Enum('exact', 'lookalike', 'edit', 'letters_ignored', 'partial', name='deconfliction_match', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('owner_agency_id', sa.Integer(), nullable=False),
    sa.Column('firearm_id', sa.Integer(), nullable=True),
    sa.Column('firearm_ids', sa.JSON(), nullable=False),
    sa.Column('told_user_id', sa.Integer(), nullable=False),
    sa.Column('told_agency_id', sa.Integer(), nullable=False),
    sa.Column('subject_key', sa.String(length=120), nullable=True),
    sa.Column('withheld', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['firearm_id'], ['firearms.id'], name=op.f('fk_deconfliction_notices_firearm_id_firearms')),
    sa.ForeignKeyConstraint(['owner_agency_id'], ['agencies.id'], name=op.f('fk_deconfliction_notices_owner_agency_id_agencies')),
    sa.ForeignKeyConstraint(['told_agency_id'], ['agencies.id'], name=op.f('fk_deconfliction_notices_told_agency_id_agencies')),
    sa.ForeignKeyConstraint(['told_user_id'], ['users.id'], name=op.f('fk_deconfliction_notices_told_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deconfliction_notices'))
    )
    with op.batch_alter_table('deconfliction_notices', schema=None) as batch_op:
        batch_op.create_index('ix_deconfliction_notices_owner_agency_id_id', ['owner_agency_id', 'id'], unique=False)
        batch_op.create_index('ix_deconfliction_notices_told_agency_id_id', ['told_agency_id', 'id'], unique=False)
        batch_op.create_index('ix_deconfliction_notices_told_agency_id_subject_key', ['told_agency_id', 'subject_key'], unique=False)
        batch_op.create_index('ix_deconfliction_notices_told_user_id_id', ['told_user_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('deconfliction_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_deconfliction_notices_told_user_id_id')
        batch_op.drop_index('ix_deconfliction_notices_told_agency_id_subject_key')
        batch_op.drop_index('ix_deconfliction_notices_told_agency_id_id')
        batch_op.drop_index('ix_deconfliction_notices_owner_agency_id_id')
    op.drop_table('deconfliction_notices')
