"""possible-same-firearm links name a one-edit serial match "edit" (SPEC §2 match kinds)

Revision ID: 3c4e5d6f7a81
Revises: 850cff7a259d
Create Date: 2026-12-05 01:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '3c4e5d6f7a81'
down_revision = '850cff7a259d'
branch_labels = None
depends_on = None

OLD = sa.Enum('exact', 'lookalike', 'one_edit', 'letters_ignored', name='firearm_link_match',
              native_enum=False, create_constraint=True, length=16)
NEW = sa.Enum('exact', 'lookalike', 'edit', 'letters_ignored', name='firearm_link_match',
              native_enum=False, create_constraint=True, length=16)
BOTH = sa.Enum('exact', 'lookalike', 'one_edit', 'edit', 'letters_ignored', name='firearm_link_match',
               native_enum=False, create_constraint=True, length=16)
links = sa.table('firearm_links', sa.column('match', sa.String))


def _retype(existing, wanted):
    with op.batch_alter_table('firearm_links', schema=None) as batch_op:
        batch_op.alter_column('match', existing_type=existing, type_=wanted, existing_nullable=False)


def upgrade():
    _retype(OLD, BOTH)
    op.execute(links.update().where(links.c.match == 'one_edit').values(match='edit'))
    _retype(BOTH, NEW)


def downgrade():
    _retype(NEW, BOTH)
    op.execute(links.update().where(links.c.match == 'edit').values(match='one_edit'))
    _retype(BOTH, OLD)
