"""Every budget of SPEC §10 that ``make bench`` checks, in one table.

Not a test (pytest does not collect it): ``make bench``, or

    .venv/bin/python tests/bench/all_budgets.py [--rebuild] [--strict] [--skip http import] [--sqlite]

On the register of ``serial_data`` (100,000 cases, 300,000 seizures, 1,000,000 firearms in
TRACER_BENCH_DATABASE_URL, reused when present) plus two bench accounts and 1,000,000 sealed
audit events (``bench_accounts``, written once), it measures, each beside a baseline taken
in the same run:

- serial search through the service layer (``serial_search.measure``);
- throughput under gunicorn, production configuration, 16 clients: the case list, a case
  page, a firearm page and the serial-search API against the bare authenticated endpoint
  of ``baseline_app``, runs interleaved (``http_bench``);
- single-client page latency through the same servers: the backlog, the case list, the
  audit page and the deconfliction list (``http_bench``);
- the rows per second of a 50,000-row seizure import (``import_rate``), on PostgreSQL and,
  with ``--sqlite``, on SQLite too;
- ballistics on 1,000,000 items (``ballistics_bench``): the rows per second of a 50,000-row
  IBIS lead import, and the p95 of the examiners' queue and of an item's leads;
- the dashboard, the map and ``stats/summary`` (``stats_bench``), over everything and one
  state, on 300,000 trace requests written once by ``trace_data``;
- link analysis (``networks_bench``): the connected groups over every case, and a case's network at
  depth 2;
- the dealer watch list over the bench's traced dealers (``dealer_bench``): p95 under 300 ms.

Each line says PASS or FAIL. The exit status is 0 unless ``--strict`` is given and a line
failed, so the table is always printed whole.
"""
from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import make_url, text  # noqa: E402

from tests.bench import ballistics_bench, bench_accounts, dealer_bench, networks_bench, stats_bench, trace_data  # noqa: E402
from tests.bench.http_bench import Targets, measure_http, production_env  # noqa: E402
from tests.bench.import_rate import measure_import, measure_import_sqlite  # noqa: E402
from tests.bench.serial_data import SIZES, bench_analyst, build_dataset, dataset_ready  # noqa: E402
from tests.bench.serial_queries import make_queries  # noqa: E402
from tests.bench.serial_search import DEFAULT_URL, ensure_database, make_app, measure  # noqa: E402
from tests.bench.stats import Row, print_table  # noqa: E402

PARTS = ("serial", "http", "import", "ballistics", "stats", "networks", "dealers")


def _step(label: str, started: float) -> float:
    now = time.perf_counter()
    print(f"{label}: {now - started:.1f} s", flush=True)
    return now


def _token(env: dict) -> str:
    """A bearer token for the web account, made as an administrator would: ``flask users token``."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "users", "token", bench_accounts.WEB_USER,
                           "--name", "bench"], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"flask users token failed: {done.stderr.strip()}")
    return done.stdout.strip().splitlines()[-1]


def _targets(env: dict) -> Targets:
    from tracer.extensions import db

    middle = db.session.execute(text(
        "SELECT f.id, f.case_id, f.serial_number FROM firearms f WHERE f.serial_number IS NOT NULL "
        "AND f.id >= (SELECT (min(id) + max(id)) / 2 FROM firearms) ORDER BY f.id LIMIT 1")).one()
    db.session.rollback()
    return Targets(case_id=middle.case_id, firearm_id=middle.id, serial=middle.serial_number, token=_token(env))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="generate the dataset again even if it is there")
    parser.add_argument("--strict", action="store_true", help="exit non-zero when a line fails")
    parser.add_argument("--skip", nargs="*", choices=PARTS, default=[], help="parts of the table to leave out")
    parser.add_argument("--queries", type=int, default=200, help="serial-search queries per group")
    parser.add_argument("--baseline-queries", type=int, default=30, help="serial queries timed as full scans")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each serial query; its time is their median")
    parser.add_argument("--seconds", type=float, default=8, help="length of each throughput run (at most 60)")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved baseline/page run pairs per page")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--latency-requests", type=int, default=100)
    parser.add_argument("--import-rows", type=int, default=50_000)
    parser.add_argument("--ibis-rows", type=int, default=ballistics_bench.IMPORT_ROWS)
    parser.add_argument("--stats-repeats", type=int, default=20, help="runs of each dashboard, map and summary")
    parser.add_argument("--sqlite", action="store_true", help="measure the import on SQLite as well")
    parser.add_argument("--port", type=int, default=8741)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    url = os.environ.get("TRACER_BENCH_DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgresql"):
        print("the bench runs on PostgreSQL (TRACER_BENCH_DATABASE_URL)", file=sys.stderr)
        return 2
    env = production_env(url, options.redis_url)
    began = started = time.perf_counter()
    ensure_database(url)
    app = make_app(url)
    rows: list[Row] = []
    failures: list[str] = []
    with app.app_context():
        from tracer.extensions import db

        if not options.rebuild and dataset_ready():
            print(f"dataset reused: {SIZES['cases']:,} cases, {SIZES['seizures']:,} seizures, "
                  f"{SIZES['firearms']:,} firearms already in {make_url(url).database} (--rebuild to make it anew)")
        else:
            build_dataset(options.seed)
        bench_accounts.ensure_accounts()
        bench_analyst()
        print(bench_accounts.ensure_audit_history(), flush=True)
        print(bench_accounts.ensure_notices(), flush=True)
        if "stats" not in options.skip:
            print(trace_data.ensure_traces(options.seed), flush=True)
        started = _step("dataset", started)
        if "serial" not in options.skip:
            user = bench_analyst()
            db.session.expunge(user.agency)
            db.session.expunge(user)
            queries = make_queries(options.seed, options.queries)
            gc.collect()
            gc.freeze()  # as gunicorn.conf.py does for a worker's start-up objects
            serial_rows, failures = measure(user, queries, options.baseline_queries, options.repeats)
            gc.unfreeze()
            db.session.rollback()
            rows += [Row.from_serial(row) for row in serial_rows]
            started = _step("serial search", started)
        if "stats" not in options.skip:
            rows += stats_bench.measure(bench_analyst(), options.stats_repeats)
            db.session.rollback()
            started = _step("dashboards, map and stats/summary", started)
        targets = _targets(env) if "http" not in options.skip else None
        db.session.remove()
        db.engine.dispose()
    if targets is not None:
        rows += measure_http(env, targets, port=options.port, clients=options.clients, seconds=min(options.seconds, 60),
                             rounds=options.rounds, latency_requests=options.latency_requests,
                             web_user=bench_accounts.WEB_USER, auditor=bench_accounts.AUDITOR,
                             password=bench_accounts.PASSWORD)
        started = _step("throughput and page latency under gunicorn", started)
    if "import" not in options.skip:
        rows.append(measure_import(url, env, bench_accounts.WEB_USER, options.import_rows))
        if options.sqlite:
            rows.append(measure_import_sqlite(options.import_rows))
        started = _step("import", started)
    if "ballistics" not in options.skip:
        with app.app_context():
            rows += ballistics_bench.measure(env, options.ibis_rows)
            db.session.remove()
            db.engine.dispose()
        started = _step("ballistics", started)
    if "networks" not in options.skip:
        with app.app_context():
            rows += networks_bench.measure()
            db.session.remove()
            db.engine.dispose()
        started = _step("networks", started)
    if "dealers" not in options.skip:
        with app.app_context():
            rows += dealer_bench.measure()
            db.session.remove()
            db.engine.dispose()
        started = _step("dealer watch list", started)
    print(f"\nSPEC §10 budgets on {make_url(url).database} ({time.perf_counter() - began:.0f} s in all). Serial search: "
          f"{options.queries} queries per group, each the median of {options.repeats} runs, full scans on the first "
          f"{options.baseline_queries}. Throughput: {options.clients} clients, {options.rounds} interleaved "
          f"{options.seconds:g} s runs of baseline and page each; ratio = page req/s / baseline req/s. Latency: "
          f"one client, {options.latency_requests} requests, each after one baseline request. Load average at "
          f"the end: {' '.join(f'{value:.1f}' for value in os.getloadavg())} ({os.cpu_count()} cores).\n")
    print_table(rows)
    for failure in failures:
        print("NOT FOUND:", failure)
    failed = [row for row in rows if not row.passed]
    print()
    print("all budgets met" if not failed and not failures else
          f"{len(failed)} budget(s) failed, {len(failures)} search(es) missed their firearm")
    return 1 if options.strict and (failed or failures) else 0


if __name__ == "__main__":
    raise SystemExit(main())
