"""custody entries keep the system's note as a code and say whether their time was recorded

The note written with a seizure's first custody entry was stored in the writer's language
("Registrado junto con el aseguramiento."); it becomes the code "recorded_with_seizure",
shown in each reader's language. A seizure recorded without a time opened its chain at an
invented local midnight; those entries are marked as having no recorded time.

Revision ID: 4d6e8f0a2b13
Revises: b8c3d5e7f9a1
Create Date: 2026-12-05 03:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '4d6e8f0a2b13'
down_revision = 'b8c3d5e7f9a1'
branch_labels = None
depends_on = None

CODE = 'recorded_with_seizure'
STORED_TEXTS = ('Registrado junto con el aseguramiento.', 'Recorded with the seizure.')
events = sa.table('custody_events', sa.column('id', sa.Integer), sa.column('firearm_id', sa.Integer),
                  sa.column('event', sa.String), sa.column('notes', sa.Text),
                  sa.column('note_code', sa.String), sa.column('time_recorded', sa.Boolean))
firearms = sa.table('firearms', sa.column('id', sa.Integer), sa.column('seizure_id', sa.Integer))
seizures = sa.table('seizures', sa.column('id', sa.Integer), sa.column('seized_time', sa.Time))


APPEND_ONLY = "custody events are append-only; record a correction instead"


def _rewrite(*statements):
    """Custody entries are append-only in the database; only this revision's rewording of the
    system's own note (never what a person typed) lifts that, for its own statements."""
    postgresql = op.get_bind().dialect.name == 'postgresql'
    if postgresql:
        op.execute('ALTER TABLE custody_events DISABLE TRIGGER custody_events_no_update')
    else:
        op.execute('DROP TRIGGER IF EXISTS custody_events_no_update')
    for statement in statements:
        op.execute(statement)
    if postgresql:
        op.execute('ALTER TABLE custody_events ENABLE TRIGGER custody_events_no_update')
    else:
        op.execute("CREATE TRIGGER custody_events_no_update BEFORE UPDATE ON custody_events "
                   f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")


def upgrade():
    # Plain ADD COLUMN: a batch copy of the table on SQLite would lose its append-only triggers.
    op.add_column('custody_events', sa.Column('note_code', sa.String(length=40), nullable=True))
    op.add_column('custody_events', sa.Column('time_recorded', sa.Boolean(), server_default=sa.true(),
                                              nullable=False))
    untimed = (sa.select(firearms.c.id).join(seizures, seizures.c.id == firearms.c.seizure_id)
               .where(seizures.c.seized_time.is_(None)))
    _rewrite(events.update().where(events.c.notes.in_(STORED_TEXTS)).values(note_code=CODE, notes=None),
             events.update().where(events.c.note_code == CODE, events.c.event == 'seized',
                                   events.c.firearm_id.in_(untimed)).values(time_recorded=False))


def downgrade():
    _rewrite(events.update().where(events.c.note_code == CODE).values(notes=STORED_TEXTS[0]))
    op.drop_column('custody_events', 'time_recorded')
    op.drop_column('custody_events', 'note_code')
