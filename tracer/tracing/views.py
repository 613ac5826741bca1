"""Trace request pages: requesting a trace from a firearm page, the request list and a request.

The backlog (``backlog_views``) and the exports (``export_views``) add their
routes to the same blueprint (imported by the application factory).
"""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from tracer.cases.services import may_edit
from tracer.core.access import roles
from tracer.core.errors import Conflict, ValidationFailed
from tracer.core.forms import show_errors
from tracer.core.pagination import BadListRequest, KeysetPage
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.firearms.services import firearm_query, get_firearm
from tracer.links.views import add_routes as add_link_routes
from tracer.people.access import audit_read
from tracer.tracing import request_lists
from tracer.tracing import requests as services
from tracer.tracing.export import request_values
from tracer.tracing.forms import RequestDetailsForm, RequestFilterForm, TraceRequestForm
from tracer.tracing.labels import register_filters
from tracer.tracing.models import OPEN
from tracer.tracing.readiness import trace_readiness
from tracer.tracing.readiness_table import readiness_table
from tracer.tracing.request_details import details_of
from tracer.tracing.request_people import add_people, candidates, check_people, request_people
from tracer.tracing.result_panels import request_result_values

bp = Blueprint("tracing", __name__)
add_link_routes(bp)  # the links pages keep their tracing.* addresses
bp.record_once(lambda state: register_filters(state.app))
bp.add_app_template_global(readiness_table, "readiness_table")
readers = roles("officer", "analyst", "supervisor", "liaison")
requesters = roles("analyst", "supervisor")
case_writers = roles("officer", "analyst", "supervisor")
PER_PAGE = 25


def flash_refusal(refusal: ValidationFailed | Conflict) -> None:
    """The refusal and, one by one, each reason (each missing identifier), in the user's language."""
    flash(refusal.message, "error")
    for messages in getattr(refusal, "fields", {}).values():
        for message in messages:
            flash(message, "error")


@bp.post("/firearms/<int:firearm_id>/trace-request")
@requesters
def request_firearm_trace(firearm_id: int):
    """The one-click trace request of a firearm page (or a draft, or sending its draft)."""
    firearm = get_firearm(current_user, firearm_id)
    back = url_for("firearms.detail", firearm_id=firearm.id, _anchor="tracing")
    form = TraceRequestForm()
    if not form.validate_on_submit():
        flash(_("The form has expired; reload the page and try again."), "error")
        return redirect(back)
    try:
        trace = services.request_trace(current_user, firearm, form.addressed_to.data or None, form.priority.data,
                                       submit=not form.draft.data,
                                       details={"urgent_justification": form.urgent_justification.data})
    except (ValidationFailed, Conflict) as refusal:
        db.session.rollback()
        flash_refusal(refusal)
        return redirect(back)
    db.session.commit()
    if trace.status == "draft":
        flash(_("Trace request %(number)s saved as a draft.", number=trace.trace_number), "success")
    else:
        flash(_("Trace request %(number)s sent to %(office)s.", number=trace.trace_number,
                office=trace.addressed_to.acronym), "success")
    return redirect(back)


def _list_form() -> RequestFilterForm:
    args = MultiDict(request.args)
    # A liaison's list is their work queue: what is waiting for a result (the requests their office
    # has opened, then those sent to it), unless they ask otherwise.
    if current_user.agency.level == "us" and "status" not in args:
        args["status"] = OPEN
    return RequestFilterForm(args)


@bp.get("/trace-requests")
@readers
def index():
    """The trace requests the user may see, filtered by status and priority."""
    form = _list_form()
    page, status = KeysetPage([], PER_PAGE, None, 0, False), 200
    try:
        page = request_lists.list_requests(current_user, form.filters(), request.args.get("page"), PER_PAGE,
                                      request.args.get("cursor"))
    except (ValidationFailed, BadListRequest) as failure:
        show_errors(form, failure)
        status = 400
    args = form.args()
    if current_user.agency.level == "us":
        args["status"] = form.status.data or ""  # "any status" is a choice, not the default queue
    return render_template("tracing/index.html", form=form, page=page, args=args, export_args=args), status


def _firearm_visible(trace) -> bool:
    """Mexican case workers who may see the firearm get links to it and its case; liaisons do not."""
    if current_user.agency.level == "us" or current_user.role not in ("officer", "analyst", "supervisor"):
        return False
    return bool(db.session.scalar(select(firearm_query(current_user).where(Firearm.id == trace.firearm_id)
                                         .exists())))


def render_request(trace, status: int = 200):
    """A trace request page: what was sent, to whom, and (from the results) what came back."""
    visible = _firearm_visible(trace)
    draft_readiness = trace_readiness(trace.firearm) if visible and trace.status == "draft" else None
    submit_form = None
    if draft_readiness is not None and services.may_request(current_user):
        submit_form = g.pop("request_details_form", None) or RequestDetailsForm(
            formdata=None, data={"priority": trace.priority, "addressed_to": trace.addressed_to.acronym,
                                 **{k: v for k, v in details_of(trace).items() if v is not None}})
        submit_form.set_offices(services.partner_office_names())
        submit_form.candidates = candidates(current_user, trace.firearm)
        submit_form.people_ids.choices = [(str(row.id), row.person.full_name) for row in submit_form.candidates]
        if submit_form.candidates:
            audit_read(current_user, "trace_request_form", object_type="trace_request", object_id=trace.id,
                       case_id=trace.case_id, person_ids=[row.person_id for row in submit_form.candidates])
    people = request_people(current_user, trace, "trace_request_page")
    page = render_template("tracing/detail.html", trace_request=trace, firearm_visible=visible,
                           values=request_values(trace), draft_readiness=draft_readiness, submit_form=submit_form,
                           may_fix=visible and may_edit(current_user, trace.firearm.case), request_people=people,
                           **request_result_values(current_user, trace))
    if people.rows or (submit_form is not None and submit_form.candidates):
        db.session.commit()  # the audit events of the personal data shown
    return page, status


@bp.get("/trace-requests/<int:trace_request_id>")
@readers
def detail(trace_request_id: int):
    """A trace request (a stable address other systems link to)."""
    return render_request(services.get_trace_request(current_user, trace_request_id))


@bp.post("/trace-requests/<int:trace_request_id>/submit")
@requesters
def submit(trace_request_id: int):
    """Save a draft's request form as it is ("save"), or send it once complete and the firearm ready."""
    trace = services.get_trace_request(current_user, trace_request_id)
    back = url_for("tracing.detail", trace_request_id=trace.id)
    form = RequestDetailsForm()
    saving = request.form.get("action") == "save"
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            flash(_("The form has expired; reload the page and try again."), "error")
            return redirect(back)
        g.request_details_form = form  # the e-mail's shape: told next to the field, the rest kept
        return render_request(trace, 400)
    people = form.people_entries()
    try:
        check_people(current_user, trace.firearm, people, form.people_field)
        if saving:
            services.save_draft(current_user, trace, form.details(), form.priority.data or None,
                                form.addressed_to.data or None)
        else:
            services.submit_draft(current_user, trace, form.addressed_to.data or None, form.priority.data or None,
                                  details=form.details())
        add_people(current_user, trace, people, form.people_field)
    except ValidationFailed as refusal:
        db.session.rollback()
        trace = services.get_trace_request(current_user, trace_request_id)
        show_errors(form, refusal)
        flash_refusal(ValidationFailed(refusal.message, {}))
        g.request_details_form = form
        return render_request(trace, 422)
    except Conflict as refusal:
        db.session.rollback()
        flash_refusal(refusal)
        return redirect(back)
    db.session.commit()
    if saving:
        flash(_("Trace request %(number)s saved as a draft.", number=trace.trace_number), "success")
    else:
        flash(_("Trace request %(number)s sent to %(office)s.", number=trace.trace_number,
                office=trace.addressed_to.acronym), "success")
    return redirect(back)

