"""The sealer at work on PostgreSQL, with real commits: many writers append without
waiting on the chain, one sealer chains what they wrote, a stopped or killed sealer loses
nothing, and a second sealer waits for the first.

Events are appended unsealed here, as in production (``AUDIT_SEAL_ON_COMMIT`` off).
Committed events stay in the test database; each test leaves them all sealed.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from tracer import ROOT
from tracer.audit import chain, services as audit
from tracer.audit.models import AuditEvent
from tracer.audit.sealer import SEALER_LOCK, Sealer


@pytest.fixture
def engine(app, database_url, monkeypatch):
    if not database_url.startswith("postgresql"):
        pytest.skip("the sealer runs beside PostgreSQL; SQLite seals every event as it is written")
    monkeypatch.setitem(app.config, "AUDIT_SEAL_ON_COMMIT", False)
    engine = create_engine(database_url, pool_size=5, max_overflow=60)
    try:
        yield engine
    finally:
        Sealer(engine, log=lambda line: None).run(once=True)  # leave nothing unsealed behind
        engine.dispose()


def write_events(app, engine, label: str, count: int) -> None:
    with app.app_context(), Session(engine) as session:
        for index in range(count):
            audit.record("test.sealer", object_type=label, object_id=index, session=session)
        session.commit()


def rows(engine, label: str):
    with engine.connect() as connection:
        return connection.execute(
            select(AuditEvent.id, AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.hash, AuditEvent.object_id)
            .where(AuditEvent.object_type == label).order_by(AuditEvent.id)).all()


def assert_sealed_once_and_verified(app, engine, label: str, expected: int) -> None:
    written = rows(engine, label)
    assert len(written) == expected
    assert all(row.seq is not None for row in written), "an event was left unsealed"
    with engine.connect() as connection:
        forks = connection.execute(select(AuditEvent.prev_hash).where(AuditEvent.prev_hash.is_not(None))
                                   .group_by(AuditEvent.prev_hash).having(func.count() > 1)).all()
        assert forks == []
        assert chain.unsealed_count(connection) == 0
    with app.app_context():
        report = audit.verify_chain()
        assert report.intact, report
        assert report.unsealed == 0


def quiet(lines: list[str] | None = None):
    return (lambda line: None) if lines is None else lines.append


def run_in_thread(sealer: Sealer, **options) -> threading.Thread:
    thread = threading.Thread(target=sealer.run, kwargs=options, daemon=True)
    thread.start()
    return thread


def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.02)


# --- writers ------------------------------------------------------------------------------------------

WRITERS = 50
EVENTS_PER_WRITER = 10


def test_fifty_writers_lose_nothing_while_the_sealer_chains_them(app, engine):
    sealer = Sealer(engine, batch=200, log=quiet())
    worker = run_in_thread(sealer, interval=0.02)
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            with app.app_context(), Session(engine) as session:
                start.wait(timeout=30)
                for index in range(EVENTS_PER_WRITER):
                    audit.record("test.sealer", object_type="fifty_writers", object_id=number * 100 + index,
                                 session=session)
                    session.commit()
        except BaseException as error:  # noqa: BLE001  (reported by the main thread)
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    assert failures == []
    wait_for(lambda: all(row.seq is not None for row in rows(engine, "fifty_writers")))
    sealer.stop.set()
    worker.join(timeout=30)

    written = rows(engine, "fifty_writers")
    assert {int(row.object_id) for row in written} == {n * 100 + i for n in range(WRITERS)
                                                       for i in range(EVENTS_PER_WRITER)}
    assert len(written) == WRITERS * EVENTS_PER_WRITER
    seqs = sorted(row.seq for row in written)
    assert len(set(seqs)) == len(seqs)
    assert_sealed_once_and_verified(app, engine, "fifty_writers", WRITERS * EVENTS_PER_WRITER)


def test_writers_never_wait_for_the_chain(app, engine):
    """Writers finish while someone holds the chain's lock and the sealer's: neither is on
    the request path."""
    with engine.connect() as blocker:
        blocker.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SEALER_LOCK})
        blocker.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": chain.CHAIN_LOCK})
        threads = [threading.Thread(target=write_events, args=(app, engine, "lock_held", 5)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        hung = any(thread.is_alive() for thread in threads)
        blocker.rollback()
        blocker.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SEALER_LOCK})
        blocker.commit()
    assert not hung, "a writer waited for the chain's lock"
    written = rows(engine, "lock_held")
    assert len(written) == 40 and all(row.seq is None for row in written)
    assert Sealer(engine, log=quiet()).run(once=True) >= 40
    assert_sealed_once_and_verified(app, engine, "lock_held", 40)


# --- a sealer that stops ------------------------------------------------------------------------------


def test_a_sealer_failing_inside_a_batch_loses_nothing_and_the_next_one_catches_up(app, engine, monkeypatch):
    Sealer(engine, log=quiet()).run(once=True)
    write_events(app, engine, "failing_sealer", 25)
    real_seal_batch, calls = chain.seal_batch, []

    def failing_seal_batch(connection, limit):
        result = real_seal_batch(connection, limit)  # the UPDATEs are made, not committed
        calls.append(result)
        if len(calls) == 2:
            raise RuntimeError("the sealer stops here")
        return result

    monkeypatch.setattr("tracer.audit.sealer.seal_batch", failing_seal_batch)
    with pytest.raises(RuntimeError):
        Sealer(engine, batch=10, log=quiet()).run(once=True)
    written = rows(engine, "failing_sealer")
    assert [row.seq is not None for row in written] == [True] * 10 + [False] * 15

    monkeypatch.undo()
    monkeypatch.setitem(app.config, "AUDIT_SEAL_ON_COMMIT", False)
    assert Sealer(engine, batch=10, log=quiet()).run(once=True) == 15
    written = rows(engine, "failing_sealer")
    assert [row.seq for row in written] == list(range(written[0].seq, written[0].seq + 25))
    assert_sealed_once_and_verified(app, engine, "failing_sealer", 25)


def test_a_killed_sealer_process_loses_nothing_and_a_restart_catches_up(app, engine, database_url, tmp_path):
    Sealer(engine, log=quiet()).run(once=True)
    for _ in range(4):
        write_events(app, engine, "killed_sealer", 500)
    head_file = tmp_path / "audit-head"
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRACER_")}
    env.update(TRACER_ENV="development", TRACER_DATABASE_URL=database_url, TRACER_SECRET_KEY="sealer-test")
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "audit", "seal", "--batch", "20", "--interval", "0.05",
         "--head-file", str(head_file)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(lambda: any(row.seq is not None for row in rows(engine, "killed_sealer"))
                 or process.poll() is not None, timeout=60)
    finally:
        process.send_signal(signal.SIGKILL)
        output = process.communicate(timeout=30)[0]
    assert "sealing audit events" in output, output
    assert head_file.read_text().count(":") == 1  # the head published at start, whole

    Sealer(engine, log=quiet(), head_file=head_file).run(once=True)
    assert_sealed_once_and_verified(app, engine, "killed_sealer", 2000)
    seq, digest = head_file.read_text().strip().split(":")
    with app.app_context():
        assert audit.verify_chain().head_seq == int(seq)
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--expect-head", str(head_file)])
    assert result.exit_code == 0, result.output


# --- two sealers ---------------------------------------------------------------------------------------


def test_a_second_sealer_waits_and_takes_over_when_the_first_stops(app, engine):
    first_log, second_log, third_log = [], [], []
    first_sealed, second_sealed = [], []
    first = Sealer(engine, log=quiet(first_log), on_batch=lambda count, head: first_sealed.append(count))
    first_thread = run_in_thread(first, interval=0.02)
    wait_for(lambda: "sealing audit events" in first_log)

    assert Sealer(engine, log=quiet(third_log)).run(once=True) is None
    assert third_log == ["another sealer is at work: nothing done"]

    second = Sealer(engine, log=quiet(second_log), on_batch=lambda count, head: second_sealed.append(count))
    second_thread = run_in_thread(second, interval=0.02)
    wait_for(lambda: "another sealer is at work: waiting to take over" in second_log)
    write_events(app, engine, "two_sealers", 30)
    wait_for(lambda: sum(first_sealed) >= 30)
    assert second_sealed == [] and "sealing audit events" not in second_log

    first.stop.set()
    first_thread.join(timeout=30)
    wait_for(lambda: "sealing audit events" in second_log)
    write_events(app, engine, "two_sealers_later", 12)
    wait_for(lambda: sum(second_sealed) >= 12)
    second.stop.set()
    second_thread.join(timeout=30)
    assert_sealed_once_and_verified(app, engine, "two_sealers", 30)
    assert_sealed_once_and_verified(app, engine, "two_sealers_later", 12)


def test_cli_seal_once_publishes_the_head_and_verify_reads_it(app, engine, tmp_path):
    write_events(app, engine, "cli_seal", 7)
    head_file = tmp_path / "heads" / "audit-head"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "seal", "--once", "--head-file", str(head_file)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith("sealed ")
    assert int(result.stdout.splitlines()[-1].split()[1]) >= 7
    with engine.connect() as connection:
        head = chain.chain_head(connection)
    assert head_file.read_text() == f"{head[0]}:{head[1]}\n"
    verified = runner.invoke(args=["audit", "verify", "--expect-head", str(head_file)])
    assert verified.exit_code == 0, verified.output
    assert "unsealed: 0 events waiting for the sealer" in verified.stdout
    assert_sealed_once_and_verified(app, engine, "cli_seal", 7)


def test_bad_sealer_options_are_refused(app):
    runner = app.test_cli_runner()
    for args in (["--interval", "0"], ["--interval", "soon"], ["--batch", "0"]):
        result = runner.invoke(args=["audit", "seal", "--once", *args])
        assert result.exit_code == 2, result.output


def test_the_sealer_rides_out_a_lost_database_connection(app, engine):
    log, sealed = [], []
    sealer = Sealer(engine, log=quiet(log), on_batch=lambda count, head: sealed.append(count))
    worker = run_in_thread(sealer, interval=0.02)
    wait_for(lambda: "sealing audit events" in log)
    with engine.connect() as connection:  # the database drops the sealer's connection
        ended = connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = :key "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
            {"key": SEALER_LOCK}).scalars().all()
    assert ended == [True]
    write_events(app, engine, "lost_connection", 9)
    wait_for(lambda: sum(sealed) >= 9)
    sealer.stop.set()
    worker.join(timeout=30)
    assert any(line.startswith("database unreachable") for line in log), log
    assert log.count("sealing audit events") == 2
    assert_sealed_once_and_verified(app, engine, "lost_connection", 9)
