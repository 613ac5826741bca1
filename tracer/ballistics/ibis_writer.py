"""Writing IBIS leads a batch at a time.

A batch is one bulk write (``COPY`` on PostgreSQL, see ``core.bulk_write``), one read of
the new ids and one audit event naming the links it created: row by row, a long
correlation list would wait on a round trip to the database for every lead and fill the
audit trail with one event per lead. The leads are those ``leads.create_lead`` writes one at a time: status
``lead``, source ``ibis``, the pair stored lower id first, flagged when the calibers
differ. The unique pair index still guards against a lead created meanwhile: the batch
then fails as a whole and the import reports it.
"""
from __future__ import annotations

from dataclasses import dataclass

from typing import Any, Iterable

from sqlalchemy import any_, bindparam, select
from sqlalchemy.dialects import postgresql

from tracer.audit.services import record
from tracer.ballistics.models import BallisticLink
from tracer.core.bulk_write import insert_rows
from tracer.core.models import utcnow
from tracer.extensions import db

_TABLE = BallisticLink.__table__
AUDIT_ACTION = "ballistic_link.import"


@dataclass(frozen=True)
class PendingLead:
    """A checked row: two items (``item_a`` < ``item_b``), their agencies, the first item's case,
    whether their calibers differ, and IBIS's rank and score."""

    item_a: int
    item_b: int
    agency_a: int
    agency_b: int
    case_a: int
    caliber_mismatch: bool
    rank: int | None
    score: float | None
    notes: str | None


def among(column, values: Iterable[Any]):
    """SQL: ``column`` is one of ``values``. On PostgreSQL one array parameter (``= ANY``): a
    batch's hundreds of values make no statement of hundreds of parameters to parse."""
    values = list(values)
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=postgresql.ARRAY(column.type)))
    return column.in_(values)


def write_leads(actor, leads: list[PendingLead], source: str | None = None) -> list[int]:
    """Create the leads of one batch and audit them as one event; returns the new link ids."""
    if not leads:
        return []
    now, actor_id = utcnow(), getattr(actor, "id", None)
    values = [{"item_a_id": lead.item_a, "item_b_id": lead.item_b, "agency_a_id": lead.agency_a,
               "agency_b_id": lead.agency_b, "status": "lead", "source": "ibis", "ibis_rank": lead.rank,
               "ibis_score": lead.score, "caliber_mismatch": lead.caliber_mismatch, "notes": lead.notes,
               "created_by_id": actor_id, "created_at": now, "version": 1} for lead in leads]
    insert_rows(_TABLE, values)
    pairs = {(lead.item_a, lead.item_b) for lead in leads}
    found = {(a, b): link_id for link_id, a, b in db.session.connection().execute(
        select(_TABLE.c.id, _TABLE.c.item_a_id, _TABLE.c.item_b_id).where(
            among(_TABLE.c.item_a_id, {lead.item_a for lead in leads}))).tuples() if (a, b) in pairs}
    ids = [found[(lead.item_a, lead.item_b)] for lead in leads]
    cases = sorted({lead.case_a for lead in leads})
    record(AUDIT_ACTION, object_type="ballistic_link", actor=actor, case_id=cases[0] if len(cases) == 1 else None,
           details={"source": "ibis", "file": source, "links": ids,
                    "pairs": [[lead.item_a, lead.item_b] for lead in leads]})
    return ids
