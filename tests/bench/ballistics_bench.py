"""The ballistics lines of ``make bench``: IBIS lead import rate, the examiners' queue and an
item's leads, on 1,000,000 ballistic items.

Not a test (pytest does not collect it): run by ``all_budgets.py`` (part ``ballistics``), or on
its own

    TRACER_BENCH_DATABASE_URL=postgresql+psycopg://…/tracer_bench_ibis .venv/bin/python tests/bench/ballistics_bench.py

which builds the register of ``serial_data`` first when the database does not hold it. On that
register, 1,000,000 cartridge cases and bullets (one per IBIS acquisition, recovered in the
bench seizures) and 200,000 leads between them are written once with COPY and kept. Measured:

- ``flask import ibis-leads`` of a 50,000-row correlation list, as its own process in the
  production configuration (rows per second, peak memory), beside reading the same file with
  the csv module; the leads it creates are removed afterwards, so the register keeps its size;
- the examiners' queue (``lead_views.pending_leads``: the first page of pending leads, oldest
  first, in a federal analyst's scope, with its bounded total) and one item's leads (the item through the scope, then its
  first page of links), each against the bare SQL of the same page; p95 under 100 ms.
"""
from __future__ import annotations

import csv
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from tests.bench.stats import Row, percentile  # noqa: E402

ITEMS = 1_000_000
LEADS = 200_000
IMPORT_ROWS = 50_000
BUDGET_P95_MS = 100.0
BUDGET_ROWS_PER_SECOND = 5_000
PAGE = 25
ITEM_COLUMNS = ("kind", "case_id", "agency_id", "state_code", "seizure_id", "caliber_id", "headstamp", "polygonal",
                "ibis_ref", "custody_status", "version", "created_at", "updated_at")
LINK_COLUMNS = ("item_a_id", "item_b_id", "agency_a_id", "agency_b_id", "status", "source", "ibis_rank",
                "ibis_score", "caliber_mismatch", "created_at", "version")


def ibis_ref(number: int) -> str:
    return f"IB-{number:07d}"


def _copy(connection, table: str, columns: tuple[str, ...], rows) -> None:
    """Stream ``rows`` into ``table`` with COPY (psycopg 3)."""
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def ensure_items(seed: int = 2026) -> str:
    """Write the items and leads once (COPY); a second run finds them and keeps them."""
    from tracer.extensions import db

    count = db.session.scalar(text("SELECT count(*) FROM ballistic_items WHERE ibis_ref LIKE 'IB-%'"))
    if count == ITEMS:
        db.session.rollback()
        return f"ballistic items reused: {ITEMS:,} items and their leads"
    started = time.perf_counter()
    rng = random.Random(seed)
    seizures = db.session.execute(text("SELECT s.id, s.case_id, s.agency_id, s.state_code FROM seizures s "
                                       "ORDER BY s.id")).all()
    calibers = list(db.session.scalars(text("SELECT id FROM calibers WHERE name IN ('9mm Luger', '.380 ACP', "
                                            "'.45 ACP', '.40 S&W', '7.62x39mm', '5.56x45mm NATO', '.38 Special')")))
    db.session.execute(text("DELETE FROM ballistic_links WHERE item_a_id IN (SELECT id FROM ballistic_items "
                            "WHERE ibis_ref LIKE 'IB-%')"))
    db.session.execute(text("DELETE FROM ballistic_items WHERE ibis_ref LIKE 'IB-%'"))
    db.session.commit()
    raw = db.session.connection().connection.driver_connection
    now = "now()"
    with raw.cursor() as cursor:
        now = cursor.execute("SELECT now()").fetchone()[0]

    def items():
        for number in range(ITEMS):
            seizure = seizures[number % len(seizures)]
            kind = "cartridge_case" if rng.random() < 0.6 else "bullet"
            yield (kind, seizure.case_id, seizure.agency_id, seizure.state_code, seizure.id, rng.choice(calibers),
                   "FC 9mm LUGER" if kind == "cartridge_case" else None, False, ibis_ref(number), "seized", 1,
                   now, now)

    _copy(raw, "ballistic_items", ITEM_COLUMNS, items())
    raw.commit()
    rows = db.session.execute(text("SELECT id, agency_id, caliber_id FROM ballistic_items WHERE ibis_ref LIKE 'IB-%' "
                                   "ORDER BY ibis_ref")).all()
    db.session.rollback()

    def leads():
        # Pairs of neighbouring acquisitions among the first 400,000 items; one in ten already decided.
        for index in range(LEADS):
            first, second = rows[2 * index], rows[2 * index + 1]
            status = "lead" if index % 10 else rng.choice(("confirmed", "excluded"))
            yield (first.id, second.id, first.agency_id, second.agency_id, status, "ibis", 1 + index % 10,
                   round(rng.uniform(40, 400), 1), first.caliber_id != second.caliber_id,
                   now, 1)

    _copy(raw, "ballistic_links", LINK_COLUMNS, leads())
    raw.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE ballistic_items"))
        connection.execute(text("VACUUM ANALYZE ballistic_links"))
    return f"ballistic items: {ITEMS:,} items and {LEADS:,} leads written with COPY in " \
           f"{time.perf_counter() - started:.1f} s"


def _timed(function, repeats: int) -> list[float]:
    spent = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def _latency_row(operation: str, spent: list[float], baseline: str, base: list[float]) -> Row:
    median, p95 = percentile(spent, 0.5), percentile(spent, 0.95)
    base_median, base_p95 = percentile(base, 0.5), percentile(base, 0.95)
    return Row(operation, len(spent), median, p95, baseline, base_median, base_p95, p95 / base_p95 if base_p95 else None,
               f"p95 < {BUDGET_P95_MS:.0f} ms", p95 < BUDGET_P95_MS)


def measure_pages(user, repeats: int = 200) -> list[Row]:
    """The examiners' queue and an item's leads through the services, beside bare SQL."""
    from tracer.ballistics.lead_views import pending_leads
    from tracer.ballistics.services import get_item, item_links
    from tracer.extensions import db

    rng = random.Random(7)
    linked = [ibis_ref(number) for number in range(0, 2 * LEADS)]
    item_ids = dict(db.session.execute(text("SELECT ibis_ref, id FROM ballistic_items WHERE ibis_ref = ANY(:refs)"),
                                       {"refs": rng.sample(linked, repeats)}).tuples().all())
    samples = list(item_ids.values())

    def queue():
        page = pending_leads(user, per_page=PAGE)
        assert len(page.items) == PAGE
        db.session.rollback()

    def bare_queue():
        db.session.execute(text("SELECT * FROM ballistic_links WHERE status = 'lead' ORDER BY created_at, id "
                                "LIMIT :n"), {"n": PAGE + 1}).all()
        db.session.rollback()

    position = iter(range(10 ** 9))

    def leads_of_item():
        item = get_item(user, samples[next(position) % len(samples)])
        found = db.session.scalars(item_links(item).limit(PAGE)).all()
        assert found
        db.session.rollback()

    def bare_leads():
        item_id = samples[next(position) % len(samples)]
        db.session.execute(text("SELECT * FROM ballistic_items WHERE id = :id"), {"id": item_id}).one()
        db.session.execute(text("SELECT * FROM ballistic_links WHERE item_a_id = :id OR item_b_id = :id "
                                "ORDER BY status <> 'lead', created_at, id LIMIT :n"), {"id": item_id, "n": PAGE}).all()
        db.session.rollback()

    for warm in (queue, bare_queue, leads_of_item, bare_leads):
        _timed(warm, 5)
    rows = [_latency_row(f"ballistics: examiners' queue, first page of {PAGE} ({LEADS:,} leads)", _timed(queue, repeats),
                         "bare SQL of the page", _timed(bare_queue, repeats)),
            _latency_row(f"ballistics: an item's leads ({ITEMS:,} items)", _timed(leads_of_item, repeats),
                         "bare SQL of the item and its links", _timed(bare_leads, repeats))]
    return rows


def _write_correlations(path: Path, rows: int, seed: int) -> None:
    """A correlation list between items not yet joined (those past the first 400,000)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("ibis_ref_a", "ibis_ref_b", "rank", "score", "notes"))
        first = 2 * LEADS
        for index in range(rows):
            a = first + index
            b = first + rows + rng.randrange(ITEMS - first - rows)
            writer.writerow((ibis_ref(a), ibis_ref(b), 1 + index % 20, f"{rng.uniform(30, 500):.1f}",
                             "" if index % 5 else "Correlación alta en culote"))


def measure_import(env: dict, username: str, rows: int = IMPORT_ROWS, seed: int = 3) -> Row:
    """``flask import ibis-leads`` of ``rows`` rows as its own process; the leads are removed afterwards."""
    from tracer.extensions import db

    folder = Path(tempfile.mkdtemp(prefix="tracer-bench-ibis-"))
    path = folder / f"ibis-{rows}.csv"
    _write_correlations(path, rows, seed)
    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        read = sum(1 for _ in csv.DictReader(handle))
    read_rate = read / (time.perf_counter() - started)
    before = db.session.scalar(text("SELECT coalesce(max(id), 0) FROM ballistic_links"))
    db.session.rollback()
    try:
        started = time.perf_counter()
        importing = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "import", "ibis-leads", str(path), "--user", username,
             "--lang", "en"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        output = importing.stdout.read()
        _pid, status, usage = os.wait4(importing.pid, 0)
        elapsed = time.perf_counter() - started
    finally:
        path.unlink()
        folder.rmdir()
        db.session.execute(text("DELETE FROM ballistic_links WHERE id > :before"), {"before": before})
        db.session.commit()
    code = os.waitstatus_to_exitcode(status)
    rate = rows / elapsed
    peak_mb = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20
    cpu = usage.ru_utime + usage.ru_stime
    # On a shared machine the wall time includes waiting for a core: the import's own CPU time says
    # what it costs (the database server's time is in the wall time only).
    note = f"peak RSS {peak_mb:.0f} MB, {elapsed:.1f} s, import process CPU {cpu:.1f} s"
    found = re.search(r"Leads created: (\d+)", output)
    created = int(found.group(1)) if found else 0
    if created != rows:
        note += f"; {created:,} of {rows:,} leads created"
    if code:
        note += f"; import exited {code}: {output.strip().splitlines()[-1] if output.strip() else ''}"
    return Row(f"ballistics: {rows:,}-row IBIS correlation list (flask import ibis-leads)", rows, None, None,
               "reading the same CSV (csv module)", None, None, rate / read_rate,
               f">= {BUDGET_ROWS_PER_SECOND:,} rows/s", code == 0 and created == rows and rate >= BUDGET_ROWS_PER_SECOND,
               rate=f"{rate:,.0f} rows/s", base_rate=f"{read_rate:,.0f} rows/s",
               ratio_text=f"{rate / read_rate:.3f}x rows/s", note=note)


def measure(env: dict, import_rows: int = IMPORT_ROWS, repeats: int = 200) -> list[Row]:
    """Every ballistics line, in the current application context (the bench register in place)."""
    from tests.bench.serial_data import BENCH_ANALYST, bench_analyst
    from tracer.extensions import db

    print(ensure_items(), flush=True)
    user = bench_analyst()
    db.session.commit()
    rows = measure_pages(user, repeats)
    rows.append(measure_import(env, BENCH_ANALYST, import_rows))
    return rows


def main() -> int:
    import argparse

    from tests.bench.http_bench import production_env
    from tests.bench.serial_data import build_dataset, dataset_ready
    from tests.bench.serial_search import DEFAULT_URL, ensure_database, make_app
    from tests.bench.stats import print_table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--import-rows", type=int, default=IMPORT_ROWS)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    options = parser.parse_args()
    url = os.environ.get("TRACER_BENCH_DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgresql"):
        print("the bench runs on PostgreSQL (TRACER_BENCH_DATABASE_URL)", file=sys.stderr)
        return 2
    ensure_database(url)
    app = make_app(url)
    with app.app_context():
        if not dataset_ready():
            build_dataset(2026)
        rows = measure(production_env(url, options.redis_url), options.import_rows, options.repeats)
    print()
    print_table(rows)
    return 0 if all(row.passed for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
