"""The auditor role in the administrator's hands: which agencies may hold one, and its label."""
from __future__ import annotations

import re

import pytest

from tests.auth.helpers import field_error_text, field_value, page
from tests.auth.test_admin import agency_form, stored_agency, stored_user, user_form


@pytest.fixture
def admin(sign_in):
    return sign_in("admin", locale="en")


def test_an_auditor_belongs_to_a_mexican_agency(admin, agency_id, app):
    """The trail records Mexican case work: a US partner's office holds no auditor."""
    refused = admin.post("/admin/users/new", user_form(agency_id("ATF-MX"), role="auditor", username="auditor.atf"))
    assert refused.status_code == 400
    assert field_error_text(page(refused), "role") == "Auditors belong to a Mexican agency (federal or state)."
    assert field_value(page(refused), "full_name") == "Nuevo Agente Pérez"
    assert stored_user(app, "auditor.atf") is None
    for acronym in ("FGR", "FGE-SON"):
        created = admin.post("/admin/users/new", user_form(agency_id(acronym), role="auditor",
                                                            username=f"auditor.{acronym.lower()}"))
        assert created.status_code == 200, acronym
        assert stored_user(app, f"auditor.{acronym.lower()}").role == "auditor"


def test_an_agency_holding_an_auditor_cannot_become_a_us_agency(admin, make_user, agency_id, app):
    make_user("auditor", "FGE-JAL", username="auditora.jal")
    response = admin.post(f"/admin/agencies/{agency_id('FGE-JAL')}", agency_form(
        acronym="FGE-JAL", name="Fiscalía del Estado de Jalisco", level="us", state_code=""))
    assert response.status_code == 400
    assert "auditora.jal" in field_error_text(page(response), "level")
    assert stored_agency(app, "FGE-JAL").level == "state"


def test_the_user_form_offers_the_auditor_role_in_the_readers_language(sign_in):
    spanish_admin = sign_in("admin", locale="es")
    form = page(spanish_admin.get("/admin/users/new"))
    assert re.search(r'<option value="auditor">Auditor\(a\)</option>', form)
