"""Real processes for the tests that start them: a blank PostgreSQL database of their own,
the production environment, ``flask --app wsgi …`` commands, gunicorn on a free loopback
port, sealers, and plain HTTP calls.

Every process is started in a session of its own and stopped with its whole group
(``stop``), so a gunicorn master never leaves a worker or a sealer behind.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tracer import ROOT
from tracer.extensions import db

HOST = "127.0.0.1"  # never anything but loopback
# The Redis the production processes of the tests share (rate limits, disclosure budgets).
TEST_REDIS_URL = os.environ.get("TRACER_TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"


@contextmanager
def blank_database():
    """A new, empty database on the server of TRACER_TEST_DATABASE_URL, named after that
    database, dropped afterwards; yields its URL. Skips the test without PostgreSQL."""
    url = os.environ.get("TRACER_TEST_DATABASE_URL") or ""
    if not url.startswith("postgresql"):
        pytest.skip("needs TRACER_TEST_DATABASE_URL on PostgreSQL")
    name = f"{make_url(url).database}_{secrets.token_hex(4)}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def blank_postgres():
    """A blank PostgreSQL database of the test's own (``blank_database``)."""
    with blank_database() as url:
        yield url


@contextmanager
def real_commits():
    """Sessions of new application contexts commit for real, each on its own connection
    (the suite's sessions otherwise join one transaction rolled back after each test)."""
    factory = db.session.session_factory
    saved_kw, saved_class = dict(factory.kw), factory.class_
    factory.class_ = FlaskSession
    for name in ("bind", "join_transaction_mode"):
        factory.kw.pop(name, None)
    try:
        yield
    finally:
        factory.kw.clear()
        factory.kw.update(saved_kw)
        factory.class_ = saved_class


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def production_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a production process on ``database_url``: a new secret key, the
    tests' Redis, and ``settings`` (``TRACER_…`` names) on top."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRACER_")}
    env.update(TRACER_ENV="production", TRACER_SECRET_KEY=secrets.token_hex(32),
               TRACER_DATABASE_URL=database_url, TRACER_REDIS_URL=TEST_REDIS_URL, **settings)
    return env


def flask_command(env, *args: str, stdin: str | None = None) -> str:
    """One command of the README: ``flask --app wsgi …`` in the environment ``env``."""
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                            input=stdin, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def call(base: str, method: str, path: str, token: str | None = None, body=None) -> tuple[int, str]:
    """One JSON call, with an API token when given: (status, body)."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """``command`` (``python -m …``) from the checkout, in a process group of its own, its
    output to ``log``."""
    with open(log, "w") as output:
        return subprocess.Popen([sys.executable, "-m", *command], cwd=ROOT, env=env, stdout=output,
                                stderr=subprocess.STDOUT, start_new_session=True)


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """``gunicorn wsgi:app`` (gunicorn.conf.py) on ``port``; call ``wait_until_serving`` next."""
    return start(["gunicorn", "wsgi:app"], dict(env, TRACER_BIND=f"{HOST}:{port}"), log)


def wait_until_serving(process: subprocess.Popen, port: int, log: Path, timeout: float = 90) -> str:
    """Wait until the server on ``port`` answers its health check; returns its base address."""
    base = f"http://{HOST}:{port}"
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            pytest.fail(f"the server on port {port} stopped:\n{log.read_text()}")
        try:
            if call(base, "GET", "/api/v1/health")[0] == 200:
                return base
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"the server on port {port} did not answer within {timeout:.0f} s:\n{log.read_text()}")
        time.sleep(0.2)


def stop(process: subprocess.Popen, signal_number: int = signal.SIGTERM) -> None:
    """Stop ``process`` and its whole group (SIGKILL after 20 s)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal_number)
            process.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    try:  # whatever the group still holds (a worker, a sealer the master started)
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def wait_for(condition, what: str, timeout: float = 30.0, pause: float = 0.1):
    """Poll ``condition`` until it answers something true (returned), or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        answer = condition()
        if answer:
            return answer
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(pause)
