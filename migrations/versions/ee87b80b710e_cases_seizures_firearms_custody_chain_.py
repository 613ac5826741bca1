"""cases, seizures, firearms, custody chain and reference lists

Revision ID: ee87b80b710e
Revises: ac1f11977a94
Create Date: 2026-11-27 22:18:29.381970

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ee87b80b710e'
down_revision = 'ac1f11977a94'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calibers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('firearm_types', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibers')),
    sa.UniqueConstraint('name', name=op.f('uq_calibers_name'))
    )
    op.create_table('case_reference_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_case_reference_counters'))
    )
    op.create_table('manufacturers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('country_code', sa.String(length=2), nullable=True),
    sa.Column('serial_patterns', sa.JSON(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manufacturers')),
    sa.UniqueConstraint('name', name=op.f('uq_manufacturers_name'))
    )
    op.create_table('caliber_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('caliber_id', sa.Integer(), nullable=False),
    sa.Column('alias', sa.String(length=60), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['caliber_id'], ['calibers.id'], name=op.f('fk_caliber_aliases_caliber_id_calibers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_caliber_aliases')),
    sa.UniqueConstraint('key', name=op.f('uq_caliber_aliases_key'))
    )
    with op.batch_alter_table('caliber_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_caliber_aliases_caliber_id'), ['caliber_id'], unique=False)

    op.create_table('manufacturer_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('manufacturer_id', sa.Integer(), nullable=False),
    sa.Column('alias', sa.String(length=120), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['manufacturer_id'], ['manufacturers.id'], name=op.f('fk_manufacturer_aliases_manufacturer_id_manufacturers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manufacturer_aliases')),
    sa.UniqueConstraint('key', name=op.f('uq_manufacturer_aliases_key'))
    )
    with op.batch_alter_table('manufacturer_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_manufacturer_aliases_manufacturer_id'), ['manufacturer_id'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('open', 'investigating', 'in_review', 'approved', 'closed', name='case_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('priority', sa.Enum('low', 'normal', 'high', 'urgent', name='case_priority', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('owner_agency_id', sa.Integer(), nullable=False),
    sa.Column('lead_officer_id', sa.Integer(), nullable=True),
    sa.Column('carpeta_number', sa.String(length=80), nullable=True),
    sa.Column('closure_outcome', sa.Text(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_cases_created_by_id_users')),
    sa.ForeignKeyConstraint(['lead_officer_id'], ['users.id'], name=op.f('fk_cases_lead_officer_id_users')),
    sa.ForeignKeyConstraint(['owner_agency_id'], ['agencies.id'], name=op.f('fk_cases_owner_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('reference', name=op.f('uq_cases_reference'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_carpeta_number'), ['carpeta_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_lead_officer_id'), ['lead_officer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_owner_agency_id'), ['owner_agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_status'), ['status'], unique=False)

    op.create_table('seizures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('seized_on', sa.Date(), nullable=False),
    sa.Column('seized_time', sa.Time(), nullable=True),
    sa.Column('state_code', sa.String(length=2), nullable=False),
    sa.Column('municipality_code', sa.String(length=3), nullable=True),
    sa.Column('locality', sa.String(length=160), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('coordinate_source', sa.Enum('gps', 'geocoded', 'gazetteer', name='coordinate_source', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('coordinates_outside_state', sa.Boolean(), nullable=False),
    sa.Column('circumstances', sa.Text(), nullable=True),
    sa.Column('operation_name', sa.String(length=160), nullable=True),
    sa.Column('crime_category', sa.String(length=80), nullable=True),
    sa.Column('magazines_count', sa.Integer(), nullable=False),
    sa.Column('cartridges_count', sa.Integer(), nullable=False),
    sa.Column('seizure_ref', sa.String(length=80), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_seizures_agency_id_agencies')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_seizures_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_seizures_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seizures')),
    sa.UniqueConstraint('agency_id', 'seizure_ref', name='uq_seizures_agency_seizure_ref')
    )
    with op.batch_alter_table('seizures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seizures_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seizures_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seizures_seized_on'), ['seized_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_seizures_state_code'), ['state_code'], unique=False)

    op.create_table('firearms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seizure_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('firearm_type', sa.Enum('pistol', 'revolver', 'rifle', 'shotgun', 'submachine_gun', 'machine_gun', 'receiver_frame', 'other', name='firearm_type', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('manufacturer_id', sa.Integer(), nullable=True),
    sa.Column('manufacturer_text', sa.String(length=120), nullable=True),
    sa.Column('model', sa.String(length=120), nullable=True),
    sa.Column('caliber_id', sa.Integer(), nullable=True),
    sa.Column('caliber_text', sa.String(length=60), nullable=True),
    sa.Column('serial_number', sa.String(length=64), nullable=True),
    sa.Column('serial_normalized', sa.String(length=64), nullable=True),
    sa.Column('serial_status', sa.Enum('intact', 'obliterated', 'altered', 'restored', 'none', name='serial_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('restored_serial', sa.String(length=64), nullable=True),
    sa.Column('restored_serial_normalized', sa.String(length=64), nullable=True),
    sa.Column('importer', sa.String(length=160), nullable=True),
    sa.Column('country_code', sa.String(length=2), nullable=True),
    sa.Column('markings', sa.Text(), nullable=True),
    sa.Column('condition', sa.Enum('good', 'worn', 'damaged', 'inoperable', 'parts', name='firearm_condition', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('converted_to_automatic', sa.Boolean(), nullable=False),
    sa.Column('custody_status', sa.Enum('seized', 'packaged', 'transferred', 'received', 'stored', 'sent_to_lab', 'returned_from_lab', 'released', 'destroyed', name='custody_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('external_id', sa.String(length=80), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_firearms_agency_id_agencies')),
    sa.ForeignKeyConstraint(['caliber_id'], ['calibers.id'], name=op.f('fk_firearms_caliber_id_calibers')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_firearms_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_firearms_created_by_id_users')),
    sa.ForeignKeyConstraint(['manufacturer_id'], ['manufacturers.id'], name=op.f('fk_firearms_manufacturer_id_manufacturers')),
    sa.ForeignKeyConstraint(['seizure_id'], ['seizures.id'], name=op.f('fk_firearms_seizure_id_seizures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_firearms')),
    sa.UniqueConstraint('agency_id', 'external_id', name='uq_firearms_agency_external_id')
    )
    with op.batch_alter_table('firearms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_firearms_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_firearms_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_firearms_identity', ['manufacturer_id', 'serial_normalized'], unique=False)
        batch_op.create_index(batch_op.f('ix_firearms_restored_serial_normalized'), ['restored_serial_normalized'], unique=False)
        batch_op.create_index(batch_op.f('ix_firearms_seizure_id'), ['seizure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_firearms_serial_normalized'), ['serial_normalized'], unique=False)

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firearm_id', sa.Integer(), nullable=True),
    sa.Column('seizure_id', sa.Integer(), nullable=True),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('exif_location_removed', sa.Boolean(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['firearm_id'], ['firearms.id'], name=op.f('fk_attachments_firearm_id_firearms')),
    sa.ForeignKeyConstraint(['seizure_id'], ['seizures.id'], name=op.f('fk_attachments_seizure_id_seizures')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_attachments_stored_name'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_firearm_id'), ['firearm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_seizure_id'), ['seizure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_sha256'), ['sha256'], unique=False)

    op.create_table('custody_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firearm_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.Enum('seized', 'packaged', 'transferred', 'received', 'stored', 'sent_to_lab', 'returned_from_lab', 'released', 'destroyed', name='custody_event', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handed_over_by_name', sa.String(length=160), nullable=True),
    sa.Column('handed_over_by_institution', sa.String(length=160), nullable=True),
    sa.Column('handed_over_by_rank', sa.String(length=80), nullable=True),
    sa.Column('received_by_name', sa.String(length=160), nullable=True),
    sa.Column('received_by_institution', sa.String(length=160), nullable=True),
    sa.Column('received_by_rank', sa.String(length=80), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('packaging', sa.String(length=200), nullable=True),
    sa.Column('seal_number', sa.String(length=80), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_custody_events_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['corrects_id'], ['custody_events.id'], name=op.f('fk_custody_events_corrects_id_custody_events')),
    sa.ForeignKeyConstraint(['firearm_id'], ['firearms.id'], name=op.f('fk_custody_events_firearm_id_firearms')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_custody_events_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custody_events'))
    )
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custody_events_firearm_id'), ['firearm_id'], unique=False)


    _forbid_update_and_delete("custody_events")


APPEND_ONLY = "custody events are append-only; record a correction instead"


def _forbid_update_and_delete(table):
    """The database itself refuses to change or remove a custody entry."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'insufficient_privilege';
            END;
            $$ LANGUAGE plpgsql;
        """)
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")


def _drop_append_only(table):
    if op.get_bind().dialect.name == "postgresql":
        for name in ("no_update", "no_delete", "no_truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
    else:
        for name in ("no_update", "no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{name}")


def downgrade():
    _drop_append_only("custody_events")
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_events_firearm_id'))

    op.drop_table('custody_events')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_sha256'))
        batch_op.drop_index(batch_op.f('ix_attachments_seizure_id'))
        batch_op.drop_index(batch_op.f('ix_attachments_firearm_id'))

    op.drop_table('attachments')
    with op.batch_alter_table('firearms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_firearms_serial_normalized'))
        batch_op.drop_index(batch_op.f('ix_firearms_seizure_id'))
        batch_op.drop_index(batch_op.f('ix_firearms_restored_serial_normalized'))
        batch_op.drop_index('ix_firearms_identity')
        batch_op.drop_index(batch_op.f('ix_firearms_case_id'))
        batch_op.drop_index(batch_op.f('ix_firearms_agency_id'))

    op.drop_table('firearms')
    with op.batch_alter_table('seizures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seizures_state_code'))
        batch_op.drop_index(batch_op.f('ix_seizures_seized_on'))
        batch_op.drop_index(batch_op.f('ix_seizures_case_id'))
        batch_op.drop_index(batch_op.f('ix_seizures_agency_id'))

    op.drop_table('seizures')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_status'))
        batch_op.drop_index(batch_op.f('ix_cases_owner_agency_id'))
        batch_op.drop_index(batch_op.f('ix_cases_lead_officer_id'))
        batch_op.drop_index(batch_op.f('ix_cases_carpeta_number'))

    op.drop_table('cases')
    with op.batch_alter_table('manufacturer_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_manufacturer_aliases_manufacturer_id'))

    op.drop_table('manufacturer_aliases')
    with op.batch_alter_table('caliber_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_caliber_aliases_caliber_id'))

    op.drop_table('caliber_aliases')
    op.drop_table('manufacturers')
    op.drop_table('case_reference_counters')
    op.drop_table('calibers')
