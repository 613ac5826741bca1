"""The audit trail is a hash chain the database will not let anyone edit.

These tests run with events sealed as they are committed (``AUDIT_SEAL_ON_COMMIT``, as
on SQLite); ``test_sealer`` covers events appended unsealed and chained by the sealer.

Tests compare with the state before they start: events committed by the
concurrency test (outside the rolled-back transaction) stay in the database.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tests import factories
from tracer.audit import services as audit  # its before_commit listener chains every Session's events
from tracer.audit.models import GENESIS_HASH, AuditEvent
from tracer.extensions import db

APPEND_ONLY = "audit events are append-only"


def dialect() -> str:
    return db.session.get_bind().dialect.name


def last_seq() -> int:
    return db.session.scalar(select(func.max(AuditEvent.seq))) or 0


def events_after(seq: int) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.seq > seq).order_by(AuditEvent.seq)))


def make_events(count_users: int = 3) -> list[AuditEvent]:
    """Some real service actions, committed; returns the events they wrote."""
    before = last_seq()
    agency = factories.agency("FGE-SON")
    for _ in range(count_users):
        factories.user("analyst", agency)
    db.session.commit()
    created = events_after(before)
    assert [e.action for e in created] == ["agency.create"] + ["user.create"] * count_users
    return created


@contextmanager
def triggers_bypassed():
    """Let the test's own transaction change audit rows, as an attacker with the
    database owner's rights could; everything is rolled back with the test."""
    if dialect() == "postgresql":
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
        try:
            yield
        finally:
            db.session.execute(text("SET LOCAL session_replication_role = origin"))
    else:
        # The triggers exactly as the migrations left them, put back afterwards.
        triggers = db.session.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'")).all()
        assert {name for name, _ in triggers} == {"audit_events_no_update", "audit_events_no_delete"}
        for name, _ in triggers:
            db.session.execute(text(f"DROP TRIGGER {name}"))
        try:
            yield
        finally:
            for _, ddl in triggers:
                db.session.execute(text(ddl))
    db.session.expire_all()  # the chain is read again from the database


def refused(statement: str, **params) -> None:
    """Run ``statement`` in a savepoint and check the database refuses it."""
    with pytest.raises(DBAPIError) as caught:
        with db.session.begin_nested():
            db.session.execute(text(statement), params)
    assert APPEND_ONLY in str(caught.value)


# --- the chain ---------------------------------------------------------------------------------------


def test_service_actions_write_a_chained_sequence(ctx):
    before = last_seq()
    previous = db.session.scalar(select(AuditEvent).where(AuditEvent.seq == before)) if before else None
    report_before = audit.verify_chain()
    assert report_before.intact

    agency = factories.agency("FGE-JAL")
    officer = factories.user("officer", agency)
    factories.user("supervisor", agency)
    db.session.commit()

    events = events_after(before)
    assert [e.action for e in events] == ["agency.create", "user.create", "user.create"]
    assert [e.seq for e in events] == list(range(before + 1, before + 4))
    assert events[0].prev_hash == (previous.hash if previous else GENESIS_HASH)
    for earlier, later in zip(events, events[1:]):
        assert later.prev_hash == earlier.hash
    for event in events:
        assert len(event.hash) == 64 and event.hash != event.prev_hash
        fields = {name: getattr(event, name) for name in AuditEvent.CHAINED_FIELDS}
        assert audit.chain_hash(event.prev_hash, fields) == event.hash
    assert events[1].object_id == str(officer.id)
    assert events[1].source_address == "cli"  # written outside a request

    first = db.session.scalar(select(AuditEvent).where(AuditEvent.seq == 1))
    assert first.prev_hash == GENESIS_HASH

    report = audit.verify_chain()
    assert report.intact
    assert report.count == report_before.count + 3
    assert report.first_bad_seq is None


def test_chain_continues_across_commits(ctx):
    before = last_seq()
    factories.user("officer")
    db.session.commit()
    middle = last_seq()
    factories.user("analyst")
    db.session.commit()
    events = events_after(before)
    assert [e.seq for e in events] == list(range(before + 1, last_seq() + 1))
    assert middle > before
    for earlier, later in zip(events, events[1:]):
        assert later.prev_hash == earlier.hash
    assert audit.verify_chain().intact


def test_rolled_back_actions_leave_no_event(ctx):
    before = last_seq()
    with db.session.begin_nested():
        audit.record("test.discarded", object_type="test")
    db.session.rollback()
    audit.record("test.kept", object_type="test")
    db.session.commit()
    assert [e.action for e in events_after(before)] == ["test.kept"]


def test_verify_chain_in_small_batches(ctx):
    make_events(4)
    assert audit.verify_chain(batch=2).intact
    assert audit.verify_chain(batch=2).count == audit.verify_chain().count


# --- the database refuses changes ---------------------------------------------------------------------


def test_database_refuses_update(ctx):
    target = make_events()[-1]
    refused("UPDATE audit_events SET action = 'tampered' WHERE id = :id", id=target.id)
    refused("UPDATE audit_events SET details = NULL")
    db.session.expire_all()
    assert db.session.get(AuditEvent, target.id).action == "user.create"
    assert audit.verify_chain().intact


def test_database_refuses_delete(ctx):
    events = make_events()
    refused("DELETE FROM audit_events WHERE id = :id", id=events[1].id)
    refused("DELETE FROM audit_events")
    assert len(events_after(events[0].seq - 1)) == len(events)
    assert audit.verify_chain().intact


def test_orm_cannot_change_or_delete_events(ctx):
    target = make_events()[-1]
    with pytest.raises(DBAPIError):
        with db.session.begin_nested():
            db.session.get(AuditEvent, target.id).outcome = "failure"
            db.session.flush()
    db.session.expire_all()
    with pytest.raises(DBAPIError):
        with db.session.begin_nested():
            db.session.delete(db.session.get(AuditEvent, target.id))
            db.session.flush()
    db.session.expire_all()
    assert db.session.get(AuditEvent, target.id).outcome == "success"


def test_postgresql_refuses_truncate(ctx):
    if dialect() != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    make_events()
    refused("TRUNCATE audit_events")


# --- tampering is detected ----------------------------------------------------------------------------


def test_verify_detects_an_altered_event(ctx):
    events = make_events()
    target = events[1]
    with triggers_bypassed():
        db.session.execute(text("UPDATE audit_events SET username = 'someone-else' WHERE id = :id"),
                           {"id": target.id})
    report = audit.verify_chain()
    assert not report.intact
    assert report.first_bad_seq == target.seq
    assert report.first_bad_id == target.id
    assert "altered" in report.reason
    assert report.count == target.seq - 1


def test_verify_detects_altered_details(ctx):
    events = make_events()
    target = events[-1]
    with triggers_bypassed():
        db.session.execute(text("UPDATE audit_events SET details = NULL WHERE id = :id"), {"id": target.id})
    report = audit.verify_chain()
    assert (report.intact, report.first_bad_seq) == (False, target.seq)


def test_verify_detects_a_rehashed_event(ctx):
    """Recomputing the altered event's own hash breaks the link to the next one."""
    events = make_events()
    target, following = events[0], events[1]
    fields = {name: getattr(target, name) for name in AuditEvent.CHAINED_FIELDS}
    fields["outcome"] = "failure"
    forged = audit.chain_hash(target.prev_hash, fields)
    with triggers_bypassed():
        db.session.execute(text("UPDATE audit_events SET outcome = 'failure', hash = :hash WHERE id = :id"),
                           {"hash": forged, "id": target.id})
    report = audit.verify_chain()
    assert not report.intact
    assert report.first_bad_seq == following.seq
    assert report.first_bad_id == following.id
    assert "link" in report.reason


def test_verify_detects_a_deleted_event(ctx):
    events = make_events()
    removed_id, removed_seq = events[1].id, events[1].seq
    following_id, following_seq = events[2].id, events[2].seq
    with triggers_bypassed():
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": removed_id})
    report = audit.verify_chain()
    assert not report.intact
    assert report.first_bad_seq == following_seq
    assert report.first_bad_id == following_id
    assert "missing" in report.reason
    assert report.count == removed_seq - 1


def test_verify_detects_a_deleted_event_with_renumbered_sequence(ctx):
    events = make_events()
    removed_id, removed_seq, following_id = events[1].id, events[1].seq, events[2].id
    with triggers_bypassed():
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": removed_id})
        for seq in range(removed_seq + 1, events[-1].seq + 1):  # one by one: seq is unique
            db.session.execute(text("UPDATE audit_events SET seq = seq - 1 WHERE seq = :seq"), {"seq": seq})
    report = audit.verify_chain()
    assert not report.intact
    assert report.first_bad_seq == removed_seq
    assert report.first_bad_id == following_id
    assert "link" in report.reason


def test_verify_detects_swapped_events(ctx):
    events = make_events()
    (first_id, first_seq), (second_id, second_seq) = [(e.id, e.seq) for e in events[:2]]
    with triggers_bypassed():
        db.session.execute(text("UPDATE audit_events SET seq = -1 WHERE id = :id"), {"id": first_id})
        db.session.execute(text("UPDATE audit_events SET seq = :seq WHERE id = :id"),
                           {"seq": first_seq, "id": second_id})
        db.session.execute(text("UPDATE audit_events SET seq = :seq WHERE id = :id"),
                           {"seq": second_seq, "id": first_id})
    report = audit.verify_chain()
    assert not report.intact
    assert report.first_bad_seq == first_seq
    assert report.first_bad_id == second_id  # the event now out of place
    assert "reordered" in report.reason


def test_verify_detects_a_forged_first_event(ctx):
    make_events()
    first = db.session.scalar(select(AuditEvent).where(AuditEvent.seq == 1))
    with triggers_bypassed():
        db.session.execute(text("UPDATE audit_events SET prev_hash = :h WHERE id = :id"),
                           {"h": "f" * 64, "id": first.id})
    report = audit.verify_chain()
    assert (report.intact, report.first_bad_seq, report.first_bad_id) == (False, 1, first.id)


def test_dropping_a_trigger_is_undone_by_a_rollback(ctx):
    """DDL is transactional on both databases, so bypassing the triggers cannot outlive a test."""
    events = make_events()
    on_table = " ON audit_events" if dialect() == "postgresql" else ""
    savepoint = db.session.begin_nested()
    db.session.execute(text(f"DROP TRIGGER audit_events_no_update{on_table}"))
    db.session.execute(text("UPDATE audit_events SET action = 'x' WHERE id = :id"), {"id": events[0].id})
    savepoint.rollback()
    db.session.expire_all()
    assert db.session.get(AuditEvent, events[0].id).action == "agency.create"
    refused("UPDATE audit_events SET action = 'x' WHERE id = :id", id=events[0].id)


def test_tampering_is_undone_with_the_test(ctx):
    """The triggers are back once the tampering block ends."""
    events = make_events()
    with triggers_bypassed():
        pass
    refused("UPDATE audit_events SET action = 'x' WHERE id = :id", id=events[0].id)
    refused("DELETE FROM audit_events WHERE id = :id", id=events[0].id)


# --- the command line ----------------------------------------------------------------------------------


def test_cli_verify_reports_an_intact_chain(app, ctx):
    make_events()
    expected = audit.verify_chain().count
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    first, unsealed, head = result.stdout.strip().splitlines()
    assert first == f"audit chain intact: {expected} events"
    assert unsealed == "unsealed: 0 events waiting for the sealer"
    newest = db.session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    assert head == f"head: {newest.seq}:{newest.hash}"


def test_cli_verify_with_a_recorded_head_notices_removed_newest_events(app, ctx):
    make_events()
    runner = app.test_cli_runner()
    head = runner.invoke(args=["audit", "verify"]).stdout.strip().splitlines()[-1].removeprefix("head: ")
    assert runner.invoke(args=["audit", "verify", "--expect-head", head]).exit_code == 0
    newest = db.session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    with triggers_bypassed():
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": newest.id})
    db.session.expire_all()
    plain = runner.invoke(args=["audit", "verify"])
    assert plain.exit_code == 0  # the chain alone cannot tell
    anchored = runner.invoke(args=["audit", "verify", "--expect-head", head])
    assert anchored.exit_code == 1
    assert "removed from the end" in anchored.stderr
    assert runner.invoke(args=["audit", "verify", "--expect-head", "nonsense"]).exit_code == 2


def test_cli_verify_fails_on_a_tampered_chain(app, ctx):
    events = make_events()
    target = events[1]
    with triggers_bypassed():
        db.session.execute(text("UPDATE audit_events SET action = 'user.delete' WHERE id = :id"), {"id": target.id})
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "intact" not in result.stdout
    assert f"seq={target.seq}" in result.stderr
    assert f"id={target.id}" in result.stderr
    assert "altered" in result.stderr


# --- concurrent writers ---------------------------------------------------------------------------------

THREADS = 8
EVENTS_PER_THREAD = 20


def test_concurrent_writers_sealing_on_commit_keep_one_chain(app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent writers need PostgreSQL: SQLite serialises every writer on one file lock")
    engine = create_engine(database_url, pool_size=THREADS, max_overflow=0)
    try:
        with Session(engine) as session:
            before = session.scalar(select(func.max(AuditEvent.seq))) or 0
        start = threading.Barrier(THREADS)
        failures: list[BaseException] = []

        def writer(number: int) -> None:
            try:
                with app.app_context(), Session(engine) as session:
                    start.wait(timeout=30)
                    for index in range(EVENTS_PER_THREAD):
                        audit.record("test.concurrent", object_type="concurrency_test",
                                     object_id=f"{number}-{index}", details={"thread": number, "index": index},
                                     session=session)
                        session.commit()
            except BaseException as error:  # noqa: BLE001  (reported by the main thread)
                failures.append(error)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a writer hung (lock wait?)"
        assert failures == []

        with Session(engine) as session:
            rows = session.execute(
                select(AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.hash, AuditEvent.object_id)
                .where(AuditEvent.seq > before).order_by(AuditEvent.seq)
            ).all()
            forks = session.execute(
                select(AuditEvent.prev_hash).group_by(AuditEvent.prev_hash).having(func.count() > 1)
            ).all()
        total = THREADS * EVENTS_PER_THREAD
        assert len(rows) == total
        assert [row.seq for row in rows] == list(range(before + 1, before + total + 1))
        assert {row.object_id for row in rows} == {f"{n}-{i}" for n in range(THREADS)
                                                    for i in range(EVENTS_PER_THREAD)}
        for earlier, later in zip(rows, rows[1:]):
            assert later.prev_hash == earlier.hash
        assert forks == [], "two events share a previous hash: the chain forked"
    finally:
        engine.dispose()

    with app.app_context():
        report = audit.verify_chain()
        assert report.intact, report
        assert report.count >= before + total
