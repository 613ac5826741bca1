"""The import line of ``make bench``: rows per second of ``flask import seizures`` on a
50,000-row file (``tests/seizures/sample_csv``), into the bench register.

The import writes into a copy of the bench database (``CREATE DATABASE … TEMPLATE``), dropped
afterwards: the register keeps its size, so the next run reuses it, and a second import of the
same file would otherwise find every row already there and write nothing. The import runs as
its own process in the production configuration, as ``tests/seizures/bench_import.py`` drives
it; the baseline is reading the same file with the csv module, in this process.
"""
from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from tests.bench.stats import Row
from tests.seizures.sample_csv import write_sample_csv

ROOT = Path(__file__).resolve().parents[2]
BUDGET_ROWS_PER_SECOND = 5_000


def _server(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _copy_database(url: str) -> str:
    source = make_url(url).database
    copy = f"{source}_import"
    server = _server(url)
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{copy}"'))
        for _ in range(100):  # the servers just stopped: their connections may still be closing
            if not connection.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name"),
                                     {"name": source}):
                break
            time.sleep(0.2)
        # A file copy after one checkpoint: much faster than copying through the WAL (PostgreSQL 15's default).
        strategy = " STRATEGY FILE_COPY" if connection.dialect.server_version_info >= (15,) else ""
        connection.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"{strategy}'))
    server.dispose()
    return make_url(url).set(database=copy).render_as_string(hide_password=False)


def _drop_database(url: str) -> None:
    server = _server(url)
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}"'))
    server.dispose()


def measure_import(url: str, env: dict, username: str, rows: int = 50_000, seed: int = 1) -> Row:
    folder = Path(tempfile.mkdtemp(prefix="tracer-bench-import-"))
    path = folder / f"seizures-{rows}.csv"
    write_sample_csv(path, rows, seed, agencies=("FGR",))
    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        read = sum(1 for _ in csv.DictReader(handle))
    read_rate = read / (time.perf_counter() - started)
    copy_url = _copy_database(url)
    try:
        started = time.perf_counter()
        importing = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "import", "seizures", str(path), "--user", username,
             "--lang", "en"], cwd=ROOT, env=dict(env, TRACER_DATABASE_URL=copy_url),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        output = importing.stdout.read()
        _pid, status, usage = os.wait4(importing.pid, 0)
        elapsed = time.perf_counter() - started
    finally:
        _drop_database(copy_url)
        path.unlink()
        folder.rmdir()
    code = os.waitstatus_to_exitcode(status)
    rate = rows / elapsed
    peak_mb = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20
    note = f"peak RSS {peak_mb:.0f} MB, {elapsed:.1f} s"
    found = re.search(r"Firearms imported: (\d+)", output)
    imported = int(found.group(1)) if found else 0
    if imported != rows:
        note += f"; {imported:,} of {rows:,} firearms imported"
    if code:
        note += f"; import exited {code}: {output.strip().splitlines()[-1] if output.strip() else ''}"
    return Row(f"import: {rows:,}-row seizure CSV (flask import seizures)", rows, None, None,
               "reading the same CSV (csv module)", None, None, rate / read_rate, f">= {BUDGET_ROWS_PER_SECOND:,} rows/s",
               code == 0 and imported == rows and rate >= BUDGET_ROWS_PER_SECOND,
               rate=f"{rate:,.0f} rows/s", base_rate=f"{read_rate:,.0f} rows/s",
               ratio_text=f"{rate / read_rate:.3f}x rows/s", note=note)
