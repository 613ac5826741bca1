"""A PostgreSQL database for the import bench with a register already recorded behind the
import (so that link detection looks up a realistic number of serials), kept as a template
and cloned for each run: ``prepare(url, firearms)`` returns the URL of a fresh copy.

The register is the serial-search bench's (``tests/bench/serial_data``), scaled to
``firearms`` (a tenth as many cases, three tenths as many seizures), then the demo
accounts and reference lists (``flask seed-demo --firearms 0``) for the importing officer.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parents[2]
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]


def _server(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _exists(connection, name: str) -> bool:
    return bool(connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}))


def _build(url: str, firearms: int) -> None:
    from tests.bench import serial_data
    from tests.bench.serial_search import make_app

    serial_data.SIZES.update(cases=max(1, firearms // 10), seizures=max(1, firearms * 3 // 10), firearms=firearms)
    with make_app(url).app_context():
        from tracer.extensions import db

        serial_data.build_dataset(seed=2026)
        db.session.remove()
        db.engine.dispose()  # the template must have no session left when it is copied
    done = subprocess.run([*FLASK, "seed-demo", "--firearms", "0"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "TRACER_DATABASE_URL": url})
    if done.returncode:
        print(done.stdout, done.stderr, file=sys.stderr)
        raise SystemExit(1)


def prepare(url: str, firearms: int) -> str:
    """A fresh copy of the template ``<database>_r<firearms>`` (built the first time) at ``url``."""
    target = make_url(url)
    template = f"{target.database}_r{firearms}"
    server = _server(url)
    with server.connect() as connection:
        if not _exists(connection, template):
            connection.execute(text(f'CREATE DATABASE "{template}"'))
            started = time.perf_counter()
            _build(target.set(database=template).render_as_string(hide_password=False), firearms)
            print(f"register of {firearms:,} firearms built in {time.perf_counter() - started:.0f} s")
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}" TEMPLATE "{template}"'))
    server.dispose()
    return url
