"""The seizure import page served by gunicorn, its worker killed (SIGKILL) while the import is
writing: no seizure is left in part (firearms, custody, case: all or none), the audit chain
verifies, gunicorn serves again with a new worker, and sending the same file again through the
page completes the import. The command line's own test is tests/seizures/test_import_killed.py."""
from __future__ import annotations

import http.client
import json
import os
import re
import signal
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import create_engine, text

from tests.faults.served import Browser, call, gunicorn, own_database, production_env
from tests.seizures.import_helpers import row
from tests.processes import flask_command
from tests.seizures.sample_csv import csv_bytes
from tests.seizures.test_import_killed import PER_SEIZURE, _serial, _written

ROWS = 1400  # two batches of whole seizures (``BATCH_ROWS``): a partial import commits one, then writes on
IMPORT_PAGE = "/seizures/import"
WRITING = text(
    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
    "JOIN pg_database d ON d.oid = l.database "
    "WHERE d.datname = current_database() AND c.relname = 'firearms' AND l.mode = 'RowExclusiveLock' "
    "AND l.pid <> pg_backend_pid()")
COUNT = re.compile(r"<dt>([^<]+)</dt><dd>(\d+)</dd>")


@pytest.fixture
def database(fault_template):
    with own_database(fault_template, "webimport") as (url, _token):
        engine = create_engine(url)
        try:
            yield url, engine
        finally:
            engine.dispose()


@pytest.fixture
def csv_file() -> bytes:
    return csv_bytes(row(f"W{n}", f"WS-{n // PER_SEIZURE}", serial_number=_serial(n)) for n in range(ROWS))


def _upload(browser: Browser, content: bytes, partial: bool) -> tuple[int, str]:
    status, page = browser.request("GET", IMPORT_PAGE)
    assert status == 200
    fields = {"csrf_token": Browser.csrf(page), **({"partial": "y"} if partial else {})}
    status, answer = browser.upload(IMPORT_PAGE, fields, "file", "aseguramientos.csv", content)
    return status, answer.decode()


def _kill_while_writing(server, browser: Browser, content: bytes, partial: bool, writing, scratch_folder) -> None:
    """Send the file through the page and SIGKILL the worker once ``writing()`` says the write
    pass is under way; then wait for gunicorn to serve with a new worker. The import's scratch
    database in ``scratch_folder`` (the server's temporary folder) must not outlive it."""
    [worker] = server.workers()
    outcome: dict[str, object] = {}

    def send():
        try:
            outcome["answer"] = _upload(browser, content, partial)
        except (OSError, http.client.HTTPException) as error:  # the worker died under the request
            outcome["cut"] = error

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    deadline = time.monotonic() + 120
    while not writing():
        assert sender.is_alive(), f"the import ended before its write pass was seen: {outcome}"
        assert time.monotonic() < deadline, "the write pass did not begin"
        time.sleep(0.01)
    os.kill(worker, signal.SIGKILL)
    sender.join(timeout=60)
    assert "cut" in outcome, f"the import was not cut short: {outcome.get('answer', '')!s:.300}"
    assert not list(scratch_folder.glob("tracer-import-*")), "the killed import left its scratch file"

    deadline = time.monotonic() + 60
    while True:
        workers = server.workers()
        if len(workers) == 1 and workers[0] != worker and call(server.base, "GET", "/api/v1/health")[0] == 200:
            return
        assert time.monotonic() < deadline, f"gunicorn did not replace its worker:\n{server.log()}"
        time.sleep(0.2)


def _counts(page: str) -> dict[str, int]:
    return {label: int(number) for label, number in COUNT.findall(page)}


def _whole(engine) -> tuple[dict, int, int, int]:
    """``_written`` of tests/seizures/test_import_killed.py, on this database."""
    return _written(engine.url.render_as_string(hide_password=False))


def _chain_verifies(server, env) -> None:
    deadline = time.monotonic() + 60
    while (health := json.loads(call(server.base, "GET", "/api/v1/health")[1]))["audit_unsealed"]:
        assert time.monotonic() < deadline, f"the sealer left events unsealed: {health}"
        time.sleep(0.2)
    verified = flask_command(env, "audit", "verify")  # fails (exit status) on a broken chain
    assert "unsealed: 0 events" in verified, verified


def test_an_import_page_whose_worker_is_killed_leaves_whole_seizures_and_sending_the_file_again_completes_it(
        database, csv_file, tmp_path):
    url, engine = database
    env = production_env(url, tmp_path)

    def writing() -> bool:  # the import's transaction holds the firearms table for writing
        with engine.connect() as connection:
            return connection.scalar(WRITING) > 0

    def committed() -> bool:  # a batch of a partial import is committed
        with engine.connect() as connection:
            return connection.scalar(text("SELECT count(*) FROM firearms")) > 0

    with gunicorn(env, tmp_path / "gunicorn.log", workers=1) as server:
        browser = Browser(server.port, timeout=120)
        browser.sign_in()

        # All or nothing (the page's default): killed while writing, nothing is left.
        _kill_while_writing(server, browser, csv_file, partial=False, writing=writing,
                           scratch_folder=tmp_path / "tmp")
        assert _whole(engine) == (Counter(), 0, 0, 0)

        # Seizures without errors only: killed after a batch was committed, the batches written
        # hold whole seizures, each with its case and its custody entries.
        _kill_while_writing(server, browser, csv_file, partial=True, writing=committed,
                           scratch_folder=tmp_path / "tmp")
        per_seizure, seizures, cases, custody = _whole(engine)
        assert 0 < sum(per_seizure.values()) == custody < ROWS
        assert set(per_seizure.values()) == {PER_SEIZURE} and seizures == cases
        _chain_verifies(server, env)

        # The same file sent again through the page: what was written is recognised, the rest written.
        browser = Browser(server.port, timeout=120)
        browser.sign_in()
        status, page = _upload(browser, csv_file, partial=True)
        assert status == 200, page[-2000:]
        shown = _counts(page)
        assert shown["Filas ya importadas"] == custody
        assert shown["Armas importadas"] + shown["Filas ya importadas"] == ROWS
        per_seizure, seizures, cases, custody = _whole(engine)
        assert seizures == cases == ROWS // PER_SEIZURE and custody == ROWS
        assert set(per_seizure.values()) == {PER_SEIZURE}
