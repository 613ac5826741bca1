"""serial search keys and indexes

Three keys on firearms for the fuzzy serial search (look-alike skeleton, the same
reversed, digits alone), filled for the rows already there, with ordinary
indexes (equality and prefix ranges). Substring and wildcard searches get
trigram indexes: pg_trgm GIN indexes on PostgreSQL; on SQLite an FTS5 table with
the trigram tokenizer over the two normalised serials, kept by triggers.

Keep in mind on SQLite: a later revision that rebuilds the firearms table (batch
mode copies it) drops the triggers below with it and must create them again.

Revision ID: 850cff7a259d
Revises: 1a80daf62bce
Create Date: 2026-11-28 00:28:45.131455

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '850cff7a259d'
down_revision = '1a80daf62bce'
branch_labels = None
depends_on = None

# Look-alike groups as written by tracer.firearms.serials (0ODQ 1IL7 2Z 5S 6G 8B UV),
# each character to its group's representative. Copied, not imported: a revision
# must keep meaning what it meant when it was written.
LOOKALIKES_FROM = "ODQIL7ZSGBV"
LOOKALIKES_TO = "0001112568U"
SEARCH_KEY = sa.String(length=64).with_variant(sa.String(length=64, collation='C'), 'postgresql')
FTS_TRIGGERS = ("firearm_serials_fts_insert", "firearm_serials_fts_delete", "firearm_serials_fts_update")


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with op.batch_alter_table('firearms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('serial_skeleton', SEARCH_KEY, nullable=True))
        batch_op.add_column(sa.Column('serial_skeleton_reversed', SEARCH_KEY, nullable=True))
        batch_op.add_column(sa.Column('serial_digits', SEARCH_KEY, nullable=True))

    _backfill(dialect)

    with op.batch_alter_table('firearms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_firearms_serial_digits'), ['serial_digits'], unique=False)
        batch_op.create_index('ix_firearms_serial_skeleton', ['serial_skeleton', 'id'], unique=False)
        batch_op.create_index('ix_firearms_serial_skeleton_reversed', ['serial_skeleton_reversed', 'id'],
                              unique=False)

    if dialect == "postgresql":
        for column in ("serial_normalized", "restored_serial_normalized"):
            op.create_index(f"ix_firearms_{column}_trgm", "firearms", [column], unique=False,
                            postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})
    elif dialect == "sqlite":
        _create_sqlite_fts()


def _backfill(dialect: str) -> None:
    """The keys of the firearms already recorded, from the restored serial when there
    is one, else the serial as engraved (what serial_search_keys does on every write)."""
    if dialect == "postgresql":
        source = "COALESCE(restored_serial_normalized, serial_normalized)"
        skeleton = f"translate({source}, '{LOOKALIKES_FROM}', '{LOOKALIKES_TO}')"
        op.execute(f"UPDATE firearms SET serial_skeleton = {skeleton}, serial_skeleton_reversed = reverse({skeleton}), "
                   f"serial_digits = NULLIF(regexp_replace({source}, '[^0-9]', '', 'g'), '') "
                   f"WHERE {source} IS NOT NULL")
        return
    table = str.maketrans(LOOKALIKES_FROM, LOOKALIKES_TO)
    bind = op.get_bind()
    last_id = 0
    while True:  # batches, so memory stays flat however many firearms there are
        rows = bind.execute(sa.text(
            "SELECT id, COALESCE(restored_serial_normalized, serial_normalized) FROM firearms "
            "WHERE id > :last AND COALESCE(restored_serial_normalized, serial_normalized) IS NOT NULL "
            "ORDER BY id LIMIT 5000"), {"last": last_id}).all()
        if not rows:
            break
        keys = []
        for row_id, serial in rows:
            skeleton = serial.translate(table)
            digits = "".join(char for char in serial if char.isdigit()) or None
            keys.append({"id": row_id, "skeleton": skeleton, "reversed": skeleton[::-1], "digits": digits})
        bind.execute(sa.text("UPDATE firearms SET serial_skeleton = :skeleton, serial_skeleton_reversed = :reversed, "
                             "serial_digits = :digits WHERE id = :id"), keys)
        last_id = rows[-1][0]


def _create_sqlite_fts() -> None:
    # External content: the table holds only the trigram index; the serials stay in firearms.
    op.execute("CREATE VIRTUAL TABLE firearm_serials_fts USING fts5(serial_normalized, restored_serial_normalized, "
               "content='firearms', content_rowid='id', tokenize='trigram')")
    columns = "serial_normalized, restored_serial_normalized"
    old = "'delete', old.id, old.serial_normalized, old.restored_serial_normalized"
    new = "new.id, new.serial_normalized, new.restored_serial_normalized"
    op.execute(f"CREATE TRIGGER firearm_serials_fts_insert AFTER INSERT ON firearms BEGIN "
               f"INSERT INTO firearm_serials_fts(rowid, {columns}) VALUES ({new}); END")
    op.execute(f"CREATE TRIGGER firearm_serials_fts_delete AFTER DELETE ON firearms BEGIN "
               f"INSERT INTO firearm_serials_fts(firearm_serials_fts, rowid, {columns}) VALUES ({old}); END")
    op.execute(f"CREATE TRIGGER firearm_serials_fts_update AFTER UPDATE OF {columns} ON firearms BEGIN "
               f"INSERT INTO firearm_serials_fts(firearm_serials_fts, rowid, {columns}) VALUES ({old}); "
               f"INSERT INTO firearm_serials_fts(rowid, {columns}) VALUES ({new}); END")
    op.execute("INSERT INTO firearm_serials_fts(firearm_serials_fts) VALUES ('rebuild')")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS firearm_serials_fts")
    elif dialect == "postgresql":
        op.drop_index("ix_firearms_restored_serial_normalized_trgm", table_name="firearms")
        op.drop_index("ix_firearms_serial_normalized_trgm", table_name="firearms")
    op.drop_index('ix_firearms_serial_skeleton_reversed', table_name='firearms')
    op.drop_index('ix_firearms_serial_skeleton', table_name='firearms')
    op.drop_index(op.f('ix_firearms_serial_digits'), table_name='firearms')
    for column in ('serial_digits', 'serial_skeleton_reversed', 'serial_skeleton'):
        if dialect == "sqlite":
            # SQLite drops an unindexed, unconstrained column in place. Batch mode would copy the
            # table and drop the original, which the foreign keys of custody events, links and
            # trace requests refuse as soon as a firearm has any of them.
            op.execute(f"ALTER TABLE firearms DROP COLUMN {column}")
        else:
            op.drop_column('firearms', column)
