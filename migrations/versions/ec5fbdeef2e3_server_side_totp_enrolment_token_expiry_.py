"""server-side TOTP enrolment, token expiry, per-user recovery codes, audit username index

Revision ID: ec5fbdeef2e3
Revises: ee87b80b710e
Create Date: 2026-11-27 22:23:47.395379

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ec5fbdeef2e3'
down_revision = 'ee87b80b710e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_username'), ['username'], unique=False)

    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_recovery_codes_code_hash'), type_='unique')
        batch_op.create_unique_constraint('uq_recovery_codes_user_code', ['user_id', 'code_hash'])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_pending_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_pending_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('totp_pending_at')
        batch_op.drop_column('totp_pending_secret')

    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_constraint('uq_recovery_codes_user_code', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_recovery_codes_code_hash'), ['code_hash'])

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_username'))

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')

