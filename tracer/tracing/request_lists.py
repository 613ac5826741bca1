"""Lists of trace requests: the filters of the page, the API and the CSV export, and a list's
order (a US partner office's work queue urgent first and oldest first, everyone else's newest
first), walked a step at a time along an index. Reads go through ``requests.trace_request_query``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, or_, select

from tracer.auth.models import User
from tracer.core.pagination import KeysetPage, SortKey, by, keyset_page
from tracer.core.time import local_day_start
from tracer.core.translation import gettext as _
from tracer.core.validation import Checker
from tracer.firearms.models import Firearm
from tracer.firearms.serials import normalize_serial
from tracer.tracing.ffl import normalize_ffl_license
from tracer.tracing.models import (OPEN, OPEN_STATUSES, SHORT_TIME_TO_CRIME_DAYS, TRACE_PRIORITIES, TRACE_STATUSES,
                                   TraceRequest)
from tracer.tracing.requests import trace_request_query


@dataclass
class RequestFilters:
    """What a trace request list may be narrowed by; empty values do not filter."""

    status: str | None = None
    priority: str | None = None
    serial: str | None = None
    submitted_from: Any = None
    submitted_to: Any = None
    # The dealer watch list's links: one dealer's traces, recovered in a period (and a state), short
    # time to crime or multiple sales only.
    ffl_license: str | None = None
    short_ttc: Any = None
    multiple_sale: Any = None
    recovered_from: Any = None
    recovered_to: Any = None
    recovery_state: str | None = None


def _dealer_filters(statement: Select, filters: RequestFilters, check: Checker) -> Select:
    licence = check.text("ffl_license", filters.ffl_license, 40)
    short = check.flag("short_ttc", filters.short_ttc) if filters.short_ttc not in (None, "") else False
    multiple = check.flag("multiple_sale", filters.multiple_sale) if filters.multiple_sale not in (None, "") else False
    since = check.day("recovered_from", filters.recovered_from)
    until = check.day("recovered_to", filters.recovered_to)
    state = check.text("recovery_state", filters.recovery_state, 2)
    if licence:
        statement = statement.where(TraceRequest.ffl_license == (normalize_ffl_license(licence) or licence))
    if short:
        statement = statement.where(TraceRequest.time_to_crime_days < SHORT_TIME_TO_CRIME_DAYS)
    if multiple:
        statement = statement.where(TraceRequest.multiple_sale.is_(True))
    if since:
        statement = statement.where(TraceRequest.recovery_date >= since)
    if until:
        statement = statement.where(TraceRequest.recovery_date <= until)
    if state:
        statement = statement.where(TraceRequest.recovery_state == state)
    return statement


def _requests(user: User, filters: RequestFilters) -> tuple[Select, str | None, str | None]:
    """The scoped ``SELECT`` of the requests matching ``filters``, unordered, with the status and
    priority as checked (any case: ``OPEN`` is ``open``). The serial matches the firearm's serial
    or its restored serial, as written or normalised."""
    check = Checker()
    status = check.choice("status", filters.status, (*TRACE_STATUSES, OPEN))
    priority = check.choice("priority", filters.priority, TRACE_PRIORITIES)
    serial = check.text("serial", filters.serial, 64)
    since = check.day("submitted_from", filters.submitted_from)
    until = check.day("submitted_to", filters.submitted_to)
    if since and until and since > until:
        check.error("submitted_to", _("The end date cannot be before the start date."))
    statement = _dealer_filters(trace_request_query(user), filters, check)
    check.raise_if_errors()
    if status == OPEN:
        statement = statement.where(TraceRequest.status.in_(OPEN_STATUSES))
    elif status:
        statement = statement.where(TraceRequest.status == status)
    if priority:
        statement = statement.where(TraceRequest.priority == priority)
    if serial:
        normalized = normalize_serial(serial)
        statement = statement.where(TraceRequest.firearm_id.in_(select(Firearm.id).where(or_(
            Firearm.serial_normalized == normalized, Firearm.restored_serial_normalized == normalized))))
    if since:
        statement = statement.where(TraceRequest.submitted_at >= local_day_start(since))
    if until:
        statement = statement.where(TraceRequest.submitted_at < local_day_start(until + timedelta(days=1)))
    return statement, status, priority


def filtered_requests(user: User, filters: RequestFilters) -> Select:
    """The scoped ``SELECT`` of the requests matching ``filters`` (the CSV export reads it whole).
    A US partner office gets its work queue, urgent first and then oldest submitted; Mexican
    users see the newest first."""
    statement, _status, _priority = _requests(user, filters)
    order = [key.expression.desc() if key.descending else key.expression for key in request_list_order(user)]
    if user.agency.level == "us":
        order.insert(0, PRIORITY_FIRST)
    return statement.order_by(*order)


# A partner office's queue is shown in two parts, urgent then routine, each walked oldest submitted
# first along ix_trace_requests_partner_queue (one status) or ix_trace_requests_partner_priority (any
# status). Mexican lists walk ix_trace_requests_agency_created_at_id (a state or agency scope) or
# ix_trace_requests_created_at_id, newest first.
PARTNER_QUEUE_ORDER = (by(TraceRequest.submitted_at), by(TraceRequest.id))
NEWEST_FIRST_ORDER = (by(TraceRequest.created_at, descending=True), by(TraceRequest.id, descending=True))
# Urgent first: "urgent" sorts after "routine", so descending.
PRIORITY_FIRST = TraceRequest.priority.desc()


def request_list_order(user: User) -> tuple[SortKey, ...]:
    """The order of ``user``'s list of requests within a part: a partner office's oldest submitted
    first, everyone else's newest first."""
    return PARTNER_QUEUE_ORDER if user.agency.level == "us" else NEWEST_FIRST_ORDER


def list_requests(user: User, filters: RequestFilters, page: Any = 1, per_page: Any = 25,
                  cursor: Any = None) -> KeysetPage:
    """One step of the requests ``user`` may see under ``filters``: a partner office's urgent ones
    first, then the routine ones (the open ones: those in progress, then those sent, each urgent
    first); page ``page`` of the first pages, or the step a ``cursor`` names (``BadListRequest``
    when it is not a cursor of this list). Each part walks the partner queue's index."""
    statement, status, priority = _requests(user, filters)
    parts: Select | list[Select] = statement
    if user.agency.level == "us":
        by_status = ([statement.where(TraceRequest.status == code) for code in OPEN_STATUSES]
                     if status == OPEN else [statement])
        parts = [part.where(TraceRequest.priority == level) for part in by_status
                 for level in ("urgent", "routine") if priority in (None, level)]
    return keyset_page(parts, request_list_order(user), cursor, per_page, list_name="trace-requests", page=page)
