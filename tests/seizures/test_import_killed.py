"""An import killed (SIGKILL) during its write pass leaves no partial seizure, and running it
again completes it: all-or-nothing is one transaction; with --partial each committed batch
holds whole seizures only."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from collections import Counter

import pytest
from sqlalchemy import create_engine, make_url, text

from tests.seizures.import_helpers import row
from tests.seizures.sample_csv import csv_bytes
from tracer import ROOT

ROWS, PER_SEIZURE = 2100, 7  # three batches of whole seizures (``BATCH_ROWS``)


@pytest.fixture
def database(tmp_path, database_url):
    """A database of the test's own (the import runs in another process and commits)."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'killed.db'}"
        return
    url = make_url(database_url)
    name = f"{url.database}_killed"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def _command(database: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "tests.seizures.killed_import", database, *args]


def _environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("TRACER_")}


def _serial(n: int) -> str:
    """Serials far apart (no two a look-alike or one edit away): the test is about writing, not linking."""
    return hashlib.sha256(str(n).encode()).hexdigest()[:12].upper()


@pytest.fixture
def csv_file(tmp_path, database):
    subprocess.run(_command(database, "setup"), cwd=ROOT, env=_environment(), check=True, capture_output=True,
                   timeout=300)
    path = tmp_path / "seizures.csv"
    path.write_bytes(csv_bytes(row(f"K{n}", f"KS-{n // PER_SEIZURE}", serial_number=_serial(n))
                               for n in range(ROWS)))
    return path


def _kill_during_write(database: str, path, *options: str) -> int:
    """Start the import, SIGKILL it as soon as its first batch is written; the rows it had written then."""
    process = subprocess.Popen(_command(database, "import", str(path), *options), cwd=ROOT, env=_environment(),
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in process.stdout:
            if line.startswith("written "):
                process.send_signal(signal.SIGKILL)
                written = int(line.split()[1])
                break
        else:
            pytest.fail("the import ended before writing its first batch")
    finally:
        process.wait(timeout=120)
    assert process.returncode == -signal.SIGKILL
    return written


def _run(database: str, path, *options: str) -> list[str]:
    done = subprocess.run(_command(database, "import", str(path), *options), cwd=ROOT, env=_environment(),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[-1].split()


def _written(database: str) -> tuple[Counter, int, int, int]:
    """Firearms per seizure_ref, and how many seizures, cases and custody entries there are."""
    engine = create_engine(database)
    with engine.connect() as connection:
        per_seizure = Counter(dict(connection.execute(text(
            "SELECT s.seizure_ref, count(f.id) FROM seizures s LEFT JOIN firearms f ON f.seizure_id = s.id "
            "GROUP BY s.seizure_ref")).all()))
        seizures, cases, custody = (connection.scalar(text(f"SELECT count(*) FROM {table}"))
                                    for table in ("seizures", "cases", "custody_events"))
    engine.dispose()
    return per_seizure, seizures, cases, custody


def test_an_import_killed_while_writing_leaves_nothing_and_a_rerun_writes_it_all(database, csv_file):
    _kill_during_write(database, csv_file)
    assert _written(database) == (Counter(), 0, 0, 0)

    assert _run(database, csv_file) == ["imported", str(ROWS), "0"]
    per_seizure, seizures, cases, custody = _written(database)
    assert seizures == cases == ROWS // PER_SEIZURE and custody == ROWS
    assert set(per_seizure.values()) == {PER_SEIZURE}


def test_a_partial_import_killed_while_writing_keeps_whole_seizures_and_a_rerun_completes_it(database, csv_file):
    written = _kill_during_write(database, csv_file, "--partial")
    per_seizure, seizures, cases, custody = _written(database)
    # The batches committed before the kill, each of whole seizures; nothing of the one under way.
    assert 0 < sum(per_seizure.values()) == custody < ROWS and sum(per_seizure.values()) >= written
    assert set(per_seizure.values()) == {PER_SEIZURE} and seizures == cases

    outcome, imported, already = _run(database, csv_file, "--partial")
    assert outcome == "imported" and int(imported) + int(already) == ROWS and int(already) == custody
    per_seizure, seizures, cases, custody = _written(database)
    assert seizures == cases == ROWS // PER_SEIZURE and custody == ROWS
    assert set(per_seizure.values()) == {PER_SEIZURE}
