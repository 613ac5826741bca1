"""audit events are appended unsealed and chained afterwards by one sealer

A request no longer chains its audit events itself: it appends them with an empty
``seq``, ``prev_hash`` and ``hash``, and the sealer (``flask audit seal``) gives each
its place in the chain. So:

- the three chain columns may be NULL (an event waiting for the sealer);
- a partial index on the unsealed events lets the sealer and the health check find
  them without reading the table;
- the database still refuses every UPDATE and DELETE of an audit event, except one:
  setting the three chain columns once, from NULL, and nothing else. On PostgreSQL the
  trigger compares the whole row (every column but the chain's); on SQLite the trigger's
  WHEN clause names the columns, so a column added to the table later must be added to
  that clause as well.

Going back needs every event sealed (``flask audit seal --once``) first.

Revision ID: 9e4b7c2a5d13
Revises: 5d7e9f1a2b3c
Create Date: 2026-12-05 02:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = '9e4b7c2a5d13'
down_revision = '5d7e9f1a2b3c'
branch_labels = None
depends_on = None

APPEND_ONLY = "audit events are append-only"
CHAIN = ("seq", "prev_hash", "hash")
# Every other column: the sealing UPDATE must leave them exactly as they are.
CONTENT = ("id", "occurred_at", "user_id", "username", "agency_id", "source_address", "action",
           "object_type", "object_id", "case_id", "request_id", "outcome", "details")
UNSEALED_INDEX = "ix_audit_events_unsealed"


def _sqlite_update_trigger(sealing_allowed: bool) -> str:
    when = ""
    if sealing_allowed:
        sealing = " AND ".join(
            [f"OLD.{name} IS NULL" for name in CHAIN] + [f"NEW.{name} IS NOT NULL" for name in CHAIN]
            + [f"NEW.{name} IS OLD.{name}" for name in CONTENT])
        when = f"WHEN NOT ({sealing}) "
    return (f"CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events {when}"
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")


_SEAL_ONCE = f"""
    CREATE OR REPLACE FUNCTION audit_events_seal_once() RETURNS trigger AS $$
    BEGIN
        IF OLD.seq IS NULL AND OLD.prev_hash IS NULL AND OLD.hash IS NULL
           AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.hash IS NOT NULL
           AND (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash') = (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash')
           AND NEW.details::text IS NOT DISTINCT FROM OLD.details::text
        THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql;
"""


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if not postgresql:
        # Batch mode rebuilds the table, and its triggers with it.
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                              nullable=True)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=True)
    op.create_index(UNSEALED_INDEX, 'audit_events', ['id'], unique=False,
                    postgresql_where=sa.text('seq IS NULL'), sqlite_where=sa.text('seq IS NULL'))
    if postgresql:
        op.execute(_SEAL_ONCE)
        op.execute("DROP TRIGGER audit_events_no_update ON audit_events")
        op.execute("CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
                   "FOR EACH ROW EXECUTE FUNCTION audit_events_seal_once()")
    else:
        op.execute(_sqlite_update_trigger(sealing_allowed=True))
        op.execute("CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
                   f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")


def downgrade():
    bind = op.get_bind()
    waiting = bind.execute(sa.text("SELECT count(*) FROM audit_events WHERE seq IS NULL")).scalar()
    if waiting:
        raise RuntimeError(f"{waiting} audit events are not sealed yet: run `flask audit seal --once` first")
    postgresql = bind.dialect.name == "postgresql"
    op.drop_index(UNSEALED_INDEX, table_name='audit_events')
    if postgresql:
        op.execute("DROP TRIGGER audit_events_no_update ON audit_events")
        op.execute("CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
                   "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()")
        op.execute("DROP FUNCTION audit_events_seal_once()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('seq', existing_type=sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                              nullable=False)
    if not postgresql:
        op.execute(_sqlite_update_trigger(sealing_allowed=False))
        op.execute("CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
                   f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")
