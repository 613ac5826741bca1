"""serial position grams: partial search on scattered known characters

A partial pattern such as N?Y6?96 (a partly ground serial: five characters known, never
three together) gives a trigram index nothing to look up, yet it fixes the serial's
length and the position of each known character. The key ``serial_positions`` holds the
position grams of both normalised serials (see tracer.firearms.serials.position_grams:
one word per character, per two neighbours and per two characters one apart, each with
the serial's length and the position), in a full-text index: a tsvector with a GIN index
on PostgreSQL; on SQLite a text column and the FTS5 table firearm_serials_fts_grams over
it (external content, kept by triggers).

Revision ID: 5d7e9f1a2b3c
Revises: 6d2f8a4c1e97
Create Date: 2026-12-05 01:50:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '5d7e9f1a2b3c'
down_revision = '6d2f8a4c1e97'
branch_labels = None
depends_on = None

INDEX = "ix_firearms_serial_positions"
FTS_TRIGGERS = ("firearm_serials_fts_grams_insert", "firearm_serials_fts_grams_delete",
                "firearm_serials_fts_grams_update")


def grams_sql(column: str) -> str:
    """PostgreSQL: the position grams of one normalised serial, as tracer.firearms.serials
    wrote them when this revision was written (copied: a revision keeps its meaning)."""
    n, char = f"length({column})", f"lower(substr({column}, i + 1, 1))"
    prefix = f"{n}::text || 'x' || i::text || 'x' || {char}"
    return (f"(SELECT string_agg('u' || {prefix} "
            f"|| CASE WHEN i + 1 < {n} THEN ' a' || {prefix} || lower(substr({column}, i + 2, 1)) ELSE '' END "
            f"|| CASE WHEN i + 2 < {n} THEN ' g' || {prefix} || lower(substr({column}, i + 3, 1)) ELSE '' END, "
            f"' ' ORDER BY i) FROM generate_series(0, {n} - 1) AS i)")


def positions_sql(serial: str = "serial_normalized", restored: str = "restored_serial_normalized") -> str:
    """PostgreSQL: the key of a firearm from its two normalised serials."""
    return (f"NULLIF(concat_ws(' ', {grams_sql(serial)}, "
            f"CASE WHEN {restored} IS DISTINCT FROM {serial} THEN {grams_sql(restored)} END), '')::tsvector")


def _grams(serial):
    n, chars = len(serial), serial.lower()
    grams = []
    for i, char in enumerate(chars):
        grams.append(f"u{n}x{i}x{char}")
        if i + 1 < n:
            grams.append(f"a{n}x{i}x{char}{chars[i + 1]}")
        if i + 2 < n:
            grams.append(f"g{n}x{i}x{char}{chars[i + 2]}")
    return grams


def upgrade():
    dialect = op.get_bind().dialect.name
    column_type = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")
    with op.batch_alter_table('firearms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('serial_positions', column_type, nullable=True))
    if dialect == "postgresql":
        op.execute(f"UPDATE firearms SET serial_positions = {positions_sql()} "
                   f"WHERE serial_normalized IS NOT NULL OR restored_serial_normalized IS NOT NULL")
        op.create_index(INDEX, "firearms", ["serial_positions"], unique=False, postgresql_using="gin")
        return
    _backfill_in_batches()
    if dialect == "sqlite":
        _create_sqlite_fts()


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
            grams = [gram for value in dict.fromkeys((serial, restored)) if value for gram in _grams(value)]
            keys.append({"id": row_id, "positions": " ".join(dict.fromkeys(grams)) or None})
        bind.execute(sa.text("UPDATE firearms SET serial_positions = :positions WHERE id = :id"), keys)
        last_id = rows[-1][0]


def _create_sqlite_fts() -> None:
    # External content: the table holds only the index of words; the grams stay in firearms.
    op.execute("CREATE VIRTUAL TABLE firearm_serials_fts_grams USING fts5(serial_positions, "
               "content='firearms', content_rowid='id', tokenize='unicode61')")
    op.execute("CREATE TRIGGER firearm_serials_fts_grams_insert AFTER INSERT ON firearms BEGIN "
               "INSERT INTO firearm_serials_fts_grams(rowid, serial_positions) "
               "VALUES (new.id, new.serial_positions); END")
    op.execute("CREATE TRIGGER firearm_serials_fts_grams_delete AFTER DELETE ON firearms BEGIN "
               "INSERT INTO firearm_serials_fts_grams(firearm_serials_fts_grams, rowid, serial_positions) "
               "VALUES ('delete', old.id, old.serial_positions); END")
    op.execute("CREATE TRIGGER firearm_serials_fts_grams_update AFTER UPDATE OF serial_positions ON firearms BEGIN "
               "INSERT INTO firearm_serials_fts_grams(firearm_serials_fts_grams, rowid, serial_positions) "
               "VALUES ('delete', old.id, old.serial_positions); "
               "INSERT INTO firearm_serials_fts_grams(rowid, serial_positions) "
               "VALUES (new.id, new.serial_positions); END")
    op.execute("INSERT INTO firearm_serials_fts_grams(firearm_serials_fts_grams) VALUES ('rebuild')")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.drop_index(INDEX, table_name="firearms")
        op.drop_column('firearms', 'serial_positions')
        return
    if dialect == "sqlite":
        for trigger in FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS firearm_serials_fts_grams")
        # In place: batch mode would copy the table, which the foreign keys referring to
        # firearms refuse (see the revision that added the other search keys).
        op.execute("ALTER TABLE firearms DROP COLUMN serial_positions")
        return
    op.drop_column('firearms', 'serial_positions')
