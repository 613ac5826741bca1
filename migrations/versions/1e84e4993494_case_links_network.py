"""case links: the dealer index and the link kinds a disclosure may name

The link analysis (tracer/networks) joins cases traced to the same dealer licence, and
cases of one multiple sale (one licence, one purchase date), through an index on
``trace_requests (ffl_license, purchase_date, case_id)``. A case linked to another
agency's case is disclosed through the deconfliction service, whose notices now name
the kind of link: ``same_firearm``, ``same_dealer``, ``same_purchaser``,
``multiple_sale`` (``ballistic_hit`` was there already).

Downgrade refuses while notices of the new kinds exist.

Revision ID: 1e84e4993494
Revises: cbc7f6ac3f49
Create Date: 2026-12-06 01:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '1e84e4993494'
down_revision = 'cbc7f6ac3f49'
branch_labels = None
depends_on = None

OLD_MATCHES = ('exact', 'lookalike', 'edit', 'letters_ignored', 'partial', 'ballistic_hit', 'ballistic_lead')
LINK_KINDS = ('same_firearm', 'same_dealer', 'same_purchaser', 'multiple_sale')
OLD_MATCH = sa.Enum(*OLD_MATCHES, name='deconfliction_match', native_enum=False, create_constraint=True, length=16)
NEW_MATCH = sa.Enum(*OLD_MATCHES, *LINK_KINDS, name='deconfliction_match', native_enum=False,
                    create_constraint=True, length=16)


def upgrade():
    with op.batch_alter_table('trace_requests', schema=None) as batch_op:
        batch_op.create_index('ix_trace_requests_ffl_license_purchase_date_case_id',
                              ['ffl_license', 'purchase_date', 'case_id'], unique=False)
    with op.batch_alter_table('deconfliction_notices', schema=None) as batch_op:
        batch_op.alter_column('match', existing_type=OLD_MATCH, type_=NEW_MATCH, existing_nullable=False)


def downgrade():
    notices = sa.table('deconfliction_notices', sa.column('match', sa.String))
    if op.get_bind().execute(sa.select(sa.func.count()).select_from(notices)
                             .where(notices.c.match.in_(LINK_KINDS))).scalar():
        raise RuntimeError('notices of case links exist; the older schema cannot name their kind')
    with op.batch_alter_table('deconfliction_notices', schema=None) as batch_op:
        batch_op.alter_column('match', existing_type=NEW_MATCH, type_=OLD_MATCH, existing_nullable=False)
    with op.batch_alter_table('trace_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_trace_requests_ffl_license_purchase_date_case_id')
