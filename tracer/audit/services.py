"""Writing and checking the audit trail.

Services call ``record`` in the transaction that makes the change. Events wait in the
session until it commits; just before the commit they are written in one INSERT:

- on PostgreSQL, unsealed (no lock, no read of the chain): the sealer
  (``flask audit seal``, see ``sealer``) chains them shortly after, in append order;
- on SQLite (one writer at a time), and on PostgreSQL when ``AUDIT_SEAL_ON_COMMIT`` is
  set (the test suite, or a small installation without a sealer), already chained, in
  the same transaction (see ``chain``).

``verify_chain`` walks the sealed events and counts the unsealed ones apart.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterator

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session

from tracer.audit.chain import append_sealed, append_unsealed, canonical, chain_hash, unsealed_count
from tracer.audit.models import GENESIS_HASH, AuditEvent
from tracer.core.models import utcnow
from tracer.extensions import db

__all__ = ["record", "write_pending", "verify_chain", "ChainReport", "canonical", "chain_hash"]

_PENDING = "audit_pending"


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


# Made once: ``json.dumps`` with options builds an encoder per call.
_SAFE = json.JSONEncoder(default=str, ensure_ascii=False)


def _json_safe(value: dict[str, Any]) -> dict[str, Any]:
    return json.loads(_SAFE.encode(value))


def seals_on_commit(connection: Connection) -> bool:
    """Whether events are chained in the transaction that records them (see the module)."""
    if connection.dialect.name == "sqlite":
        return True
    return bool(has_app_context() and current_app.config.get("AUDIT_SEAL_ON_COMMIT"))


@event.listens_for(Session, "before_commit")
def _write_pending_events(session: Session) -> None:
    pending = [entry for _, entry in session.info.pop(_PENDING, [])]
    if not pending:
        return
    connection = session.connection()
    if seals_on_commit(connection):
        append_sealed(connection, pending)
    else:
        append_unsealed(connection, pending)


def _within(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def write_pending(session: Session | None = None) -> None:
    """Write the events queued so far, before the commit.

    A long transaction (a bulk import) calls it between batches, so that its
    events do not pile up in memory until the end; the commit writes the rest.
    """
    session = session or db.session()
    _write_pending_events(session)
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
    unsealed: int = 0  # events recorded but not chained yet: not checked, counted apart


def verify_chain(batch: int = 5000, expect_head: tuple[int, str] | None = None) -> ChainReport:
    """Walk the whole chain (the sealed events) in order; stop at the first event that
    does not hold. Events waiting for the sealer are counted apart (``unsealed``).

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
            return ChainReport(False, count, row.seq, row.id, reason, unsealed=_unsealed())
        if expect_head is not None and row.seq == expect_head[0]:
            if row.hash != expect_head[1]:
                return ChainReport(False, count, row.seq, row.id, "differs from the head recorded earlier",
                                   unsealed=_unsealed())
            head_found = True
        expected_prev, expected_seq, count = row.hash, row.seq + 1, count + 1
    if not head_found:
        return ChainReport(False, count, expect_head[0], None,
                           "the head recorded earlier is gone (events removed from the end)",
                           unsealed=_unsealed())
    return ChainReport(True, count, head_seq=expected_seq - 1, head_hash=expected_prev, unsealed=_unsealed())


def _unsealed() -> int:
    return unsealed_count(db.session.connection())


def _events_in_order(batch: int) -> Iterator[AuditEvent]:
    # populate_existing: rows already in the session are re-read, never trusted from memory.
    statement = (select(AuditEvent).where(AuditEvent.seq.is_not(None)).order_by(AuditEvent.seq)
                 .execution_options(yield_per=batch, populate_existing=True))
    for row in db.session.scalars(statement):
        yield row
