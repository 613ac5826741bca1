"""Where the CPU of a throughput run goes: gunicorn, PostgreSQL, Redis and the load generator,
in milliseconds per request, for the baseline and the three pages of SPEC §10.

Not a test (pytest does not collect it):

    .venv/bin/python tests/bench/cpu_split.py [--database-url URL] [--seconds 8] [--rounds 2]

Serves the application and the baseline as ``all_budgets`` does (gunicorn.conf.py, production
configuration, loopback), signs in the bench's web account and sends each page from 16
clients for ``--seconds``, reading the CPU time of each program from ``/proc`` before and
after. On a machine of two cores where all four share the processors, requests per second
follow the CPU each request costs in all of them; this says which one to look at.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench import baseline_app, bench_accounts  # noqa: E402
from tests.bench.http_bench import production_env, start, stop  # noqa: E402
from tests.bench.http_load import cpu_seconds, hammer, server_cpu_seconds, sign_in  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/tracer_bench"


def cpu_of_programs(*names: str) -> float:
    """CPU seconds used so far by every process whose command is one of ``names``."""
    return cpu_seconds(lambda command, _fields: command in names)


def _spent(server) -> tuple[float, ...]:
    return (server_cpu_seconds(server.pid), cpu_of_programs("postgres"), cpu_of_programs("redis-server"),
            os.times().user + os.times().system)


def measure(label: str, port: int, path: str, cookies: dict, server, seconds: float) -> None:
    hammer(port, path, {}, cookies, 16, min(2, seconds))  # warm up
    before = _spent(server)
    result = hammer(port, path, {}, cookies, 16, seconds)
    spent = [1000 * (after - earlier) / result["requests"] for after, earlier in zip(_spent(server), before)]
    print(f"{label:<14} {result['rps']:6.0f} req/s   ms CPU per request: gunicorn {spent[0]:5.2f}  "
          f"postgres {spent[1]:5.2f}  redis {spent[2]:5.2f}  load generator {spent[3]:5.2f}  "
          f"all {sum(spent):5.2f}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("TRACER_BENCH_DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=8761)
    options = parser.parse_args()
    import psycopg
    from sqlalchemy import make_url

    url = make_url(options.database_url)
    with psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database) as connection:
        firearm_id, case_id = connection.execute(
            "SELECT f.id, f.case_id FROM firearms f WHERE f.serial_number IS NOT NULL "
            "AND f.id >= (SELECT (min(id) + max(id)) / 2 FROM firearms) ORDER BY f.id LIMIT 1").fetchone()
    env = production_env(options.database_url, options.redis_url)
    baseline_app.prepare(options.database_url)
    application = start("wsgi:app", options.port, env, "app")
    baseline = start("tests.bench.baseline_app:app", options.port + 1, dict(env, TRACER_AUDIT_SEALER="off"), "baseline")
    try:
        cookies = sign_in(options.port, bench_accounts.WEB_USER, bench_accounts.PASSWORD)
        for _ in range(options.rounds):
            measure("baseline", options.port + 1, f"/?id={firearm_id}", cookies, baseline, options.seconds)
            measure("case list", options.port, "/cases", cookies, application, options.seconds)
            measure("case page", options.port, f"/cases/{case_id}", cookies, application, options.seconds)
            measure("firearm page", options.port, f"/firearms/{firearm_id}", cookies, application, options.seconds)
    finally:
        stop(application)
        stop(baseline)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
