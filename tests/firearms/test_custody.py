"""The chain of custody: append-only, corrected by new entries, printable with file hashes."""
from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, text as sql, update
from sqlalchemy.exc import DBAPIError

from tests import factories
from tests.seizures.helpers import field_error, field_value, new_case, text
from tracer.audit.models import AuditEvent
from tracer.core.models import utcnow
from tracer.extensions import db
from tracer.firearms.models import CustodyEvent, Firearm

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def custody(login_as):
    officer = login_as("officer", "FGE-SON", locale="en")
    firearm = factories.seizure(new_case(officer.user), officer.user).firearms[0]
    db.session.commit()
    return officer, firearm


def entries(firearm) -> list[CustodyEvent]:
    return list(db.session.scalars(select(CustodyEvent).where(CustodyEvent.firearm_id == firearm.id)
                                   .order_by(CustodyEvent.id)))


def handover(**fields):
    return {"event": "transferred", "occurred_at": "2025-03-15T09:00", "handed_over_by_name": "Ramón Esquer",
            "handed_over_by_institution": "FGE Sonora", "received_by_name": "Lucía Moreno",
            "received_by_institution": "Servicios Periciales", "seal_number": "S-1", **fields}


def post_entry(officer, firearm, data, **kw):
    return officer.post(f"/firearms/{firearm.id}/custody", data, token_from=f"/firearms/{firearm.id}", **kw)


@pytest.mark.parametrize("statement", [
    lambda: update(CustodyEvent).values(notes="changed"),
    lambda: delete(CustodyEvent),
    lambda: sql("UPDATE custody_events SET seal_number = 'X'"),
    lambda: sql("DELETE FROM custody_events"),
])
def test_the_database_refuses_to_change_or_remove_an_entry(custody, statement):
    _officer, firearm = custody
    assert entries(firearm)
    with pytest.raises(DBAPIError):
        with db.session.begin_nested():
            db.session.execute(statement())
    assert [e.event for e in entries(firearm)] == ["seized"]


def test_the_database_refuses_a_change_made_through_the_model(custody):
    _officer, firearm = custody
    entry = entries(firearm)[0]
    written = entry.received_by_institution
    assert written
    with pytest.raises(DBAPIError):
        with db.session.begin_nested():
            entry.received_by_institution = "quietly changed"
            db.session.flush()
    db.session.expire_all()
    assert entries(firearm)[0].received_by_institution == written


def test_a_correction_is_a_new_entry_naming_the_one_it_corrects(custody):
    officer, firearm = custody
    assert post_entry(officer, firearm, handover(seal_number="S-WRONG")).status_code == 302
    wrong = entries(firearm)[-1]
    response = post_entry(officer, firearm, handover(seal_number="S-RIGHT", corrects_id=str(wrong.id),
                                                     notes="The seal number was mistyped."))
    assert response.status_code == 302
    chain = entries(firearm)
    assert [e.seal_number for e in chain[1:]] == ["S-WRONG", "S-RIGHT"]
    assert chain[-1].corrects_id == wrong.id and chain[1].seal_number == "S-WRONG"
    page = text(officer.get(f"/firearms/{firearm.id}"))
    assert "corrects entry 2" in page and "corrected by entry 3" in page  # numbered within the chain
    actions = db.session.scalars(select(AuditEvent.details).where(AuditEvent.action == "custody.create",
                                                                  AuditEvent.object_id == str(firearm.id)))
    assert any(details.get("corrects") == wrong.id for details in actions)


def test_a_correction_cannot_name_another_firearms_entry(custody, login_as):
    officer, firearm = custody
    other = factories.seizure(firearm.case, officer.user).firearms[0]
    db.session.commit()
    foreign = entries(other)[0]
    response = post_entry(officer, firearm, handover(corrects_id=str(foreign.id)))
    assert response.status_code == 400
    assert "another firearm" in field_error(text(response), "corrects_id")


def test_a_handover_names_both_people_and_errors_keep_what_was_typed(custody):
    officer, firearm = custody
    future = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = post_entry(officer, firearm, handover(received_by_name="", occurred_at=future,
                                                     place="Bodega 3", packaging="Bolsa sellada"))
    assert response.status_code == 400
    body = text(response)
    assert "who delivered and who received" in field_error(body, "received_by_name")
    assert "future" in field_error(body, "occurred_at")
    assert field_value(body, "place") == "Bodega 3" and field_value(body, "packaging") == "Bolsa sellada"
    assert field_value(body, "event") == "transferred" and field_value(body, "occurred_at") == future
    assert len(entries(firearm)) == 1


def test_an_unknown_event_and_a_bad_date_are_refused(custody):
    officer, firearm = custody
    body = text(post_entry(officer, firearm, handover(event="stolen", occurred_at="mañana")))
    assert field_error(body, "event") and field_error(body, "occurred_at")


def test_an_entry_with_a_document_carries_its_hash_into_the_chain(custody):
    officer, firearm = custody
    data = handover(document=(io.BytesIO(PDF), "acta de entrega.pdf"))
    response = post_entry(officer, firearm, data, content_type="multipart/form-data")
    assert response.status_code == 302, text(response)[:1500]
    entry = entries(firearm)[-1]
    digest = hashlib.sha256(PDF).hexdigest()
    assert entry.attachment.sha256 == digest and entry.attachment.content_type == "application/pdf"
    assert entry.attachment.firearm_id == firearm.id
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "custody.create")
                              .order_by(AuditEvent.seq.desc()))
    assert audit.details["attachment_sha256"] == digest
    assert digest in text(officer.get(f"/firearms/{firearm.id}"))
    printed = text(officer.get(f"/firearms/{firearm.id}/custody/print"))
    assert digest in printed and "acta de entrega.pdf" in printed and "Lucía Moreno" in printed
    assert db.session.get(Firearm, firearm.id).custody_status == "transferred"


def test_a_refused_document_refuses_the_entry(custody):
    officer, firearm = custody
    data = handover(document=(io.BytesIO(b"<html><script>alert(1)</script></html>"), "acta.pdf"))
    response = post_entry(officer, firearm, data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Only JPEG, PNG or WebP photos and PDF documents" in field_error(text(response), "document")
    assert len(entries(firearm)) == 1


def test_printing_the_chain_is_audited(custody):
    officer, firearm = custody
    photo = factories.photo(firearm, officer.user)
    db.session.commit()
    printed = officer.get(f"/firearms/{firearm.id}/custody/print")
    assert printed.status_code == 200
    body = text(printed)
    assert photo.sha256 in body and "Signature (received)" in body
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "custody.print",
                                                      AuditEvent.object_id == str(firearm.id))) is not None


def test_custody_cannot_start_before_the_seizure(custody):
    officer, firearm = custody  # seized on 2025-03-14
    response = post_entry(officer, firearm, handover(occurred_at="2025-03-13T23:59"))
    assert response.status_code == 400
    assert "before the seizure (2025-03-14)" in field_error(text(response), "occurred_at")
    assert post_entry(officer, firearm, handover(occurred_at="2025-03-14T00:00")).status_code == 302
