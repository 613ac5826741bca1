"""The throughput and page-latency lines of ``make bench``: the application and the baseline
(``baseline_app``) both under gunicorn in the production configuration, loopback only.

Throughput: 16 clients, the baseline and the page in turn (baseline, page, baseline, page…),
each run bounded in time and in requests (``http_load.hammer``). Latency: one client, each
page request preceded by a baseline request, about 100 of each.
"""
from __future__ import annotations

import http.client
import os
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from tests.bench import baseline_app
from tests.bench.http_load import HOST, Client, hammer, sign_in, stop
from tests.bench.stats import Row, percentile

ROOT = Path(__file__).resolve().parents[2]
BUDGET_THROUGHPUT_SHARE = 1 / 3
BUDGET_PAGE_P95_MS = 300.0
MAX_LATENCY_REQUESTS = 200


@dataclass
class Targets:
    case_id: int
    firearm_id: int
    serial: str
    token: str


def production_env(database_url: str, redis_url: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRACER_")}
    env.update(TRACER_ENV="production", TRACER_DATABASE_URL=database_url, TRACER_REDIS_URL=redis_url,
               TRACER_SECRET_KEY=secrets.token_hex(32), TRACER_REQUIRE_MFA="0",
               # The limiter is exercised on every call, but 16 clients of one account must not be refused.
               TRACER_API_RATE_LIMIT="1000000 per minute",
               TRACER_AUDIT_HEAD_FILE=str(Path(tempfile.gettempdir()) / "tracer-bench-audit-head"))
    return env


def start(app: str, port: int, env: dict, log_name: str) -> subprocess.Popen:
    """gunicorn with gunicorn.conf.py (the production worker settings) serving ``app``."""
    env = dict(env, TRACER_BIND=f"{HOST}:{port}")
    log = open(Path(tempfile.gettempdir()) / f"tracer-bench-{log_name}-{port}.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", app], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(150):
        time.sleep(0.2)
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/")
            connection.getresponse().read()
            return process
        except OSError:
            pass
        if process.poll() is not None:
            break
    stop(process)
    raise SystemExit(f"gunicorn ({app}) did not start: see {log.name}")


def _check(port: int, path: str, headers: dict, cookies: dict, name: str) -> None:
    client = Client(port)
    client.cookies = dict(cookies)
    status, body = client.request("GET", path, headers=headers)
    if status != 200:
        raise SystemExit(f"{name} ({path}) answered {status}: {body[:300]!r}")


def measure_http(env: dict, targets: Targets, *, port: int, clients: int, seconds: float, rounds: int,
                 latency_requests: int, web_user: str, auditor: str, password: str) -> list[Row]:
    app_port, base_port = port, port + 1
    baseline_app.prepare(env["TRACER_DATABASE_URL"])
    application = start("wsgi:app", app_port, env, "app")
    baseline = start("tests.bench.baseline_app:app", base_port, dict(env, TRACER_AUDIT_SEALER="off"), "baseline")
    try:
        cookies = sign_in(app_port, web_user, password)
        auditor_cookies = sign_in(app_port, auditor, password)
        bearer = {"Authorization": f"Bearer {targets.token}"}
        base_page = (f"/?id={targets.firearm_id}", {}, cookies)
        base_api = (f"/?id={targets.firearm_id}", bearer, {})
        search = "/api/v1/search/serial?" + urlencode({"q": targets.serial, "mode": "exact"})
        throughput = {
            "case list /cases": ("/cases", {}, cookies, base_page),
            "case page": (f"/cases/{targets.case_id}", {}, cookies, base_page),
            "firearm page": (f"/firearms/{targets.firearm_id}", {}, cookies, base_page),
            "serial-search API (exact, token)": (search, bearer, {}, base_api),
        }
        latency = {
            "backlog /trace-requests/backlog": ("/trace-requests/backlog", cookies),
            "case list /cases": ("/cases", cookies),
            "audit page /admin/audit": ("/admin/audit", auditor_cookies),
            "deconfliction list (outgoing)": ("/deconfliction?direction=outgoing", cookies),
        }
        for name, (path, headers, jar, _base) in throughput.items():
            _check(app_port, path, headers, jar, name)
        for name, (path, jar) in latency.items():
            _check(app_port, path, {}, jar, name)
        _check(base_port, *base_page[:2], cookies, "baseline (cookie)")
        if Client(base_port).request("GET", base_page[0])[0] != 401:  # it does check who asks
            raise SystemExit("the baseline answered a request without a session or token")
        _check(base_port, *base_api[:2], {}, "baseline (token)")
        rows = [_throughput(name, app_port, base_port, target, clients, seconds, rounds)
                for name, target in throughput.items()]
        rows += [_latency(name, app_port, base_port, path, jar, base_page, latency_requests)
                 for name, (path, jar) in latency.items()]
    finally:
        stop(application)
        stop(baseline)
    return rows


def _throughput(name, app_port, base_port, target, clients, seconds, rounds) -> Row:
    path, headers, jar, (base_path, base_headers, base_jar) = target
    hammer(base_port, base_path, base_headers, base_jar, clients, min(2, seconds))  # warm both up
    hammer(app_port, path, headers, jar, clients, min(2, seconds))
    runs = {"base": [], "page": []}
    for _ in range(rounds):
        runs["base"].append(hammer(base_port, base_path, base_headers, base_jar, clients, seconds, keep=True))
        runs["page"].append(hammer(app_port, path, headers, jar, clients, seconds, keep=True))
    merged = {}
    for key, results in runs.items():
        latencies = sorted(value for result in results for value in result["latencies"])
        merged[key] = {"rps": sum(r["requests"] for r in results) / sum(r["elapsed"] for r in results),
                       "latencies": latencies, "failed": sum(r["failed"] for r in results)}
    page, base = merged["page"], merged["base"]
    ratio = page["rps"] / base["rps"]
    note = f"{page['failed']} non-200 answers" if page["failed"] or base["failed"] else ""
    return Row(f"throughput: {name}", len(page["latencies"]), percentile(page["latencies"], .5),
               percentile(page["latencies"], .95), f"baseline, {clients} clients", percentile(base["latencies"], .5),
               percentile(base["latencies"], .95), ratio,
               "req/s >= 1/3 of baseline", ratio >= BUDGET_THROUGHPUT_SHARE and not page["failed"],
               rate=f"{page['rps']:.0f} req/s", base_rate=f"{base['rps']:.0f} req/s", ratio_text=f"{ratio:.2f}x req/s",
               note=note)


def _latency(name, app_port, base_port, path, jar, base_page, count) -> Row:
    count = min(count, MAX_LATENCY_REQUESTS)
    page_client, base_client = Client(app_port), Client(base_port)
    page_client.cookies, base_client.cookies = dict(jar), dict(base_page[2])
    spent, base, failed = [], [], 0
    for number in range(count + 5):
        started = time.perf_counter()
        base_client.request("GET", base_page[0], headers=base_page[1])
        middle = time.perf_counter()
        status, _ = page_client.request("GET", path)
        ended = time.perf_counter()
        if number >= 5:  # the first few warm the caches
            base.append(1000 * (middle - started))
            spent.append(1000 * (ended - middle))
            failed += status != 200
    p95 = percentile(spent, .95)
    return Row(f"latency: {name}", len(spent), percentile(spent, .5), p95, "baseline, 1 client",
               percentile(base, .5), percentile(base, .95), p95 / percentile(base, .95),
               f"p95 < {BUDGET_PAGE_P95_MS:g} ms", p95 < BUDGET_PAGE_P95_MS and not failed,
               note=f"{failed} non-200 answers" if failed else "")
