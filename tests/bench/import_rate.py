"""The import lines of ``make bench``: rows per second of ``flask import seizures`` on a
50,000-row file (``tests/seizures/sample_csv``), into the bench register on PostgreSQL and,
with ``--sqlite``, into an SQLite database of its own.

The PostgreSQL import writes into a copy of the bench database (``CREATE DATABASE …
TEMPLATE``), dropped afterwards: the register keeps its size, so the next run reuses it,
and a second import of the same file would otherwise find every row already there and
write nothing. The SQLite import writes into a new database holding the demo accounts
and the reference lists (``flask seed-demo --firearms 0``), as a small installation
starts. Each import runs as its own process, as ``tests/seizures/bench_import.py`` drives
it (in the production configuration on PostgreSQL); its peak resident memory is its own.
The baseline is reading the same file with the csv module, in this process.
"""
from __future__ import annotations

import csv
import os
import re
import shutil
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


def _sample(rows: int, seed: int) -> tuple[Path, float]:
    """The file to import, and how many rows per second the csv module reads of it."""
    path = Path(tempfile.mkdtemp(prefix="tracer-bench-import-")) / f"seizures-{rows}.csv"
    write_sample_csv(path, rows, seed, agencies=("FGR",))
    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        read = sum(1 for _ in csv.DictReader(handle))
    return path, read / (time.perf_counter() - started)


def _import(path: Path, env: dict, username: str, rows: int, read_rate: float, label: str) -> Row:
    """Run ``flask import seizures`` as its own process; its line of the table."""
    started = time.perf_counter()
    importing = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "import", "seizures", str(path), "--user", username,
         "--lang", "en"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = importing.stdout.read()
    _pid, status, usage = os.wait4(importing.pid, 0)
    elapsed = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    rate = rows / elapsed
    peak_mb = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20
    note = f"peak RSS {peak_mb:.0f} MB, {elapsed:.1f} s, {usage.ru_utime + usage.ru_stime:.1f} s CPU"
    found = re.search(r"Firearms imported: (\d+)", output)
    imported = int(found.group(1)) if found else 0
    if imported != rows:
        note += f"; {imported:,} of {rows:,} firearms imported"
    if code:
        note += f"; import exited {code}: {output.strip().splitlines()[-1] if output.strip() else ''}"
    return Row(f"import: {rows:,}-row seizure CSV (flask import seizures, {label})", rows, None, None,
               "reading the same CSV (csv module)", None, None, rate / read_rate, f">= {BUDGET_ROWS_PER_SECOND:,} rows/s",
               code == 0 and imported == rows and rate >= BUDGET_ROWS_PER_SECOND,
               rate=f"{rate:,.0f} rows/s", base_rate=f"{read_rate:,.0f} rows/s",
               ratio_text=f"{rate / read_rate:.3f}x rows/s", note=note)


def measure_import(url: str, env: dict, username: str, rows: int = 50_000, seed: int = 1) -> Row:
    """The import into a copy of the bench register (PostgreSQL)."""
    path, read_rate = _sample(rows, seed)
    copy_url = _copy_database(url)
    try:
        return _import(path, dict(env, TRACER_DATABASE_URL=copy_url), username, rows, read_rate,
                       f"PostgreSQL, {make_url(url).database} behind it")
    finally:
        _drop_database(copy_url)
        shutil.rmtree(path.parent)


def measure_import_sqlite(rows: int = 50_000, seed: int = 1) -> Row:
    """The import into a new SQLite database, by the demo officer of FGR."""
    path, read_rate = _sample(rows, seed)
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRACER_")}
    env["TRACER_DATABASE_URL"] = f"sqlite:///{path.parent / 'tracer.db'}"
    try:
        for step in (("db", "upgrade"), ("seed-demo", "--firearms", "0")):
            done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *step], cwd=ROOT, env=env,
                                  capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(f"flask {' '.join(step)} failed: {done.stderr.strip()}")
        return _import(path, env, "agente.fgr", rows, read_rate, "SQLite, empty register")
    finally:
        shutil.rmtree(path.parent)
