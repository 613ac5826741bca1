"""Trace requests: who sees them, how one is created, numbered, snapshotted and submitted.

Every read goes through ``trace_request_query``: Mexican users see the requests
of the firearms of agencies in their scope, a US partner office sees the
requests addressed to it (never a draft), administrators see none. Writing
functions check, flush and audit; the caller (a page or an API view) commits.
Lists of requests are ``tracing.request_lists``; results are recorded by ``tracing.results``;
several requests at once by ``tracing.bulk_requests``.
"""
from __future__ import annotations

from typing import Any

from flask import g
from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracer.audit.services import record
from tracer.auth.models import Agency, User
from tracer.auth.scope import case_scope, has_shared_cases, shared_case_ids
from tracer.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tracer.core.models import utcnow
from tracer.core.numbering import next_number
from tracer.core.panels import holds
from tracer.core.time import local_today
from tracer.core.translation import gettext as _
from tracer.core.validation import Checker
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.firearms.services import firearm_query
from tracer.tracing.models import TRACE_PRIORITIES, TraceNumberCounter, TraceRequest
from tracer.tracing.readiness import Readiness, readiness_notes, trace_readiness, traced_serial
from tracer.tracing.request_details import apply_details, checked_details, default_details, ensure_complete

# Roles that request traces (SPEC §2: tracing is the analysts' work; supervisors may do it too).
REQUESTERS = frozenset({"analyst", "supervisor"})


class NotTraceReady(ValidationFailed):
    """A trace request refused because the firearm lacks identifiers a trace needs.

    ``fields`` maps each missing identifier to its reason; the API's ``details``
    also carry the ``missing`` list, as the readiness answer names them.
    """

    def __init__(self, readiness: Readiness):
        super().__init__(_("The trace request was not created: the firearm lacks identifiers a trace needs."),
                         readiness.missing_messages())
        self.readiness = readiness
        self.details = {**self.fields, "missing": list(readiness.missing)}


class AlreadyRequested(Conflict):
    """A second trace request for the same recovery of a firearm."""

    code = "trace_already_requested"

    def __init__(self, existing: TraceRequest):
        super().__init__(_("This recovery already has trace request %(number)s.", number=existing.trace_number),
                         {"trace_number": existing.trace_number, "trace_request_id": existing.id,
                          "status": existing.status})
        self.existing = existing


# --- reading ------------------------------------------------------------------------------------------


def trace_request_query(user: User) -> Select:
    """``SELECT`` of the trace requests ``user`` may see: the only way requests are read."""
    statement = select(TraceRequest)
    if user.role == "admin" or not user.active:
        return statement.where(false())
    if user.agency.level == "us":
        # The partner office works what was sent to it (a draft has not been sent), and sees
        # the requests of cases shared with it.
        addressed = and_(TraceRequest.addressed_to_id == user.agency_id, TraceRequest.status != "draft")
        if not has_shared_cases(user):
            return statement.where(addressed)
        return statement.where(or_(addressed, TraceRequest.case_id.in_(shared_case_ids(user))))
    return statement.where(case_scope(user, TraceRequest.agency_id, TraceRequest.case_id))


def get_trace_request(user: User, trace_request_id: int) -> TraceRequest:
    """The trace request if ``user`` may see it; ``NotFound`` otherwise (absent or out of scope alike)."""
    found = db.session.scalar(trace_request_query(user).where(TraceRequest.id == trace_request_id))
    if found is None:
        raise NotFound(_("Trace request not found."))
    return found


def request_for_firearm(firearm: Firearm) -> TraceRequest | None:
    """The trace request of this recovery, whatever its status (there is at most one)."""
    return db.session.scalar(select(TraceRequest).where(TraceRequest.firearm_id == firearm.id))


def shown_request_for_firearm(firearm: Firearm) -> TraceRequest | None:
    """``request_for_firearm`` as the panels of a firearm page show it: read once for the page,
    however many panels show it (readiness and result). Only for showing: a change reads anew."""
    shown = g.setdefault("shown_trace_requests", {})
    if firearm.id not in shown:
        shown[firearm.id] = request_for_firearm(firearm) if holds("firearm", firearm, "traces") else None
    return shown[firearm.id]


# --- where a request goes -------------------------------------------------------------------------------


PARTNER_OFFICES = (Agency.level == "us", Agency.active.is_(True))


def partner_offices() -> list[Agency]:
    """The active US partner offices that receive trace requests, by acronym."""
    return list(db.session.scalars(select(Agency).where(*PARTNER_OFFICES).order_by(Agency.acronym)))


def office_choice() -> ColumnElement[bool]:
    """SQL: whether a request form has a partner office to choose (more than one is active). Never
    correlated to the agencies of a statement it is asked in: it counts them all."""
    return exists(select(Agency.id).where(*PARTNER_OFFICES).offset(1).correlate(None))


def partner_office_names() -> list:
    """The acronym and name of each active US partner office, by acronym: what a request form
    offers when there is a choice (``office_choice``; rows, not agencies)."""
    return db.session.execute(select(Agency.acronym, Agency.name).where(*PARTNER_OFFICES)
                              .order_by(Agency.acronym)).all()


def resolve_addressee(addressed_to: Agency | str | None) -> Agency:
    """The US partner office a request goes to: the one named (acronym), or the only one there is."""
    if isinstance(addressed_to, Agency):
        if addressed_to.level == "us" and addressed_to.active:
            return addressed_to
        addressed_to = addressed_to.acronym
    offices = partner_offices()
    text = (addressed_to or "").strip()
    if text:
        found = next((office for office in offices if office.acronym == text.upper()), None)
        if found is None:
            raise ValidationFailed(_("Please correct the marked fields."), {"addressed_to": [
                _("“%(acronym)s” is not a US partner office. Choose one of: %(offices)s.", acronym=text[:40],
                  offices=", ".join(o.acronym for o in offices) or "—")]})
        return found
    if len(offices) == 1:
        return offices[0]
    if not offices:
        message = _("No US partner office is registered to receive trace requests; ask an administrator.")
    else:
        message = _("Choose the US partner office the request goes to: %(offices)s.",
                    offices=", ".join(o.acronym for o in offices))
    raise ValidationFailed(_("Please correct the marked fields."), {"addressed_to": [message]})


def checked_priority(value: Any) -> str:
    """A priority as given (empty: routine); ``ValidationFailed`` on ``priority`` otherwise."""
    check = Checker()
    priority = check.choice("priority", value, TRACE_PRIORITIES)
    check.raise_if_errors()
    return priority or "routine"


def save_draft(user: User, trace: TraceRequest, details: dict[str, Any], priority: Any = None,
               addressed_to: Agency | str | None = None) -> TraceRequest:
    """Keep what was entered on a draft, complete or not (each value checked for its shape), audited."""
    _ensure_may_request(user, trace.firearm)
    if trace.status != "draft":
        raise AlreadyRequested(trace)
    clean = checked_details(details)
    old, new = apply_details(trace, clean)
    for name, value in (("priority", checked_priority(priority or trace.priority)),
                        ("addressed_to_id", resolve_addressee(addressed_to).id if addressed_to else trace.addressed_to_id)):
        if getattr(trace, name) != value:
            old[name], new[name] = getattr(trace, name), value
            setattr(trace, name, value)
    if new:
        try:
            with db.session.begin_nested():
                db.session.flush()
        except StaleDataError:
            raise Conflict(_("Someone else changed this trace request; reload the page and try again.")) from None
        record("trace_request.update", object_type="trace_request", object_id=trace.id, case_id=trace.case_id,
               actor=user, details={"trace_number": trace.trace_number, "old": old, "new": new})
    return trace


# --- creating and submitting ------------------------------------------------------------------------


def may_request(user: User) -> bool:
    """Whether ``user``'s role requests traces."""
    return user.role in REQUESTERS and user.agency.level != "us"


def _ensure_may_request(user: User, firearm: Firearm) -> None:
    if not may_request(user):
        raise Forbidden(_("Your role does not allow requesting traces."))
    if not db.session.scalar(select(firearm_query(user).where(Firearm.id == firearm.id).exists())):
        raise NotFound(_("Firearm not found."))


def identifiers_of(firearm: Firearm) -> dict[str, Any]:
    """What a request sends: the firearm's identity, where and when it was seized, the case, and
    the readiness notes (suspect identifiers) in each language."""
    seizure = firearm.seizure
    written, normalized = traced_serial(firearm)
    return {
        "firearm_type": firearm.firearm_type,
        "manufacturer": firearm.manufacturer_name or None,
        "manufacturer_as_written": firearm.manufacturer_text,
        "model": firearm.model,
        "caliber": firearm.caliber_name or None,
        "serial_number": firearm.serial_number,
        "serial_normalized": firearm.serial_normalized,
        "serial_status": firearm.serial_status,
        "restored_serial": firearm.restored_serial,
        "traced_serial": written,
        "traced_serial_normalized": normalized,
        "importer": firearm.importer,
        "country_of_manufacture": firearm.country_code,
        "converted_to_automatic": bool(firearm.converted_to_automatic),
        "seized_on": seizure.seized_on.isoformat(),
        "state": seizure.state_code,
        "municipality": seizure.municipality_code,
        "locality": seizure.locality,
        "case_reference": firearm.case.reference,
        "readiness_notes": readiness_notes(firearm),
    }


def _audit_details(trace: TraceRequest) -> dict[str, Any]:
    return {"trace_number": trace.trace_number, "firearm_id": trace.firearm_id, "status": trace.status,
            "priority": trace.priority, "addressed_to": trace.addressed_to.acronym}


def request_trace(user: User, firearm: Firearm, addressed_to: Agency | str | None = None,
                  priority: Any = "routine", submit: bool = True, details: dict[str, Any] | None = None) -> TraceRequest:
    """Request the trace of one recovered firearm, addressed to a US partner office.

    Refuses (``NotTraceReady``, nothing created) a firearm that lacks an identifier
    a trace needs, and (``AlreadyRequested``) a second request for the same
    recovery — also when two users ask at once. A draft (``submit=False``) may be
    saved before the firearm is ready; asking again for a firearm with a draft
    submits that draft. Numbered ``RT-YYYY-NNNNNN`` by Mexico City year.

    ``details`` (``tracing.request_details``) are laid over the defaults — the
    case's carpeta number, the requester, the seizure's crime, date and place;
    a request is sent only when they are complete (``IncompleteRequest``).
    """
    _ensure_may_request(user, firearm)
    priority = checked_priority(priority)
    existing = request_for_firearm(firearm)
    if existing is not None:
        if existing.status == "draft" and submit:
            return submit_draft(user, existing, addressed_to=addressed_to, priority=priority, details=details)
        raise AlreadyRequested(existing)
    office = resolve_addressee(addressed_to)
    clean = checked_details(details, default_details(user, firearm))
    if submit:
        readiness = trace_readiness(firearm)
        if not readiness.ready:
            raise NotTraceReady(readiness)
        ensure_complete(TraceRequest(priority=priority, **clean))
    year = local_today().year
    try:
        # The number is taken inside the savepoint: a refused duplicate leaves no gap.
        with db.session.begin_nested():
            number = next_number(TraceNumberCounter, year)
            trace = TraceRequest(
                trace_number=f"RT-{year}-{number:06d}", firearm_id=firearm.id, case_id=firearm.case_id,
                agency_id=firearm.agency_id, requesting_agency_id=user.agency_id, addressed_to=office,
                requested_by_id=user.id, status="submitted" if submit else "draft", priority=priority,
                identifiers=identifiers_of(firearm), submitted_at=utcnow() if submit else None,
                recovery_state=firearm.seizure.state_code, **clean)
            db.session.add(trace)
            db.session.flush()
    except IntegrityError:
        existing = request_for_firearm(firearm)
        if existing is None:
            raise
        raise AlreadyRequested(existing) from None
    record("trace_request.create", object_type="trace_request", object_id=trace.id, case_id=trace.case_id,
           actor=user, details={"new": _audit_details(trace)})
    if submit:
        record("trace_request.submit", object_type="trace_request", object_id=trace.id, case_id=trace.case_id,
               actor=user, details={"old": {"status": "draft"}, "new": {"status": "submitted"},
                                    "trace_number": trace.trace_number})
    return trace


def submit_draft(user: User, trace: TraceRequest, addressed_to: Agency | str | None = None,
                 priority: Any = None, details: dict[str, Any] | None = None) -> TraceRequest:
    """Send a draft: readiness is checked again, the identifiers are taken now, and the request's
    details (with any ``details`` given now) must be complete."""
    firearm = trace.firearm
    _ensure_may_request(user, firearm)
    if trace.status != "draft":
        raise AlreadyRequested(trace)
    office = resolve_addressee(addressed_to) if (addressed_to or "") != "" else trace.addressed_to
    clean = checked_details(details)
    readiness = trace_readiness(firearm)
    if not readiness.ready:
        raise NotTraceReady(readiness)
    trace.addressed_to = office
    trace.priority = checked_priority(priority or trace.priority)
    apply_details(trace, clean)
    ensure_complete(trace)
    trace.identifiers = identifiers_of(firearm)
    trace.status, trace.submitted_at = "submitted", utcnow()
    trace.requested_by_id, trace.requesting_agency_id = user.id, user.agency_id
    try:
        with db.session.begin_nested():
            db.session.flush()
    except StaleDataError:
        raise Conflict(_("Someone else changed this trace request; reload the page and try again.")) from None
    record("trace_request.submit", object_type="trace_request", object_id=trace.id, case_id=trace.case_id,
           actor=user, details={"old": {"status": "draft"}, "new": _audit_details(trace)})
    return trace
