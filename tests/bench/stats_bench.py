"""Dashboards, the map and ``stats/summary`` on the bench register (SPEC §10: p95 under 300 ms).

Each operation runs through the service layer as the pages and the API run it, for the
federal bench analyst over everything and over one state (Sonora), ``repeats`` times; the
baseline is the bare count of the seizures in the same scope (the least any of them reads).
The trace requests these figures read are the add-on of ``trace_data``.
"""
from __future__ import annotations

import time
from datetime import date

from sqlalchemy import text

from tests.bench.stats import Row, percentile

BUDGET_P95_MS = 300.0
STATE = "26"
# A range of days, months and no whole year: the counters read at every grain but the year's.
RANGE = (date(2022, 3, 15), date(2023, 8, 10))


def _timed(function, repeats: int) -> list[float]:
    from tracer.extensions import db

    spent = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        spent.append((time.perf_counter() - started) * 1000)
        db.session.rollback()
    return spent


def measure(user, repeats: int = 20) -> list[Row]:
    """One line per operation and filter: median and p95 beside the bare seizure count."""
    from tracer.extensions import db
    from tracer.stats.filters import StatsFilters
    from tracer.stats.map_data import map_layers
    from tracer.stats.services import dashboard, summary

    rows = []
    first, last = RANGE
    for label, filters, where in (("everything", StatsFilters(), ""),
                                  (f"state {STATE}", StatsFilters(state=STATE), f" WHERE state_code = '{STATE}'"),
                                  (f"{first} to {last}", StatsFilters(first, last),
                                   f" WHERE seized_on BETWEEN '{first}' AND '{last}'")):
        base = _timed(lambda: db.session.scalar(text(f"SELECT count(*) FROM seizures{where}")), repeats)
        base_median, base_p95 = percentile(base, 0.5), percentile(base, 0.95)
        for name, function in (("stats/summary", summary), ("dashboard", dashboard), ("map", map_layers)):
            spent = _timed(lambda: function(user, filters), repeats)
            median, p95 = percentile(spent, 0.5), percentile(spent, 0.95)
            rows.append(Row(f"stats: {name}, {label}", len(spent), median, p95, "count(*) of the seizures",
                            base_median, base_p95, p95 / base_p95 if base_p95 else None,
                            f"p95 < {BUDGET_P95_MS:.0f} ms", p95 < BUDGET_P95_MS))
    return rows
