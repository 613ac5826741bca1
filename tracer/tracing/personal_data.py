"""Who may read a trace's purchaser (SPEC §2), and the audit event every read leaves.

The first retail purchaser is personal data. It is shown to analysts and
supervisors who may see the case, and to the liaison officer of the agency the
trace request is addressed to (they work the trace); everyone else learns only
that it is restricted. Pages and the API ask ``shown_purchaser``, which applies
``may_see_purchaser`` and records ``personal_data.read`` in the caller's
transaction: the caller commits it with the page or the answer.
"""
from __future__ import annotations

from dataclasses import dataclass

from tracer.audit.services import record
from tracer.cases.models import Case
from tracer.cases.services import case_query
from tracer.extensions import db
from tracer.tracing.models import TraceRequest

# Mexican roles that read personal data in the cases they may see.
PERSONAL_DATA_ROLES = frozenset({"analyst", "supervisor"})


def may_see_purchaser(user, trace_request: TraceRequest) -> bool:
    """The one rule for the purchaser: an analyst or supervisor who may see the case, or the
    liaison officer of the addressed agency."""
    if user is None or not getattr(user, "active", False):
        return False
    if user.role == "liaison":
        return user.agency_id == trace_request.addressed_to_id
    if user.role not in PERSONAL_DATA_ROLES:
        return False
    return db.session.scalar(case_query(user).with_only_columns(Case.id)
                             .where(Case.id == trace_request.case_id)) is not None


@dataclass(frozen=True)
class PurchaserView:
    """What a reader is shown of the purchaser: the name, or that there is one they may not see."""

    name: str | None
    recorded: bool
    restricted: bool


def shown_purchaser(user, trace_request: TraceRequest, where: str) -> PurchaserView:
    """The purchaser as ``user`` may see it. Showing the name records ``personal_data.read``
    (``where``: the page or API operation) in the current transaction; the caller commits."""
    name = trace_request.purchaser_name
    if name is None:
        return PurchaserView(None, recorded=False, restricted=False)
    if not may_see_purchaser(user, trace_request):
        return PurchaserView(None, recorded=True, restricted=True)
    record("personal_data.read", object_type="trace_request", object_id=trace_request.id,
           case_id=trace_request.case_id, actor=user,
           details={"field": "purchaser_name", "trace_number": trace_request.trace_number, "where": where})
    return PurchaserView(name, recorded=True, restricted=False)

