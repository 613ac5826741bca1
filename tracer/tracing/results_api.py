"""Trace results on the JSON API: ``PUT /api/v1/trace-requests/{id}/result`` (SPEC §7)."""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user
from pydantic import Field

from tracer.api.openapi import operation
from tracer.api.parsing import parse_json
from tracer.api.views import bp
from tracer.core.api_errors import api_error
from tracer.core.errors import Conflict
from tracer.extensions import db
from tracer.tracing import results
from tracer.tracing.api import TraceRequestOut, trace_request_json
from tracer.tracing.personal_data import shown_purchaser
from tracer.tracing.opening import open_trace
from tracer.tracing.requests import get_trace_request
from tracer.tracing.result_schema import PurchaserOut, ResultIn, purchaser_json


class TraceResultSaved(TraceRequestOut, PurchaserOut):
    """The request with its result, as saved, for the liaison officer who works it."""

    warnings: dict[str, list[str]] = Field(description="Accepted but flagged values, by field (e.g. a dealer "
                                           "city not in the gazetteer: no origin point)")


@operation(bp, "/trace-requests/<int:trace_request_id>/result", "PUT", allow=("liaison",),
           response=TraceResultSaved, body=ResultIn, errors=(404, 409),
           summary="Enter or correct the result of a trace request addressed to the caller's agency (the "
                   "trace-result fields of the CSV format but trace_number); the status becomes completed, or "
                   "no_trace. `version` may be left out for a first result and is required to correct one")
def put_trace_result(trace_request_id: int):
    trace = get_trace_request(current_user, trace_request_id)
    results.ensure_may_record(current_user, trace)
    body = parse_json(ResultIn, multiline=("notes",))
    values = body.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    for name in results.RESULT_FIELDS:
        values.setdefault(name, None)  # PUT replaces the result: a field left out is empty
    try:
        trace, warnings = results.record_result(current_user, trace, values, version, source="api")
    except Conflict as conflict:
        db.session.rollback()
        current = dict(conflict.details["current"])
        # The stored purchaser, like any other answer carrying it: as the rule allows, audited.
        current["purchaser_name"] = shown_purchaser(current_user, trace, "api").name
        db.session.commit()
        return api_error(409, "conflict", conflict.message, {**conflict.details, "current": current})
    payload = {**trace_request_json(trace), **purchaser_json(current_user, trace), "warnings": warnings}
    db.session.commit()
    return jsonify(payload)


@operation(bp, "/trace-requests/<int:trace_request_id>/open", "POST", allow=("liaison",), response=TraceRequestOut,
           errors=(404, 409, 422),
           summary="The liaison officer of the addressed agency marks a submitted trace request as opened by "
                   "their office: the status becomes in_progress (no body). 422 when the request is not "
                   "submitted (already opened, answered or a draft). The result is then entered with PUT "
                   "/trace-requests/{id}/result, as for a submitted request")
def open_trace_request(trace_request_id: int):
    trace = get_trace_request(current_user, trace_request_id)
    open_trace(current_user, trace)
    payload = trace_request_json(trace)
    db.session.commit()
    return jsonify(payload)
