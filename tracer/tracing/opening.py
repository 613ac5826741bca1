"""The partner office opens a trace request: ``submitted`` becomes ``in_progress``.

Only the liaison officer of the agency the request is addressed to opens it,
and only a request waiting for its first look (``submitted``). The result is
then entered as for a submitted request (``tracing.results``).
"""
from __future__ import annotations


from tracer.audit.services import record
from tracer.core.changes import stale_as_conflict
from tracer.core.errors import Conflict, ValidationFailed
from tracer.core.models import utcnow
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.tracing.models import TraceRequest
from tracer.tracing.results import ensure_may_record, may_record_result


def may_open(user, trace_request: TraceRequest) -> bool:
    """Whether ``user`` may mark the request as opened now (the page shows the button)."""
    return trace_request.status == "submitted" and may_record_result(user, trace_request)


def _stale(trace_request: TraceRequest) -> Conflict:
    return Conflict(_("Someone else changed this trace request; reload the page and try again."),
                    {"version": trace_request.version, "status": trace_request.status})


def open_trace(user, trace_request: TraceRequest) -> TraceRequest:
    """Mark ``trace_request`` as opened by the partner office (``in_progress``), audited.

    Anyone but the liaison officer of the addressed agency: ``NotFound``. A
    request that is not ``submitted`` (a draft, one already opened or answered):
    ``ValidationFailed`` on ``status``, naming its status.
    """
    ensure_may_record(user, trace_request)
    if trace_request.status != "submitted":
        message = _("Only a submitted trace request can be marked as in progress; %(number)s is not waiting "
                    "for a first look.", number=trace_request.trace_number)
        raise ValidationFailed(message, {"status": [message]})
    trace_request.status, trace_request.opened_at = "in_progress", utcnow()
    with stale_as_conflict(trace_request, _stale):
        db.session.flush()
    record("trace_request.open", object_type="trace_request", object_id=trace_request.id,
           case_id=trace_request.case_id, actor=user,
           details={"trace_number": trace_request.trace_number, "old": {"status": "submitted"},
                    "new": {"status": "in_progress"}})
    return trace_request
