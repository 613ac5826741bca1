"""Fields a user may not set, slipped into forms and API bodies: ``agency_id``, ``role``,
``status``, ``version`` (and the owning agency) are refused or ignored, never applied."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from tracer.auth.models import User
from tracer.cases.models import Case
from tracer.extensions import db

pytestmark = pytest.mark.security

SLIPPED = {"agency_id": None, "owner_agency_id": None, "role": "admin", "status": "approved", "version": 41}


@pytest.fixture
def elsewhere(ctx):
    return factories.agency("FGE-JAL").id


def _slipped(agency_id: int) -> dict:
    return {**SLIPPED, "agency_id": agency_id, "owner_agency_id": agency_id}


def test_every_api_body_refuses_fields_it_does_not_name(client):
    """No body schema takes fields it does not list; none lists an owning agency, and the caller's
    own account takes no role."""
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if "requestBody" not in operation:
                continue
            name = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            assert schemas[name].get("additionalProperties") is False, f"{method} {path}"
            assert not {"agency_id", "owner_agency_id"} & set(schemas[name]["properties"]), f"{method} {path}"
    assert "role" not in schemas["MeUpdate"]["properties"]


def test_a_case_created_through_the_api_keeps_its_owner_and_status(api, elsewhere):
    call = api("officer", "FGE-SON")
    response = call("POST", "/cases", json={"title": "Caso con campos de más", **_slipped(elsewhere)})
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert set(SLIPPED) <= set(details)
    assert db.session.scalar(select(Case).where(Case.title == "Caso con campos de más")) is None


def test_a_case_update_through_the_api_does_not_move_or_approve_it(api, elsewhere):
    call = api("officer", "FGE-SON")
    case_id = call("POST", "/cases", json={"title": "Caso propio"}).get_json()["id"]
    stored = call("GET", f"/cases/{case_id}").get_json()
    response = call("PATCH", f"/cases/{case_id}", json={"version": stored["version"], "title": "Otro título",
                                                        "status": "approved", "agency_id": elsewhere})
    assert response.status_code == 422
    after = call("GET", f"/cases/{case_id}").get_json()
    assert (after["title"], after["status"], after["owner_agency"]["acronym"]) == ("Caso propio", "open", "FGE-SON")


def test_no_one_makes_themselves_an_administrator_through_the_api(api, elsewhere):
    call = api("analyst", "FGE-SON")
    response = call("PATCH", "/me", json={"full_name": "Nombre", "role": "admin", "agency_id": elsewhere})
    assert response.status_code == 422
    user = db.session.get(User, call.user.id)
    db.session.refresh(user)
    assert (user.role, user.agency.acronym, user.full_name) != ("admin", "FGE-JAL", "Nombre")
    assert (user.role, user.agency.acronym) == ("analyst", "FGE-SON")


def test_the_case_form_ignores_fields_it_does_not_show(login_as, elsewhere):
    officer = login_as("officer", "FGE-SON")
    response = officer.post("/cases/new", {"title": "Caso del formulario", "priority": "normal",
                                           **_slipped(elsewhere)}, token_from="/cases/new")
    assert response.status_code == 302
    case = db.session.scalar(select(Case).where(Case.title == "Caso del formulario"))
    assert (case.owner_agency.acronym, case.status, case.version) == ("FGE-SON", "open", 1)

    response = officer.post(f"/cases/{case.id}/edit", {"title": "Caso editado", "priority": "normal",
                                                       "version": case.version, "status": "closed",
                                                       "owner_agency_id": elsewhere},
                            token_from=f"/cases/{case.id}/edit")
    db.session.refresh(case)
    assert response.status_code == 302
    assert (case.title, case.owner_agency.acronym, case.status) == ("Caso editado", "FGE-SON", "open")


def test_the_profile_form_never_changes_the_role(login_as, elsewhere):
    analyst = login_as("analyst", "FGE-SON")
    analyst.post("/auth/tokens", {"name": "script", "password": factories.PASSWORD, **_slipped(elsewhere)},
                 token_from="/auth/profile")
    user = db.session.get(User, analyst.user.id)
    db.session.refresh(user)
    assert (user.role, user.agency.acronym) == ("analyst", "FGE-SON")
