"""POST /api/v1/seizures and GET /api/v1/seizures/{id}."""
from __future__ import annotations

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from tests import factories
from tests.api.test_api import assert_error, bearer
from tracer.auth import tokens
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.seizures.models import Seizure


def caller(role: str = "officer", agency: str = "FGE-SON"):
    user = factories.user(role, factories.agency(agency))
    _, raw = tokens.issue_token(user, "script")
    db.session.commit()
    return user, raw


def body(case_id: int, firearms=None, **fields):
    return {"case_id": case_id, "seized_on": "2025-03-14", "seized_time": "22:15", "state": "26",
            "municipality": "Nogales", "locality": "Heroica Nogales", "latitude": 31.3086, "longitude": -110.9422,
            "circumstances": "Revisión en garita.\nDos armas ocultas.", "operation_name": "Frontera",
            "crime_category": "Firearms trafficking", "magazines_count": 3, "cartridges_count": 90,
            "firearms": firearms if firearms is not None else [
                {"firearm_type": "rifle", "manufacturer": "Colt", "model": "M4", "caliber": "5.56",
                 "serial_number": "LE123456", "country_of_manufacture": "US", "converted_to_automatic": True},
                {"firearm_type": "pistola", "manufacturer": "Taller Desconocido", "caliber": "9mm",
                 "serial_number": "", "serial_status": "limado", "notes": "Matrícula limada"},
            ], **fields}


@pytest.fixture
def officer(ctx, reference_data):
    user, raw = caller()
    case = factories.case(user.agency, user)
    db.session.commit()
    return user, raw, case


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_a_seizure_with_its_firearms(client, officer):
    user, raw, case = officer
    response = client.post("/api/v1/seizures", json=body(case.id), headers=bearer(raw))
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    seizure = db.session.get(Seizure, created["id"])
    assert response.headers["Location"].endswith(f"/api/v1/seizures/{seizure.id}")
    assert created["case_id"] == case.id and created["agency"] == "FGE-SON"
    assert created["municipality"] == "043" and created["municipality_name"] == "Nogales"
    assert created["seized_time"] == "22:15" and created["circumstances"].count("\n") == 1
    ids = [f["id"] for f in created["firearms"]]
    assert ids == sorted(ids) and len(ids) == 2
    first, second = (db.session.get(Firearm, i) for i in ids)
    assert first.serial_number == "LE123456" and first.converted_to_automatic and first.caliber.name == "5.56x45mm NATO"
    assert second.firearm_type == "pistol" and second.serial_status == "obliterated"
    assert created["firearms"][1]["manufacturer_known"] is False
    # The caller's language (Spanish by default) names the reason.
    assert created["warnings"] == {"firearms.1.manufacturer": [
        "Fabricante desconocido: se conserva tal como se escribió y se marca para revisión."]}

    read = client.get(f"/api/v1/seizures/{seizure.id}", headers=bearer(raw))
    assert read.status_code == 200
    assert [f["id"] for f in read.get_json()["firearms"]] == ids
    assert read.get_json()["url"] == f"/seizures/{seizure.id}"


def test_a_bad_firearm_names_its_row_and_writes_nothing(client, officer):
    _, raw, case = officer
    firearms = [{"firearm_type": "pistol", "caliber": "9mm", "serial_number": "A1"},
                {"firearm_type": "pistol", "caliber": "12 GA", "serial_number": "AB\u200b12"}]
    response = client.post("/api/v1/seizures", json=body(case.id, firearms, seized_on="2999-01-01"),
                           headers=bearer(raw))
    error = assert_error(response, 422, "validation_failed")
    assert set(error["details"]) == {"seized_on", "firearms.1.caliber", "firearms.1.serial_number"}
    assert count(Seizure) == 0 and count(Firearm) == 0


@pytest.mark.parametrize("payload, field", [
    ({"seized_on": 20250314}, "seized_on"),
    ({"unknown_field": "x"}, "unknown_field"),
    ({"latitude": "north"}, "latitude"),
    ({"firearms": [{"firearm_type": "pistol", "colour": "black"}]}, "firearms.0.colour"),
    ({"firearms": "three"}, "firearms"),
    ({"case_id": 10**30}, "case_id"),
    ({"magazines_count": -1}, "magazines_count"),
])
def test_malformed_fields_answer_422_naming_the_field(client, officer, payload, field):
    _, raw, case = officer
    error = assert_error(client.post("/api/v1/seizures", json=body(case.id) | payload, headers=bearer(raw)), 422)
    assert field in error["details"]


def test_a_ten_thousand_character_serial_is_refused(client, officer):
    _, raw, case = officer
    firearms = [{"firearm_type": "pistol", "serial_number": "9" * 10_000}]
    error = assert_error(client.post("/api/v1/seizures", json=body(case.id, firearms), headers=bearer(raw)), 422)
    assert "firearms.0.serial_number" in error["details"]


def test_not_json_answers_400(client, officer):
    _, raw, _case = officer
    assert_error(client.post("/api/v1/seizures", data="case_id=1", headers=bearer(raw)), 400)
    assert_error(client.post("/api/v1/seizures", data="{", content_type="application/json",
                             headers=bearer(raw)), 400)


def test_a_case_out_of_scope_answers_404(client, officer):
    _, raw, _case = officer
    jalisco, _ = caller("officer", "FGE-JAL")
    other = factories.case(jalisco.agency, jalisco)
    db.session.commit()
    error = assert_error(client.post("/api/v1/seizures", json=body(other.id), headers=bearer(raw)), 404)
    assert "case_id" in error["details"]
    assert count(Seizure) == 0


def test_a_case_in_view_but_of_another_agency_answers_403(client, officer):
    user, _raw, case = officer
    factories.agency("SSP-SON", level="state", state_code="26")
    _colleague, raw = caller("officer", "SSP-SON")  # another agency of Sonora: sees the case, may not add to it
    assert client.get(f"/api/v1/cases/{case.id}", headers=bearer(raw)).status_code == 200
    assert_error(client.post("/api/v1/seizures", json=body(case.id), headers=bearer(raw)), 403)


@pytest.mark.parametrize("role, agency", [("liaison", "ATF-MX"), ("admin", "FGR")])
def test_liaison_and_admin_may_not_create_or_read(client, officer, role, agency):
    _, _raw, case = officer
    seizure = factories.seizure(case)
    db.session.commit()
    _, raw = caller(role, agency)
    assert_error(client.post("/api/v1/seizures", json=body(case.id), headers=bearer(raw)), 403, "forbidden")
    assert_error(client.get(f"/api/v1/seizures/{seizure.id}", headers=bearer(raw)), 403)


def test_reading_a_seizure_follows_scope(client, officer):
    _, raw, case = officer
    seizure = factories.seizure(case)
    db.session.commit()
    _, jalisco = caller("officer", "FGE-JAL")
    _, federal = caller("analyst", "FGR")
    assert_error(client.get(f"/api/v1/seizures/{seizure.id}", headers=bearer(jalisco)), 404)
    assert client.get(f"/api/v1/seizures/{seizure.id}", headers=bearer(federal)).status_code == 200
    assert_error(client.get("/api/v1/seizures/999999", headers=bearer(raw)), 404)


def test_the_openapi_document_describes_the_seizure_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert {"post"} <= set(document["paths"]["/api/v1/seizures"])
    assert set(document["paths"]["/api/v1/firearms/{firearm_id}"]) == {"get", "patch"}
    assert set(document["paths"]["/api/v1/firearms/{firearm_id}/custody"]) == {"get", "post"}
    schema = document["components"]["schemas"]["SeizureIn"]
    assert "firearms.<index>.<field>" in schema["description"]
    assert schema["additionalProperties"] is False
