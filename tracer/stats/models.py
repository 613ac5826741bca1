"""The rollup tables of ``tracer.stats.rollups``: counters kept by the database's triggers.

Every table is keyed by the grain and period of the seizure date, the owning agency, the
seizure state and its own columns (empty text or 0 standing for none, so that a key is
never NULL), and holds ``n`` (and some sums) for that key. In the tables kept with totals,
agency 0 stands for every agency and state '' for every state.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Float, Index, Integer, String, Table

from tracer.extensions import db

_DIMS = {
    "municipality_code": lambda: String(3),
    "firearm_type": lambda: String(20),
    "caliber_id": lambda: Integer(),
    "caliber_text": lambda: String(60),
    "status": lambda: String(16),
    "outcome": lambda: String(20),
    "ffl_state": lambda: String(2),
    "to_state": lambda: String(2),
    "ffl_city": lambda: String(120),
    "ffl_license": lambda: String(20),
    "ffl_name": lambda: String(200),
    "bucket": lambda: Integer(),
}


def _rollup(name: str, dims: tuple[str, ...], sums: tuple[str, ...] = (), totals: bool = False) -> Table:
    """With ``totals``, its reads of tens of thousands of keys go along an index that holds
    every column (on PostgreSQL, an index-only scan)."""
    covering = ([Index(f"ix_{name}_read", "grain", "period", "agency_id", "state_code",
                       postgresql_include=[*dims, "n", *sums])] if totals else [])
    return Table(
        name, db.metadata,
        Column("grain", String(1), primary_key=True),
        Column("period", Date, primary_key=True),
        Column("agency_id", Integer, primary_key=True, autoincrement=False),
        Column("state_code", String(2), primary_key=True),
        *[Column(dim, _DIMS[dim](), primary_key=True, autoincrement=False) for dim in dims],
        Column("n", BigInteger, nullable=False),
        *[Column(total, Float, nullable=False) for total in sums],
        *covering,
    )


seizure_counts = _rollup("stats_seizures", ())
seizure_places = _rollup("stats_seizure_places", ("municipality_code",))
firearm_counts = _rollup("stats_firearms", ("firearm_type",), ("untraced",))
caliber_counts = _rollup("stats_calibers", ("caliber_id", "caliber_text"))
trace_counts = _rollup("stats_traces", ("status", "outcome"))
source_counts = _rollup("stats_sources", ("ffl_state", "ffl_city"), ("placed", "latitude_sum", "longitude_sum"),
                        totals=True)
dealer_counts = _rollup("stats_dealers", ("ffl_license", "ffl_name", "ffl_state", "ffl_city"), totals=True)
corridor_counts = _rollup("stats_corridors", ("ffl_state", "ffl_city", "to_state", "municipality_code"),
                          ("latitude_sum", "longitude_sum"), totals=True)
time_to_crime_counts = _rollup("stats_time_to_crime", ("bucket",), totals=True)
