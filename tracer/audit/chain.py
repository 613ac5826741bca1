"""The hash chain: what an event's hash covers, and the two ways events join the chain.

Each sealed event holds ``seq`` (its place), ``prev_hash`` (the hash of the event
before it, zeros for the first) and ``hash = SHA-256(prev_hash || canonical JSON)``
of its chained fields. Events join the chain either

- already sealed, in the transaction that records them (``append_sealed``: SQLite,
  whose single writer makes that free, or PostgreSQL when ``AUDIT_SEAL_ON_COMMIT`` is
  set), or
- unsealed (``append_unsealed``: PostgreSQL by default, no lock and no read), to be
  sealed shortly after by the sealer (``seal_batch``), oldest ``id`` first.

Whoever extends the chain holds ``CHAIN_LOCK``, a transaction-scoped advisory lock on
PostgreSQL, and reads the head inside it. With the sealer running alone, only the sealer
ever takes it: no request waits on it.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, text, update

from tracer.audit.models import GENESIS_HASH, AuditEvent
from tracer.core.bulk_write import insert_rows

CHAIN_LOCK = 7_204_117  # arbitrary constant naming the lock of whoever extends the chain
_events = AuditEvent.__table__


# Made once (``json.dumps`` with options builds an encoder per call); what it writes is fixed:
# every sealed event's hash covers it.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class ChainConflict(RuntimeError):
    """An event the sealer was sealing was sealed by someone else meanwhile."""


def canonical(fields: dict[str, Any]) -> str:
    payload = {}
    for name in AuditEvent.CHAINED_FIELDS:
        value = fields[name]
        if isinstance(value, datetime):
            value = value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        payload[name] = value
    return _CANONICAL.encode(payload)


def chain_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(fields)).encode("utf-8")).hexdigest()


def lock_chain(connection: Connection) -> None:
    """Until this transaction ends, nobody else extends the chain (PostgreSQL; SQLite's
    single writer needs nothing)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})


def chain_head(connection: Connection) -> tuple[int, str]:
    """``(seq, hash)`` of the newest sealed event; ``(0, GENESIS_HASH)`` for an empty chain."""
    last = connection.execute(
        select(_events.c.seq, _events.c.hash).where(_events.c.seq.is_not(None))
        .order_by(_events.c.seq.desc()).limit(1)
    ).first()
    return (last.seq, last.hash) if last else (0, GENESIS_HASH)


def append_sealed(connection: Connection, entries: list[dict[str, Any]]) -> None:
    """Write ``entries`` already chained after the current head."""
    lock_chain(connection)
    seq, prev_hash = chain_head(connection)
    rows = []
    for entry in entries:
        seq += 1
        entry = {**entry, "seq": seq}
        entry_hash = chain_hash(prev_hash, entry)
        rows.append({**entry, "prev_hash": prev_hash, "hash": entry_hash})
        prev_hash = entry_hash
    # In bulk (COPY on PostgreSQL): a bulk import queues thousands of events per batch.
    insert_rows(_events, rows, connection)


def append_unsealed(connection: Connection, entries: list[dict[str, Any]]) -> None:
    """Write ``entries`` with empty chain columns, for the sealer: no lock, no read."""
    insert_rows(_events, [{**entry, "seq": None, "prev_hash": None, "hash": None} for entry in entries], connection)


def seal_batch(connection: Connection, limit: int) -> tuple[int, tuple[int, str]]:
    """Seal up to ``limit`` unsealed events, oldest ``id`` first, in the caller's
    transaction; returns how many and the new head.

    Each UPDATE sets the chain columns only where they are still empty, the one change
    the database allows on an audit event; an event found sealed meanwhile (impossible
    while everyone holds ``CHAIN_LOCK``) stops the batch rather than chain it twice.
    """
    lock_chain(connection)
    seq, prev_hash = chain_head(connection)
    rows = connection.execute(
        select(_events).where(_events.c.seq.is_(None)).order_by(_events.c.id).limit(limit)
    ).all()
    if not rows:
        return 0, (seq, prev_hash)
    changes = []
    for row in rows:
        seq += 1
        fields = {name: getattr(row, name) for name in AuditEvent.CHAINED_FIELDS}
        fields["seq"] = seq
        entry_hash = chain_hash(prev_hash, fields)
        changes.append({"event_id": row.id, "new_seq": seq, "new_prev": prev_hash, "new_hash": entry_hash})
        prev_hash = entry_hash
    result = connection.execute(
        update(_events).where(_events.c.id == bindparam("event_id"), _events.c.seq.is_(None))
        .values(seq=bindparam("new_seq"), prev_hash=bindparam("new_prev"), hash=bindparam("new_hash")),
        changes,
    )
    if connection.dialect.supports_sane_multi_rowcount and result.rowcount != len(changes):
        raise ChainConflict(f"{len(changes) - result.rowcount} events were sealed by someone else")
    return len(changes), (seq, prev_hash)


def unsealed_count(connection, cap: int | None = None) -> int:
    """How many events wait for the sealer, read on the index of unsealed events; with
    ``cap``, counting stops there (the answer is then "``cap`` or more")."""
    waiting = select(_events.c.id).where(_events.c.seq.is_(None))
    if cap is not None:
        waiting = waiting.limit(cap)
    return connection.execute(select(func.count()).select_from(waiting.subquery())).scalar_one()


def oldest_unsealed(connection) -> datetime | None:
    """When the oldest event still waiting for the sealer was recorded."""
    return connection.execute(
        select(_events.c.occurred_at).where(_events.c.seq.is_(None)).order_by(_events.c.id).limit(1)
    ).scalar()

