"""case report versions and the PDF files exported, frozen by the database

A case report is stored as a version when a supervisor approves the case
(``approved``) and when a report matching no stored version is printed
(``draft``): its canonical content and the SHA-256 of that content, which the
printed report carries in its footer and metadata (``flask reports verify``).
The database refuses UPDATE and DELETE of a stored version, on SQLite and
PostgreSQL alike: an approved report never changes, and a printed draft stays
verifiable. Each PDF file handed out is recorded with the SHA-256 of its bytes
(``case_report_exports``, append-only too), so that a file altered after export
is told from the file exported.

Downgrade drops the table and its triggers.

Revision ID: cbc7f6ac3f49
Revises: 7a289b1e90a5
Create Date: 2026-12-06 01:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'cbc7f6ac3f49'
down_revision = '7a289b1e90a5'
branch_labels = None
depends_on = None

TABLE = "case_report_versions"
EXPORTS = "case_report_exports"
FROZEN = "stored case report versions and exports never change"


def upgrade():
    op.create_table(
        TABLE,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('approved', 'draft', name='case_report_version_kind', native_enum=False,
                                  create_constraint=True, length=16), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_report_versions_case_id_cases')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_case_report_versions_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_report_versions')),
        sa.UniqueConstraint('case_id', 'number', name='uq_case_report_versions_case_number'),
    )
    op.create_table(
        EXPORTS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('file_sha256', sa.String(length=64), nullable=False),
        sa.Column('paper', sa.String(length=8), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('redacted', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['version_id'], ['case_report_versions.id'],
                                name=op.f('fk_case_report_exports_version_id_case_report_versions')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_case_report_exports_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_report_exports')),
    )
    with op.batch_alter_table(EXPORTS, schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_report_exports_version_id'), ['version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_report_exports_file_sha256'), ['file_sha256'], unique=False)
    _freeze(TABLE)
    _freeze(EXPORTS)


def _freeze(table):
    """The database itself refuses to change or remove a row of ``table``."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE OR REPLACE FUNCTION {table}_frozen() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'insufficient_privilege';
            END;
            $$ LANGUAGE plpgsql;
        """)
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION {table}_frozen()")
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_frozen()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END")


def _unfreeze(table):
    if op.get_bind().dialect.name == "postgresql":
        for name in ("no_update", "no_delete", "no_truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_frozen()")
    else:
        for name in ("no_update", "no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{name}")


def downgrade():
    _unfreeze(EXPORTS)
    _unfreeze(TABLE)
    with op.batch_alter_table(EXPORTS, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_report_exports_file_sha256'))
        batch_op.drop_index(batch_op.f('ix_case_report_exports_version_id'))
    op.drop_table(EXPORTS)
    op.drop_table(TABLE)
