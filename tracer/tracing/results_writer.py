"""Writing the results of an import a batch at a time.

A batch is one read of the stored rows and one UPDATE sent with many
parameter sets: row by row, a long file would wait on a round trip to the
database for every request. Each update carries the version it was computed
from, so a request changed meanwhile by someone else is not overwritten: the
batch fails as a whole and the import reports it. The rules are those of
``record_result`` (``result_changes``, ``audit_result``).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.exc import StaleDataError

from tracer.core.models import utcnow
from tracer.extensions import db
from tracer.tracing.models import TraceRequest
from tracer.tracing.purchaser import save_purchaser
from tracer.tracing.results import EXTRA_RESULT_FIELDS, RESULT_FIELDS, audit_result, result_changes

# What a result sets; a value the file does not carry (notes) keeps what is stored.
WRITTEN = RESULT_FIELDS + EXTRA_RESULT_FIELDS + ("result_flags", "result_notes", "origin_latitude", "origin_longitude", "origin_source",
                           "time_to_crime_days", "status")
# The purchaser's person values of a row (``tracing.purchaser``), recorded after the result.
PURCHASER_KEY = "_purchaser"
_TABLE = TraceRequest.__table__
_UPDATE = update(_TABLE).where(_TABLE.c.id == bindparam("b_id"), _TABLE.c.version == bindparam("b_version"))


def write_batch(actor, batch: list[tuple[int, dict[str, Any]]], source: str = "import") -> int:
    """Record the checked results of ``batch`` ((request id, clean values) pairs) and audit each
    change; returns how many requests changed. Raises ``StaleDataError`` when one of them was
    changed since it was read. A row's purchaser person (``PURCHASER_KEY``) is recorded, or the
    one recorded corrected, with the people room's rules (an import run without a user keeps the name)."""
    stored = {row.id: row for row in db.session.execute(
        select(_TABLE).where(_TABLE.c.id.in_([request_id for request_id, _clean in batch])))}
    now, actor_id = utcnow(), getattr(actor, "id", None)
    updates, changes, purchasers = [], [], []
    for request_id, clean in batch:
        row = stored[request_id]
        person = clean.pop(PURCHASER_KEY, None)
        if person is not None and actor is not None:
            purchasers.append((request_id, person))
        old, new = result_changes(lambda name: getattr(row, name), clean)
        if not new:
            continue
        updates.append({"b_id": row.id, "b_version": row.version, "version": row.version + 1,
                        "result_by_id": actor_id, "result_at": now,
                        **{name: new.get(name, getattr(row, name)) for name in WRITTEN}})
        changes.append((row.id, row.case_id, row.trace_number, old, new))
    if updates:
        written = db.session.execute(_UPDATE, updates).rowcount
        if written != len(updates):
            raise StaleDataError(f"{len(updates) - written} trace requests changed while the import ran")
        for request_id, case_id, trace_number, old, new in changes:
            audit_result(actor, request_id, case_id, trace_number, old, new, source)
        _forget_loaded({request_id for request_id, *_rest in changes})
    for request_id, person in purchasers:
        save_purchaser(actor, db.session.get(TraceRequest, request_id), person)
    return len(updates)


def _forget_loaded(request_ids: set[int]) -> None:
    """Requests the session loaded before this write hold the old values: read them again when used."""
    for request_id in request_ids:
        instance = db.session.identity_map.get(db.session.identity_key(TraceRequest, request_id))
        if instance is not None:
            db.session.expire(instance)
