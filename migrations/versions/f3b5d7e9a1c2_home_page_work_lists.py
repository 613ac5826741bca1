"""the home page counts what came back since the user's last visit

Accounts keep the sign-in before the last, and trace results are indexed by the time they
were recorded, so "results returned since your last visit" reads a range of an index.

Revision ID: f3b5d7e9a1c2
Revises: e2a4c6b8d0f1
Create Date: 2026-12-05 23:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = 'f3b5d7e9a1c2'
down_revision = 'e2a4c6b8d0f1'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('previous_login_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('trace_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trace_requests_result_at'), ['result_at'], unique=False)


def downgrade():
    with op.batch_alter_table('trace_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trace_requests_result_at'))
    # Both databases drop a plain column in place (a rebuilt users table would trip the keys that name it).
    op.execute('ALTER TABLE users DROP COLUMN previous_login_at')
