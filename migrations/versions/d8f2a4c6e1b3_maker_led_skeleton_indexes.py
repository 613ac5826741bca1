"""skeleton indexes led by the maker, for the links of imported firearms (PostgreSQL)

The links of a batch of new firearms (``tracer.links.bulk``) are looked for among the
firearms of the same maker. Read from the skeleton indexes, a one-edit range held every
serial sharing half of the new one, whatever its maker: with 1,000,000 firearms recorded,
about 600 index entries per new firearm on the reversed skeleton, of which one or two were
of its maker. Led by the maker (none counts as maker 0) the range holds that maker's
serials only: the five lookups of 500 new firearms went from 120-260 ms to 40-90 ms, the
reversed-skeleton range from 55 ms to 8 ms. The two indexes cost about 10-20 ms more per
1,000 firearms inserted. The serial search, which may name no
maker, keeps reading the skeleton indexes. SQLite compares the maker after its lookups
and gets no index.

Revision ID: d8f2a4c6e1b3
Revises: b5d1e8f3a7c2
Create Date: 2026-12-06 05:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd8f2a4c6e1b3'
down_revision = 'b5d1e8f3a7c2'
branch_labels = None
depends_on = None

INDEXES = (("ix_firearms_maker_serial_skeleton", "serial_skeleton"),
           ("ix_firearms_maker_serial_skeleton_reversed", "serial_skeleton_reversed"))


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, column in INDEXES:
        op.create_index(name, "firearms", [sa.text("coalesce(manufacturer_id, 0)"), column, "id"],
                        postgresql_include=["manufacturer_id"])


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _column in INDEXES:
        op.drop_index(name, table_name="firearms")
