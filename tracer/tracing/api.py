"""Trace readiness and trace requests on the JSON API, through the same services as the pages."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from flask import jsonify, request, url_for
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field

from tracer.api.openapi import operation
from tracer.api.parsing import parse_json
from tracer.api.views import bp
from tracer.core.pagination import PAGING_QUERY, ListPage, list_fields
from tracer.extensions import db
from tracer.firearms.services import get_firearm
from tracer.tracing import request_lists
from tracer.tracing import requests as services
from tracer.tracing.crime_codes import CRIME_CATEGORY_CODES
from tracer.tracing.models import OPEN, TRACE_PRIORITIES, TRACE_REASONS, TRACE_STATUSES, TraceRequest
from tracer.tracing.readiness import IDENTIFIERS, trace_readiness
from tracer.tracing.request_details import details_of
from tracer.tracing.request_people import add_people, check_people
from tracer.tracing.result_schema import TraceResultFields, result_fields

case_workers = ("officer", "analyst", "supervisor")
readers = ("officer", "analyst", "supervisor", "liaison")
requesters = tuple(sorted(services.REQUESTERS))

Status = Literal["draft", "submitted", "in_progress", "completed", "no_trace"]
Priority = Literal["routine", "urgent"]


class SuspectOut(BaseModel):
    field: str = Field(description="One of: " + ", ".join(IDENTIFIERS))
    reason: str = Field(description="Why it is doubtful, in the caller's language")


class ReadinessOut(BaseModel):
    ready: bool = Field(description="True when nothing is missing: a trace may be requested")
    missing: list[str] = Field(description="Identifiers a trace needs and the firearm lacks (they block a request); "
                                           "each one of: " + ", ".join(IDENTIFIERS))
    suspect: list[SuspectOut] = Field(description="Identifiers present but doubtful (warnings only)")


class TraceRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    addressed_to: str | None = Field(default=None, max_length=32,
                                     description="Acronym of the US partner office; by default the only one")
    priority: Priority = "routine"
    agency_case_number: str | None = Field(default=None, max_length=200, description="The requesting agency's "
                                           "case number; by default the case's carpeta number")
    requester_name: str | None = Field(default=None, max_length=400, description="By default the caller's name")
    requester_badge: str | None = Field(default=None, max_length=200)
    requester_phone: str | None = Field(default=None, max_length=200, description="With area code (Mexico) or "
                                        "country code; by default the agency's contact telephone")
    requester_email: str | None = Field(default=None, max_length=400, description="By default the caller's")
    urgent_justification: str | None = Field(default=None, max_length=4000, description="Required when urgent")
    crime_category: str | None = Field(default=None, max_length=80, description="One of: "
                                       + ", ".join(CRIME_CATEGORY_CODES) + "; by default the seizure's")
    ncic_code: str | None = Field(default=None, max_length=20, description="NCIC crime code (e.g. 5212); by "
                                  "default the crime category's")
    project_code: str | None = Field(default=None, max_length=200)
    recovery_date: str | None = Field(default=None, max_length=40, description="YYYY-MM-DD; by default the "
                                      "seizure date")
    recovery_address: str | None = Field(default=None, max_length=600, description="By default the seizure's "
                                         "address, locality, municipality and state")
    trace_reason: str | None = Field(default=None, max_length=40, description="One of: " + ", ".join(TRACE_REASONS)
                                     + "; by default investigation")
    trace_reason_text: str | None = Field(default=None, max_length=600, description="Required when the reason "
                                          "is other")
    people: list[RequestPersonIn] | None = Field(default=None, max_length=20, description="The possessor and "
                                                 "associates (personal data: recorded, then shown only to analysts "
                                                 "and supervisors who may see the case); errors are named "
                                                 "people.<index>.<field>")


class RequestPersonIn(BaseModel):
    """A possessor or associate named on the request: a person already recorded in the case
    (``case_person_id``, keeping their role) or a new one (the people room's fields and checks)."""

    model_config = ConfigDict(extra="forbid")

    case_person_id: int | None = Field(default=None, description="A possessor or associate recorded in the case "
                                       "for this firearm, its seizure or the whole case")
    role: Literal["possessor", "associate"] | None = Field(default=None, description="For a new person")
    last_names: str | None = Field(default=None, max_length=400, description="Required for a new person")
    first_names: str | None = Field(default=None, max_length=400)
    alias: str | None = Field(default=None, max_length=400)
    birth_date: str | None = Field(default=None, max_length=40, description="YYYY-MM-DD, not in the future")
    sex: str | None = Field(default=None, max_length=20, description="female, male or unknown")
    street: str | None = Field(default=None, max_length=400)
    locality: str | None = Field(default=None, max_length=400)
    region: str | None = Field(default=None, max_length=400)
    country: str | None = Field(default=None, max_length=100, description="ISO 3166-1 (MX, US) or the name")
    postal_code: str | None = Field(default=None, max_length=40)


class TraceAgencyRef(BaseModel):
    id: int
    acronym: str
    name: str
    ori_number: str | None = Field(default=None, description="The agency's ORI number (9 letters and digits)")


class RequestDetailsOut(BaseModel):
    """The request as Form 3312.1 lays it out (``tracing.request_details``)."""

    agency_case_number: str | None
    requester_name: str | None
    requester_badge: str | None
    requester_phone: str | None
    requester_email: str | None
    urgent_justification: str | None
    crime_category: str | None
    ncic_code: str | None
    project_code: str | None
    recovery_date: str | None
    recovery_address: str | None
    trace_reason: str | None
    trace_reason_text: str | None


class TraceRequestOut(TraceResultFields, RequestDetailsOut):  # the result's fields: tracing.result_schema
    """A trace request as the API shows it. The result's fields are added beside these;
    personal data stays out of this model."""

    id: int
    trace_number: str = Field(description="RT-YYYY-NNNNNN")
    status: Status
    priority: Priority
    firearm_id: int
    case_id: int
    requesting_agency: TraceAgencyRef
    requested_by: str | None = Field(description="Full name of the official who requested it")
    addressed_to: str = Field(description="Acronym of the US partner office the request is addressed to")
    identifiers: dict[str, Any] = Field(description="What was sent: the firearm's identity, the seizure's date, "
                                                    "state and municipality (INEGI codes), the case reference, and "
                                                    "`readiness_notes` (suspect identifiers) by language code")
    created_at: datetime
    submitted_at: datetime | None
    opened_at: datetime | None = Field(description="When the partner office opened it (in_progress)")
    version: int
    url: str = Field(description="The request's web page")


class TraceRequestList(ListPage):
    items: list[TraceRequestOut]


def trace_request_json(trace: TraceRequest) -> dict[str, Any]:
    """A request in the shape of ``TraceRequestOut``."""
    agency = trace.requesting_agency
    return TraceRequestOut(
        id=trace.id, trace_number=trace.trace_number, status=trace.status, priority=trace.priority,
        firearm_id=trace.firearm_id, case_id=trace.case_id,
        requesting_agency=TraceAgencyRef(id=agency.id, acronym=agency.acronym, name=agency.name,
                                    ori_number=agency.ori_number),
        requested_by=trace.requested_by.full_name if trace.requested_by else None,
        addressed_to=trace.addressed_to.acronym, identifiers=dict(trace.identifiers or {}),
        created_at=trace.created_at, submitted_at=trace.submitted_at, opened_at=trace.opened_at,
        version=trace.version, **details_of(trace),
        url=url_for("tracing.detail", trace_request_id=trace.id),
        **result_fields(trace),  # the result, without personal data (tracing.result_schema)
    ).model_dump(mode="json")


@operation(bp, "/firearms/<int:firearm_id>/readiness", "GET", allow=case_workers, response=ReadinessOut,
           errors=(404,), summary="Whether a firearm carries the identifiers a trace needs: what is missing "
                                  "(blocks a request) and what is suspect (warnings)")
def firearm_readiness(firearm_id: int):
    return jsonify(trace_readiness(get_firearm(current_user, firearm_id)).as_json())


def _request_body() -> TraceRequestIn:
    """The body is optional: an empty request takes the defaults."""
    if not request.get_data(cache=True):
        return TraceRequestIn()
    return parse_json(TraceRequestIn)


@operation(bp, "/firearms/<int:firearm_id>/trace-requests", "POST", allow=requesters, response=TraceRequestOut,
           body=TraceRequestIn, status=201, errors=(404, 409, 422),
           summary="Request and submit the trace of a firearm (the body is optional; the request's form fields "
                   "default from the case, the seizure and the caller). 422 lists what a trace "
                   "still needs (or what the request form lacks, e.g. an urgent request's justification) (details: each missing field with its reason, and `missing`); 409 when this "
                   "recovery already has a request (details name its trace number)")
def request_trace(firearm_id: int):
    firearm = get_firearm(current_user, firearm_id)
    body = _request_body()
    details = body.model_dump(exclude_unset=True, exclude={"addressed_to", "priority", "people"})
    people = [person.model_dump() for person in body.people or []]
    check_people(current_user, firearm, people)  # before anything is written
    trace = services.request_trace(current_user, firearm, body.addressed_to, body.priority, details=details)
    if people:
        add_people(current_user, trace, people)
    db.session.commit()
    response = jsonify(trace_request_json(trace))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_trace_request", trace_request_id=trace.id)
    return response


LIST_FILTERS = ("status", "priority", "serial", "submitted_from", "submitted_to", "ffl_license", "short_ttc",
                "multiple_sale", "recovered_from", "recovered_to", "recovery_state")
LIST_QUERY = {
    "status": ("One of: " + ", ".join(TRACE_STATUSES) + "; or open: in_progress and submitted (a partner office's "
               "queue: in progress first)", {"type": "string", "enum": [*TRACE_STATUSES, OPEN]}),
    "priority": ("One of: " + ", ".join(TRACE_PRIORITIES), {"type": "string", "enum": list(TRACE_PRIORITIES)}),
    "serial": ("The firearm's serial number or restored serial, as written or normalised",
               {"type": "string", "maxLength": 64, "pattern": "^[0-9A-Za-z -]*[0-9A-Za-z][0-9A-Za-z -]*$"}),
    "submitted_from": "Submitted on or after this day (YYYY-MM-DD, Mexico City time)",
    "submitted_to": "Submitted on or before this day (YYYY-MM-DD, Mexico City time)",
    "ffl_license": "The last dealer's licence number (with or without hyphens)",
    "short_ttc": "yes: only traces with a time to crime under 1,095 days",
    "multiple_sale": "yes: only traces whose purchase was part of a multiple sale",
    "recovered_from": "Recovered on or after this day (YYYY-MM-DD)",
    "recovered_to": "Recovered on or before this day (YYYY-MM-DD)",
    "recovery_state": "INEGI code of the state where the firearm was recovered",
    **PAGING_QUERY,
}


@operation(bp, "/trace-requests", "GET", allow=readers, response=TraceRequestList, errors=(400, 422), query=LIST_QUERY,
           summary="The trace requests the caller may see: a US partner office's are those addressed to it, "
                   "urgent first, then oldest submitted; others newest first")
def list_trace_requests():
    filters = request_lists.RequestFilters(**{name: request.args.get(name) or None for name in LIST_FILTERS})
    page = request_lists.list_requests(current_user, filters, request.args.get("page"),
                                  request.args.get("per_page", 25), request.args.get("cursor"))
    return jsonify({"items": [trace_request_json(t) for t in page.items], **list_fields(page)})


@operation(bp, "/trace-requests/<int:trace_request_id>", "GET", allow=readers, response=TraceRequestOut,
           errors=(404,), summary="A trace request")
def get_trace_request(trace_request_id: int):
    return jsonify(trace_request_json(services.get_trace_request(current_user, trace_request_id)))
