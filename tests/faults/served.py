"""The production app as the fault tests see it: a PostgreSQL database of the test's own,
prepared by the README's production steps, and gunicorn (gunicorn.conf.py: gthread, the audit
sealer beside it) on a free loopback port, with a browser that signs in through the pages.

Every wait is bounded; gunicorn's whole process group is stopped when the test ends,
whatever happened to it."""
from __future__ import annotations

import http.client
import json
import os
import re
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from tests.bench.http_load import Client
from tests.core.test_fresh_install import PASSWORD
from tests.processes import flask_command, free_port, production_env as process_env, start_gunicorn, stop

HOST = "127.0.0.1"
REDIS_URL = "redis://127.0.0.1:6379/9"
OFFICER = "agente.fgr"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TEMPLATE_SUFFIX = "faults_template"


def server_url() -> str:
    url = os.environ.get("TRACER_TEST_DATABASE_URL") or ""
    if not url.startswith("postgresql"):
        pytest.skip("needs TRACER_TEST_DATABASE_URL on PostgreSQL")
    return url


def _admin(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


@contextmanager
def prepared_template():
    """A database migrated and holding the FGR agency and its officer (with an API token), made
    once by the README's production steps for every fault test to copy: its name and the token."""
    url = server_url()
    name = f"{make_url(url).database}_{TEMPLATE_SUFFIX}"
    server = _admin(url)
    try:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        env = dict(process_env(make_url(url).set(database=name).render_as_string(hide_password=False)),
                   TRACER_REDIS_URL=REDIS_URL)
        flask_command(env, "db", "upgrade")
        flask_command(env, "agencies", "create", "FGR", "--name", "Fiscalía General de la República",
                      "--level", "federal")
        flask_command(env, "users", "create", OFFICER, "--role", "officer", "--agency", "FGR", "--password-stdin",
                      stdin=PASSWORD + "\n")
        token = flask_command(env, "users", "token", OFFICER, "--name", "fault tests").strip().splitlines()[-1]
        yield name, token
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@contextmanager
def own_database(template: tuple[str, str], suffix: str):
    """A copy of the prepared template, dropped afterwards: its URL and the officer's API token."""
    template_name, token = template
    base = make_url(server_url())
    name = f"{base.database}_{suffix}"
    server = _admin(server_url())
    try:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
        yield base.set(database=name).render_as_string(hide_password=False), token
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def production_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """The production environment of the processes a fault test starts, its files under ``tmp_path``."""
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return dict(process_env(database_url, TRACER_REQUIRE_MFA="0", TRACER_ACCESS_LOG="",
                            TRACER_AUDIT_HEAD_FILE=str(tmp_path / "audit-head"),
                            TRACER_UPLOAD_FOLDER=str(tmp_path / "uploads")),
                TRACER_REDIS_URL=REDIS_URL, TMPDIR=str(tmp_path / "tmp"))


class Gunicorn:
    """``gunicorn wsgi:app`` in a process group of its own; its log in ``log_path``."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int):
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.log_path = log_path
        self.process = start_gunicorn(dict(env, TRACER_WORKERS=str(workers)), self.port, log_path)

    def wait_ready(self, workers: int, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while True:
            if self.process.poll() is not None:
                pytest.fail("gunicorn stopped:\n" + self.log())
            try:
                if call(self.base, "GET", "/api/v1/health")[0] == 200 and len(self.workers()) == workers \
                        and self.sealer() is not None:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer within {seconds} s:\n" + self.log())
            time.sleep(0.3)

    def children(self) -> dict[int, str]:
        """The master's child processes and their command lines."""
        found = {}
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            for pid in (task / "children").read_text().split():
                try:
                    found[int(pid)] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:
                    pass
        return found

    def workers(self) -> list[int]:
        return sorted(pid for pid, command in self.children().items() if "audit seal" not in command)

    def sealer(self) -> int | None:
        return next((pid for pid, command in self.children().items() if "audit seal" in command), None)

    def log(self, whole: bool = False) -> str:
        """What gunicorn, its workers and the sealer wrote: the end of it, or all of it."""
        text = self.log_path.read_text(errors="replace")
        return text if whole else text[-6000:]

    def stop(self) -> None:
        stop(self.process)


@contextmanager
def gunicorn(env: dict[str, str], log_path: Path, workers: int):
    server = Gunicorn(env, log_path, workers)
    try:
        server.wait_ready(workers)
        yield server
    finally:
        server.stop()


def call(base: str, method: str, path: str, token: str | None = None, body=None,
         timeout: float = 20) -> tuple[int, str]:
    """One request on a connection of its own (JSON body, bearer token), answered within ``timeout``."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection(HOST, int(base.rsplit(":", 1)[1]), timeout=timeout)
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


class Browser(Client):
    """A signed-in officer's browser: cookies, the CSRF token of the pages it read."""

    def __init__(self, port: int, timeout: float = 20):
        super().__init__(port)
        self.connection.timeout = timeout

    def sign_in(self) -> None:
        for path, fields in (("/auth/notice", {}), ("/auth/login", {"username": OFFICER, "password": PASSWORD})):
            status, page = self.request("GET", path)
            assert status == 200, (path, status)
            status, _ = self.request("POST", path, {"csrf_token": self.csrf(page), **fields})
            assert status == 302, (path, status)

    @staticmethod
    def csrf(page: bytes) -> str:
        return CSRF.search(page.decode()).group(1)

    def upload(self, path: str, fields: dict[str, str], file_field: str, filename: str, content: bytes,
               timeout: float = 120) -> tuple[int, bytes]:
        """A multipart form POST with one file, on a connection of its own."""
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                 for name, value in fields.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"'
                     f'\r\nContent-Type: text/csv\r\n\r\n'.encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}",
                   "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        connection = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()
