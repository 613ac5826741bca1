"""The case page: its facts, the workflow's actions the reader may take, review comments beside
the sections, notes, documents, assignments, shares and the timeline. Forms that come back
with errors keep what the user typed."""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_login import current_user
from sqlalchemy import exists

from tracer.cases import assignments, documents, notes, services, sharing, timeline, workflow
from tracer.cases.models import Case, CaseAssignment, CaseNote, CaseReview, CaseShare
from tracer.cases.workflow_forms import (AssignForm, DocumentForm, NoteForm, ShareForm, TransitionForm,
                                         action_labels, comment_label, section_labels)
from tracer.core.i18n import render_language
from tracer.core.pagination import BadListRequest, KeysetPage
from tracer.core.panels import add_contents, read_contents
from tracer.firearms.models import Attachment


def init_app(app: Flask) -> None:
    """What a case holds of the page's own sections, asked with the panels' (``read_contents``)."""
    add_contents(app, "case", "reviews", lambda case_id: exists().where(CaseReview.case_id == case_id))
    add_contents(app, "case", "notes", lambda case_id: exists().where(CaseNote.case_id == case_id))
    add_contents(app, "case", "documents", lambda case_id: exists().where(Attachment.case_id == case_id))
    add_contents(app, "case", "shares", lambda case_id: exists().where(CaseShare.case_id == case_id))
    add_contents(app, "case", "assignments", lambda case_id: exists().where(CaseAssignment.case_id == case_id))


def _walk(step, cursor, held: bool = True) -> KeysetPage:
    """A list's step; its first page when the cursor belongs to another list or was tampered with;
    an empty page, unread, when the case holds none of the list."""
    if not held:
        return KeysetPage([], 0, None, 0, False)
    try:
        return step(cursor)
    except BadListRequest:
        return step(None)


def render_case(case: Case, status: int = 200, transition_form: TransitionForm | None = None,
                note_form: NoteForm | None = None, document_form: DocumentForm | None = None,
                share_form: ShareForm | None = None, assign_form: AssignForm | None = None,
                sections_typed: dict[str, str] | None = None):
    """The case page. Its lists are read only when the case holds some of them (``read_contents``),
    and its forms built only for a reader who is shown them."""
    user, language = current_user, render_language()
    held = read_contents("case", case)
    may_edit, may_write_notes = services.may_edit(user, case), notes.may_write_notes(user)
    may_share, may_assign = sharing.may_share(user, case), assignments.may_assign(user, case)
    if may_share:
        share_form = share_form or ShareForm(formdata=None)
        share_form.set_choices(sharing.share_candidates(case))
    if may_assign:
        assign_form = assign_form or AssignForm(formdata=None)
        assign_form.set_choices(assignments.assignable_analysts(user, case))
    rounds = workflow.review_rounds(case) if held["reviews"] else []
    return render_template(
        "cases/detail.html", case=case, seizures=services.case_seizures(case), may_edit=may_edit,
        actions=workflow.allowed_actions(user, case, rounds), action_labels=language.mapping(action_labels),
        comment_label=comment_label, transition_form=transition_form or TransitionForm(formdata=None),
        sections_typed=sections_typed or {}, section_labels=language.mapping(section_labels),
        open_comments=workflow.open_comments(case, rounds), rounds=rounds,
        may_write_notes=may_write_notes,
        note_form=(note_form or NoteForm(formdata=None)) if may_write_notes else None,
        notes=_walk(lambda cursor: notes.case_notes(case, cursor), request.args.get("notes"), held["notes"]),
        documents=documents.case_documents(case) if held["documents"] else [],
        document_form=(document_form or DocumentForm(formdata=None)) if may_edit else None,
        shares=sharing.active_shares(case) if held["shares"] else [], may_share=may_share, share_form=share_form,
        assignments=assignments.assigned(case) if held["assignments"] else [], may_assign=may_assign,
        assign_form=assign_form,
        timeline=_walk(lambda cursor: timeline.case_timeline(case, cursor), request.args.get("events")),
    ), status
