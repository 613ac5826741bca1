"""Writing and checking the audit trail.

Services call ``record`` in the transaction that makes the change. Events wait
in the session until it commits; just before the commit they are chained:
under a transaction-scoped advisory lock (PostgreSQL) the last hash is read and
each new event gets ``hash = SHA-256(prev_hash || canonical JSON)``. The lock
makes concurrent writers queue for the few milliseconds of the commit, and a
unique ``prev_hash`` makes a forked chain impossible even without it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator

from flask import g, has_request_context
from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session

from tracer.audit.models import GENESIS_HASH, AuditEvent
from tracer.core.models import utcnow
from tracer.extensions import db

_PENDING = "audit_pending"
_LOCK_KEY = 7_204_117  # arbitrary constant naming the audit-chain lock


def record(
    action: str,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    case_id: int | None = None,
    outcome: str = "success",
    details: dict[str, Any] | None = None,
    actor=None,
    session: Session | None = None,
) -> None:
    """Queue one audit event in the current transaction.

    ``actor`` defaults to the signed-in user of the request; outside a request
    (command line) it is None and the source is ``cli``.
    """
    session = session or db.session()
    user = actor if actor is not None else _current_user()
    source, request_id = "cli", None
    if has_request_context():
        from tracer.core.security import client_address

        source = client_address()
        request_id = getattr(g, "request_id", None)
    entry = {
        "occurred_at": utcnow(),
        "user_id": getattr(user, "id", None),
        "username": getattr(user, "username", None),
        "agency_id": getattr(user, "agency_id", None),
        "source_address": source,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "case_id": case_id,
        "request_id": request_id,
        "outcome": outcome,
        "details": _json_safe(details) if details else None,
    }
    # Tagged with the (innermost) transaction it belongs to, so that rolling back
    # a savepoint drops exactly the events written inside it.
    session.connection()  # make sure a transaction exists to tag
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((transaction, entry))


def _current_user():
    if not has_request_context():
        return None
    from flask_login import current_user

    return current_user if getattr(current_user, "is_authenticated", False) else None


def _json_safe(value: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def canonical(fields: dict[str, Any]) -> str:
    payload = {}
    for name in AuditEvent.CHAINED_FIELDS:
        value = fields[name]
        if isinstance(value, datetime):
            value = value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        payload[name] = value
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(fields)).encode("utf-8")).hexdigest()


@event.listens_for(Session, "before_commit")
def _chain_pending_events(session: Session) -> None:
    pending = [entry for _, entry in session.info.pop(_PENDING, [])]
    if not pending:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    last = connection.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last.seq, last.hash) if last else (0, GENESIS_HASH)
    rows = []
    for entry in pending:
        seq += 1
        entry["seq"] = seq
        entry_hash = chain_hash(prev_hash, entry)
        rows.append({**entry, "prev_hash": prev_hash, "hash": entry_hash})
        prev_hash = entry_hash
    # One multi-row INSERT: a bulk import queues thousands of events per batch.
    connection.execute(insert(AuditEvent.__table__), rows)


def _within(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def write_pending(session: Session | None = None) -> None:
    """Chain and write the events queued so far, before the commit.

    A long transaction (a bulk import) calls it between batches, so that its
    events do not pile up in memory until the end; the commit chains the rest.
    """
    session = session or db.session()
    _chain_pending_events(session)
    session.flush()


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back_events(session: Session, previous_transaction) -> None:
    """A rolled-back transaction or savepoint takes its events with it."""
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [(t, e) for t, e in pending if not _within(t, previous_transaction)]


@event.listens_for(Session, "after_transaction_end")
def _forget_events_of_ended_session(session: Session, transaction) -> None:
    """Events never committed do not outlive the outermost transaction (close, rollback)."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


@dataclass
class ChainReport:
    intact: bool
    count: int
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    reason: str | None = None
    head_seq: int = 0
    head_hash: str = GENESIS_HASH


def verify_chain(batch: int = 5000, expect_head: tuple[int, str] | None = None) -> ChainReport:
    """Walk the whole chain in order; stop at the first event that does not hold.

    The chain alone cannot show that its newest events were removed. ``expect_head``
    is a head recorded earlier outside the database (``seq``, ``hash``): the chain
    must still hold that very event."""
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    head_found = expect_head is None
    for row in _events_in_order(batch):
        fields = {name: getattr(row, name) for name in AuditEvent.CHAINED_FIELDS}
        reason = None
        if row.seq != expected_seq:
            reason = f"sequence jumps from {expected_seq - 1} to {row.seq} (event missing or reordered)"
        elif row.prev_hash != expected_prev:
            reason = "previous-hash link broken (event removed, inserted or reordered)"
        elif chain_hash(row.prev_hash, fields) != row.hash:
            reason = "content does not match its hash (event altered)"
        if reason:
            return ChainReport(False, count, row.seq, row.id, reason)
        if expect_head is not None and row.seq == expect_head[0]:
            if row.hash != expect_head[1]:
                return ChainReport(False, count, row.seq, row.id, "differs from the head recorded earlier")
            head_found = True
        expected_prev, expected_seq, count = row.hash, row.seq + 1, count + 1
    if not head_found:
        return ChainReport(False, count, expect_head[0], None,
                           "the head recorded earlier is gone (events removed from the end)")
    return ChainReport(True, count, head_seq=expected_seq - 1, head_hash=expected_prev)


def _events_in_order(batch: int) -> Iterator[AuditEvent]:
    # populate_existing: rows already in the session are re-read, never trusted from memory.
    statement = (select(AuditEvent).order_by(AuditEvent.seq)
                 .execution_options(yield_per=batch, populate_existing=True))
    for row in db.session.scalars(statement):
        yield row
