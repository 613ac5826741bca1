"""GET /api/v1/firearms/{id}/readiness, POST /api/v1/firearms/{id}/trace-requests, GET /api/v1/trace-requests."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.api.test_api import assert_error, bearer
from tests.tracing.helpers import not_ready_firearm, ready_firearm
from tracer.audit.models import AuditEvent
from tracer.auth import tokens
from tracer.extensions import db
from tracer.tracing.models import TraceRequest


def caller(role="analyst", agency="FGE-SON", locale="en"):
    user = factories.user(role, factories.agency(agency), locale=locale)
    _, raw = tokens.issue_token(user, "script")
    db.session.commit()
    return user, raw


@pytest.fixture
def setup(ctx, reference_data):
    """The US office, an English-speaking analyst of the FGE-SON (token) and a case of theirs."""
    factories.agency("ATF-MX")
    user, raw = caller()
    case = factories.case("FGE-SON")
    db.session.commit()
    return user, raw, case


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(TraceRequest))


def test_readiness_of_a_firearm(client, setup):
    _user, raw, case = setup
    firearm = not_ready_firearm(case, manufacturer="Armas Patito")
    db.session.commit()
    response = client.get(f"/api/v1/firearms/{firearm.id}/readiness", headers=bearer(raw))
    assert response.status_code == 200
    body = response.get_json()
    assert body["ready"] is False and body["missing"] == ["importer"]
    assert body["suspect"] == [{"field": "manufacturer", "reason": "“Armas Patito” is not in the reference list of "
                                                                   "manufacturers: check the spelling."}]
    ready = ready_firearm(case)
    db.session.commit()
    assert client.get(f"/api/v1/firearms/{ready.id}/readiness", headers=bearer(raw)).get_json() == \
        {"ready": True, "missing": [], "suspect": []}


def test_readiness_is_in_the_callers_language(client, setup):
    _user, _raw, case = setup
    _spanish, raw = caller("officer", locale="es")
    firearm = not_ready_firearm(case, manufacturer="Armas Patito")
    db.session.commit()
    body = client.get(f"/api/v1/firearms/{firearm.id}/readiness", headers=bearer(raw)).get_json()
    assert body["missing"] == ["importer"]
    assert body["suspect"][0]["reason"] == ("«Armas Patito» no está en la lista de referencia de fabricantes: "
                                            "revise cómo está escrito.")


def test_request_a_trace(client, setup):
    user, raw, case = setup
    firearm = ready_firearm(case)
    db.session.commit()
    response = client.post(f"/api/v1/firearms/{firearm.id}/trace-requests", json={"priority": "urgent", "urgent_justification": "Plazo de 48 horas."},
                           headers=bearer(raw))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "submitted" and body["addressed_to"] == "ATF-MX" and body["priority"] == "urgent"
    assert body["trace_number"].startswith("RT-") and body["firearm_id"] == firearm.id
    assert body["identifiers"]["serial_number"] == "BXK123" and body["url"] == f"/trace-requests/{body['id']}"
    assert body["requesting_agency"]["acronym"] == "FGE-SON" and body["requested_by"] == user.full_name
    assert response.headers["Location"] == f"/api/v1/trace-requests/{body['id']}"
    assert "purchaser_name" not in body
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(body["id"]),
                                                                AuditEvent.object_type == "trace_request")).all()
    assert events == ["trace_request.create", "trace_request.submit"]


def test_the_body_is_optional(client, setup):
    _user, raw, case = setup
    firearm = ready_firearm(case)
    db.session.commit()
    response = client.post(f"/api/v1/firearms/{firearm.id}/trace-requests", headers=bearer(raw))
    assert response.status_code == 201 and response.get_json()["priority"] == "routine"


def test_a_firearm_that_is_not_ready_answers_422_with_what_is_missing(client, setup):
    _user, raw, case = setup
    firearm = not_ready_firearm(case, model="")
    db.session.commit()
    response = client.post(f"/api/v1/firearms/{firearm.id}/trace-requests", json={}, headers=bearer(raw))
    assert_error(response, 422, "validation_failed")
    details = response.get_json()["error"]["details"]
    assert details["missing"] == ["model", "importer"]
    assert details["model"] == ["The model is missing."]
    assert details["importer"][0].startswith("The importer is missing")
    assert _count() == 0


def test_a_second_request_for_the_same_recovery_answers_409(client, setup):
    _user, raw, case = setup
    firearm = ready_firearm(case)
    db.session.commit()
    first = client.post(f"/api/v1/firearms/{firearm.id}/trace-requests", headers=bearer(raw)).get_json()
    response = client.post(f"/api/v1/firearms/{firearm.id}/trace-requests", headers=bearer(raw))
    assert_error(response, 409, "trace_already_requested")
    error = response.get_json()["error"]
    assert first["trace_number"] in error["message"] and error["details"]["trace_number"] == first["trace_number"]
    assert _count() == 1


@pytest.mark.parametrize("body, field", [({"priority": "asap"}, "priority"), ({"addressed_to": "FGE-SON"}, "addressed_to"),
                                         ({"addressed_to": "ATF-MX", "color": "red"}, "color")])
def test_bad_bodies_name_the_field(client, setup, body, field):
    factories.agency("FGE-SON")
    _user, raw, case = setup
    firearm = ready_firearm(case)
    db.session.commit()
    response = client.post(f"/api/v1/firearms/{firearm.id}/trace-requests", json=body, headers=bearer(raw))
    assert_error(response, 422)
    assert field in response.get_json()["error"]["details"]
    assert _count() == 0


def test_a_body_that_is_not_json_is_malformed(client, setup):
    _user, raw, case = setup
    firearm = ready_firearm(case)
    db.session.commit()
    response = client.post(f"/api/v1/firearms/{firearm.id}/trace-requests", data="priority=urgent",
                           headers={**bearer(raw), "Content-Type": "text/plain"})
    assert_error(response, 400)


def test_another_states_user_gets_404(client, setup):
    _user, raw, case = setup
    firearm = ready_firearm(case)
    db.session.commit()
    _jalisco, jal_raw = caller("analyst", "FGE-JAL")
    assert_error(client.get(f"/api/v1/firearms/{firearm.id}/readiness", headers=bearer(jal_raw)), 404)
    assert_error(client.post(f"/api/v1/firearms/{firearm.id}/trace-requests", headers=bearer(jal_raw)), 404)
    created = client.post(f"/api/v1/firearms/{firearm.id}/trace-requests", headers=bearer(raw)).get_json()
    assert_error(client.get(f"/api/v1/trace-requests/{created['id']}", headers=bearer(jal_raw)), 404)
    assert client.get("/api/v1/trace-requests", headers=bearer(jal_raw)).get_json()["total"] == 0


def test_officers_may_read_readiness_but_not_request(client, setup):
    _user, _raw, case = setup
    firearm = ready_firearm(case)
    _officer, raw = caller("officer")
    assert client.get(f"/api/v1/firearms/{firearm.id}/readiness", headers=bearer(raw)).status_code == 200
    assert_error(client.post(f"/api/v1/firearms/{firearm.id}/trace-requests", headers=bearer(raw)), 403)


def test_the_list_is_scoped_filtered_and_paged(client, setup):
    _user, raw, case = setup
    firearms = [ready_firearm(case) for _ in range(3)]
    db.session.commit()
    created = [client.post(f"/api/v1/firearms/{f.id}/trace-requests", headers=bearer(raw)).get_json()
               for f in firearms]
    body = client.get("/api/v1/trace-requests?per_page=2", headers=bearer(raw)).get_json()
    assert (body["total"], body["per_page"], body["page"], len(body["items"])) == (3, 2, 1, 2)
    assert [item["id"] for item in body["items"]] == [created[2]["id"], created[1]["id"]]  # newest first
    assert client.get("/api/v1/trace-requests?status=draft", headers=bearer(raw)).get_json()["total"] == 0
    bad = client.get("/api/v1/trace-requests?status=lost", headers=bearer(raw))
    assert_error(bad, 422)
    assert "status" in bad.get_json()["error"]["details"]


def test_liaisons_see_the_requests_addressed_to_their_office(client, setup):
    _user, raw, case = setup
    firearm = ready_firearm(case)
    db.session.commit()
    created = client.post(f"/api/v1/firearms/{firearm.id}/trace-requests", headers=bearer(raw)).get_json()
    _atf, atf_raw = caller("liaison", "ATF-MX")
    listed = client.get("/api/v1/trace-requests?status=submitted", headers=bearer(atf_raw)).get_json()
    assert [item["trace_number"] for item in listed["items"]] == [created["trace_number"]]
    one = client.get(f"/api/v1/trace-requests/{created['id']}", headers=bearer(atf_raw))
    assert one.status_code == 200 and one.get_json()["identifiers"]["case_reference"] == case.reference
    factories.agency("CBP-MX", name="CBP Mexico City", level="us")
    _cbp, cbp_raw = caller("liaison", "CBP-MX")
    assert_error(client.get(f"/api/v1/trace-requests/{created['id']}", headers=bearer(cbp_raw)), 404)
    assert client.get("/api/v1/trace-requests", headers=bearer(cbp_raw)).get_json()["items"] == []


def test_the_operations_are_documented(client, setup):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert "get" in paths["/api/v1/firearms/{firearm_id}/readiness"]
    assert set(paths["/api/v1/firearms/{firearm_id}/trace-requests"]["post"]["responses"]) >= {"201", "409", "422"}
    assert "get" in paths["/api/v1/trace-requests"] and "get" in paths["/api/v1/trace-requests/{trace_request_id}"]
    assert "TraceRequestOut" in document["components"]["schemas"]
