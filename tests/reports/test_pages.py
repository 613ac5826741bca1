"""The report page and its PDF, as the people who may (and may not) read them see them."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests import factories
from tests.reports.conftest import PURCHASER
from tracer.audit.models import AuditEvent
from tracer.cases.signals import case_transitioned
from tracer.extensions import db
from tracer.reports.models import CaseReportExport, CaseReportVersion


def _pdf_text(data: bytes) -> tuple[str, dict]:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(page.extract_text() for page in reader.pages), dict(reader.metadata)


def test_the_page_shows_the_report_in_spanish_with_its_map_and_hash(report_case, login_as):
    browser = login_as("officer")
    response = browser.get(f"/cases/{report_case.case.id}/report")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert report_case.case.reference in page and "Tráfico por Nogales" in page
    assert "Border Guns LLC" in page and "<svg" in page
    assert "SHA-256" in page and "Borrador actual" in page
    assert "Copia testada" in page and PURCHASER not in page  # an officer reads no personal data
    assert f"/cases/{report_case.case.id}/report.pdf" in page


def test_the_page_in_english(report_case, login_as):
    browser = login_as("analyst", locale="en")
    page = browser.get(f"/cases/{report_case.case.id}/report").get_data(as_text=True)
    assert "Case report" in page and "Firearms and trace results" in page
    assert PURCHASER in page  # an analyst of the case reads the purchaser


def test_the_case_page_links_to_its_report(report_case, login_as):
    page = login_as("officer").get(f"/cases/{report_case.case.id}").get_data(as_text=True)
    assert f"/cases/{report_case.case.id}/report" in page


def test_a_case_with_no_seizures_renders_and_says_so(ctx, login_as):
    case = factories.case("FGR")
    db.session.commit()
    browser = login_as("supervisor")
    page = browser.get(f"/cases/{case.id}/report").get_data(as_text=True)
    assert "No se registraron aseguramientos en este caso." in page
    response = browser.get(f"/cases/{case.id}/report.pdf")
    assert response.status_code == 200
    text, _meta = _pdf_text(response.data)
    assert case.reference in text and "No se registraron aseguramientos en este caso." in text


def test_the_pdf_holds_the_reference_and_hash_in_text_and_metadata(report_case, login_as):
    browser = login_as("analyst")
    response = browser.get(f"/cases/{report_case.case.id}/report.pdf?paper=a4")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{report_case.case.reference}-v1.pdf"')
    version = db.session.scalar(select(CaseReportVersion).where(CaseReportVersion.case_id == report_case.case.id))
    text, meta = _pdf_text(response.data)
    assert report_case.case.reference in text
    assert version.sha256 in text.replace("\n", "").replace(" ", "")
    assert meta["/TracerReportSHA256"] == version.sha256 and meta["/TracerReportVersion"] == "1"
    assert "1 / " in text  # page numbers
    reader = PdfReader(io.BytesIO(response.data))
    assert round(float(reader.pages[0].mediabox.width)) == 595  # A4


def test_the_export_is_audited_without_personal_data(report_case, login_as):
    browser = login_as("analyst")
    browser.get(f"/cases/{report_case.case.id}/report.pdf")
    [export] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.export"))
    assert export.case_id == report_case.case.id and export.details["format"] == "pdf"
    assert export.username == browser.user.username
    assert PURCHASER not in str(export.details)
    [kept] = db.session.scalars(select(CaseReportExport)).all()
    assert kept.file_sha256 == export.details["file_sha256"] and kept.created_by_id == browser.user.id
    reads = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data.read")).all()
    assert reads and all(PURCHASER not in str(read.details) for read in reads)


def test_an_approved_case_shows_the_approved_version_and_lists_earlier_ones(report_case, login_as):
    browser = login_as("supervisor")
    browser.get(f"/cases/{report_case.case.id}/report.pdf")  # version 1, a printed draft
    supervisor = factories.user("supervisor", factories.agency("FGR"))
    report_case.case.status = "approved"
    case_transitioned.send(supervisor, case=report_case.case, action="approve", from_status="in_review",
                           to_status="approved", comment=None)
    report_case.case.title = "Título cambiado tras aprobar"
    db.session.commit()
    page = browser.get(f"/cases/{report_case.case.id}/report").get_data(as_text=True)
    assert "Versión 2" in page and "Aprobada" in page
    assert "Tráfico por Nogales" in page and "Título cambiado tras aprobar" not in page
    assert f"/cases/{report_case.case.id}/report.pdf?version=1" in page
    old = browser.get(f"/cases/{report_case.case.id}/report?version=1").get_data(as_text=True)
    assert "Versión 1" in old


def test_a_printed_draft_is_shown_as_its_stored_version_until_the_case_changes(report_case, login_as):
    browser = login_as("officer")
    browser.get(f"/cases/{report_case.case.id}/report.pdf")
    page = browser.get(f"/cases/{report_case.case.id}/report").get_data(as_text=True)
    assert "Versión 1 del informe (borrador)" in page
    report_case.case.summary = "Nuevos hechos."
    db.session.commit()
    page = browser.get(f"/cases/{report_case.case.id}/report").get_data(as_text=True)
    assert "Borrador actual, aún no guardado" in page


def test_an_unknown_paper_size_is_refused_naming_the_field(report_case, login_as):
    response = login_as("officer").get(f"/cases/{report_case.case.id}/report.pdf?paper=legal")
    assert response.status_code == 400
    assert "Tamaño de papel" in response.get_data(as_text=True)
    assert db.session.scalars(select(CaseReportVersion)).all() == []


def test_an_unknown_version_is_not_found(report_case, login_as):
    browser = login_as("officer")
    for value in ("99", "abc", "-1", "99999999999999999999"):
        assert browser.get(f"/cases/{report_case.case.id}/report?version={value}").status_code == 404
        assert browser.get(f"/cases/{report_case.case.id}/report.pdf?version={value}").status_code == 404


@pytest.mark.parametrize("role", ["liaison", "admin", "auditor"])
def test_roles_outside_the_case_get_not_found(report_case, login_as, role):
    browser = login_as(role, "ATF-MX" if role == "liaison" else "FGR")
    assert browser.get(f"/cases/{report_case.case.id}/report").status_code == 404
    assert browser.get(f"/cases/{report_case.case.id}/report.pdf").status_code == 404
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.export")).all() == []


def test_a_case_out_of_scope_is_not_found(report_case, login_as):
    browser = login_as("analyst", "FGE-JAL")
    assert browser.get(f"/cases/{report_case.case.id}/report").status_code == 404
    assert browser.get(f"/cases/{report_case.case.id}/report.pdf").status_code == 404


def test_anonymous_is_sent_to_sign_in(report_case, client):
    response = client.get(f"/cases/{report_case.case.id}/report.pdf")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
