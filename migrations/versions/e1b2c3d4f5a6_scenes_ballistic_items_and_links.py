"""scenes, ballistic evidence items and the links examiners decide; custody chains of items

Scenes of shootings and ballistic items belong to a case; a ballistic link joins two items
(stored ordered, one row per pair). A custody entry now belongs to a firearm or to a
ballistic item (exactly one of the two), attachments may belong to an item or to a link's
decision, and a deconfliction notice may name a ballistic item, with the ballistic kinds
of match.

Revision ID: e1b2c3d4f5a6
Revises: f3b5d7e9a1c2
Create Date: 2026-12-05 21:45:00

"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


revision = 'e1b2c3d4f5a6'
down_revision = 'f3b5d7e9a1c2'
branch_labels = None
depends_on = None

COORDINATE_SOURCES = ('gps', 'geocoded', 'gazetteer')
CUSTODY_EVENTS = ('seized', 'packaged', 'transferred', 'received', 'stored', 'sent_to_lab', 'returned_from_lab',
                  'released', 'destroyed')
SERIAL_MATCHES = ('exact', 'lookalike', 'edit', 'letters_ignored', 'partial')
OLD_MATCH = sa.Enum(*SERIAL_MATCHES, name='deconfliction_match', native_enum=False, create_constraint=True,
                    length=16)
NEW_MATCH = sa.Enum(*SERIAL_MATCHES, 'ballistic_hit', 'ballistic_lead', name='deconfliction_match',
                    native_enum=False, create_constraint=True, length=16)
APPEND_ONLY = "custody events are append-only; record a correction instead"


def _enum(values, name, length=24):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


@contextmanager
def _rebuilding_tables():
    """On SQLite: foreign keys unchecked while batch mode copies and replaces tables that
    other rows refer to, the custody chain's append-only triggers (dropped with the old
    table) created again, then every reference checked. Elsewhere, nothing to do.

    SQLite only honours ``PRAGMA foreign_keys`` outside a transaction, so the transaction
    of this revision is ended and begun again around the change."""
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
        for event in ("UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER IF EXISTS custody_events_no_{event.lower()}")
            op.execute(f"CREATE TRIGGER custody_events_no_{event.lower()} BEFORE {event} ON custody_events "
                       f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")
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
    op.create_table(
        'scenes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('occurred_on', sa.Date(), nullable=False),
        sa.Column('occurred_time', sa.Time(), nullable=True),
        sa.Column('state_code', sa.String(length=2), nullable=False),
        sa.Column('municipality_code', sa.String(length=3), nullable=True),
        sa.Column('locality', sa.String(length=160), nullable=True),
        sa.Column('address', sa.String(length=300), nullable=True),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('coordinate_source', _enum(COORDINATE_SOURCES, 'scene_coordinate_source', 16), nullable=True),
        sa.Column('coordinates_outside_state', sa.Boolean(), nullable=False),
        sa.Column('crime_category', sa.String(length=80), nullable=True),
        sa.Column('notes', sa.Text(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_scenes_agency_id_agencies')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_scenes_case_id_cases')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_scenes_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scenes')),
    )
    with op.batch_alter_table('scenes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scenes_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index('ix_scenes_case_id_occurred_on', ['case_id', 'occurred_on'], unique=False)

    op.create_table(
        'ballistic_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', _enum(('cartridge_case', 'bullet', 'test_fire'), 'ballistic_item_kind', 16), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('state_code', sa.String(length=2), nullable=True),
        sa.Column('seizure_id', sa.Integer(), nullable=True),
        sa.Column('scene_id', sa.Integer(), nullable=True),
        sa.Column('firearm_id', sa.Integer(), nullable=True),
        sa.Column('caliber_id', sa.Integer(), nullable=True),
        sa.Column('caliber_text', sa.String(length=60), nullable=True),
        sa.Column('headstamp', sa.String(length=80), nullable=True),
        sa.Column('firing_pin_shape', _enum(('circular', 'elliptical', 'rectangular', 'hemispherical', 'other'),
                                            'firing_pin_shape'), nullable=True),
        sa.Column('breech_face_class', _enum(('parallel', 'arched', 'granular', 'circular', 'cross_hatched',
                                              'smooth'), 'breech_face_class'), nullable=True),
        sa.Column('ejector_mark', _enum(tuple(f'clock_{hour}' for hour in range(1, 13)) + ('none',),
                                        'ejector_mark'), nullable=True),
        sa.Column('lands', sa.Integer(), nullable=True),
        sa.Column('polygonal', sa.Boolean(), nullable=False),
        sa.Column('twist', _enum(('left', 'right'), 'rifling_twist', 8), nullable=True),
        sa.Column('land_width_mm', sa.Float(), nullable=True),
        sa.Column('groove_width_mm', sa.Float(), nullable=True),
        sa.Column('weight_grains', sa.Float(), nullable=True),
        sa.Column('jacket', _enum(('full_metal_jacket', 'jacketed_hollow_point', 'lead', 'semi_jacketed',
                                   'copper_solid', 'plated', 'other'), 'bullet_jacket'), nullable=True),
        sa.Column('lab_number', sa.String(length=80), nullable=True),
        sa.Column('ibis_ref', sa.String(length=80), nullable=True),
        sa.Column('notes', sa.Text(), nullable=True),
        sa.Column('custody_status', _enum(CUSTODY_EVENTS, 'item_custody_status', 20), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind <> 'test_fire' OR firearm_id IS NOT NULL",
                           name=op.f('ck_ballistic_items_test_fire_has_firearm')),
        sa.CheckConstraint("kind = 'test_fire' OR seizure_id IS NOT NULL OR scene_id IS NOT NULL",
                           name=op.f('ck_ballistic_items_recovered_item_has_origin')),
        sa.CheckConstraint("lands IS NULL OR (lands >= 1 AND lands <= 20)", name=op.f('ck_ballistic_items_lands_range')),
        sa.CheckConstraint("NOT (polygonal AND lands IS NOT NULL)",
                           name=op.f('ck_ballistic_items_polygonal_has_no_lands')),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_ballistic_items_agency_id_agencies')),
        sa.ForeignKeyConstraint(['caliber_id'], ['calibers.id'], name=op.f('fk_ballistic_items_caliber_id_calibers')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_ballistic_items_case_id_cases')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_ballistic_items_created_by_id_users')),
        sa.ForeignKeyConstraint(['firearm_id'], ['firearms.id'], name=op.f('fk_ballistic_items_firearm_id_firearms')),
        sa.ForeignKeyConstraint(['scene_id'], ['scenes.id'], name=op.f('fk_ballistic_items_scene_id_scenes')),
        sa.ForeignKeyConstraint(['seizure_id'], ['seizures.id'], name=op.f('fk_ballistic_items_seizure_id_seizures')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ballistic_items')),
        sa.UniqueConstraint('ibis_ref', name=op.f('uq_ballistic_items_ibis_ref')),
    )
    with op.batch_alter_table('ballistic_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballistic_items_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index('ix_ballistic_items_case_id_id', ['case_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ballistic_items_firearm_id'), ['firearm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ballistic_items_scene_id'), ['scene_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ballistic_items_seizure_id'), ['seizure_id'], unique=False)

    op.create_table(
        'ballistic_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_a_id', sa.Integer(), nullable=False),
        sa.Column('item_b_id', sa.Integer(), nullable=False),
        sa.Column('agency_a_id', sa.Integer(), nullable=False),
        sa.Column('agency_b_id', sa.Integer(), nullable=False),
        sa.Column('status', _enum(('lead', 'confirmed', 'excluded'), 'ballistic_link_status', 16), nullable=False),
        sa.Column('conclusion', _enum(('identification', 'inconclusive', 'elimination', 'unsuitable'),
                                      'ballistic_conclusion', 16), nullable=True),
        sa.Column('source', _enum(('manual', 'ibis'), 'ballistic_link_source', 8), nullable=False),
        sa.Column('ibis_rank', sa.Integer(), nullable=True),
        sa.Column('ibis_score', sa.Float(), nullable=True),
        sa.Column('caliber_mismatch', sa.Boolean(), nullable=False),
        sa.Column('notes', sa.Text(), nullable=True),
        sa.Column('examiner_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decision_notes', sa.Text(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.CheckConstraint('item_a_id < item_b_id', name=op.f('ck_ballistic_links_ordered_pair')),
        sa.ForeignKeyConstraint(['agency_a_id'], ['agencies.id'], name=op.f('fk_ballistic_links_agency_a_id_agencies')),
        sa.ForeignKeyConstraint(['agency_b_id'], ['agencies.id'], name=op.f('fk_ballistic_links_agency_b_id_agencies')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_ballistic_links_created_by_id_users')),
        sa.ForeignKeyConstraint(['examiner_id'], ['users.id'], name=op.f('fk_ballistic_links_examiner_id_users')),
        sa.ForeignKeyConstraint(['item_a_id'], ['ballistic_items.id'],
                                name=op.f('fk_ballistic_links_item_a_id_ballistic_items')),
        sa.ForeignKeyConstraint(['item_b_id'], ['ballistic_items.id'],
                                name=op.f('fk_ballistic_links_item_b_id_ballistic_items')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ballistic_links')),
        sa.UniqueConstraint('item_a_id', 'item_b_id', name='uq_ballistic_links_item_a_id_item_b_id'),
    )
    with op.batch_alter_table('ballistic_links', schema=None) as batch_op:
        batch_op.create_index('ix_ballistic_links_item_b_id', ['item_b_id'], unique=False)
        batch_op.create_index('ix_ballistic_links_status_created_at_id', ['status', 'created_at', 'id'],
                              unique=False)

    with _rebuilding_tables():
        with op.batch_alter_table('custody_events', schema=None) as batch_op:
            batch_op.add_column(sa.Column('ballistic_item_id', sa.Integer(), nullable=True))
            batch_op.alter_column('firearm_id', existing_type=sa.Integer(), nullable=True)
            batch_op.create_index(batch_op.f('ix_custody_events_ballistic_item_id'), ['ballistic_item_id'],
                                  unique=False)
            batch_op.create_foreign_key(batch_op.f('fk_custody_events_ballistic_item_id_ballistic_items'),
                                        'ballistic_items', ['ballistic_item_id'], ['id'])
            batch_op.create_check_constraint(batch_op.f('ck_custody_events_one_owner'),
                                             '(firearm_id IS NULL) <> (ballistic_item_id IS NULL)')
        with op.batch_alter_table('attachments', schema=None) as batch_op:
            batch_op.add_column(sa.Column('ballistic_item_id', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('ballistic_link_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f('ix_attachments_ballistic_item_id'), ['ballistic_item_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_attachments_ballistic_link_id'), ['ballistic_link_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f('fk_attachments_ballistic_item_id_ballistic_items'),
                                        'ballistic_items', ['ballistic_item_id'], ['id'])
            batch_op.create_foreign_key(batch_op.f('fk_attachments_ballistic_link_id_ballistic_links'),
                                        'ballistic_links', ['ballistic_link_id'], ['id'])
        with op.batch_alter_table('deconfliction_notices', schema=None) as batch_op:
            batch_op.add_column(sa.Column('ballistic_item_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f('fk_deconfliction_notices_ballistic_item_id_ballistic_items'),
                                        'ballistic_items', ['ballistic_item_id'], ['id'])
            batch_op.alter_column('match', existing_type=OLD_MATCH, type_=NEW_MATCH, existing_nullable=False)


def downgrade():
    bind = op.get_bind()
    notices = sa.table('deconfliction_notices', sa.column('match', sa.String))
    custody = sa.table('custody_events', sa.column('ballistic_item_id', sa.Integer))
    if bind.execute(sa.select(sa.func.count()).select_from(custody)
                    .where(custody.c.ballistic_item_id.is_not(None))).scalar():
        raise RuntimeError('custody entries of ballistic items exist; they cannot be kept without their items')
    if bind.execute(sa.select(sa.func.count()).select_from(notices)
                    .where(notices.c.match.in_(('ballistic_hit', 'ballistic_lead')))).scalar():
        raise RuntimeError('ballistic deconfliction notices exist; they cannot be kept without their items')
    with _rebuilding_tables():
        with op.batch_alter_table('deconfliction_notices', schema=None) as batch_op:
            batch_op.alter_column('match', existing_type=NEW_MATCH, type_=OLD_MATCH, existing_nullable=False)
            batch_op.drop_constraint(batch_op.f('fk_deconfliction_notices_ballistic_item_id_ballistic_items'),
                                     type_='foreignkey')
            batch_op.drop_column('ballistic_item_id')
        with op.batch_alter_table('attachments', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('fk_attachments_ballistic_link_id_ballistic_links'), type_='foreignkey')
            batch_op.drop_constraint(batch_op.f('fk_attachments_ballistic_item_id_ballistic_items'), type_='foreignkey')
            batch_op.drop_index(batch_op.f('ix_attachments_ballistic_link_id'))
            batch_op.drop_index(batch_op.f('ix_attachments_ballistic_item_id'))
            batch_op.drop_column('ballistic_link_id')
            batch_op.drop_column('ballistic_item_id')
        with op.batch_alter_table('custody_events', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('ck_custody_events_one_owner'), type_='check')
            batch_op.drop_constraint(batch_op.f('fk_custody_events_ballistic_item_id_ballistic_items'),
                                     type_='foreignkey')
            batch_op.drop_index(batch_op.f('ix_custody_events_ballistic_item_id'))
            batch_op.alter_column('firearm_id', existing_type=sa.Integer(), nullable=False)
            batch_op.drop_column('ballistic_item_id')
    with op.batch_alter_table('ballistic_links', schema=None) as batch_op:
        batch_op.drop_index('ix_ballistic_links_status_created_at_id')
        batch_op.drop_index('ix_ballistic_links_item_b_id')
    op.drop_table('ballistic_links')
    with op.batch_alter_table('ballistic_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballistic_items_seizure_id'))
        batch_op.drop_index(batch_op.f('ix_ballistic_items_scene_id'))
        batch_op.drop_index(batch_op.f('ix_ballistic_items_firearm_id'))
        batch_op.drop_index('ix_ballistic_items_case_id_id')
        batch_op.drop_index(batch_op.f('ix_ballistic_items_agency_id'))
    op.drop_table('ballistic_items')
    with op.batch_alter_table('scenes', schema=None) as batch_op:
        batch_op.drop_index('ix_scenes_case_id_occurred_on')
        batch_op.drop_index(batch_op.f('ix_scenes_agency_id'))
    op.drop_table('scenes')
