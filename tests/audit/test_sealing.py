"""Events appended unsealed, then chained by the sealer: what the database allows, what
``verify`` says, and what readers see while events wait. Everything here runs inside the
test's rolled-back transaction, on SQLite and PostgreSQL; ``test_sealer_postgres``
covers the running sealer with real commits."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select, text

from tests import factories
from tests.audit.test_chain import refused, triggers_bypassed
from tracer.audit import chain, services as audit
from tracer.audit.chain import chain_head, seal_batch
from tracer.audit.models import AuditEvent
from tracer.audit.sealer import write_head_file
from tracer.extensions import db


@pytest.fixture
def unsealed(monkeypatch):
    """Events recorded from now on are appended unsealed, as on PostgreSQL in production."""
    monkeypatch.setattr(audit, "seals_on_commit", lambda connection: False)


def write(*actions: str) -> list[AuditEvent]:
    """Record one event per action through the service, commit, return them in append order."""
    for action in actions:
        audit.record(action, object_type="test", details={"action": action})
    db.session.commit()
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "test").order_by(AuditEvent.id)))[-len(actions):]


def seal(limit: int = 1000) -> int:
    count, _ = seal_batch(db.session.connection(), limit)
    db.session.expire_all()
    return count


def reread(events: list[AuditEvent]) -> list[AuditEvent]:
    db.session.expire_all()
    return [db.session.get(AuditEvent, event.id) for event in events]


def test_events_wait_unsealed_and_the_sealer_chains_them_in_append_order(ctx, unsealed):
    before = audit.verify_chain()
    head_seq, head_hash = chain_head(db.session.connection())
    events = write("test.first", "test.second", "test.third")
    assert [(e.seq, e.prev_hash, e.hash) for e in events] == [(None, None, None)] * 3

    waiting = audit.verify_chain()
    assert waiting.intact and waiting.count == before.count and waiting.unsealed == 3

    assert seal(limit=2) == 2
    assert seal(limit=2) == 1
    assert seal() == 0
    events = reread(events)
    assert [e.action for e in events] == ["test.first", "test.second", "test.third"]
    assert [e.seq for e in events] == [head_seq + 1, head_seq + 2, head_seq + 3]
    assert events[0].prev_hash == head_hash
    for earlier, later in zip(events, events[1:]):
        assert later.prev_hash == earlier.hash
    for event in events:
        fields = {name: getattr(event, name) for name in AuditEvent.CHAINED_FIELDS}
        assert audit.chain_hash(event.prev_hash, fields) == event.hash

    report = audit.verify_chain()
    assert report.intact and report.unsealed == 0
    assert (report.count, report.head_seq, report.head_hash) == (before.count + 3, events[-1].seq, events[-1].hash)


def test_an_import_writing_between_batches_appends_unsealed_too(ctx, unsealed):
    audit.record("test.batch", object_type="test")
    audit.write_pending()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "test.batch")).seq is None
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "test.batch")) is None


# --- the one change the database allows ---------------------------------------------------------------


def test_the_database_lets_only_the_sealer_fill_the_chain_columns_once(ctx, unsealed):
    [event] = write("test.target")
    digest, other = "a" * 64, "b" * 64
    refused("UPDATE audit_events SET action = 'tampered' WHERE id = :id", id=event.id)
    refused("UPDATE audit_events SET seq = 999999, prev_hash = :p, hash = :h, action = 'tampered' WHERE id = :id",
            id=event.id, p=digest, h=other)
    refused("UPDATE audit_events SET seq = 999999 WHERE id = :id", id=event.id)  # all three or nothing
    refused("DELETE FROM audit_events WHERE id = :id", id=event.id)

    assert seal() == 1  # the sealer's UPDATE passes
    sealed = reread([event])[0]
    assert sealed.seq is not None
    refused("UPDATE audit_events SET seq = NULL, prev_hash = NULL, hash = NULL WHERE id = :id", id=event.id)
    refused("UPDATE audit_events SET seq = 999999, prev_hash = :p, hash = :h WHERE id = :id",
            id=event.id, p=digest, h=other)
    refused("UPDATE audit_events SET action = 'tampered' WHERE id = :id", id=event.id)
    assert reread([event])[0].hash == sealed.hash
    assert audit.verify_chain().intact


def test_the_sealer_never_chains_an_event_twice(ctx, unsealed):
    events = write("test.one", "test.two")
    seal()
    assert seal() == 0
    report = audit.verify_chain()
    assert report.intact and report.unsealed == 0
    assert len({e.seq for e in reread(events)}) == 2


# --- tampering -------------------------------------------------------------------------------------


def test_verify_detects_an_event_altered_after_the_sealer_chained_it(ctx, unsealed):
    events = write("test.a", "test.b", "test.c")
    seal()
    target = reread(events)[1]
    with triggers_bypassed():
        db.session.execute(text("UPDATE audit_events SET outcome = 'failure' WHERE id = :id"), {"id": target.id})
    report = audit.verify_chain()
    assert (report.intact, report.first_bad_seq, report.first_bad_id) == (False, target.seq, target.id)
    assert "altered" in report.reason


def test_verify_detects_a_sealed_event_made_unsealed_again(ctx, unsealed):
    """Emptying an event's chain columns to have it sealed again, altered, leaves a hole."""
    events = write("test.a", "test.b", "test.c")
    seal()
    target, following = reread(events)[1:]
    with triggers_bypassed():
        db.session.execute(text("UPDATE audit_events SET seq = NULL, prev_hash = NULL, hash = NULL, "
                                "outcome = 'failure' WHERE id = :id"), {"id": target.id})
    assert seal() == 1
    report = audit.verify_chain()
    assert (report.intact, report.first_bad_seq, report.first_bad_id) == (False, following.seq, following.id)


def test_an_unsealed_event_altered_before_sealing_is_the_window_the_design_accepts(ctx, unsealed):
    """Before the sealer reaches it, an event is protected by the database only: its content
    cannot be changed without bypassing the triggers (the owner's rights); whoever can bypass
    them could alter it, and the sealer then seals it as it finds it."""
    [event] = write("test.window")
    refused("UPDATE audit_events SET username = 'someone-else' WHERE id = :id", id=event.id)
    with triggers_bypassed():
        db.session.execute(text("UPDATE audit_events SET username = 'someone-else' WHERE id = :id"),
                           {"id": event.id})
    assert seal() == 1
    assert reread([event])[0].username == "someone-else"
    assert audit.verify_chain().intact


# --- what readers see while events wait --------------------------------------------------------------


def test_health_counts_the_events_waiting_for_the_sealer(client, ctx, unsealed):
    write("test.one", "test.two")
    answer = client.get("/api/v1/health").get_json()
    assert answer["status"] == "ok" and answer["database"] == "ok"
    assert answer["audit_unsealed"] == 2
    assert isinstance(answer["audit_oldest_unsealed_seconds"], int) and answer["audit_oldest_unsealed_seconds"] >= 0
    seal()
    answer = client.get("/api/v1/health").get_json()
    assert (answer["audit_unsealed"], answer["audit_oldest_unsealed_seconds"]) == (0, None)


def test_the_audit_page_shows_unsealed_events_in_order(login_as, monkeypatch):
    auditor = login_as("auditor", "FGR")
    audit.record("test.sealed_before", object_type="test")
    db.session.commit()
    monkeypatch.setattr(audit, "seals_on_commit", lambda connection: False)
    audit.record("test.waiting", object_type="test")
    db.session.commit()
    monkeypatch.undo()
    audit.record("test.sealed_after", object_type="test")
    db.session.commit()

    page = auditor.get("/admin/audit", query_string={"action": "test."}).get_data(as_text=True)
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert [action for row in rows for action in ("test.sealed_after", "test.waiting", "test.sealed_before")
            if f">{action}</code>" in row] == ["test.sealed_after", "test.waiting", "test.sealed_before"]
    assert "aún sin sellar" in rows[1] and "aún sin sellar" not in rows[0] + rows[2]


# --- the head kept outside the database ---------------------------------------------------------------


def test_verify_reads_the_head_from_the_sealers_head_file(app, ctx, tmp_path, unsealed):
    events = write("test.a", "test.b")
    seal()
    head = chain_head(db.session.connection())
    head_file = tmp_path / "audit-head"
    write_head_file(head_file, head)
    assert head_file.read_text() == f"{head[0]}:{head[1]}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["audit-head"]  # no temporary file left behind

    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify", "--expect-head", str(head_file)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == f"head: {head[0]}:{head[1]}"

    with triggers_bypassed():
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": events[-1].id})
    anchored = runner.invoke(args=["audit", "verify", "--expect-head", str(head_file)])
    assert anchored.exit_code == 1
    assert "removed from the end" in anchored.stderr

    (tmp_path / "garbage").write_text("not a head\n")
    assert runner.invoke(args=["audit", "verify", "--expect-head", str(tmp_path / "garbage")]).exit_code == 2
    assert runner.invoke(args=["audit", "verify", "--expect-head", str(tmp_path / "absent")]).exit_code == 2


def test_cli_verify_counts_the_unsealed_events_apart(app, ctx, unsealed):
    write("test.a", "test.b", "test.c")
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "unsealed: 3 events waiting for the sealer" in result.stdout.splitlines()



# --- finding the waiting events reads an index, never the table ---------------------------------------


def test_the_waiting_events_are_found_through_their_index(ctx, unsealed):
    """Health, the sealer and its head lookup read the index of unsealed events (and the
    unique index on ``seq``); with sequential scans priced out, PostgreSQL would scan the
    table if no index fitted (see tests/search/test_plans.py)."""
    write("test.a", "test.b")
    connection = db.session.connection()
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "pg_advisory" not in statement:
            statements.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", capture)
    try:
        chain.unsealed_count(connection, cap=10_000)
        chain.oldest_unsealed(connection)
        seal_batch(connection, 1000)
    finally:
        event.remove(connection, "before_cursor_execute", capture)
    assert len(statements) == 4  # count, oldest, head, the batch

    plans = []
    for statement, parameters in statements:
        if connection.dialect.name == "sqlite":
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            plans.append("\n".join(row[-1] for row in rows))
        else:
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
            plans.append("\n".join(row[0] for row in rows))
    count, oldest, head, batch = plans
    if connection.dialect.name == "sqlite":  # any index: SQLite may also look NULL up in the one on seq
        for found in plans:
            lines = [line for line in found.splitlines() if "audit_events" in line]
            assert lines and all("USING" in line and "INDEX" in line for line in lines), found
        return
    for found in (count, oldest, batch):
        assert "ix_audit_events_unsealed" in found and "Seq Scan" not in found, found
    assert "uq_audit_events_seq" in head and "Seq Scan" not in head, head
