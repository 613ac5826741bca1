"""End-to-end journeys in headless Chromium against a real server.

The server runs in a subprocess with its own SQLite database, migrated and
seeded with the demo accounts, and with the second factor required at sign-in.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = os.environ.get("TRACER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
STARTUP_TIMEOUT = 30  # seconds until /api/v1/health answers
PASSWORD = "Journey-Browser-Key-2026!"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]

    def flask(self, *args: str, stdin: str | None = None) -> str:
        """Run ``flask --app wsgi ARGS`` against the server's database."""
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT, env=self.env, input=stdin, capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 0, f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def create_user(self, username: str, role: str = "officer", agency: str = "FGR",
                    full_name: str | None = None, password: str = PASSWORD) -> str:
        self.flask("users", "create", username, "--role", role, "--agency", agency,
                   "--name", full_name or username, "--password-stdin", stdin=password + "\n")
        return username


def _server_env(workdir: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("TRACER_")}
    env.update(
        TRACER_ENV="development",
        TRACER_DATABASE_URL=f"sqlite:///{workdir / 'browser.db'}",
        TRACER_SECRET_KEY=secrets.token_hex(32),
        TRACER_REQUIRE_MFA="1",
        PYTHONUNBUFFERED="1",
        FLASK_DEBUG="0",
    )
    return env


def _wait_until_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/v1/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"the server did not answer within {STARTUP_TIMEOUT} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server():
    """A migrated, seeded Tracer served on a free port; yields a LiveServer."""
    workdir = Path(tempfile.mkdtemp(prefix="tracer-browser-"))
    env = _server_env(workdir)
    port = _free_port()
    server = LiveServer(url=f"http://127.0.0.1:{port}", env=env)
    server.flask("db", "upgrade")
    server.flask("seed-demo")
    log = workdir / "server.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "run",
             "--host", "127.0.0.1", "--port", str(port), "--no-reload", "--no-debugger"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(server.url, process, log)
        yield server
    finally:
        _stop(process)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole run."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(request, chromium, live_server):
    """A fresh browser context and page for one journey, pointed at the server.

    A screenshot of the last screen is kept in test-output/screenshots/<journey>.png,
    whether the journey passed or failed.
    """
    context = chromium.new_context(base_url=live_server.url, locale="es-MX", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        journey = request.node.name.removeprefix("test_")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        try:
            tab.screenshot(path=str(SCREENSHOTS / f"{journey}.png"), full_page=True)
        except Exception:
            # A missing screenshot must not hide the journey's own failure.
            report = getattr(request.node, "report_call", None)
            if report is None or not report.failed:
                raise
        finally:
            context.close()
