"""``make loadtest``: a bounded load test of gunicorn, production configuration, on a copy of
the bench register, with locust (headless) playing officials of every role.

Not a test (pytest does not collect it): ``make loadtest``, or

    .venv/bin/python tests/load/run.py [--users 200] [--peak-users 600] [--phase-seconds 120]
        [--peak-seconds 120] [--recovery-seconds 60] [--arrival-seconds 100] [--strict]

1. copies the bench database (``--source``, default tracer_bench, built by ``make bench``) into
   ``--copy`` (default tracer_load) with ``CREATE DATABASE … TEMPLATE``: the bench is never written;
2. adds to the copy one account per simulated official (officers and supervisors of the federal
   and state agencies, analysts with an API token, liaisons of ATF-MX) and the ids each may use
   (``prepare``);
3. starts gunicorn with gunicorn.conf.py and the production settings of ``make bench``
   (``tests.bench.http_bench``) on a loopback port; gunicorn starts the audit sealer beside it;
4. runs ``tests/load/locustfile.py`` in five phases: ``--users`` officials arrive (each signs in
   as they come) over ``--arrival-seconds``, then work for ``--phase-seconds``; twice as many
   again arrive over ``--arrival-seconds`` and the three times as many work for
   ``--peak-seconds``; then all but ``--users`` leave at once, who work on for
   ``--recovery-seconds``;
5. prints a table per phase (requests per second, p50/p95/p99, errors by kind, every page) and
   the verdicts; stops gunicorn and drops the copy, whatever happened.

The exit status is 0 unless ``--strict`` is given and a verdict failed, so the tables are always
printed whole.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, make_url, text  # noqa: E402

from tests.bench.http_bench import production_env, start  # noqa: E402
from tests.bench.http_load import HOST, server_cpu_seconds, stop  # noqa: E402
from tests.bench.stats import percentile  # noqa: E402

PASSWORD = "Carga-Simulada-2026!"
BUDGET_P95_MS = 500.0
# The phases in order; ``main`` gives each its users, rate and seconds.
PHASES = ("officials arriving", "normal load", "more officials arriving", "three times the load", "recovery")
# The share of each role among the simulated officials (the locustfile's class weights say why).
ROLE_WEIGHTS = {"officer": 8, "analyst": 7, "liaison": 2, "supervisor": 3}
LIAISON_OFFICE = "ATF-MX"
SAMPLE_PER_AGENCY = 300  # cases and firearms of each agency the readers open, drawn at random
CASES_PER_OFFICER = 5  # the cases an officer records seizures into: theirs alone
MAX_TRACES = 40_000  # submitted trace requests shared out among the liaisons


def _server(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def copy_database(source_url: str, copy_name: str, attempts: int = 6) -> str:
    """``copy_name`` made anew from ``source_url``'s database; its URL."""
    source = make_url(source_url)
    engine = _server(source_url)
    try:
        for attempt in range(1, attempts + 1):
            try:
                with engine.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{copy_name}"'))
                    connection.execute(text(f'CREATE DATABASE "{copy_name}" TEMPLATE "{source.database}"'))
                break
            except Exception as problem:  # noqa: BLE001  (the template is busy: someone is connected to it)
                if attempt == attempts:
                    raise SystemExit(f"could not copy {source.database} into {copy_name}: {problem}") from None
                print(f"copy of {source.database} refused ({str(problem).splitlines()[0]}); again in 10 s", flush=True)
                time.sleep(10)
    finally:
        engine.dispose()
    return source.set(database=copy_name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    name = make_url(url).database
    engine = _server(url)
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def _accounts_needed(peak_users: int) -> dict[str, int]:
    total = sum(ROLE_WEIGHTS.values())
    return {role: math.ceil(peak_users * weight / total) + 2 for role, weight in ROLE_WEIGHTS.items()}


def prepare(url: str, peak_users: int, seed: int) -> dict:
    """The accounts of the simulated officials, created in the copy, and the ids each may use."""
    from tests.bench.serial_search import make_app

    app = make_app(url)
    with app.app_context():
        from tracer.auth import passwords, services, tokens
        from tracer.extensions import db

        db.session.execute(text("SELECT setseed(:seed)"), {"seed": (seed % 1000) / 1000})  # the same draw each run
        agencies = db.session.execute(text(
            "SELECT a.id, a.acronym, a.level FROM agencies a WHERE a.level <> 'us' AND a.active "
            "AND EXISTS (SELECT 1 FROM cases c WHERE c.owner_agency_id = a.id) ORDER BY a.level, a.acronym")).all()
        office = services.agency_by_acronym(LIAISON_OFFICE)
        if not agencies or office is None:
            raise SystemExit(f"the copy holds no agency with cases, or no {LIAISON_OFFICE}: is it the bench register?")
        by_acronym = {row.acronym: services.agency_by_acronym(row.acronym) for row in agencies}
        # Accounts go to each agency in turn, the federal one first, so every agency has officials.
        order = [row.acronym for row in agencies if row.level == "federal"] + \
                [row.acronym for row in agencies if row.level != "federal"]
        samples = {}
        for row in agencies:
            cases = db.session.scalars(text(
                "SELECT id FROM cases WHERE owner_agency_id = :agency ORDER BY random() LIMIT :n"),
                {"agency": row.id, "n": SAMPLE_PER_AGENCY + CASES_PER_OFFICER * peak_users}).all()
            firearms = db.session.execute(text(
                "SELECT id, serial_number FROM firearms WHERE agency_id = :agency AND serial_number IS NOT NULL "
                "ORDER BY random() LIMIT :n"), {"agency": row.id, "n": SAMPLE_PER_AGENCY}).all()
            samples[row.acronym] = {"cases": list(cases), "firearms": [[f.id, f.serial_number] for f in firearms]}
        traces = list(db.session.scalars(text(
            "SELECT id FROM trace_requests WHERE addressed_to_id = :office AND status = 'submitted' "
            "ORDER BY random() LIMIT :n"), {"office": office.id, "n": MAX_TRACES}))
        needed = _accounts_needed(peak_users)
        hashed = passwords.hash_password(PASSWORD)  # once: every account has the same password
        accounts: dict[str, list[dict]] = {role: [] for role in ROLE_WEIGHTS}
        writable = {acronym: list(sample["cases"][SAMPLE_PER_AGENCY:]) for acronym, sample in samples.items()}
        with mock.patch.object(passwords, "hash_password", lambda _password: hashed):
            for role, count in needed.items():
                for number in range(count):
                    acronym = LIAISON_OFFICE if role == "liaison" else order[number % len(order)]
                    agency = office if role == "liaison" else by_acronym[acronym]
                    user, _ = services.create_user({
                        "username": f"carga.{role}.{number:03d}", "full_name": f"Carga {role} {number:03d}",
                        "role": role, "agency": agency, "must_change_password": False}, PASSWORD)
                    account = {"username": user.username, "agency": acronym, "federal": agency.level == "federal",
                               "state": agency.state_code}
                    if role == "analyst":
                        _token, account["token"] = tokens.issue_token(user, "carga")
                    if role == "officer":
                        account["cases"] = [writable[acronym].pop() for _ in range(CASES_PER_OFFICER)
                                            if writable[acronym]]
                        if not account["cases"]:  # a small register: the officers of an agency share its cases
                            account["cases"] = samples[acronym]["cases"][:CASES_PER_OFFICER]
                    if role == "liaison":
                        account["traces"] = traces[number::count]
                    accounts[role].append(account)
        db.session.commit()
        for acronym in samples:
            samples[acronym]["cases"] = samples[acronym]["cases"][:SAMPLE_PER_AGENCY]
        db.session.remove()
        db.engine.dispose()
    return {"password": PASSWORD, "accounts": accounts, "samples": samples, "seed": seed}


def _flush_redis(redis_url: str) -> None:
    """The copy starts with no rate-limit counters left from an earlier run."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        client.flushdb()
    finally:
        client.close()


def _ms(value: float) -> str:
    return "-" if value != value else f"{value:.0f}"


SIGN_IN = ("GET /auth/notice", "POST /auth/notice", "GET /auth/login", "POST /auth/login")


def _line(label: str, times: list[float], seconds: float, errors: int) -> str:
    times = sorted(times)
    return (f"  {label:<44} {len(times):>8} {len(times) / seconds:>7.1f} {_ms(percentile(times, .5)):>7} "
            f"{_ms(percentile(times, .95)):>7} {_ms(percentile(times, .99)):>7} {errors:>6}")


def print_phase(number: int, phase: dict) -> dict:
    """The phase's table; its totals for the verdicts. Each official signs in once, as they
    arrive (argon2 makes a sign-in cost about as much CPU as many pages): the sign-in lines are
    shown, and the latency budget is read on the pages officials work with after it."""
    rows, seconds = phase["pages"], phase["seconds"]
    every = [value for row in rows.values() for value in row["times"]]
    work = [value for name, row in rows.items() if name not in SIGN_IN for value in row["times"]]
    errors = sum(phase["errors"].values())  # failed requests, and tasks that broke off
    print(f"\nPhase {number} — {phase['label']}: {phase['users']} users ({seconds:.0f} s, "
          f"{phase['mean_users']:.0f} users on average, load average {phase['load']} as it ended)")
    print(f"  {'page':<44} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}")
    for name in sorted(rows, key=lambda key: (key in SIGN_IN, -len(rows[key]["times"]))):
        print(_line(name, rows[name]["times"], seconds, rows[name]["failures"]))
    print(_line("all pages after sign-in", work, seconds,
                sum(row["failures"] for name, row in rows.items() if name not in SIGN_IN)))
    print(_line("all requests", every, seconds, errors))
    for kind, count in sorted(phase["errors"].items(), key=lambda item: -item[1]):
        print(f"  error: {count} × {kind}")
    return {"requests": len(work), "errors": errors, "p95": percentile(work, .95),
            "server_errors": sum(count for kind, count in phase["errors"].items()
                                 if kind.startswith(("HTTP 5", "connection")))}


def verdicts(tables: list[dict]) -> list[tuple[str, bool]]:
    """The normal load (its officials arriving, then at work): no error, and the p95 of the pages
    while all are at work under budget; three times the load (its officials arriving, then at
    work): no 5xx nor connection failure, slower allowed; recovery: p95 back under budget.
    ``tables`` are in the order of ``PHASES``."""
    by_label = dict(zip(PHASES, tables))
    checks = []
    arriving, steady = by_label.get("officials arriving"), by_label.get("normal load")
    if arriving and steady:
        errors = arriving["errors"] + steady["errors"]
        checks.append((f"normal load: zero errors ({errors}) and p95 of the pages after sign-in < "
                       f"{BUDGET_P95_MS:g} ms ({_ms(steady['p95'])} ms)",
                       errors == 0 and steady["p95"] < BUDGET_P95_MS and steady["requests"] > 0))
    more, peak = by_label.get("more officials arriving"), by_label.get("three times the load")
    if more and peak:
        failures = more["server_errors"] + peak["server_errors"]
        checks.append((f"three times the load: no 5xx or connection failure ({failures}), slower allowed "
                       f"(p95 {_ms(peak['p95'])} ms)", failures == 0 and peak["requests"] > 0))
    last = by_label.get("recovery")
    if last:
        checks.append((f"recovery: p95 of the pages back under {BUDGET_P95_MS:g} ms ({_ms(last['p95'])} ms)",
                       last["p95"] < BUDGET_P95_MS and last["requests"] > 0))
    return checks



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=os.environ.get("TRACER_BENCH_DATABASE_URL")
                        or "postgresql+psycopg://postgres@127.0.0.1:5432/tracer_bench",
                        help="the bench register to copy (never written)")
    parser.add_argument("--copy", default="tracer_load", help="the database the run uses, dropped at the end")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--peak-users", type=int, default=None, help="default: three times --users")
    parser.add_argument("--phase-seconds", type=float, default=120)
    parser.add_argument("--peak-seconds", type=float, default=120)
    parser.add_argument("--recovery-seconds", type=float, default=60)
    parser.add_argument("--arrival-seconds", type=float, default=100,
                        help="time over which a step's new officials arrive and sign in")
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--strict", action="store_true", help="exit non-zero when a verdict fails")
    options = parser.parse_args()
    peak = options.peak_users or 3 * options.users
    if not options.source.startswith("postgresql"):
        print("the load test runs on PostgreSQL (--source)", file=sys.stderr)
        return 2
    if make_url(options.source).database == options.copy:
        print("--copy must differ from --source: the source is never written", file=sys.stderr)
        return 2
    load_at_start = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"load average at the start: {load_at_start} ({os.cpu_count()} cores)", flush=True)
    # Officials arrive over --arrival-seconds, as a shift starts: each signs in once, and argon2
    # makes a sign-in cost as much CPU as a few dozen pages. The pages are judged once all are at
    # work; their arrival is judged for errors. Down: the extra officials leave at once.
    arrival = options.arrival_seconds
    phases = [
        {"label": PHASES[0], "users": options.users, "seconds": arrival, "rate": options.users / arrival},
        {"label": PHASES[1], "users": options.users, "seconds": options.phase_seconds, "rate": 1.0},
        {"label": PHASES[2], "users": peak, "seconds": arrival, "rate": (peak - options.users) / arrival},
        {"label": PHASES[3], "users": peak, "seconds": options.peak_seconds, "rate": 1.0},
        {"label": PHASES[4], "users": options.users, "seconds": options.recovery_seconds,
         "rate": float(peak - options.users)},
    ]
    phases = [phase for phase in phases if phase["seconds"] > 0]
    for phase in phases:
        phase["rate"] = max(1.0, phase["rate"])
    scratch = Path(tempfile.mkdtemp(prefix="tracer-loadtest-"))
    plan_file, results_file = scratch / "plan.json", scratch / "results.json"
    started = time.perf_counter()
    url = copy_database(options.source, options.copy)
    application = None
    try:
        print(f"{make_url(options.source).database} copied into {options.copy} in {time.perf_counter() - started:.0f} s",
              flush=True)
        plan = prepare(url, max(peak, options.users), options.seed)
        plan["phases"] = phases
        plan_file.write_text(json.dumps(plan))
        print(f"accounts: " + ", ".join(f"{len(rows)} {role}s" for role, rows in plan["accounts"].items()), flush=True)
        _flush_redis(options.redis_url)
        env = production_env(url, options.redis_url)
        # Every simulated official signs in from the loopback address: the allowance per address
        # (meant for many officials behind one office's gateway) is raised for the run; each
        # account keeps its own. Photos and documents, if any, go to the scratch folder.
        env.update(TRACER_LOGIN_ADDRESS_RATE_LIMIT="100000 per minute", TRACER_UPLOAD_FOLDER=str(scratch / "uploads"))
        application = start("wsgi:app", options.port, env, "loadtest")
        print(f"gunicorn (gunicorn.conf.py, production) on {HOST}:{options.port}; "
              f"phases: " + ", ".join(f"{p['users']} users for {p['seconds']:g} s" for p in phases), flush=True)
        locust_env = {key: value for key, value in os.environ.items() if not key.startswith("TRACER_")}
        locust_env.update(TRACER_LOADTEST_PLAN=str(plan_file), TRACER_LOADTEST_RESULTS=str(results_file))
        length = sum(phase["seconds"] for phase in phases)
        command = [sys.executable, "-m", "locust", "-f", str(ROOT / "tests" / "load" / "locustfile.py"), "--headless",
                   "--host", f"http://{HOST}:{options.port}", "--only-summary", "--loglevel", "WARNING",
                   "--stop-timeout", "10", "--exit-code-on-error", "0"]
        log = open(scratch / "locust.log", "w")  # locust's own summary; the tables below say more
        server_cpu = server_cpu_seconds(application.pid)
        runner = subprocess.Popen(command, cwd=ROOT, env=locust_env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        try:
            runner.wait(timeout=length + 180)
        except subprocess.TimeoutExpired:
            print("locust did not stop by itself: stopped", flush=True)
        finally:
            stop(runner)
            server_cpu = server_cpu_seconds(application.pid) - server_cpu
        if not results_file.exists():
            print("locust wrote no results", file=sys.stderr)
            return 1
        results = json.loads(results_file.read_text())
    finally:
        if application is not None:
            stop(application)
        try:
            drop_database(url)
        except Exception as problem:  # noqa: BLE001  (said, not hidden: the copy is left behind)
            print(f"could not drop {options.copy}: {problem}", file=sys.stderr)
        for path in (plan_file, results_file):
            path.unlink(missing_ok=True)
        shutil.rmtree(scratch / "uploads", ignore_errors=True)
    print(f"\nLoad test on a copy of {make_url(options.source).database} ({time.perf_counter() - started:.0f} s in all; "
          f"load average at the start {load_at_start}, at the end "
          f"{' '.join(f'{value:.1f}' for value in os.getloadavg())}, {os.cpu_count()} cores). "
          f"Latency is measured by the client; req/s counts every request of the phase, sign-ins included. "
          f"Logs: {scratch / 'locust.log'}, {Path(tempfile.gettempdir()) / f'tracer-bench-loadtest-{options.port}.log'}.")
    tables = [print_phase(number, phase) for number, phase in enumerate(results["phases"], 1)]
    answered = sum(len(row["times"]) for phase in results["phases"] for row in phase["pages"].values())
    print(f"\nCPU: gunicorn and the sealer {server_cpu:.0f} s ({1000 * server_cpu / max(answered, 1):.1f} ms a request), "
          f"locust {results['client_cpu_seconds']:.0f} s, over {answered} requests.")
    print()
    checks = verdicts(tables)
    for label, passed in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {label}")
    failed = [label for label, passed in checks if not passed]
    return 1 if options.strict and (failed or not checks) else 0


if __name__ == "__main__":
    raise SystemExit(main())
