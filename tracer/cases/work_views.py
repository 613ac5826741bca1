"""Case pages of the work on a case: notes, documents, assigned analysts and shares."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from tracer.cases import assignments, documents, notes, services, sharing
from tracer.cases.case_page import render_case
from tracer.cases.views import bp
from tracer.cases.workflow_forms import AssignForm, DocumentForm, NoteForm, ShareForm
from tracer.core.access import roles
from tracer.core.forms import show_errors
from tracer.core.errors import ValidationFailed
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms import files

case_workers = roles("officer", "analyst", "supervisor")


def _back(case, anchor: str):
    return redirect(url_for("cases.detail", case_id=case.id, _anchor=anchor))


def _expired(form, field) -> None:
    if not field.errors:
        field.errors = [_("The form has expired; reload the page and try again.")]


@bp.post("/<int:case_id>/notes")
@case_workers
def add_note(case_id: int):
    """Write a note on the case."""
    case = services.get_case(current_user, case_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            notes.add_note(current_user, case, form.body.data)
        except ValidationFailed as failure:
            show_errors(form, failure)
        else:
            db.session.commit()
            flash(_("Note added."), "success")
            return _back(case, "notes")
    return render_case(case, 400, note_form=form)


@bp.post("/<int:case_id>/documents")
@case_workers
def add_document(case_id: int):
    """Attach a document (PDF or photo) to the case."""
    case = services.get_case(current_user, case_id)
    services.ensure_may_edit(current_user, case)
    form = DocumentForm()
    if not form.validate_on_submit():
        _expired(form, form.document)
        return render_case(case, 400, document_form=form)
    attachment = None
    try:
        attachment = documents.add_document(current_user, case, form.document.data)
        db.session.commit()
    except ValidationFailed as failure:
        db.session.rollback()
        files.discard(attachment)
        form.document.errors = list(failure.fields.get("document") or [failure.message])
        return render_case(case, 400, document_form=form)
    except Exception:
        db.session.rollback()
        files.discard(attachment)
        raise
    flash(_("Document added. SHA-256: %(hash)s", hash=attachment.sha256), "success")
    return _back(case, "documents")


@bp.post("/<int:case_id>/shares")
@case_workers
def share(case_id: int):
    """Share the case with another agency."""
    case = services.get_case(current_user, case_id)
    form = ShareForm()
    form.set_choices(sharing.share_candidates(case))
    if form.validate_on_submit():
        try:
            share_row = sharing.share_case(current_user, case, form.agency_id.data)
        except ValidationFailed as failure:
            show_errors(form, failure)
        else:
            db.session.commit()
            flash(_("Case shared with %(agency)s.", agency=share_row.agency.acronym), "success")
            return _back(case, "sharing")
    return render_case(case, 400, share_form=form)


@bp.post("/<int:case_id>/shares/<int:share_id>/revoke")
@case_workers
def revoke_share(case_id: int, share_id: int):
    """Stop sharing the case with an agency."""
    case = services.get_case(current_user, case_id)
    share_row = sharing.revoke_share(current_user, case, share_id)
    db.session.commit()
    flash(_("The case is no longer shared with %(agency)s.", agency=share_row.agency.acronym), "success")
    return _back(case, "sharing")


def document_too_large(error):
    """A body over MAX_CONTENT_LENGTH: back to the case page with a message instead of a bare error."""
    flash(files.too_large_message(), "error")
    case_id = (request.view_args or {}).get("case_id")
    if case_id is not None:
        return redirect(url_for("cases.detail", case_id=case_id, _anchor="documents"), 303)
    return redirect(url_for("cases.index"), 303)


bp.register_error_handler(413, document_too_large)


@bp.post("/<int:case_id>/assignments")
@case_workers
def assign(case_id: int):
    """Assign an analyst to the case."""
    case = services.get_case(current_user, case_id)
    form = AssignForm()
    form.set_choices(assignments.assignable_analysts(current_user, case))
    if form.validate_on_submit():
        try:
            assignment = assignments.assign(current_user, case, form.analyst_id.data)
        except ValidationFailed as failure:
            show_errors(form, failure)
        else:
            db.session.commit()
            flash(_("%(name)s is assigned to the case.", name=assignment.analyst.full_name), "success")
            return _back(case, "assignments")
    return render_case(case, 400, assign_form=form)


@bp.post("/<int:case_id>/assignments/<int:assignment_id>/remove")
@case_workers
def unassign(case_id: int, assignment_id: int):
    """Remove an analyst's assignment to the case."""
    case = services.get_case(current_user, case_id)
    assignments.unassign(current_user, case, assignment_id)
    db.session.commit()
    flash(_("Assignment removed."), "success")
    return _back(case, "assignments")
