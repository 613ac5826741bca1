"""on SQLite, a bulk insert counts and indexes its rows once per batch, not once per row

SQLite has row triggers only: for each firearm an import wrote, the dashboards' counters
took two upserts over every grain and the full-text indexes of serials two inserts. A
table ``bulk_writes`` now names the table a bulk insert is writing, in its transaction
(``tracer.core.bulk_write``): the insert triggers of the counters and of the full-text
indexes skip while it does, and the rooms then count and index the batch's range of ids
in one statement each. On PostgreSQL the table stays empty: its statement triggers already
see a batch whole.

Revision ID: a7c3e9b1d5f2
Revises: f4a8c2e6b0d9
Create Date: 2026-12-06 23:40:00

"""
import sqlalchemy as sa
from alembic import op

from tracer.stats import rollups


revision = 'a7c3e9b1d5f2'
down_revision = 'f4a8c2e6b0d9'
branch_labels = None
depends_on = None

SKIP = "WHEN NOT EXISTS (SELECT 1 FROM bulk_writes WHERE table_name = 'firearms') "
# The full-text insert triggers of revisions 850cff7a259d and 5d7e9f1a2b3c, with ``{when}``.
FTS_INSERT = {
    "firearm_serials_fts_insert":
        "CREATE TRIGGER firearm_serials_fts_insert AFTER INSERT ON firearms {when}BEGIN "
        "INSERT INTO firearm_serials_fts(rowid, serial_normalized, restored_serial_normalized) "
        "VALUES (new.id, new.serial_normalized, new.restored_serial_normalized); END",
    "firearm_serials_fts_grams_insert":
        "CREATE TRIGGER firearm_serials_fts_grams_insert AFTER INSERT ON firearms {when}BEGIN "
        "INSERT INTO firearm_serials_fts_grams(rowid, serial_positions) "
        "VALUES (new.id, new.serial_positions); END",
}


def _fts_triggers(when: str) -> None:
    for name, statement in FTS_INSERT.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(statement.format(when=when))


def upgrade():
    op.create_table("bulk_writes", sa.Column("table_name", sa.String(length=64), nullable=False),
                    sa.PrimaryKeyConstraint("table_name", name=op.f("pk_bulk_writes")))
    if op.get_bind().dialect.name == "sqlite":
        rollups.install(op.get_bind())
        _fts_triggers(SKIP)


def downgrade():
    op.drop_table("bulk_writes")
    if op.get_bind().dialect.name == "sqlite":
        rollups.install(op.get_bind())
        _fts_triggers("")
