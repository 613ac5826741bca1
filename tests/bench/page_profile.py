"""Where the time of the four throughput pages goes, in one process, production configuration.

Not a test (pytest does not collect it):

    .venv/bin/python tests/bench/page_profile.py [--database-url URL] [--requests 200]
        [--profile case-list|case|firearm|search] [--sort cumulative|tottime]

Builds the application as gunicorn does (``TRACER_ENV=production``, the database of
``--database-url``, default the bench database, rate limits in Redis 13), opens a session
for the bench's web account and an API token, then sends each page ``--requests`` times
through ``app.test_client()`` in ``--rounds`` runs and prints, per page, the milliseconds per
request (CPU and wall) of the run that spent the least CPU (other work on the machine inflates
the others), the Python function calls of one request (a figure other work on the machine does
not move), the SQL statements per request and the bytes of the answer. With ``--profile`` the
named page is sent under cProfile and the top of the profile is printed; ``--statements``
prints that page's statements once.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/tracer_bench"


def _environment(url: str, redis_url: str) -> None:
    # config.py reads the environment when it is imported: set it first.
    os.environ.update(TRACER_ENV="production", TRACER_DATABASE_URL=url, TRACER_REDIS_URL=redis_url,
                      TRACER_SECRET_KEY=secrets.token_hex(32), TRACER_REQUIRE_MFA="0",
                      TRACER_API_RATE_LIMIT="1000000 per minute", TRACER_AUDIT_SEAL_ON_COMMIT="0")


def _targets(username: str):
    """A signed-in session id, an API token, and a case, a firearm and a serial in the middle
    of the register (as ``all_budgets`` chooses them)."""
    from sqlalchemy import select, text

    from tracer.auth import sessions, tokens
    from tracer.auth.models import User
    from tracer.extensions import db

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise SystemExit(f"no account {username!r} in this database")
    sid = sessions.start_session(user)
    _token, raw = tokens.issue_token(user, "profile")
    middle = db.session.execute(text(
        "SELECT f.id, f.case_id, f.serial_number FROM firearms f WHERE f.serial_number IS NOT NULL "
        "AND f.id >= (SELECT (min(id) + max(id)) / 2 FROM firearms) ORDER BY f.id LIMIT 1")).one()
    user_id = user.id
    db.session.commit()
    return user_id, sid, raw, middle


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("TRACER_BENCH_DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--user", default="bench.web")
    parser.add_argument("--requests", type=int, default=200, help="requests per run")
    parser.add_argument("--rounds", type=int, default=3, help="runs per page; the least CPU per request is shown")
    parser.add_argument("--profile", choices=("case-list", "case", "firearm", "search", "extra1", "extra2"))
    parser.add_argument("--only", nargs="*", default=[],
                        help="measure only these pages (for a sampling profiler such as py-spy attached outside)")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=60)
    parser.add_argument("--extra", nargs="*", help="more paths to measure the same way (e.g. /api/v1/me)")
    parser.add_argument("--statements", action="store_true", help="print the profiled page's statements once")
    parser.add_argument("--callers", nargs="*", default=[],
                        help="with --profile: also print who calls the functions matching these patterns")
    parser.add_argument("--callees", nargs="*", default=[],
                        help="with --profile: also print what the functions matching these patterns call")
    options = parser.parse_args()
    _environment(options.database_url, options.redis_url)

    from sqlalchemy import event

    from tracer import create_app
    from tracer.extensions import db

    app = create_app()
    with app.app_context():
        user_id, sid, raw, middle = _targets(options.user)
        db.session.remove()
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda _c, _cur, statement, *_a: statements.append(statement))
    client = app.test_client(use_cookies=True)
    client.environ_base["wsgi.url_scheme"] = "https"  # the session cookie is Secure
    with client.session_transaction() as cookie:
        cookie["sid"], cookie["_user_id"], cookie["_fresh"] = sid, str(user_id), True
    bearer = {"Authorization": f"Bearer {raw}"}
    pages = {
        "case-list": ("/cases", {}),
        "case": (f"/cases/{middle.case_id}", {}),
        "firearm": (f"/firearms/{middle.id}", {}),
        "search": ("/api/v1/search/serial?" + urlencode({"q": middle.serial_number, "mode": "exact"}), bearer),
    }
    for number, path in enumerate(options.extra or []):
        pages[f"extra{number + 1}"] = (path, bearer if path.startswith("/api/") else {})
    import gc

    gc.collect()
    gc.freeze()  # as gunicorn.conf.py does for a worker's start-up objects
    for name, (path, headers) in pages.items():
        if (options.profile and name != options.profile) or (options.only and name not in options.only):
            continue
        for _ in range(5):
            answer = client.get(path, headers=headers)
            if answer.status_code != 200:
                raise SystemExit(f"{name} ({path}) answered {answer.status_code}: {answer.data[:300]!r}")
        statements.clear()
        client.get(path, headers=headers)
        per_request = list(statements)
        counter = cProfile.Profile()
        counter.enable()
        size = len(client.get(path, headers=headers).data)
        counter.disable()
        calls = sum(entry[1] for entry in pstats.Stats(counter).stats.values())  # Python calls, a steady figure
        profiler = cProfile.Profile(time.process_time) if options.profile else None  # CPU, not waits
        runs = []
        for _ in range(1 if profiler else options.rounds):
            wall, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            for _ in range(options.requests):
                client.get(path, headers=headers)
            if profiler:
                profiler.disable()
            runs.append((time.process_time() - cpu, time.perf_counter() - wall))
        cpu, wall = min(runs)  # the run least disturbed by other work on the machine
        print(f"{name:<10} {1000 * cpu / options.requests:7.2f} ms CPU {1000 * wall / options.requests:7.2f} ms wall "
              f"{calls:7,d} calls {len(per_request):3d} statements {size:7,d} bytes  {path}", flush=True)
        if options.statements:
            for statement in per_request:
                print("   ", " ".join(statement.split())[:400])
        if profiler:
            stats = pstats.Stats(profiler).strip_dirs().sort_stats(options.sort)
            stats.print_stats(options.lines)
            for pattern in options.callers:
                stats.print_callers(pattern)
            for pattern in options.callees:
                stats.print_callees(pattern)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
