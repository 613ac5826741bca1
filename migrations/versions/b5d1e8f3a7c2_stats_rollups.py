"""dashboard counters kept by the database: rollups of seizures, firearms and traces

The dashboards, the map and ``stats/summary`` read counters per owning agency, seizure
state and seizure date (all time, year, month and day), kept by triggers on seizures,
firearms and trace requests (``tracer.stats.rollups``), and filled here from the registers.
The rollups of many keys (US sources, dealers, corridors, time to crime) also keep their
counters over every agency and every state.
Trace requests get an index on the time to crime, along which the median is read.

Revision ID: b5d1e8f3a7c2
Revises: 9f2bf78bb055
Create Date: 2026-12-06 05:00:00

"""
from alembic import op
import sqlalchemy as sa

from tracer.stats import rollups


revision = 'b5d1e8f3a7c2'
down_revision = '9f2bf78bb055'
branch_labels = None
depends_on = None

DIMS = {
    'municipality_code': sa.String(length=3),
    'firearm_type': sa.String(length=20),
    'caliber_id': sa.Integer(),
    'caliber_text': sa.String(length=60),
    'status': sa.String(length=16),
    'outcome': sa.String(length=20),
    'ffl_state': sa.String(length=2),
    'to_state': sa.String(length=2),
    'ffl_city': sa.String(length=120),
    'ffl_license': sa.String(length=20),
    'ffl_name': sa.String(length=200),
    'bucket': sa.Integer(),
}
TABLES = (
    ('stats_seizures', (), ()),
    ('stats_seizure_places', ('municipality_code',), ()),
    ('stats_firearms', ('firearm_type',), ('untraced',)),
    ('stats_calibers', ('caliber_id', 'caliber_text'), ()),
    ('stats_traces', ('status', 'outcome'), ()),
    ('stats_sources', ('ffl_state', 'ffl_city'), ('placed', 'latitude_sum', 'longitude_sum')),
    ('stats_dealers', ('ffl_license', 'ffl_name', 'ffl_state', 'ffl_city'), ()),
    ('stats_corridors', ('ffl_state', 'ffl_city', 'to_state', 'municipality_code'), ('latitude_sum', 'longitude_sum')),
    ('stats_time_to_crime', ('bucket',), ()),
)

# Kept also over every agency and every state, and read along an index holding every column.
WITH_TOTALS = ('stats_sources', 'stats_dealers', 'stats_corridors', 'stats_time_to_crime')


def upgrade():
    for name, dims, sums in TABLES:
        op.create_table(
            name,
            sa.Column('grain', sa.String(length=1), nullable=False),
            sa.Column('period', sa.Date(), nullable=False),
            sa.Column('agency_id', sa.Integer(), nullable=False, autoincrement=False),
            sa.Column('state_code', sa.String(length=2), nullable=False),
            *[sa.Column(dim, DIMS[dim], nullable=False, autoincrement=False) for dim in dims],
            sa.Column('n', sa.BigInteger(), nullable=False),
            *[sa.Column(total, sa.Float(), nullable=False) for total in sums],
            sa.PrimaryKeyConstraint('grain', 'period', 'agency_id', 'state_code', *dims, name=op.f(f'pk_{name}')),
        )
    for name, dims, sums in TABLES:
        if name in WITH_TOTALS:
            op.create_index(f'ix_{name}_read', name, ['grain', 'period', 'agency_id', 'state_code'],
                            postgresql_include=[*dims, 'n', *sums])
    op.create_index('ix_trace_requests_time_to_crime_days', 'trace_requests', ['time_to_crime_days'])
    bind = op.get_bind()
    rollups.install(bind)
    rollups.refill(bind)


def downgrade():
    rollups.uninstall(op.get_bind())
    op.drop_index('ix_trace_requests_time_to_crime_days', table_name='trace_requests')
    for name, _dims, _sums in reversed(TABLES):
        op.drop_table(name)
