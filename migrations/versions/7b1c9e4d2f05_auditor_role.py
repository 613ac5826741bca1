"""accounts may hold the auditor role (reads the audit trail, changes nothing)

Revision ID: 7b1c9e4d2f05
Revises: 5d2e8f1a9b63
Create Date: 2026-12-05 02:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7b1c9e4d2f05'
down_revision = '5d2e8f1a9b63'
branch_labels = None
depends_on = None

OLD = sa.Enum('officer', 'analyst', 'supervisor', 'liaison', 'admin', name='user_role',
              native_enum=False, create_constraint=True, length=16)
NEW = sa.Enum('officer', 'analyst', 'supervisor', 'liaison', 'admin', 'auditor', name='user_role',
              native_enum=False, create_constraint=True, length=16)
users = sa.table('users', sa.column('username', sa.String), sa.column('role', sa.String))


def _retype(existing, wanted):
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('role', existing_type=existing, type_=wanted, existing_nullable=False)


def upgrade():
    _retype(OLD, NEW)


def downgrade():
    auditors = op.get_bind().execute(sa.select(users.c.username).where(users.c.role == 'auditor')).scalars().all()
    if auditors:
        # No other role fits what an auditor may read: an administrator decides.
        raise RuntimeError('auditor accounts exist (%s); give them another role or remove them before '
                           'downgrading' % ', '.join(sorted(auditors)[:10]))
    _retype(NEW, OLD)
