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
from typing import Any, Callable

from sqlalchemy import select

from tracer.audit.services import record
from tracer.extensions import db
from tracer.people.access import PERSONAL_DATA_ROLES, audit_read, may_read_personal_data  # noqa: F401
from tracer.people.models import CasePerson, Person
from tracer.tracing.models import TraceRequest


def liaison_rule(trace_request: TraceRequest) -> Callable[[Any], bool]:
    """The tracing room's own reader and recorder of a trace's purchaser (``also`` of the people
    room): the liaison officer of the agency the request is addressed to."""
    return lambda reader: reader.role == "liaison" and reader.agency_id == trace_request.addressed_to_id


def may_see_purchaser(user, trace_request: TraceRequest) -> bool:
    """The personal-data rule of ``tracer.people.access`` (an analyst or supervisor who may see the
    case), with the tracing room's own reader: the liaison officer of the addressed agency."""
    return may_read_personal_data(user, trace_request.case_id, also=liaison_rule(trace_request))


@dataclass(frozen=True)
class PurchaserView:
    """What a reader is shown of the purchaser: the name (and the person, when the result recorded
    one), or that there is one they may not see."""

    name: str | None
    recorded: bool
    restricted: bool
    person: Person | None = None


def shown_purchaser(user, trace_request: TraceRequest, where: str) -> PurchaserView:
    """The purchaser as ``user`` may see it. Showing the name records ``personal_data.read``
    (``where``: the page or API operation) in the current transaction; the caller commits."""
    name = trace_request.purchaser_name
    person_id = db.session.scalar(select(CasePerson.person_id).where(
        CasePerson.trace_request_id == trace_request.id, CasePerson.role == "purchaser")
        .order_by(CasePerson.id.desc()).limit(1))
    if name is None and person_id is None:
        return PurchaserView(None, recorded=False, restricted=False)
    if not may_see_purchaser(user, trace_request):
        return PurchaserView(None, recorded=True, restricted=True)
    if person_id is None:
        record("personal_data.read", object_type="trace_request", object_id=trace_request.id,
               case_id=trace_request.case_id, actor=user,
               details={"field": "purchaser_name", "trace_number": trace_request.trace_number, "where": where})
        return PurchaserView(name, recorded=True, restricted=False)
    person = db.session.get(Person, person_id)
    audit_read(user, where, object_type="trace_request", object_id=trace_request.id,
               case_id=trace_request.case_id, person_ids=[person_id])
    return PurchaserView(name or person.full_name, recorded=True, restricted=False, person=person)

