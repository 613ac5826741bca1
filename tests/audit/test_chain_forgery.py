"""What an event's hash covers, and a forgery the chain alone cannot see.

The known answers pin ``chain_hash``: the same fields after two different previous hashes give
two different literal digests, so a hash that stopped covering the previous hash fails here.
The forgery is the attack a database owner could make: alter an event in the middle, rehash
it and relink every event after it up to the newest. The chain then holds on its own, and only
a head kept outside the database (printed by ``audit verify``, or the file the sealer
publishes) shows it was rewritten.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select, text

from tests.audit.test_chain import make_events, triggers_bypassed
from tracer.audit import services as audit
from tracer.audit.chain import chain_head
from tracer.audit.models import GENESIS_HASH, AuditEvent
from tracer.audit.sealer import write_head_file
from tracer.extensions import db

# One event's chained fields, every kind of value among them: a datetime (written with its
# microseconds and a Z), None-free integers and strings, and details with accents (kept as
# UTF-8, not escaped) whose keys are sorted.
FIELDS = {
    "seq": 42,
    "occurred_at": datetime(2026, 3, 1, 12, 30, 5, 123456),
    "user_id": 7,
    "username": "ana.ruiz",
    "agency_id": 3,
    "source_address": "10.20.30.40",
    "action": "case.update",
    "object_type": "case",
    "object_id": "15",
    "case_id": 15,
    "request_id": "9f1c2d3e4b5a69788796a5b4c3d2e1f0",
    "outcome": "success",
    "details": {"campo": "título", "antes": "Decomiso", "después": "Aseguramiento"},
}
# The text those fields are hashed as, after the previous hash.
CANONICAL = ('{"action":"case.update","agency_id":3,"case_id":15,'
             '"details":{"antes":"Decomiso","campo":"título","después":"Aseguramiento"},'
             '"object_id":"15","object_type":"case","occurred_at":"2026-03-01T12:30:05.123456Z",'
             '"outcome":"success","request_id":"9f1c2d3e4b5a69788796a5b4c3d2e1f0","seq":42,'
             '"source_address":"10.20.30.40","user_id":7,"username":"ana.ruiz"}')
# SHA-256 of the genesis hash (64 zeros) followed by CANONICAL.
AFTER_GENESIS = "11a6e3be729912fa7b13b8d58be3f591332707db03f212f5cc0bed9a9138fce6"
# SHA-256 of 64 "a" followed by CANONICAL: the same fields, another previous event.
AFTER_ANOTHER = "7434234fb7e5c173a7d2a0cba9ef9a72efc209ba96f71db91bc5d8408dedb0e0"
ANOTHER_PREV = "a" * 64


def test_known_answer_after_the_genesis_hash():
    """The hash is SHA-256 of the previous hash and the canonical fields, exactly as written down,
    so a verifier outside Tracer can recompute it."""
    assert audit.chain_hash(GENESIS_HASH, FIELDS) == AFTER_GENESIS
    assert hashlib.sha256((GENESIS_HASH + CANONICAL).encode("utf-8")).hexdigest() == AFTER_GENESIS


def test_known_answer_after_another_previous_hash():
    """Only the previous hash differs from the first known answer, and the digest differs:
    the previous hash is covered, so an event cannot be moved after another one."""
    assert audit.chain_hash(ANOTHER_PREV, FIELDS) == AFTER_ANOTHER
    assert hashlib.sha256((ANOTHER_PREV + CANONICAL).encode("utf-8")).hexdigest() == AFTER_ANOTHER
    assert AFTER_ANOTHER != AFTER_GENESIS


def _head_line(result) -> str:
    return result.stdout.strip().splitlines()[-1].removeprefix("head: ")


def _forge_and_relink(target_seq: int) -> None:
    """Change the event ``target_seq`` says (its outcome), rehash it, then rehash every event
    after it on the forged hash, up to the newest: the chain links hold again."""
    rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.seq >= target_seq)
                                   .order_by(AuditEvent.seq)))
    prev_hash = rows[0].prev_hash
    updates = []
    for index, row in enumerate(rows):
        fields = {name: getattr(row, name) for name in AuditEvent.CHAINED_FIELDS}
        if index == 0:
            fields["outcome"] = "failure"
        forged = audit.chain_hash(prev_hash, fields)
        updates.append({"id": row.id, "outcome": fields["outcome"], "prev": prev_hash, "hash": forged})
        prev_hash = forged
    with triggers_bypassed():
        for values in updates:
            db.session.execute(text("UPDATE audit_events SET outcome = :outcome, prev_hash = :prev, hash = :hash "
                                    "WHERE id = :id"), values)


def test_a_rewritten_chain_fails_against_the_head_recorded_before(app, ctx, tmp_path):
    events = make_events(4)
    runner = app.test_cli_runner()
    before = runner.invoke(args=["audit", "verify"])
    assert before.exit_code == 0, before.output
    recorded = _head_line(before)
    assert recorded == f"{events[-1].seq}:{events[-1].hash}"
    # The head as the sealer publishes it, outside the database.
    head_file = tmp_path / "audit-head"
    write_head_file(head_file, chain_head(db.session.connection()))
    assert head_file.read_text(encoding="ascii").strip() == recorded

    target = events[2]  # in the middle: events before it stay, events after it are relinked
    _forge_and_relink(target.seq)
    db.session.expire_all()
    assert db.session.get(AuditEvent, target.id).outcome == "failure"

    plain = runner.invoke(args=["audit", "verify"])
    assert plain.exit_code == 0, plain.output  # the chain alone cannot tell
    assert _head_line(plain) != recorded

    anchored = runner.invoke(args=["audit", "verify", "--expect-head", recorded])
    assert anchored.exit_code == 1
    assert f"seq={events[-1].seq}" in anchored.stderr
    assert "differs from the head recorded earlier" in anchored.stderr

    from_file = runner.invoke(args=["audit", "verify", "--expect-head", str(head_file)])
    assert from_file.exit_code == 1
    assert "differs from the head recorded earlier" in from_file.stderr


def test_an_untouched_chain_passes_against_its_recorded_head(app, ctx, tmp_path):
    """The same checks on a chain nobody rewrote pass: the failure above is the forgery's."""
    make_events(2)
    runner = app.test_cli_runner()
    recorded = _head_line(runner.invoke(args=["audit", "verify"]))
    head_file = tmp_path / "audit-head"
    write_head_file(head_file, chain_head(db.session.connection()))
    assert runner.invoke(args=["audit", "verify", "--expect-head", recorded]).exit_code == 0
    assert runner.invoke(args=["audit", "verify", "--expect-head", str(head_file)]).exit_code == 0
