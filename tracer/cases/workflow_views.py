"""Case pages of the workflow: a transition from the case page, and the supervisors' review queue."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracer.cases import services, workflow
from tracer.cases.case_page import render_case
from tracer.cases.review_queue import review_queue
from tracer.cases.views import bp
from tracer.cases.workflow_forms import TransitionForm, action_labels
from tracer.core.access import roles
from tracer.core.errors import Conflict, Forbidden, ValidationFailed
from tracer.core.pagination import BadListRequest, KeysetPage
from tracer.core.translation import gettext as _
from tracer.extensions import db


@bp.post("/<int:case_id>/transition")
@roles("officer", "analyst", "supervisor")
def transition(case_id: int):
    """Move the case by the action of the button pressed; back to the page with the typed comments on error."""
    case = services.get_case(current_user, case_id)
    form = TransitionForm()
    sections = form.section_comments(request.form)
    if not form.validate_on_submit() or not form.known_action():
        if not form.errors:
            form.action.errors = [_("Not one of the allowed values: %(values)s.", values=", ".join(workflow.ACTIONS))]
        return render_case(case, 400, transition_form=form, sections_typed=sections)
    try:
        workflow.transition(current_user, case, form.action.data, form.comment.data, sections)
    except ValidationFailed as failure:
        db.session.rollback()
        form.comment.errors = list(failure.fields.get("comment", [])) + [
            message for name, messages in failure.fields.items() if name.startswith("sections")
            for message in messages]
        return render_case(case, 422, transition_form=form, sections_typed=sections)
    except (Conflict, Forbidden) as error:
        db.session.rollback()
        flash(error.message, "error")
        case = services.get_case(current_user, case_id)
        return render_case(case, error.status, transition_form=form, sections_typed=sections)
    db.session.commit()
    flash(_("%(action)s: case %(reference)s is now %(status)s.", action=action_labels()[form.action.data],
            reference=case.reference, status=_status_label(case.status)), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


def _status_label(status: str) -> str:
    from tracer.cases.forms import status_labels

    return status_labels()[status]


@bp.get("/review")
@roles("supervisor")
def review():
    """The cases waiting for the supervisor's review, oldest submission first."""
    page, status = KeysetPage([], 25, None, 0, False), 200
    try:
        page = review_queue(current_user, request.args.get("cursor"), request.args.get("page"))
    except BadListRequest as failure:
        flash(failure.message, "error")
        status = 400
    return render_template("cases/review.html", page=page), status
