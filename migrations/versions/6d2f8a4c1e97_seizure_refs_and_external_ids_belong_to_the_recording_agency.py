"""seizure references and external ids belong to the agency that records them

A seizure's ``seizure_ref`` and an imported firearm's ``external_id`` were unique
within the seizing agency and the case's owning agency; they are now unique within
the agency of the user who recorded them (SPEC §2, §8), stored on each row as
``recorded_by_agency_id``. Rows already there are given the agency of the user who
recorded them, or (imports made in an agency's name, with no user) the agency that
owns their case; a firearm takes its seizure's. Where rows of one agency would then
share a reference, one keeps it and the others stay with the agency their reference was
unique within before (the seizing agency; for a firearm, its case's).

On SQLite the two tables are rebuilt (batch mode) to change their unique keys, with
foreign-key enforcement off meanwhile (custody entries, links, trace requests and
files refer to them), and the serial-search triggers on firearms are created again.

Revision ID: 6d2f8a4c1e97
Revises: 5d6e7f8091a2
Create Date: 2026-12-05 01:45:00

"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


revision = '6d2f8a4c1e97'
down_revision = '5d6e7f8091a2'
branch_labels = None
depends_on = None

# The FTS5 triggers of 850cff7a259d, copied: a revision keeps meaning what it meant when written.
FTS_COLUMNS = "serial_normalized, restored_serial_normalized"
FTS_OLD = "'delete', old.id, old.serial_normalized, old.restored_serial_normalized"
FTS_NEW = "new.id, new.serial_normalized, new.restored_serial_normalized"
FTS_TRIGGERS = {
    "firearm_serials_fts_insert": f"AFTER INSERT ON firearms BEGIN "
                                  f"INSERT INTO firearm_serials_fts(rowid, {FTS_COLUMNS}) VALUES ({FTS_NEW}); END",
    "firearm_serials_fts_delete": f"AFTER DELETE ON firearms BEGIN INSERT INTO firearm_serials_fts("
                                  f"firearm_serials_fts, rowid, {FTS_COLUMNS}) VALUES ({FTS_OLD}); END",
    "firearm_serials_fts_update": f"AFTER UPDATE OF {FTS_COLUMNS} ON firearms BEGIN INSERT INTO "
                                  f"firearm_serials_fts(firearm_serials_fts, rowid, {FTS_COLUMNS}) VALUES ({FTS_OLD}); "
                                  f"INSERT INTO firearm_serials_fts(rowid, {FTS_COLUMNS}) VALUES ({FTS_NEW}); END",
}


@contextmanager
def _rebuilding_tables():
    """On SQLite: foreign keys unchecked while batch mode copies and replaces tables that
    other rows refer to, the FTS triggers (dropped with the old firearms table) created
    again, then every reference checked. Elsewhere, nothing to do.

    SQLite only honours ``PRAGMA foreign_keys`` outside a transaction, so the
    transaction of this revision (still empty) is ended and begun again around the
    change: the revision's work is one transaction, committed just before Alembic
    records the new version in another."""
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
        dangling = _dangling(bind)  # rows written with foreign keys off may already refer to nothing
        yield
        for name in FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        if bind.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name = 'firearm_serials_fts'")).first():
            for name, body in FTS_TRIGGERS.items():
                op.execute(f"CREATE TRIGGER {name} {body}")
        broken = _dangling(bind) - dangling
        if broken:
            raise RuntimeError(f"rows refer to missing ones after rebuilding the tables: {sorted(broken)[:5]}")
    except BaseException:
        between_transactions("ROLLBACK", "PRAGMA foreign_keys=ON")
        raise
    between_transactions("COMMIT", "PRAGMA foreign_keys=ON")


def _dangling(bind) -> set[tuple]:
    """(table, row, referred table) of every row whose reference finds nothing."""
    return {tuple(found[:3]) for found in bind.execute(sa.text("PRAGMA foreign_key_check"))}


def upgrade():
    with _rebuilding_tables():
        for table in ('seizures', 'firearms'):
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.add_column(sa.Column('recorded_by_agency_id', sa.Integer(), nullable=True))
        _backfill()
        with op.batch_alter_table('seizures', schema=None) as batch_op:
            batch_op.alter_column('recorded_by_agency_id', existing_type=sa.Integer(), nullable=False)
            batch_op.drop_constraint('uq_seizures_agency_seizure_ref', type_='unique')
            batch_op.create_unique_constraint('uq_seizures_recorded_by_agency_seizure_ref',
                                              ['recorded_by_agency_id', 'seizure_ref'])
            batch_op.create_foreign_key(batch_op.f('fk_seizures_recorded_by_agency_id_agencies'), 'agencies',
                                        ['recorded_by_agency_id'], ['id'])
        with op.batch_alter_table('firearms', schema=None) as batch_op:
            batch_op.drop_constraint('uq_firearms_agency_external_id', type_='unique')
            batch_op.create_unique_constraint('uq_firearms_recorded_by_agency_external_id',
                                              ['recorded_by_agency_id', 'external_id'])
            batch_op.create_foreign_key(batch_op.f('fk_firearms_recorded_by_agency_id_agencies'), 'agencies',
                                        ['recorded_by_agency_id'], ['id'])


def _backfill() -> None:
    """Who recorded the rows already there (see the docstring above)."""
    op.execute(
        "UPDATE seizures SET recorded_by_agency_id = COALESCE("
        "(SELECT users.agency_id FROM users WHERE users.id = seizures.created_by_id), "
        "(SELECT cases.owner_agency_id FROM cases WHERE cases.id = seizures.case_id), seizures.agency_id)")
    _keep_apart('seizures', 'seizure_ref')
    op.execute(
        "UPDATE firearms SET recorded_by_agency_id = COALESCE("
        "(SELECT seizures.recorded_by_agency_id FROM seizures WHERE seizures.id = firearms.seizure_id), "
        "firearms.agency_id)")
    _keep_apart('firearms', 'external_id')


def _keep_apart(table: str, reference: str) -> None:
    """Rows of one recording agency that share a reference (unique before within their
    ``agency_id``, all different): the one whose ``agency_id`` is the recording agency,
    or else the first, keeps it; the others go back to their ``agency_id``."""
    op.execute(
        f"UPDATE {table} SET recorded_by_agency_id = agency_id WHERE {reference} IS NOT NULL "
        f"AND agency_id != recorded_by_agency_id AND EXISTS (SELECT 1 FROM {table} other "
        f"WHERE other.recorded_by_agency_id = {table}.recorded_by_agency_id "
        f"AND other.{reference} = {table}.{reference} AND other.id != {table}.id "
        f"AND (other.agency_id = other.recorded_by_agency_id OR other.id < {table}.id))")


def downgrade():
    # Rows recorded since may share a reference across seizing agencies; they cannot go back.
    with _rebuilding_tables():
        with op.batch_alter_table('firearms', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('fk_firearms_recorded_by_agency_id_agencies'), type_='foreignkey')
            batch_op.drop_constraint('uq_firearms_recorded_by_agency_external_id', type_='unique')
            batch_op.create_unique_constraint('uq_firearms_agency_external_id', ['agency_id', 'external_id'])
            batch_op.drop_column('recorded_by_agency_id')
        with op.batch_alter_table('seizures', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('fk_seizures_recorded_by_agency_id_agencies'), type_='foreignkey')
            batch_op.drop_constraint('uq_seizures_recorded_by_agency_seizure_ref', type_='unique')
            batch_op.create_unique_constraint('uq_seizures_agency_seizure_ref', ['agency_id', 'seizure_ref'])
            batch_op.drop_column('recorded_by_agency_id')
