"""The dealer watch list line of ``make bench``: p95 under 300 ms on the bench register.

Not a test (pytest does not collect it): run by ``all_budgets.py`` (part ``dealers``), or on
its own

    TRACER_BENCH_DATABASE_URL=postgresql+psycopg://…/tracer_bench .venv/bin/python tests/bench/dealer_bench.py

On the register of ``serial_data``, every third bench firearm gets a completed trace naming one
of 2,000 dealers (written once, in one INSERT … SELECT, trace numbers ``RT-2098-…``). Measured:
``dealers.dealer_watch_list`` as a federal analyst, over everything, each recovery year and one
US state, against the bare SQL of its ranking.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from tests.bench.stats import Row, percentile  # noqa: E402

BUDGET_P95_MS = 300.0
MARK = "RT-2098-%"
DEALERS = 2_000
RANKING_SQL = ("SELECT ffl_license, count(*), sum(CASE WHEN time_to_crime_days < 1095 THEN 1 ELSE 0 END) AS short "
               "FROM trace_requests WHERE ffl_license IS NOT NULL GROUP BY ffl_license "
               "ORDER BY short DESC, count(*) DESC, ffl_license LIMIT 100")


def ensure_traces() -> str:
    """Write the bench's traced dealers once; a second run finds them and keeps them."""
    from tracer.extensions import db

    count = db.session.scalar(text("SELECT count(*) FROM trace_requests WHERE trace_number LIKE :mark"),
                              {"mark": MARK})
    if count:
        db.session.rollback()
        return f"dealer traces reused: {count:,}"
    office = db.session.scalar(text("SELECT id FROM agencies WHERE level = 'us' ORDER BY id LIMIT 1"))
    if office is None:
        office = db.session.scalar(text(
            "INSERT INTO agencies (name, acronym, level, active, created_at, updated_at) VALUES "
            "('ATF Mexico City Country Office', 'ATF-MX', 'us', true, now(), now()) RETURNING id"))
    started = time.perf_counter()
    db.session.execute(text(f"""
        INSERT INTO trace_requests (trace_number, firearm_id, case_id, agency_id, requesting_agency_id,
            addressed_to_id, status, priority, identifiers, submitted_at, created_at, updated_at, version,
            outcome, ffl_name, ffl_license, ffl_city, ffl_state, time_to_crime_days, multiple_sale,
            recovery_date, recovery_state, result_at)
        SELECT 'RT-2098-' || lpad(f.id::text, 8, '0'), f.id, f.case_id, f.agency_id, f.agency_id, :office,
            'completed', 'routine', '{{}}', now(), now(), now(), 1, 'us_retail',
            'Dealer ' || (f.id % {DEALERS}),
            '5-74-' || lpad(((f.id % {DEALERS}) % 999)::text, 3, '0') || '-01-4C-' || lpad((f.id % {DEALERS})::text, 5, '0'),
            'Houston', (ARRAY['TX', 'AZ', 'CA', 'NM', 'FL'])[1 + (f.id % {DEALERS}) % 5],
            (f.id * 37) % 6000, f.id % 9 = 0, s.seized_on, s.state_code, now()
        FROM firearms f JOIN seizures s ON s.id = f.seizure_id
        WHERE f.id % 3 = 0 AND NOT EXISTS (SELECT 1 FROM trace_requests t WHERE t.firearm_id = f.id)
        """), {"office": office})
    db.session.commit()
    db.session.execute(text("ANALYZE trace_requests"))
    db.session.commit()
    count = db.session.scalar(text("SELECT count(*) FROM trace_requests WHERE trace_number LIKE :mark"),
                              {"mark": MARK})
    return f"dealer traces written: {count:,} in {time.perf_counter() - started:.0f} s"


def measure(repeats: int = 10) -> list[Row]:
    """The dealer watch list's line: its p95 over every filter, beside the bare ranking SQL."""
    from tests.bench.serial_data import bench_analyst
    from tracer.extensions import db
    from tracer.tracing.dealers import DealerFilters, dealer_watch_list

    print(ensure_traces(), flush=True)
    user = bench_analyst()
    years = [row[0] for row in db.session.execute(text(
        "SELECT DISTINCT extract(year FROM recovery_date)::int FROM trace_requests "
        "WHERE recovery_date IS NOT NULL ORDER BY 1 DESC LIMIT 3"))]
    filters = [DealerFilters(), DealerFilters(us_state="TX")] + [DealerFilters(year=str(y)) for y in years]
    times, base = [], []
    for _ in range(repeats):
        for chosen in filters:
            started = time.perf_counter()
            dealer_watch_list(user, chosen)
            times.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
        started = time.perf_counter()
        db.session.execute(text(RANKING_SQL)).all()
        base.append((time.perf_counter() - started) * 1000)
        db.session.rollback()
    p95, base_p95 = percentile(times, 0.95), percentile(base, 0.95)
    return [Row("dealer watch list (federal analyst)", len(times), percentile(times, 0.5), p95,
                "bare ranking SQL", percentile(base, 0.5), base_p95, p95 / base_p95 if base_p95 else None,
                f"p95 < {BUDGET_P95_MS:.0f} ms", p95 < BUDGET_P95_MS)]


if __name__ == "__main__":
    import os

    from tests.bench.serial_search import DEFAULT_URL, make_app
    from tests.bench.stats import print_table

    app = make_app(os.environ.get("TRACER_BENCH_DATABASE_URL") or DEFAULT_URL)
    with app.app_context():
        print_table(measure())
