"""How long audit events wait for the sealer, and whether writers wait on the chain.

    python -m tests.audit.measure_sealing postgresql+psycopg://postgres@127.0.0.1/tracer_sealing \
        [--threads 32] [--events 40] [--interval 0.05]

Migrates the given PostgreSQL database (use a scratch one: events are committed), then
runs the same load twice: THREADS writers each committing EVENTS audit events one by one,

- ``commit``: every writer chains its own events at commit (``AUDIT_SEAL_ON_COMMIT``),
  queueing on the chain's advisory lock;
- ``sealer``: writers append unsealed and one sealer chains them.

It prints, per run, the writers' commit time (median, p95), the events per second, how
many of 50 sampled connections were waiting on an advisory lock, and (sealer) how long an
event waited from its commit to the commit of the batch that sealed it (median, p95, max).
"""
from __future__ import annotations

import argparse
import multiprocessing
import statistics
import threading
import time

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from config import TestConfig
from tracer import create_app
from tracer.audit import services as audit
from tracer.audit.sealer import Sealer


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def seal_in_process(url: str, interval: float, reports, stop) -> None:
    """The sealer, reporting ``(when committed, head seq after it)`` for each batch."""
    engine = create_engine(url)
    batches: list[tuple[float, int]] = []
    sealer = Sealer(engine, batch=1000, log=lambda line: None,
                    on_batch=lambda count, head: batches.append((time.time(), head[0])))
    watcher = threading.Thread(target=lambda: (stop.wait(), sealer.stop.set()), daemon=True)
    watcher.start()
    reports.put("ready")
    sealer.run(interval=interval)
    reports.put(batches)
    engine.dispose()


def run(app, engine, mode: str, threads: int, events: int, interval: float) -> dict[str, object]:
    app.config["AUDIT_SEAL_ON_COMMIT"] = mode == "commit"
    committed: dict[str, float] = {}
    commit_times: list[float] = []
    worker = reports = stop = None
    if mode == "sealer":  # a process of its own, as in production
        context = multiprocessing.get_context("spawn")
        reports, stop = context.Queue(), context.Event()
        worker = context.Process(target=seal_in_process, args=(str(engine.url.render_as_string(False)),
                                                                interval, reports, stop))
        worker.start()
        assert reports.get(timeout=60) == "ready"
    start = threading.Barrier(threads + 1)
    done = threading.Event()

    def writer(number: int) -> None:
        with app.app_context(), Session(engine) as session:
            start.wait()
            for index in range(events):
                key = f"{mode}-{number}-{index}"
                audit.record("bench.sealing", object_type="sealing_bench", object_id=key,
                             details={"thread": number, "index": index}, session=session)
                began = time.perf_counter()
                session.commit()
                commit_times.append(time.perf_counter() - began)
                committed[key] = time.time()

    lock_waits, sampled = 0, 0

    def sample() -> None:
        nonlocal lock_waits, sampled
        with engine.connect() as connection:
            while not done.is_set() and sampled < 50:
                lock_waits += connection.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND wait_event = 'advisory'")).scalar()
                sampled += 1
                connection.rollback()
                time.sleep(0.02)

    pool = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    sampler = threading.Thread(target=sample)
    for thread in pool:
        thread.start()
    began = time.perf_counter()
    start.wait()
    sampler.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - began
    done.set()
    sampler.join()
    result: dict[str, object] = {
        "mode": mode, "events": threads * events, "events_per_s": round(threads * events / elapsed),
        "commit_ms_p50": round(statistics.median(commit_times) * 1000, 2),
        "commit_ms_p95": round(percentile(commit_times, 0.95) * 1000, 2),
        "advisory_lock_waits": f"{lock_waits} of {sampled} samples (one connection each time: every waiting one)",
    }
    if worker is not None:
        with engine.connect() as connection:
            sealed = dict(connection.execute(text(
                "SELECT object_id, seq FROM audit_events WHERE object_type = 'sealing_bench' "
                "AND object_id LIKE 'sealer-%'")).all())
        deadline = time.monotonic() + 60
        while any(seq is None for seq in sealed.values()) and time.monotonic() < deadline:
            time.sleep(0.05)
            with engine.connect() as connection:
                sealed = dict(connection.execute(text(
                    "SELECT object_id, seq FROM audit_events WHERE object_type = 'sealing_bench' "
                    "AND object_id LIKE 'sealer-%'")).all())
        stop.set()
        batches = reports.get(timeout=60)
        worker.join()
        waits = []
        for key, seq in sealed.items():
            sealed_at = next(when for when, head in batches if head >= seq)
            waits.append(max(0.0, sealed_at - committed[key]))
        result.update({"sealing_wait_ms_p50": round(statistics.median(waits) * 1000, 1),
                       "sealing_wait_ms_p95": round(percentile(waits, 0.95) * 1000, 1),
                       "sealing_wait_ms_max": round(max(waits) * 1000, 1), "sealer_batches": len(batches)})
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url")
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--events", type=int, default=40, help="events per writer")
    parser.add_argument("--interval", type=float, default=0.05, help="the sealer's pause between passes")
    options = parser.parse_args()

    class Measured(TestConfig):
        SQLALCHEMY_DATABASE_URI = options.database_url

    app = create_app(Measured)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    engine = create_engine(options.database_url, pool_size=options.threads + 4, max_overflow=4)
    try:
        with app.app_context():
            Sealer(engine, log=lambda line: None).run(once=True)
        for mode in ("commit", "sealer"):
            print(run(app, engine, mode, options.threads, options.events, options.interval))
        with app.app_context():
            report = audit.verify_chain()
            print({"chain_intact": report.intact, "sealed": report.count, "unsealed": report.unsealed})
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
