"""The case page's timeline, notes, documents and assigned analysts."""
from __future__ import annotations

import html
import io

import pytest
from sqlalchemy import select

from tests import factories
from tests.cases.workflow_helpers import case_in_review
from tracer.audit.models import AuditEvent
from tracer.audit.services import record
from tracer.cases import assignments, notes, timeline, workflow
from tracer.core.errors import Forbidden, ValidationFailed
from tracer.extensions import db
from tracer.firearms.models import Attachment


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("locale,returned,approved,statuses", [
    ("en", "Return with comments", "Approve", ("In review", "Investigating", "Approved")),
    ("es", "Devolver con observaciones", "Aprobar", ("En revisión", "En investigación", "Aprobado")),
])
def test_the_timeline_shows_transitions_in_the_readers_language(login_as, agencies, locale, returned, approved,
                                                                 statuses):
    case, officer = case_in_review()
    supervisor = factories.user("supervisor", agencies["FGE-SON"])
    workflow.transition(supervisor, case, "return", "Falta el importador.", {"firearms": "AK-47 sin importador."})
    workflow.transition(officer, case, "submit", "Importador agregado.")
    workflow.transition(supervisor, case, "approve")
    db.session.commit()
    reader = login_as("analyst", "FGE-SON", locale=locale)
    page = page_text(reader.get(f"/cases/{case.id}"))
    history = page[page.index('id="timeline"'):]
    assert history.index(approved) < history.index(returned)  # newest first
    in_review, investigating, approved_status = statuses
    assert f"{in_review} → {investigating}" in history and f"{in_review} → {approved_status}" in history
    assert "AK-47 sin importador." in history and "Importador agregado." in history


def test_the_timeline_leaves_out_what_a_case_reader_may_not_read(ctx):
    case, officer = case_in_review()
    record("personal_data.read", object_type="person", object_id=1, case_id=case.id, actor=officer,
           details={"name": "Juan Pérez"})
    record("search.serial", case_id=case.id, actor=officer, details={"query": "ABC123"})
    db.session.commit()
    page = timeline.case_timeline(case)
    actions = [entry.action for entry in page.items]
    assert actions == ["case.transition", "case.transition", "case.create"]
    assert all("Juan" not in str(entry.facts) for entry in page.items)


def test_the_timeline_walks_back_a_page_at_a_time(ctx):
    case, officer = case_in_review()
    for _ in range(25):
        notes.add_note(officer, case, "Seguimiento.")
    db.session.commit()
    first = timeline.case_timeline(case)
    assert len(first.items) == timeline.EVENTS_PER_PAGE and first.next
    second = timeline.case_timeline(case, first.next)
    assert second.items[-1].action == "case.create"
    assert {e.id for e in first.items}.isdisjoint(e.id for e in second.items)


def test_notes_are_written_listed_and_audited_without_their_text(login_as, agencies):
    case, _officer = case_in_review()
    analyst = login_as("analyst", "FGE-SON", locale="en")
    path = f"/cases/{case.id}"
    assert analyst.post(f"{path}/notes", {"body": "Llamar a la armería de Tucson."}, token_from=path).status_code == 302
    assert "Llamar a la armería de Tucson." in page_text(analyst.get(path))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.note_add",
                                                       AuditEvent.case_id == case.id))
    assert event.user_id == analyst.user.id and "Tucson" not in str(event.details)
    empty = analyst.post(f"{path}/notes", {"body": "  "}, token_from=path)
    assert empty.status_code == 400 and "This field is required." in page_text(empty)
    with pytest.raises(ValidationFailed):
        notes.add_note(analyst.user, case, "bad\x00note")
    with pytest.raises(Forbidden):
        notes.add_note(factories.user("liaison", agencies["ATF-MX"]), case, "Nota")


def test_a_document_is_stored_hashed_and_served_to_those_who_see_the_case(login_as, agencies):
    case, _officer = case_in_review()
    officer = login_as("officer", "FGE-SON", locale="en")
    path = f"/cases/{case.id}"
    pdf = b"%PDF-1.4\n%test\n"
    response = officer.post(f"{path}/documents", {"document": (io.BytesIO(pdf), "oficio.pdf")},
                            token_from=path, content_type="multipart/form-data")
    assert response.status_code == 302, page_text(response)[:2000]
    document = db.session.scalar(select(Attachment).where(Attachment.case_id == case.id))
    assert document.original_name == "oficio.pdf" and len(document.sha256) == 64
    download = officer.get(f"/attachments/{document.id}")
    assert download.status_code == 200 and download.data == pdf
    assert download.headers["Content-Disposition"] == f'attachment; filename="tracer-{document.id}.pdf"'
    assert login_as("analyst", "FGE-JAL").get(f"/attachments/{document.id}").status_code == 404
    bad = officer.post(f"{path}/documents", {"document": (io.BytesIO(b"MZ\x90\x00"), "virus.exe")},
                       token_from=path, content_type="multipart/form-data")
    assert bad.status_code == 400 and "Only JPEG, PNG or WebP photos and PDF documents are accepted." in page_text(bad)


def test_the_lead_officer_assigns_analysts_who_may_see_the_case(agencies):
    lead = factories.user("officer", agencies["FGE-SON"])
    case = factories.case(agencies["FGE-SON"], lead)
    sonora, jalisco = factories.user("analyst", agencies["SSP-SON"]), factories.user("analyst", agencies["FGE-JAL"])
    assert sonora in assignments.assignable_analysts(lead, case)
    assert jalisco not in assignments.assignable_analysts(lead, case)
    assignment = assignments.assign(lead, case, sonora.id)
    with pytest.raises(ValidationFailed):
        assignments.assign(lead, case, sonora.id)
    with pytest.raises(ValidationFailed):
        assignments.assign(lead, case, jalisco.id)
    with pytest.raises(Forbidden):
        assignments.assign(factories.user("analyst", agencies["FGE-SON"]), case, sonora.id)
    assignments.unassign(lead, case, assignment.id)
    assert assignments.assigned(case) == []
    db.session.commit()
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id)
                                 .order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["case.assign", "case.unassign"]


def test_a_document_too_large_is_refused_naming_the_field(login_as, agencies, app, monkeypatch):
    case, _officer = case_in_review()
    officer = login_as("officer", "FGE-SON", locale="en")
    path = f"/cases/{case.id}"
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024)
    response = officer.post(f"{path}/documents", {"document": (io.BytesIO(b"%PDF-1.4\n" + b"0" * 2048), "big.pdf")},
                            token_from=path, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "The file is too large: at most 1 KB per file." in page_text(response)
    assert db.session.scalar(select(Attachment).where(Attachment.case_id == case.id)) is None
