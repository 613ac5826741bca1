"""Who a seizure may be recorded for (SPEC §2, seizing agency), on every channel.

A seizure is recorded for the user's own agency; a federal user may record it for any
Mexican agency; a state user for their own agency or a federal one acting with it;
nobody for a US agency, and a state user never for another state's agency.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.api.test_api import assert_error, bearer
from tests.seizures import import_helpers
from tests.seizures.helpers import field_error, field_value, new_case, row, seizure_form, text
from tests.seizures.sample_csv import csv_bytes
from tests.seizures.test_import_page import table_rows, upload
from tracer.auth import tokens
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.seizures.models import Seizure
from tracer.seizures.services import may_record_for, seizing_agencies_for

AGENCIES = ("FGR", "SEDENA", "FGE-SON", "FGE-JAL", "ATF-MX")


@pytest.fixture
def agencies(ctx, reference_data):
    made = {acronym: factories.agency(acronym) for acronym in AGENCIES}
    db.session.commit()
    return made


def seizures() -> int:
    return db.session.scalar(select(func.count()).select_from(Seizure))


# --- the rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize("own, allowed", [
    ("FGR", {"FGR", "SEDENA", "FGE-SON", "FGE-JAL", "SSP-SON"}),
    ("FGE-SON", {"FGE-SON", "FGR", "SEDENA"}),
])
def test_the_agencies_a_user_may_record_for(agencies, own, allowed):
    factories.agency("SSP-SON", level="state", state_code="26")  # another agency of the same state
    user = factories.user("officer", agencies[own])
    choices = [agency.acronym for agency in seizing_agencies_for(user)]
    assert choices[0] == own and set(choices) == allowed
    assert not may_record_for(user, agencies["ATF-MX"])


# --- the web form ---------------------------------------------------------------------------------


@pytest.fixture
def sonora_officer(login_as, agencies):
    signed = login_as("officer", "FGE-SON", locale="en")
    signed.case = new_case(signed.user)
    return signed


def agency_options(page: str) -> list[str]:
    select_ = re.search(r'<select[^>]*name="agency"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option[^>]*value="([^"]*)"', select_)


def test_the_form_offers_only_the_agencies_the_user_may_record_for(sonora_officer, login_as):
    page = text(sonora_officer.get("/seizures/new"))
    assert agency_options(page)[0] == "FGE-SON" and set(agency_options(page)) == {"FGE-SON", "FGR", "SEDENA"}
    assert field_value(page, "agency") == "FGE-SON"
    federal = text(login_as("officer", "FGR", locale="en").get("/seizures/new"))
    assert set(agency_options(federal)) == {"FGR", "SEDENA", "FGE-SON", "FGE-JAL"}


@pytest.mark.parametrize("acronym", ["ATF-MX", "FGE-JAL"])
def test_the_form_refuses_another_agency_and_keeps_what_was_typed(sonora_officer, acronym):
    data = seizure_form(sonora_officer.case.id, [row(serial_number="XK-99871")], agency=acronym,
                        locality="Ejido La Victoria", operation_name="Operativo Frontera")
    response = sonora_officer.post("/seizures/new", data, token_from="/seizures/new")
    assert response.status_code == 400
    page = text(response)
    assert f"You may not record a seizure for {acronym}" in field_error(page, "agency")
    assert field_value(page, "locality") == "Ejido La Victoria"
    assert field_value(page, "operation_name") == "Operativo Frontera"
    assert field_value(page, "firearms-0-serial_number") == "XK-99871"
    assert seizures() == 0


def test_the_form_records_a_seizure_for_a_federal_agency_acting_with_the_state(sonora_officer):
    data = seizure_form(sonora_officer.case.id, [row()], agency="SEDENA")
    response = sonora_officer.post("/seizures/new", data, token_from="/seizures/new")
    assert response.status_code == 302, text(response)[:800]
    assert db.session.scalar(select(Seizure)).agency.acronym == "SEDENA"


# --- the API --------------------------------------------------------------------------------------


def api_caller(agency):
    user = factories.user("officer", agency, locale="en")
    _, raw = tokens.issue_token(user, "script")
    case = factories.case(agency, user)
    db.session.commit()
    return raw, case


def api_body(case_id: int, **fields):
    return {"case_id": case_id, "seized_on": "2025-03-14", "state": "26", "municipality": "Hermosillo",
            "latitude": 29.0729, "longitude": -110.9559,
            "firearms": [{"firearm_type": "pistol", "manufacturer": "Glock", "model": "19", "caliber": "9mm",
                          "serial_number": "BXK555", "country_of_manufacture": "AT", "importer": "Glock Inc."}],
            **fields}


@pytest.mark.parametrize("own, acronym, message", [
    ("FGE-SON", "ATF-MX", "You may not record a seizure for ATF-MX: choose your own agency or a federal agency"),
    ("FGE-SON", "FGE-JAL", "You may not record a seizure for FGE-JAL: choose your own agency or a federal agency"),
    ("FGR", "ATF-MX", "You may not record a seizure for ATF-MX: choose your own agency or another Mexican"),
])
def test_the_api_answers_422_naming_the_agency(client, agencies, own, acronym, message):
    raw, case = api_caller(agencies[own])
    response = client.post("/api/v1/seizures", json=api_body(case.id, agency=acronym),
                           headers=bearer(raw))
    error = assert_error(response, 422, "validation_failed")
    assert list(error["details"]) == ["agency"] and error["details"]["agency"][0].startswith(message)
    assert seizures() == 0


@pytest.mark.parametrize("own, acronym", [("FGE-SON", "SEDENA"), ("FGE-SON", "FGE-SON"), ("FGR", "FGE-JAL")])
def test_the_api_records_for_an_allowed_agency(client, agencies, own, acronym):
    raw, case = api_caller(agencies[own])
    response = client.post("/api/v1/seizures", json=api_body(case.id, agency=acronym), headers=bearer(raw))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["agency"] == acronym


# --- the CSV import, from the command line and from the upload page --------------------------------


def test_the_command_line_import_names_the_agency_column_and_value(app, agencies, tmp_path):
    user = factories.user("officer", agencies["FGE-SON"])
    db.session.commit()
    path = tmp_path / "aseguramientos.csv"
    path.write_bytes(csv_bytes([import_helpers.row("E1", "S-1"), import_helpers.row("E2", "S-2", agency="ATF-MX"),
                                import_helpers.row("E3", "S-3", agency="FGE-JAL")]))
    result = app.test_cli_runner().invoke(args=["import", "seizures", str(path), "--user", user.username,
                                                "--lang", "en"])
    assert result.exit_code == 1, result.output
    assert ("Error: line 3, column agency, value “ATF-MX”: You may not record a seizure for ATF-MX: choose your "
            "own agency or a federal agency acting with it.") in result.stdout
    assert "line 4, column agency, value “FGE-JAL”" in result.stdout
    assert db.session.scalar(select(func.count()).select_from(Firearm)) == 0


def test_the_upload_page_reports_the_agency_column_in_spanish(login_as, agencies):
    officer = login_as("officer", "FGE-SON", locale="es")
    response = upload(officer, csv_bytes([import_helpers.row("E1", "S-1", agency="ATF-MX")]))
    assert response.status_code == 422
    [cells] = table_rows(response.get_data(as_text=True))
    assert "agency" in cells and "ATF-MX" in cells
    assert any("No puede registrar un aseguramiento a nombre de ATF-MX" in cell for cell in cells)
    assert seizures() == 0


def test_a_federal_import_may_record_for_a_state_agency_but_not_a_us_one(agencies):
    user = factories.user("officer", agencies["FGR"])
    db.session.commit()
    report = import_helpers.run(user, [import_helpers.row("E1", "S-1", agency="FGE-JAL")])
    assert report.outcome == "imported"
    assert db.session.scalar(select(Seizure)).agency.acronym == "FGE-JAL"
    refused = import_helpers.run(user, [import_helpers.row("E2", "S-2", agency="atf-mx")])
    assert refused.rejected and [(p.line, p.column) for p in refused.problems] == [(2, "agency")]
