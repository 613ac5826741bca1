"""Throughput and peak memory of ``flask import seizures`` on a large synthetic file.

Not a test (pytest does not collect it): run it by hand, for example

    .venv/bin/python tests/seizures/bench_import.py --rows 100000
    .venv/bin/python tests/seizures/bench_import.py --rows 1000000 --database sqlite:////tmp/bench.db
    .venv/bin/python tests/seizures/bench_import.py --rows 100000 --recorded 300000 \
        --database postgresql+psycopg://postgres@127.0.0.1:5432/tracer_import

With ``--recorded`` (PostgreSQL) the import runs behind a register of that many firearms
(``bench_import_data``: built once as a template, copied for each run).

It writes the file (``sample_csv.write_sample_csv``), prepares an empty database
(``flask db upgrade``, then ``flask seed-demo --firearms 0`` for the importing
officer and the reference lists), then runs the import as a separate process
and reports its wall time, rows per second and peak resident memory.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.seizures.sample_csv import write_sample_csv  # noqa: E402

FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]


def flask(database: str, *args: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "TRACER_DATABASE_URL": database}
    return subprocess.run([*FLASK, *args], cwd=ROOT, env=environment, capture_output=True, text=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", help="an empty database URL (default: a new SQLite file)")
    parser.add_argument("--gps-share", type=float, default=.2, help="share of seizures with GPS coordinates")
    parser.add_argument("--recorded", type=int, default=0,
                        help="firearms already recorded behind the import (PostgreSQL; the database is replaced)")
    parser.add_argument("--keep", action="store_true", help="keep the CSV file and the SQLite database")
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="tracer-bench-"))
    database = options.database or f"sqlite:///{folder / 'bench.db'}"
    path = folder / f"seizures-{options.rows}.csv"
    started = time.perf_counter()
    write_sample_csv(path, options.rows, options.seed, gps_share=options.gps_share)
    print(f"file: {path} ({path.stat().st_size / 1e6:.1f} MB, written in {time.perf_counter() - started:.1f} s)")
    if options.recorded:
        from tests.seizures.bench_import_data import prepare

        prepare(database, options.recorded)
    for step in ((("db", "upgrade"),) if options.recorded else (("db", "upgrade"), ("seed-demo", "--firearms", "0"))):
        done = flask(database, *step)
        if done.returncode:
            print(done.stdout, done.stderr, file=sys.stderr)
            return 1

    started = time.perf_counter()
    importing = subprocess.Popen([*FLASK, "import", "seizures", str(path), "--user", "agente.fgr", "--lang", "en"],
                                 cwd=ROOT, env={**os.environ, "TRACER_DATABASE_URL": database},
                                 stdout=subprocess.PIPE, text=True)
    output = importing.stdout.read()
    _pid, status, usage = os.wait4(importing.pid, 0)  # the import's own peak, not the set-up's
    elapsed = time.perf_counter() - started
    print(output.strip())
    print(f"rows: {options.rows}  wall: {elapsed:.1f} s  throughput: {options.rows / elapsed:,.0f} rows/s  "
          f"cpu: {usage.ru_utime + usage.ru_stime:.1f} s  peak RSS of the import: {usage.ru_maxrss / 1024:.0f} MB")
    if not options.keep:
        shutil.rmtree(folder)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    raise SystemExit(main())
