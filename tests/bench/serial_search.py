"""Serial-number search on a national-scale register (SPEC §10), on PostgreSQL.

Not a test (pytest does not collect it): ``make bench``, or

    .venv/bin/python tests/bench/serial_search.py [--rebuild] [--queries 300]

It builds (or reuses) 100,000 cases, 300,000 seizures and 1,000,000 firearms in the
database named by TRACER_BENCH_DATABASE_URL (default: tracer_bench on the local server,
created when missing, schema from the migrations), with set-based SQL; then times the
search through the service layer — ``find_serial_matches`` and ``search_serials`` for a
federal analyst — against baselines measured in the same run, query by query:

- exact: the very statements the operation sent for the query, replayed on a bare
  psycopg connection (the indexed lookup and nothing else);
- partial and fuzzy: one sequential scan of the table evaluating the same matching
  (``matching_condition``, index and bitmap scans switched off).

Each query's time is the median of ``--repeats`` runs. Searches run as the page runs
them: in a transaction already open, committed afterwards (their audit events land in
the bench database), in a process whose start-up objects are frozen for the garbage
collector (as ``gunicorn.conf.py`` does). It prints one table and exits non-zero when
a budget fails or a search misses the firearm it was drawn from.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import create_engine, make_url, select, text  # noqa: E402

from tests.bench.serial_data import SIZES, bench_analyst, build_dataset, dataset_ready  # noqa: E402
from tests.bench.serial_queries import GROUPS, make_queries  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/tracer_bench"
BUDGET_EXACT_RATIO = 3.0
BUDGET_P95_MS = 100.0
BUDGET_SCAN_SPEEDUP = 50.0


def ensure_database(url: str) -> None:
    """Create the bench database when the server does not have it yet."""
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                 {"name": target.database}):
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
            print(f"created database {target.database}")
    server.dispose()


def make_app(url: str):
    from config import DevelopmentConfig
    from tracer import create_app

    settings = type("BenchConfig", (DevelopmentConfig,), {
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret", "RATELIMIT_ENABLED": False})
    return create_app(settings)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def timed(function, item, repeats: int = 1) -> float:
    """Milliseconds of ``function(item)``: the median of ``repeats`` runs, so that one moment
    when another process has the CPU does not stand for the query."""
    spent = []
    for _ in range(repeats):
        started = time.perf_counter()
        function(item)
        spent.append((time.perf_counter() - started) * 1000)
    return sorted(spent)[len(spent) // 2]


def measure(user, queries: dict, baseline_sample: int, repeats: int) -> tuple[list[tuple], list[str]]:
    """(rows of the table, failed sanity checks). Each query is timed through the service and
    then, for exact searches, its baseline, one after the other, so that both see the machine
    in the same state; the full scans of partial and fuzzy searches follow the searches.

    The exact baseline of an operation is the SQL that operation sent for the query, replayed
    on a bare psycopg connection (nothing but the statements and their rows); the partial and
    fuzzy baseline is one sequential scan of the table evaluating the same matching."""
    from sqlalchemy import event

    from tracer.extensions import db
    from tracer.firearms.models import Firearm
    from tracer.search.matches import find_serial_matches
    from tracer.search.lookups import matching_condition
    from tracer.search.scope import search_serials

    raw = psycopg.connect(db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
                          autocommit=True)
    scanner = db.engine.connect()
    for setting in ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan"):
        scanner.execute(text(f"SET {setting} = off"))
    sent: list[tuple] = []

    def capture(_connection, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    operations = {
        "find_serial_matches": lambda query: find_serial_matches(query.text, query.mode, limit=50),
        "search_serials (federal)": lambda query: search_serials(user, query.text, query.mode),
    }

    def fresh_transaction():
        # As the page and the API do: the search's audit events are committed. (A rollback
        # would also make psycopg drop its prepared statements, which a committing server keeps.)
        db.session.commit()
        # A request's transaction is open before its search: signing the user in reads first.
        db.session.execute(text("SELECT 1"))

    def replay(statements):
        with raw.cursor() as cursor:
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                cursor.fetchall()

    def full_scan(query):
        # The same matching, read by one sequential scan of the table (indexes switched off).
        scanner.execute(select(Firearm.id, Firearm.serial_normalized, Firearm.restored_serial_normalized)
                        .where(matching_condition(query))).all()

    rows, failures = [], []
    for group, mode in GROUPS.items():
        items = [query for _kind, query, _source in queries[group]]
        for query in items[:20]:  # warm the caches and the statement cache
            for operation in operations.values():
                operation(query)
            fresh_transaction()
        spent = {name: [] for name in operations}
        bare = {name: [] for name in operations}
        scans = []
        for query in items:
            for name, operation in operations.items():
                fresh_transaction()
                sent.clear()
                event.listen(db.engine, "before_cursor_execute", capture)
                operation(query)
                event.remove(db.engine, "before_cursor_execute", capture)
                statements = list(sent)
                fresh_transaction()
                spent[name].append(timed(operation, query, repeats))
                if mode == "exact":
                    bare[name].append(timed(replay, statements, repeats))
        if mode != "exact":
            # After the searches, not between them: a scan of the whole table would leave the
            # caches cold for the search timed next.
            scans = [timed(full_scan, query) for query in items[:baseline_sample]]
        for name in operations:
            if mode == "exact":
                rows.append(_row(f"{group}: {name}", mode, spent[name], "same SQL, bare psycopg", bare[name]))
            else:
                rows.append(_row(f"{group}: {name}", mode, spent[name], "full scan, same matching", scans))
        failures += _sanity(group, queries[group])
    fresh_transaction()
    raw.close()
    scanner.close()
    return rows, failures


def _row(operation, mode, spent, baseline_name, baseline) -> tuple:
    median, p95 = percentile(spent, .5), percentile(spent, .95)
    base_median, base_p95 = percentile(baseline, .5), percentile(baseline, .95)
    if mode == "exact":
        ratio = p95 / base_p95
        budget = f"p95 <= {BUDGET_EXACT_RATIO:g}x bare"
        passed = ratio <= BUDGET_EXACT_RATIO
    else:
        ratio = base_p95 / p95
        budget = f"p95 < {BUDGET_P95_MS:g} ms, >= {BUDGET_SCAN_SPEEDUP:g}x faster"
        passed = p95 < BUDGET_P95_MS and ratio >= BUDGET_SCAN_SPEEDUP
    return (operation, len(spent), median, p95, baseline_name, base_median, base_p95, ratio, budget, passed)


def _sanity(group, queries) -> list[str]:
    """The search finds what it must: each recorded serial, misread or with one true edit,
    finds its firearm, and so does each partly ground serial (exact, fuzzy and scattered;
    a partial fragment may rank below the first page)."""
    from tracer.search.matches import MAX_LIMIT, find_serial_matches

    if group == "partial":
        return []
    failures = []
    for kind, query, firearm_id in queries:
        if firearm_id is not None and firearm_id not in {
                match.firearm_id for match in find_serial_matches(query.text, query.mode, limit=MAX_LIMIT)}:
            failures.append(f"{group} {kind} {query.text}: firearm {firearm_id} not found")
    return failures


def print_table(rows) -> None:
    header = ("operation", "n", "median ms", "p95 ms", "baseline", "base median ms", "base p95 ms", "ratio",
              "budget", "result")
    lines = [header] + [(op, str(n), f"{med:.2f}", f"{p95:.2f}", name, f"{bmed:.2f}", f"{bp95:.2f}",
                         f"{ratio:.1f}x", budget, "PASS" if ok else "FAIL")
                        for op, n, med, p95, name, bmed, bp95, ratio, budget, ok in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for number, line in enumerate(lines):
        print(" | ".join(cell.ljust(width) for cell, width in zip(line, widths)))
        if number == 0:
            print("-+-".join("-" * width for width in widths))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="generate the dataset again even if it is there")
    parser.add_argument("--queries", type=int, default=300, help="queries per group")
    parser.add_argument("--baseline-queries", type=int, default=40, help="queries per group timed as full scans")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each query; its time is their median")
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    url = os.environ.get("TRACER_BENCH_DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgresql"):
        print("the serial-search bench runs on PostgreSQL (TRACER_BENCH_DATABASE_URL)", file=sys.stderr)
        return 2
    ensure_database(url)
    app = make_app(url)
    with app.app_context():
        from tracer.extensions import db

        if not options.rebuild and dataset_ready():
            print(f"dataset reused: {SIZES['cases']:,} cases, {SIZES['seizures']:,} seizures, "
                  f"{SIZES['firearms']:,} firearms already in {make_url(url).database} (--rebuild to make it anew)")
        else:
            build_dataset(options.seed)
        user = bench_analyst()
        # Signed in once, as a request's user is: not reloaded after each search's commit.
        db.session.expunge(user.agency)
        db.session.expunge(user)
        queries = make_queries(options.seed, options.queries)
        # What a long-running server process does with its start-up objects (gunicorn.conf.py):
        # they stay out of the collector's way while requests are served.
        gc.collect()
        gc.freeze()
        rows, failures = measure(user, queries, options.baseline_queries, options.repeats)
        db.session.rollback()
    print(f"\n{options.queries} queries per group (recorded serials, look-alike misreadings, one true edit, absent "
          f"serials, fragments with ? and *, scattered characters with ?); each timed as the median of {options.repeats} runs; full scans on "
          f"the first {options.baseline_queries}.")
    print_table(rows)
    for failure in failures:
        print("NOT FOUND:", failure)
    failed = [row for row in rows if not row[-1]]
    print()
    print("all budgets met" if not failed and not failures else
          f"{len(failed)} budget(s) failed, {len(failures)} search(es) missed their firearm")
    return 1 if failed or failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
