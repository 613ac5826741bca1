"""POST /api/v1/cases/{id}/transition (SPEC §7): the answers and the errors."""
from __future__ import annotations

from tests.cases.conftest import assert_api_error
from tests.cases.workflow_helpers import case_in_review
from tracer.extensions import db


def transition(client, headers, case, action, comment=None, **extra):
    return client.post(f"/api/v1/cases/{case.id}/transition", headers=headers,
                       json={"action": action, **({"comment": comment} if comment is not None else {}), **extra})


def test_the_workflow_through_the_api(client, api_user, agencies):
    case, _officer = case_in_review()
    version = case.version
    _, supervisor = api_user("supervisor", "FGE-SON", locale="en")
    response = transition(client, supervisor, case, "return", "Revise the firearms.",
                          sections={"firearms": "Importer missing."})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["id"], body["status"], body["version"]) == (case.id, "investigating", version + 1)
    _, officer = api_user("officer", "FGE-SON")
    assert transition(client, officer, case, "submit", "Importer added.\nReady.").get_json()["status"] == "in_review"
    assert transition(client, supervisor, case, "approve").get_json()["status"] == "approved"


def test_approving_a_case_not_in_review_is_409(client, api_user, sonora_case):
    _, supervisor = api_user("supervisor", "FGE-SON", locale="en")
    error = assert_api_error(transition(client, supervisor, sonora_case, "approve"), 409, "conflict")
    assert error["details"]["status"] == "open" and error["details"]["required_status"] == "in_review"


def test_a_supervisor_approving_their_own_case_is_403(client, api_user, agencies):
    user, supervisor = api_user("supervisor", "FGE-SON", locale="en")
    case, _officer = case_in_review()
    case.lead_officer_id = user.id
    db.session.commit()
    assert_api_error(transition(client, supervisor, case, "approve"), 403, "forbidden")
    assert client.get(f"/api/v1/cases/{case.id}", headers=supervisor).get_json()["status"] == "in_review"


def test_a_state_supervisor_acting_on_another_states_case_is_404(client, api_user, agencies):
    case, _officer = case_in_review("FGE-JAL")
    _, supervisor = api_user("supervisor", "FGE-SON", locale="en")
    error = assert_api_error(transition(client, supervisor, case, "approve"), 404, "not_found")
    assert error["details"] == {}
    absent = assert_api_error(client.post("/api/v1/cases/999999/transition", headers=supervisor,
                                          json={"action": "approve"}), 404)
    assert absent["message"] == error["message"]


def test_a_missing_comment_or_summary_is_422_naming_it(client, api_user, agencies):
    case, _officer = case_in_review()
    _, supervisor = api_user("supervisor", "FGE-SON", locale="en")
    error = assert_api_error(transition(client, supervisor, case, "return"), 422, "validation_failed")
    assert list(error["details"]) == ["comment"]
    _, officer = api_user("officer", "FGE-SON", locale="es")
    other = case_in_review()[0]
    assert transition(client, supervisor, other, "return", "Falta todo.").status_code == 200
    error = assert_api_error(transition(client, officer, other, "submit", ""), 422)
    assert error["details"]["comment"] == ["Escriba un resumen de los hallazgos para quien revisa."]


def test_bad_bodies(client, api_user, sonora_case):
    _, officer = api_user("officer", "FGE-SON", locale="en")
    error = assert_api_error(transition(client, officer, sonora_case, "archive"), 422)
    assert "action" in error["details"]
    assert_api_error(client.post(f"/api/v1/cases/{sonora_case.id}/transition", headers=officer,
                                 data="start", content_type="text/plain"), 400)
    error = assert_api_error(transition(client, officer, sonora_case, "start", comment=5), 422)
    assert "comment" in error["details"]
    error = assert_api_error(transition(client, officer, sonora_case, "start", colour="red"), 422)
    assert "colour" in error["details"]
    assert transition(client, officer, sonora_case, "start").get_json()["status"] == "investigating"


def test_a_transition_makes_an_edit_from_the_older_version_stale(client, api_user, sonora_case):
    _, officer = api_user("officer", "FGE-SON", locale="en")
    path = f"/api/v1/cases/{sonora_case.id}"
    read = client.get(path, headers=officer).get_json()
    assert transition(client, officer, sonora_case, "start").status_code == 200
    error = assert_api_error(client.patch(path, headers=officer, json={"version": read["version"], "title": "X"}),
                             409, "conflict")
    assert error["details"]["current"]["status"] == "investigating"
    assert error["details"]["current"]["title"] == "Aseguramiento en Nogales"


def test_the_transition_is_documented(client):
    document = client.get("/api/v1/openapi.json").get_json()
    post = document["paths"]["/api/v1/cases/{case_id}/transition"]["post"]
    assert {"403", "404", "409", "422"} <= set(post["responses"])
