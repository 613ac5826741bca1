"""Requests per second under gunicorn, production configuration, for several worker settings.

    python tests/bench/http_load.py --database-url postgresql+psycopg://postgres@127.0.0.1/tracer_load \\
        --settings sync:5 gthread:2x8 --seconds 15 --clients 16

Starts gunicorn (gunicorn.conf.py, TRACER_ENV=production) once per setting on a loopback
port, signs in a demo analyst through the sign-in form and makes an API token for them, then
sends the firearm page and the serial-search API from ``--clients`` threads for ``--seconds``
each, and prints requests per second, median and 95th percentile. Loopback only; every run is
bounded in time and in count, and gunicorn is stopped at the end of each setting.

The database must be migrated and hold the demo data (``TRACER_ENV=development flask seed-demo``).
Redis (``--redis-url``) holds the rate-limit counters, as in production; the API allowance is
raised for the run so that the limiter is exercised but refuses nothing.
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"  # never anything but loopback
MAX_SECONDS = 60
MAX_REQUESTS = 200_000
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    """One keep-alive connection with a cookie jar (the sign-in cookie is Secure: sent as is)."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                payload = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()  # a sync worker closes after each answer: reconnect once
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return response.status, payload


def sign_in(port: int, username: str, password: str) -> dict[str, str]:
    client = Client(port)
    _, page = client.request("GET", "/auth/notice")
    token = CSRF.search(page.decode()).group(1)
    client.request("POST", "/auth/notice", {"csrf_token": token})
    _, page = client.request("GET", "/auth/login")
    token = CSRF.search(page.decode()).group(1)
    status, _ = client.request("POST", "/auth/login", {"csrf_token": token, "username": username,
                                                       "password": password})
    if status != 302:
        raise SystemExit(f"sign-in as {username} answered {status}")
    return client.cookies


def hammer(port: int, path: str, headers: dict, cookies: dict, clients: int, seconds: float,
           keep: bool = False) -> dict:
    """``clients`` threads sending ``path`` for ``seconds``; with ``keep``, every latency
    (seconds) is returned too, to be merged with other runs."""
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker():
        client = Client(port)
        client.cookies = dict(cookies)
        mine, bad = [], 0
        while time.monotonic() < deadline and len(mine) < MAX_REQUESTS // clients:
            started = time.perf_counter()
            status, _ = client.request("GET", path, headers=headers)
            mine.append(time.perf_counter() - started)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            failures.append(bad)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    if keep:
        return {"requests": len(latencies), "elapsed": elapsed, "failed": sum(failures),
                "latencies": [1000 * value for value in latencies]}
    return {"requests": len(latencies), "rps": len(latencies) / elapsed,
            "p50": 1000 * statistics.median(latencies),
            "p95": 1000 * latencies[int(0.95 * (len(latencies) - 1))], "failed": sum(failures)}


def cpu_seconds(wanted: Callable[[str, list[str]], bool]) -> float:
    """CPU time (user and system) used so far by the processes that ``wanted(command, fields)``
    picks (``fields``: those of ``/proc/<pid>/stat`` after the command)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command, rest = (entry / "stat").read_text().split(" (", 1)[1].rsplit(")", 1)
        except (OSError, ValueError):
            continue
        fields = rest.split()
        if wanted(command, fields):
            total += int(fields[11]) + int(fields[12])
    return total / tick


def server_cpu_seconds(group: int) -> float:
    """CPU time (user and system) used so far by gunicorn's master and workers: a figure that
    holds when other programs share the machine, unlike requests per second."""
    return cpu_seconds(lambda _command, fields: int(fields[2]) == group)  # gunicorn's process group


def start_gunicorn(setting: str, port: int, env: dict, app_dir: Path) -> subprocess.Popen:
    kind, _, size = setting.partition(":")
    workers, _, threads = size.partition("x")
    env = dict(env, TRACER_BIND=f"{HOST}:{port}", TRACER_WORKER_CLASS=kind, TRACER_WORKERS=workers,
               TRACER_THREADS=threads or "1")
    log = open(f"/tmp/tracer-load-gunicorn-{port}.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                               cwd=app_dir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(150):
        time.sleep(0.2)
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/api/v1/health")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None:
            break
    stop(process)
    raise SystemExit(f"gunicorn ({setting}) did not start: see /tmp/tracer-load-gunicorn-{port}.log")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def targets(database_url: str, username: str) -> tuple[int, str, str]:
    """A firearm the user may see, one of its serials, and a new API token for the user."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(TRACER_ENV="development", TRACER_DATABASE_URL=database_url)
    from sqlalchemy import select

    from tracer import create_app
    from tracer.auth import tokens
    from tracer.auth.models import User
    from tracer.extensions import db
    from tracer.models import Firearm

    app = create_app()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        row = db.session.execute(
            select(Firearm.id, Firearm.serial_number)
            .where(Firearm.agency_id == user.agency_id, Firearm.serial_number.is_not(None))
            .order_by(Firearm.id).limit(1)).one()
        _, raw = tokens.issue_token(user, "load test")
        db.session.commit()
    return row.id, row.serial_number, raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--settings", nargs="+", default=["sync:5", "gthread:2x8"],
                        help="worker settings: sync:WORKERS or gthread:WORKERSxTHREADS")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1, help="interleaved repeats of every setting")
    parser.add_argument("--user", default="analista.fgr")
    parser.add_argument("--password", default="Demo-Tracer-2026!")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--app-dir", type=Path, default=ROOT,
                        help="the release to serve (default: this checkout), e.g. an older one to compare")
    args = parser.parse_args()
    seconds = min(args.seconds, MAX_SECONDS)

    firearm_id, serial, raw = targets(args.database_url, args.user)
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRACER_")}
    env.update(TRACER_ENV="production", TRACER_DATABASE_URL=args.database_url, TRACER_REDIS_URL=args.redis_url,
               TRACER_SECRET_KEY=secrets.token_hex(32), TRACER_REQUIRE_MFA="0",
               TRACER_API_RATE_LIMIT="1000000 per minute")
    paths = {"firearm page": (f"/firearms/{firearm_id}", {}),
             "serial-search API": ("/api/v1/search/serial?" + urlencode({"q": serial, "mode": "exact"}),
                                   {"Authorization": f"Bearer {raw}"})}
    print(f"{'setting':<14} {'target':<18} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'requests':>9} {'failed':>6} {'cpu ms/req':>10} {'load':>5}")
    for _ in range(args.rounds):
        for setting in args.settings:
            process = start_gunicorn(setting, args.port, env, args.app_dir)
            try:
                cookies = sign_in(args.port, args.user, args.password)
                for name, (path, headers) in paths.items():
                    hammer(args.port, path, headers, cookies, args.clients, min(2, seconds))  # warm up
                    cpu = server_cpu_seconds(process.pid)
                    result = hammer(args.port, path, headers, cookies, args.clients, seconds)
                    cpu_ms = 1000 * (server_cpu_seconds(process.pid) - cpu) / max(result["requests"], 1)
                    print(f"{setting:<14} {name:<18} {result['rps']:>7.1f} {result['p50']:>7.1f} "
                          f"{result['p95']:>7.1f} {result['requests']:>9} {result['failed']:>6} {cpu_ms:>10.1f} {os.getloadavg()[0]:>5.1f}",
                          flush=True)
            finally:
                stop(process)


if __name__ == "__main__":
    main()
