"""rifling class characteristics of makes and models, with the shipped table

A bullet's lands and grooves, twist and widths narrow the firearms that may have
fired it. The table ``rifling_specs`` holds those class characteristics per
maker, model and caliber; the rows shipped in
tracer/ballistics/data/rifling_specs.csv are written here, so a fresh install
answers rifling searches after `db upgrade` (`flask reference load-rifling`
adds what a later release ships). They need the shipped calibers, which the
revision 5d2e8f1a9b63 writes before this one.

Downgrade drops the table and its rows.

Revision ID: e7a3c9b1d524
Revises: e1b2c3d4f5a6
Create Date: 2026-12-05 21:40:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

from tracer.ballistics.rifling_data import add_missing_specs


revision = 'e7a3c9b1d524'
down_revision = 'e1b2c3d4f5a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rifling_specs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('manufacturer_id', sa.Integer(), nullable=True),
        sa.Column('manufacturer_text', sa.String(length=120), nullable=False),
        sa.Column('model', sa.String(length=120), nullable=False),
        sa.Column('caliber_id', sa.Integer(), nullable=False),
        sa.Column('lands', sa.Integer(), nullable=True),
        sa.Column('polygonal', sa.Boolean(), nullable=False),
        sa.Column('twist', sa.Enum('left', 'right', name='rifling_twist', native_enum=False,
                                   create_constraint=True, length=5), nullable=False),
        sa.Column('land_width_mm', sa.Float(), nullable=True),
        sa.Column('groove_width_mm', sa.Float(), nullable=True),
        sa.Column('source', sa.String(length=40), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('lands IS NULL OR (lands >= 1 AND lands <= 32)', name=op.f('ck_rifling_specs_lands')),
        sa.CheckConstraint('(polygonal AND lands IS NULL) OR (NOT polygonal AND lands IS NOT NULL)',
                           name=op.f('ck_rifling_specs_lands_or_polygonal')),
        sa.CheckConstraint('land_width_mm IS NULL OR land_width_mm > 0', name=op.f('ck_rifling_specs_land_width')),
        sa.CheckConstraint('groove_width_mm IS NULL OR groove_width_mm > 0', name=op.f('ck_rifling_specs_groove_width')),
        sa.ForeignKeyConstraint(['caliber_id'], ['calibers.id'], name=op.f('fk_rifling_specs_caliber_id_calibers')),
        sa.ForeignKeyConstraint(['manufacturer_id'], ['manufacturers.id'],
                                name=op.f('fk_rifling_specs_manufacturer_id_manufacturers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rifling_specs')),
        sa.UniqueConstraint('manufacturer_text', 'model', 'caliber_id', name=op.f('uq_rifling_specs_maker_model_caliber')),
    )
    op.create_index(op.f('ix_rifling_specs_caliber_id_twist'), 'rifling_specs', ['caliber_id', 'twist'])
    op.create_index(op.f('ix_rifling_specs_listing'), 'rifling_specs', ['manufacturer_text', 'model', 'id'])
    op.create_index(op.f('ix_rifling_specs_manufacturer_id'), 'rifling_specs', ['manufacturer_id'])
    add_missing_specs(op.get_bind(), datetime.now(timezone.utc))


def downgrade():
    op.drop_index('ix_rifling_specs_manufacturer_id', table_name='rifling_specs')
    op.drop_index('ix_rifling_specs_listing', table_name='rifling_specs')
    op.drop_index('ix_rifling_specs_caliber_id_twist', table_name='rifling_specs')
    op.drop_table('rifling_specs')
