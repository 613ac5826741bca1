"""The report's linked cases: in full when the reader may see them, another agency's only as a
restricted entry, in the PDF too, and frozen with an approved version."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests import factories
from tests.networks.conftest import confirmed_hit, seized_case
from tracer.audit.models import AuditEvent
from tracer.cases.signals import case_transitioned
from tracer.deconfliction.budget import EXTENSION, DisclosureBudget
from tracer.deconfliction.models import DeconflictionNotice
from tracer.extensions import db
from tracer.reports import services
from tracer.reports.context import canonical_content, report_context
from tracer.reports.models import CaseReportVersion

SERIAL = "LINK0001"


@dataclass
class Linked:
    case: object
    sonora: object  # same agency, same firearm and a ballistic hit
    jalisco: object  # another state's agency, the same firearm


@pytest.fixture
def linked(ctx, reference_data) -> Linked:
    case, _ = seized_case("FGE-SON", serial_number=SERIAL)
    sonora, _ = seized_case("FGE-SON", serial_number=SERIAL)
    jalisco, _ = seized_case("FGE-JAL", serial_number=SERIAL)
    case.title, sonora.title, jalisco.title = "Pistolas en Nogales", "Cateo en Agua Prieta", "Cateo en Zapopan"
    confirmed_hit(case, sonora)
    db.session.commit()
    return Linked(case, sonora, jalisco)


def _entries(reader, case, version=None):
    report = report_context(reader, case, version)
    return report, report.content["linked_cases"]["entries"]


def _pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_linked_case_in_scope_is_listed_in_full_with_its_kinds_and_evidence(linked):
    supervisor = factories.user("supervisor", factories.agency("FGE-SON"))
    report, entries = _entries(supervisor, linked.case)
    in_scope = [entry for entry in entries if not entry["restricted"]]
    assert [(entry["reference"], entry["title"], entry["agency"]) for entry in in_scope] == [
        (linked.sonora.reference, "Cateo en Agua Prieta", "FGE-SON")]
    assert in_scope[0]["kinds"] == ["same_firearm", "ballistic_hit"]
    assert [(e["kind"], e["type"], e["count"]) for e in in_scope[0]["evidence"]] == [
        ("same_firearm", "firearm", 2), ("ballistic_hit", "ballistic_item", 2)]


def test_the_page_shows_the_linked_case_with_readable_kinds_in_both_languages(linked, login_as):
    spanish = login_as("supervisor", "FGE-SON").get(f"/cases/{linked.case.id}/report").get_data(as_text=True)
    assert "Casos vinculados" in spanish and linked.sonora.reference in spanish
    assert "Cateo en Agua Prieta" in spanish and "Misma arma" in spanish and "Hit balístico" in spanish
    english = login_as("analyst", "FGE-SON", locale="en").get(f"/cases/{linked.case.id}/report").get_data(as_text=True)
    assert "Linked cases" in english and "Same firearm" in english and "Ballistic hit" in english


def test_another_agencys_case_is_only_a_restricted_entry(linked, login_as):
    browser = login_as("supervisor", "FGE-SON")
    page = browser.get(f"/cases/{linked.case.id}/report").get_data(as_text=True)
    assert linked.jalisco.reference not in page and "Cateo en Zapopan" not in page
    assert "Restringido" in page and "Fiscalía del Estado de Jalisco" in page and "Contacto FGE-JAL" in page
    _report, entries = _entries(browser.user, linked.case)
    [restricted] = [entry for entry in entries if entry["restricted"]]
    assert restricted["agency"]["acronym"] == "FGE-JAL" and restricted["kinds"] == ["same_firearm"]
    assert restricted["reference"].startswith("DC-") and restricted["reference"] in page
    assert set(restricted) == {"restricted", "reference", "kinds", "agency"}  # nothing of their case
    assert "Copia testada" in page  # the copy withholds part of what the version's hash covers
    # The disclosure went through the one disclosure service: audited, and the owning agency told.
    notices = db.session.scalars(select(DeconflictionNotice).where(
        DeconflictionNotice.told_user_id == browser.user.id)).all()
    assert {(notice.channel, notice.owner_agency.acronym) for notice in notices} == {("link", "FGE-JAL")}
    disclosed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "deconfliction.disclose",
                                                            AuditEvent.username == browser.user.username)).all()
    assert disclosed and all(linked.jalisco.reference not in str(event.details) for event in disclosed)


def test_a_federal_reader_sees_the_other_agencys_case_in_full(linked, login_as):
    page = login_as("supervisor", "FGR").get(f"/cases/{linked.case.id}/report").get_data(as_text=True)
    assert linked.jalisco.reference in page and "Cateo en Zapopan" in page and "Restringido" not in page


def test_the_pdf_lists_the_linked_cases(linked, login_as):
    response = login_as("supervisor", "FGE-SON").get(f"/cases/{linked.case.id}/report.pdf")
    assert response.status_code == 200
    text = _pdf_text(response.data)
    assert "Casos vinculados" in text and linked.sonora.reference in text and "Misma arma" in text
    assert "FGE-JAL" in text and linked.jalisco.reference not in text and "Zapopan" not in text


def test_an_approved_version_keeps_the_links_it_was_approved_with(linked, login_as):
    supervisor = factories.user("supervisor", factories.agency("FGE-SON"))
    linked.case.status = "approved"
    case_transitioned.send(supervisor, case=linked.case, action="approve", from_status="in_review",
                           to_status="approved", comment=None)
    db.session.commit()
    frozen = services.approved_version(linked.case)
    later, _ = seized_case("FGE-SON", serial_number=SERIAL)  # a new link after the approval
    later.title = "Aseguramiento posterior"
    db.session.commit()
    assert later.reference in json.dumps(canonical_content(linked.case))  # the current content has it
    assert db.session.get(CaseReportVersion, frozen.id).sha256 == frozen.sha256
    _report, entries = _entries(supervisor, linked.case, frozen)
    assert [entry["reference"] for entry in entries if not entry["restricted"]] == [linked.sonora.reference]
    page = login_as("supervisor", "FGE-SON").get(f"/cases/{linked.case.id}/report").get_data(as_text=True)
    assert linked.sonora.reference in page and later.reference not in page
    assert "Aseguramiento posterior" not in page


def test_the_stored_content_is_the_same_whoever_reads_it(linked):
    sonora = factories.user("officer", factories.agency("FGE-SON"))
    federal = factories.user("analyst", factories.agency("FGR"))
    stored = canonical_content(linked.case)["linked_cases"]
    assert [entry["reference"] for entry in stored["cases"]] == sorted(
        [linked.sonora.reference, linked.jalisco.reference])
    restricted, shown = report_context(sonora, linked.case), report_context(federal, linked.case)
    assert restricted.sha256 == shown.sha256
    assert restricted.redacted and not shown.redacted


def test_a_case_linked_to_nothing_says_so(ctx, login_as):
    case = factories.case("FGR")
    db.session.commit()
    assert canonical_content(case)["linked_cases"] == {"cases": [], "truncated": False}
    page = login_as("supervisor").get(f"/cases/{case.id}/report").get_data(as_text=True)
    assert "Casos vinculados" in page and "Ningún otro caso está vinculado" in page


def test_past_the_disclosure_limit_another_agencys_case_is_withheld_and_the_reader_told(linked, login_as, app):
    kept = app.extensions[EXTENSION]
    app.extensions[EXTENSION] = DisclosureBudget("memory://", 0, key_prefix="reports-test")
    try:
        page = login_as("supervisor", "FGE-SON").get(f"/cases/{linked.case.id}/report").get_data(as_text=True)
    finally:
        app.extensions[EXTENSION] = kept
    assert "Alcanzó el límite por hora" in page and linked.sonora.reference in page
    assert "Fiscalía del Estado de Jalisco" not in page and linked.jalisco.reference not in page
    assert "Copia testada" in page
