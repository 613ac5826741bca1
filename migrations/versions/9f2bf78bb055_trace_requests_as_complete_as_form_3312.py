"""trace requests as complete as ATF Form 3312.1, complete results, agency ORI numbers

Agencies get the ORI number a partner's tracing centre knows them by. Trace
requests get the requester's contact, the agency's case number, the NCIC crime
code, the reason, the recovery date, state and address, the justification of an
urgent request, and the status ``in_progress`` (opened by the partner office);
results get the partner's trace number, the dealer's phone, the importer and
flags. Existing requests take their recovery date and state from the seizure.

Revision ID: 9f2bf78bb055
Revises: 1e84e4993494
Create Date: 2026-12-06 01:20:00

"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


revision = '9f2bf78bb055'
down_revision = '1e84e4993494'
branch_labels = None
depends_on = None

OLD_STATUS = sa.Enum('draft', 'submitted', 'completed', 'no_trace', name='trace_status', native_enum=False,
                     create_constraint=True, length=16)
NEW_STATUS = sa.Enum('draft', 'submitted', 'in_progress', 'completed', 'no_trace', name='trace_status',
                     native_enum=False, create_constraint=True, length=16)
REASON = sa.Enum('investigation', 'recovered_in_crime', 'found', 'surrendered', 'seized_in_customs', 'other',
                 name='trace_reason', native_enum=False, create_constraint=True, length=24)
NEW_COLUMNS = (
    ('opened_at', sa.DateTime(timezone=True)),
    ('agency_case_number', sa.String(length=80)),
    ('requester_name', sa.String(length=200)),
    ('requester_badge', sa.String(length=40)),
    ('requester_phone', sa.String(length=40)),
    ('requester_email', sa.String(length=254)),
    ('urgent_justification', sa.Text()),
    ('crime_category', sa.String(length=40)),
    ('ncic_code', sa.String(length=4)),
    ('project_code', sa.String(length=40)),
    ('recovery_date', sa.Date()),
    ('recovery_state', sa.String(length=2)),
    ('recovery_address', sa.String(length=300)),
    ('trace_reason_text', sa.String(length=300)),
    ('ffl_phone', sa.String(length=20)),
    ('partner_trace_number', sa.String(length=40)),
    ('importer_name', sa.String(length=200)),
    ('importer_license', sa.String(length=40)),
    ('result_flags', sa.JSON()),
)


@contextmanager
def _rebuilding_tables():
    """On SQLite: foreign keys unchecked while batch mode copies and replaces tables that other
    rows refer to (trace_requests, which people and links refer to), then every reference checked. Elsewhere, nothing to do.

    SQLite only honours ``PRAGMA foreign_keys`` outside a transaction, so the transaction of
    this revision is ended and begun again around the change."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    raw = bind.connection.dbapi_connection

    def between_transactions(end: str, pragma: str) -> None:
        if raw.in_transaction:
            raw.execute(end)
        raw.execute(pragma)
        raw.execute("BEGIN")

    between_transactions("COMMIT", "PRAGMA foreign_keys=OFF")
    try:
        dangling = _dangling(bind)
        yield
        broken = _dangling(bind) - dangling
        if broken:
            raise RuntimeError(f"rows refer to missing ones after rebuilding the tables: {sorted(broken)[:5]}")
    except BaseException:
        between_transactions("ROLLBACK", "PRAGMA foreign_keys=ON")
        raise
    between_transactions("COMMIT", "PRAGMA foreign_keys=ON")


def _dangling(bind) -> set[tuple]:
    return {tuple(found[:3]) for found in bind.execute(sa.text("PRAGMA foreign_key_check"))}


def upgrade():
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ori_number', sa.String(length=9), nullable=True))
    with _rebuilding_tables(), op.batch_alter_table('trace_requests', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=OLD_STATUS, type_=NEW_STATUS, existing_nullable=False)
        for name, type_ in NEW_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.add_column(sa.Column('trace_reason', REASON, nullable=True))
        batch_op.create_index('ix_trace_requests_dealer_recovery',
                              ['ffl_license', 'recovery_date', 'agency_id', 'ffl_state', 'time_to_crime_days',
                               'multiple_sale', 'recovery_state'], unique=False)
    op.execute(
        "UPDATE trace_requests SET "
        "recovery_date = (SELECT s.seized_on FROM firearms f JOIN seizures s ON s.id = f.seizure_id "
        "WHERE f.id = trace_requests.firearm_id), "
        "recovery_state = (SELECT s.state_code FROM firearms f JOIN seizures s ON s.id = f.seizure_id "
        "WHERE f.id = trace_requests.firearm_id)")


def downgrade():
    bind = op.get_bind()
    opened = bind.execute(sa.text("SELECT count(*) FROM trace_requests WHERE status = 'in_progress'")).scalar()
    if opened:
        # An opened request is still waiting for its result: the older schema calls that submitted.
        op.execute("UPDATE trace_requests SET status = 'submitted' WHERE status = 'in_progress'")
    with _rebuilding_tables(), op.batch_alter_table('trace_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_trace_requests_dealer_recovery')
        batch_op.drop_constraint(batch_op.f('ck_trace_requests_trace_reason'), type_='check')
        batch_op.drop_column('trace_reason')
        for name, _type in reversed(NEW_COLUMNS):
            batch_op.drop_column(name)
        batch_op.alter_column('status', existing_type=NEW_STATUS, type_=OLD_STATUS, existing_nullable=False)
    with _rebuilding_tables(), op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_column('ori_number')
