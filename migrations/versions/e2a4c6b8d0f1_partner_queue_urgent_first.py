"""a partner office's queue lists urgent requests first

The queue is read in two parts, urgent then routine, each oldest submitted first: one
index walks it for any status, another for one status (the default queue of submitted
requests), so neither walks past completed requests.

Revision ID: e2a4c6b8d0f1
Revises: c4d6e8f0a2b5
Create Date: 2026-12-05 21:50:00

"""
from alembic import op


revision = 'e2a4c6b8d0f1'
down_revision = 'c4d6e8f0a2b5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('trace_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_trace_requests_addressed_to_submitted_at_id')
        batch_op.create_index('ix_trace_requests_partner_priority',
                              ['addressed_to_id', 'priority', 'submitted_at', 'id'], unique=False)
        batch_op.create_index('ix_trace_requests_partner_queue',
                              ['addressed_to_id', 'status', 'priority', 'submitted_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('trace_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_trace_requests_partner_queue')
        batch_op.drop_index('ix_trace_requests_partner_priority')
        batch_op.create_index('ix_trace_requests_addressed_to_submitted_at_id',
                              ['addressed_to_id', 'submitted_at', 'id'], unique=False)
