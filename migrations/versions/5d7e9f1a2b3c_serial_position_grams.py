"""serial position grams: partial search on scattered known characters

A partial pattern such as N?Y6?96 (a partly ground serial: five characters known, never
three together) gives a trigram index nothing to look up, yet it fixes the serial's
length and the position of each known character. The key ``serial_positions`` writes
each character of both normalised serials as one three-character gram (length, position,
character; see tracer.firearms.serials.positional_grams), so that the pattern becomes
grams a trigram index answers: pg_trgm GIN on PostgreSQL; on SQLite a third column of the
FTS5 trigram table firearm_serials_fts, which is made again with it (and its triggers).

Revision ID: 5d7e9f1a2b3c
Revises: 3c4e5d6f7a81
Create Date: 2026-12-05 01:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5d7e9f1a2b3c'
down_revision = '3c4e5d6f7a81'
branch_labels = None
depends_on = None

# As written by tracer.firearms.serials when this revision was written (copied: a revision
# must keep meaning what it meant then).
POSITION_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
FTS_TRIGGERS = ("firearm_serials_fts_insert", "firearm_serials_fts_delete", "firearm_serials_fts_update")
INDEX = "ix_firearms_serial_positions_trgm"


def grams_sql(column: str) -> str:
    """PostgreSQL: the position grams of one normalised serial, NULL above 36 characters."""
    return (f"(SELECT string_agg(substr('{POSITION_DIGITS}', length({column}), 1) || "
            f"substr('{POSITION_DIGITS}', i, 1) || lower(substr({column}, i, 1)), '' ORDER BY i) "
            f"FROM generate_series(1, length({column})) AS i WHERE length({column}) <= {len(POSITION_DIGITS)})")


def positions_sql(serial: str = "serial_normalized", restored: str = "restored_serial_normalized") -> str:
    """PostgreSQL: the key of a firearm from its two normalised serials."""
    return (f"NULLIF(concat_ws(' ', {grams_sql(serial)}, "
            f"CASE WHEN {restored} IS DISTINCT FROM {serial} THEN {grams_sql(restored)} END), '')")


def _grams(serial):
    if not serial or len(serial) > len(POSITION_DIGITS):
        return None
    length = POSITION_DIGITS[len(serial) - 1]
    return "".join(length + POSITION_DIGITS[i] + char.lower() for i, char in enumerate(serial))


def upgrade():
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table('firearms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('serial_positions', sa.Text(), nullable=True))
    if dialect == "postgresql":
        op.execute(f"UPDATE firearms SET serial_positions = {positions_sql()} "
                   f"WHERE serial_normalized IS NOT NULL OR restored_serial_normalized IS NOT NULL")
        op.create_index(INDEX, "firearms", ["serial_positions"], unique=False, postgresql_using="gin",
                        postgresql_ops={"serial_positions": "gin_trgm_ops"})
        return
    _backfill_in_batches()
    if dialect == "sqlite":
        _drop_sqlite_fts()
        _create_sqlite_fts(("serial_normalized", "restored_serial_normalized", "serial_positions"))


def _backfill_in_batches() -> None:
    bind = op.get_bind()
    last_id = 0
    while True:  # batches, so memory stays flat however many firearms there are
        rows = bind.execute(sa.text(
            "SELECT id, serial_normalized, restored_serial_normalized FROM firearms WHERE id > :last "
            "ORDER BY id LIMIT 5000"), {"last": last_id}).all()
        if not rows:
            break
        keys = []
        for row_id, serial, restored in rows:
            grams = [_grams(value) for value in dict.fromkeys((serial, restored))]
            keys.append({"id": row_id, "positions": " ".join(gram for gram in grams if gram) or None})
        bind.execute(sa.text("UPDATE firearms SET serial_positions = :positions WHERE id = :id"), keys)
        last_id = rows[-1][0]


def _drop_sqlite_fts() -> None:
    for trigger in FTS_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS firearm_serials_fts")


def _create_sqlite_fts(columns: tuple[str, ...]) -> None:
    """The FTS5 trigram table over ``columns`` of firearms (external content), kept by triggers."""
    listed = ", ".join(columns)
    old = ", ".join(f"old.{column}" for column in columns)
    new = ", ".join(f"new.{column}" for column in columns)
    op.execute(f"CREATE VIRTUAL TABLE firearm_serials_fts USING fts5({listed}, "
               f"content='firearms', content_rowid='id', tokenize='trigram')")
    op.execute(f"CREATE TRIGGER firearm_serials_fts_insert AFTER INSERT ON firearms BEGIN "
               f"INSERT INTO firearm_serials_fts(rowid, {listed}) VALUES (new.id, {new}); END")
    op.execute(f"CREATE TRIGGER firearm_serials_fts_delete AFTER DELETE ON firearms BEGIN "
               f"INSERT INTO firearm_serials_fts(firearm_serials_fts, rowid, {listed}) "
               f"VALUES ('delete', old.id, {old}); END")
    op.execute(f"CREATE TRIGGER firearm_serials_fts_update AFTER UPDATE OF {listed} ON firearms BEGIN "
               f"INSERT INTO firearm_serials_fts(firearm_serials_fts, rowid, {listed}) "
               f"VALUES ('delete', old.id, {old}); "
               f"INSERT INTO firearm_serials_fts(rowid, {listed}) VALUES (new.id, {new}); END")
    op.execute("INSERT INTO firearm_serials_fts(firearm_serials_fts) VALUES ('rebuild')")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.drop_index(INDEX, table_name="firearms")
        op.drop_column('firearms', 'serial_positions')
        return
    if dialect == "sqlite":
        _drop_sqlite_fts()
        _create_sqlite_fts(("serial_normalized", "restored_serial_normalized"))
        # In place: batch mode would copy the table, which the foreign keys referring to
        # firearms refuse (see the revision that added the other search keys).
        op.execute("ALTER TABLE firearms DROP COLUMN serial_positions")
        return
    op.drop_column('firearms', 'serial_positions')
