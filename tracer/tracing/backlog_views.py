"""The backlog page: untraced firearms in scope, and traces requested for many at once."""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from tracer.core.errors import ValidationFailed
from tracer.core.forms import show_errors
from tracer.core.pagination import BadListRequest, KeysetPage
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.tracing import bulk_requests
from tracer.tracing import requests as services
from tracer.tracing.backlog import BacklogCounts, backlog_agencies, backlog_counts, backlog_page
from tracer.tracing.forms import BacklogFilterForm, BulkRequestForm
from tracer.tracing.views import bp, case_writers, requesters

PER_PAGE = 25
FILTERS = ("state", "agency", "age", "readiness")
# The second step of a bulk request: send the requests, or save them as drafts.
STEPS = ("send", "draft")


def render_backlog(filters: BacklogFilterForm, bulk: BulkRequestForm, page_number, cursor=None, outcome=None,
                   status: int = 200, confirm=None):
    page, rows, counts = KeysetPage([], PER_PAGE, None, 0, False), [], BacklogCounts(0, 0)
    try:
        counts = backlog_counts(current_user, filters.filters())
        page, rows = backlog_page(current_user, filters.filters(), page_number, PER_PAGE, cursor, counts)
    except (ValidationFailed, BadListRequest) as failure:
        show_errors(filters, failure)
        status = 400
    args = filters.args()
    for name in FILTERS:
        bulk[name].data = args.get(name, "")
    # The step shown comes back after a request: its page number, or the cursor that reached it.
    bulk.page.data = str(page.page or "")
    bulk.cursor.data = (cursor or "") if page.page is None else ""
    return render_template("tracing/backlog.html", filters=filters, bulk=bulk, page=page, rows=rows,
                           counts=counts, args=args, outcome=outcome, confirm=confirm,
                           may_request=services.may_request(current_user)), status


def _bulk_form() -> BulkRequestForm:
    form = BulkRequestForm()
    form.set_offices(services.partner_office_names())
    return form


@bp.get("/trace-requests/backlog")
@case_writers
def backlog():
    """Every firearm in scope still waiting for a trace request, filtered by state, agency, age and
    readiness. Officers read it to complete what their firearms lack; analysts and supervisors
    also request traces from it."""
    filters = BacklogFilterForm(request.args, agencies=backlog_agencies(current_user))
    bulk = BulkRequestForm(formdata=None)
    bulk.set_offices(services.partner_office_names())
    return render_backlog(filters, bulk, request.args.get("page"), request.args.get("cursor"))


@bp.post("/trace-requests/backlog")
@requesters
def backlog_request():
    """Request the traces of the selected firearms in two steps, as a single request has: the page
    first lists the choice to confirm (nothing written), then sends the requests or saves them as
    drafts, and reports what was created and what was refused."""
    bulk = _bulk_form()
    filters = BacklogFilterForm(MultiDict({name: request.form.get(name, "") for name in FILTERS}),
                                agencies=backlog_agencies(current_user))
    page_number, cursor = request.form.get("page"), request.form.get("cursor")
    step = request.form.get("step", "")
    if not bulk.validate_on_submit():
        show_errors(bulk, ValidationFailed("", {"firearm_ids": [
            _("The form has expired; reload the page and try again.")]}))
        return render_backlog(filters, bulk, page_number, cursor, status=400)
    try:
        if step not in STEPS:
            chosen = bulk_requests.bulk_choice(current_user, bulk.firearm_ids.data or [])
            services.resolve_addressee(bulk.addressed_to.data or None)
            return render_backlog(filters, bulk, page_number, cursor, confirm=chosen)
        outcome = bulk_requests.request_traces(current_user, bulk.firearm_ids.data or [], bulk.addressed_to.data or None,
                                          bulk.priority.data, submit=step == "send",
                                          details={"urgent_justification": bulk.urgent_justification.data})
    except ValidationFailed as failure:
        db.session.rollback()
        show_errors(bulk, failure)
        return render_backlog(filters, bulk, page_number, cursor, status=400)
    db.session.commit()
    return render_backlog(filters, bulk, page_number, cursor, outcome=outcome)
