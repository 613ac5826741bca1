"""Trace-result pages: the liaison officer enters or corrects a result on the trace request
page, or uploads a file of results. The routes join the ``tracing`` blueprint."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_login import current_user

from tracer.core.access import roles
from tracer.core.errors import Conflict, ValidationFailed
from tracer.core.forms import show_errors
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.tracing import results
from tracer.tracing.opening import open_trace
from tracer.tracing.requests import get_trace_request
from tracer.tracing.result_forms import OpenForm, ResultForm, ResultImportForm
from tracer.tracing.result_labels import register_filters
from tracer.tracing.results_import import LAYOUT, import_trace_results
from tracer.tracing.views import bp, render_request

bp.record_once(lambda state: register_filters(state.app))
liaisons = roles("liaison")


def _again(trace, form: ResultForm, status: int, conflict: Conflict | None = None):
    """The trace request page again, its result form holding what the officer typed."""
    g.trace_result_form = form
    g.trace_result_conflict = conflict
    return render_request(trace, status)


@bp.post("/trace-requests/<int:trace_request_id>/result")
@liaisons
def record_result(trace_request_id: int):
    """Enter or correct the result of a trace request addressed to the officer's agency."""
    trace = get_trace_request(current_user, trace_request_id)
    results.ensure_may_record(current_user, trace)
    form = ResultForm()
    if not form.validate_on_submit():
        flash(_("The form has expired; reload the page and try again."), "error")
        return _again(trace, form, 400)
    try:
        _saved, warnings = results.record_result(current_user, trace, form.values(), form.version_number())
    except ValidationFailed as failure:
        db.session.rollback()
        # "status" and "version" are not fields of the form: their messages go to a flash message.
        show_errors(form, failure, aliases={"status": "status_message", "version": "version_message"})
        return _again(trace, form, 400)
    except Conflict as conflict:
        db.session.rollback()
        # The next save is deliberate: it carries the version the officer has now seen.
        form.version.data = str(trace.version)
        form.version.raw_data = [form.version.data]
        return _again(trace, form, 409, conflict)
    db.session.commit()
    flash(_("Result of trace request %(number)s recorded.", number=trace.trace_number), "success")
    for messages in warnings.values():
        for message in messages:
            flash(message, "warning")
    return redirect(url_for("tracing.detail", trace_request_id=trace.id, _anchor="result"))


@bp.post("/trace-requests/<int:trace_request_id>/open")
@liaisons
def open_request(trace_request_id: int):
    """The liaison officer marks a submitted request as opened by their office (in progress)."""
    trace = get_trace_request(current_user, trace_request_id)
    results.ensure_may_record(current_user, trace)
    back = url_for("tracing.detail", trace_request_id=trace.id)
    form = OpenForm()
    if not form.validate_on_submit():
        flash(_("The form has expired; reload the page and try again."), "error")
        return redirect(back)
    try:
        open_trace(current_user, trace)
    except (ValidationFailed, Conflict) as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        return redirect(back)
    db.session.commit()
    flash(_("Trace request %(number)s is in progress.", number=trace.trace_number), "success")
    return redirect(back)


@bp.route("/trace-requests/results/import", methods=["GET", "POST"])
@liaisons
def import_results():
    """Upload a trace-result file (SPEC §8); only requests addressed to the officer's agency are found."""
    form = ResultImportForm()
    report, status = None, 200
    if form.validate_on_submit():
        upload = form.file.data
        report = import_trace_results(upload.stream, user=current_user._get_current_object(),
                                      partial=form.partial.data, dry_run=form.dry_run.data,
                                      source=(upload.filename or "")[:200] or None)
        status = 422 if report.rejected else 200
    elif form.errors:
        status = 400
    return render_template("tracing/results_import.html", form=form, report=report, columns=LAYOUT.columns,
                           required=LAYOUT.required), status
