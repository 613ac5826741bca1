"""/api/v1/cases: list, open, read and edit, with the API's error format."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.cases.conftest import assert_api_error
from tracer.audit.models import AuditEvent
from tracer.cases import services
from tracer.cases.models import Case
from tracer.extensions import db

CASE_KEYS = {"id", "reference", "title", "summary", "status", "priority", "owner_agency", "lead_officer",
             "carpeta_number", "version", "created_at", "updated_at"}


def utc(stamp: str) -> datetime:
    parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert parsed.utcoffset().total_seconds() == 0, stamp
    return parsed


def case_count() -> int:
    return db.session.scalar(select(func.count(Case.id)))


# --- list -----------------------------------------------------------------------------------------


def test_list_shape_scope_and_order(client, api_user, agencies):
    older = factories.case(agencies["FGE-SON"], title="Primero")
    newer = factories.case(agencies["SSP-SON"], title="Segundo")
    factories.case(agencies["FGE-JAL"], title="De Jalisco")
    db.session.commit()
    _, headers = api_user("analyst", "FGE-SON")
    response = client.get("/api/v1/cases", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"items", "page", "per_page", "next", "prev", "total", "total_estimated"}
    assert (body["page"], body["per_page"], body["total"], body["total_estimated"]) == (1, 25, 2, False)
    assert (body["next"], body["prev"]) == (None, None)
    assert [item["reference"] for item in body["items"]] == [newer.reference, older.reference]
    assert set(body["items"][0]) == CASE_KEYS


def test_list_filters(client, api_user, agencies):
    son = factories.case(agencies["FGE-SON"], title="Nogales", carpeta_number="CI/26/1")
    jal = factories.case(agencies["FGE-JAL"], title="Guadalajara", priority="high")
    jal.status = "investigating"
    db.session.commit()
    _, headers = api_user("analyst", "FGR")

    def refs(query):
        response = client.get(f"/api/v1/cases?{query}", headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [item["reference"] for item in response.get_json()["items"]]

    assert refs("q=ci/26") == [son.reference]
    assert refs("status=investigating") == [jal.reference]
    assert refs("agency=FGE-JAL") == [jal.reference]
    assert refs("state=26") == [son.reference]
    assert set(refs("created_from=2000-01-01&created_to=2999-12-31")) == {son.reference, jal.reference}
    assert refs("created_to=2000-01-01") == []


def test_list_pagination_is_clamped(client, api_user, agencies):
    for n in range(3):
        factories.case(agencies["FGE-SON"])
    db.session.commit()
    _, headers = api_user("officer", "FGE-SON")
    body = client.get("/api/v1/cases?per_page=1000", headers=headers).get_json()
    assert body["per_page"] == 100 and body["total"] == 3 and len(body["items"]) == 3
    body = client.get("/api/v1/cases?page=-1&per_page=2", headers=headers).get_json()
    assert (body["page"], body["per_page"], len(body["items"])) == (1, 2, 2)
    body = client.get("/api/v1/cases?page=abc&per_page=zero", headers=headers).get_json()
    assert (body["page"], body["per_page"]) == (1, 25)
    body = client.get("/api/v1/cases?page=2&per_page=2", headers=headers).get_json()
    assert (body["page"], len(body["items"])) == (2, 1)


@pytest.mark.parametrize("query, field", [
    ("status=lost", "status"),
    ("state=99", "state"),
    ("created_from=yesterday", "created_from"),
    ("created_to=2026-02-30", "created_to"),
    ("created_from=2026-05-02&created_to=2026-05-01", "created_to"),
])
def test_list_bad_filters_answer_422_naming_the_field(client, api_user, query, field):
    _, headers = api_user("officer", "FGE-SON")
    error = assert_api_error(client.get(f"/api/v1/cases?{query}", headers=headers), 422, "validation_failed")
    assert field in error["details"]


def test_list_odd_text_finds_nothing_and_breaks_nothing(client, api_user, sonora_case):
    _, headers = api_user("officer", "FGE-SON")
    for query in ("q=%00", "q=%E2%80%AE", "agency=%00", "q=" + "x" * 5000, "q=%25", "q='%20OR%201=1--"):
        response = client.get(f"/api/v1/cases?{query}", headers=headers)
        assert response.status_code == 200, query
        assert response.get_json()["total"] == 0, query


# --- read -----------------------------------------------------------------------------------------


def test_get_a_case(client, api_user, agencies, sonora_case):
    _, headers = api_user("supervisor", "FGR")
    response = client.get(f"/api/v1/cases/{sonora_case.id}", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == CASE_KEYS
    lead = sonora_case.lead_officer
    assert body["owner_agency"] == {"id": agencies["FGE-SON"].id, "acronym": "FGE-SON",
                                    "name": agencies["FGE-SON"].name}
    assert body["lead_officer"] == {"id": lead.id, "username": lead.username, "full_name": lead.full_name}
    assert (body["reference"], body["status"], body["priority"], body["version"]) == (
        sonora_case.reference, "open", "normal", 1)
    assert body["carpeta_number"] == "CI/SON/0001/2026" and body["summary"] is None
    assert utc(body["created_at"]) and utc(body["updated_at"])


def test_out_of_scope_and_absent_cases_are_404_alike(client, api_user, sonora_case):
    _, jalisco = api_user("analyst", "FGE-JAL")
    hidden = assert_api_error(client.get(f"/api/v1/cases/{sonora_case.id}", headers=jalisco), 404, "not_found")
    absent = assert_api_error(client.get("/api/v1/cases/2000000000", headers=jalisco), 404, "not_found")
    assert hidden == absent
    _, liaison = api_user("liaison", "ATF-MX")
    assert_api_error(client.get(f"/api/v1/cases/{sonora_case.id}", headers=liaison), 404)
    assert client.get("/api/v1/cases", headers=liaison).get_json()["total"] == 0


def test_admin_gets_403_and_anonymous_401(client, api_user, sonora_case):
    _, admin = api_user("admin", "FGR")
    assert_api_error(client.get("/api/v1/cases", headers=admin), 403, "forbidden")
    assert_api_error(client.get(f"/api/v1/cases/{sonora_case.id}", headers=admin), 403, "forbidden")
    assert_api_error(client.get("/api/v1/cases"), 401)


# --- create ---------------------------------------------------------------------------------------


def test_create_a_case(client, api_user, agencies):
    officer, headers = api_user("officer", "FGE-SON")
    response = client.post("/api/v1/cases", headers=headers, json={
        "title": "Fusiles en Sonoyta", "summary": "Primera línea\nSegunda línea", "priority": "urgent",
        "carpeta_number": "FED/SON/SLRC/0000123/2026"})
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/cases/{body['id']}")
    assert body["reference"].startswith(f"TR-{services.current_year()}-")
    assert (body["status"], body["priority"], body["version"]) == ("open", "urgent", 1)
    assert body["summary"] == "Primera línea\nSegunda línea"
    assert body["owner_agency"]["acronym"] == "FGE-SON"
    assert body["lead_officer"]["id"] == officer.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.create",
                                                       AuditEvent.object_id == str(body["id"])))
    assert event.user_id == officer.id and event.details["new"]["title"] == "Fusiles en Sonoyta"
    assert client.get(response.headers["Location"], headers=headers).get_json() == body


def test_create_with_explicit_lead_or_none(client, api_user, agencies):
    colleague = factories.user("analyst", agencies["FGE-SON"])
    db.session.commit()
    _, headers = api_user("officer", "FGE-SON")
    named = client.post("/api/v1/cases", headers=headers, json={"title": "A", "lead_officer_id": colleague.id})
    assert named.status_code == 201 and named.get_json()["lead_officer"]["id"] == colleague.id
    nobody = client.post("/api/v1/cases", headers=headers, json={"title": "B", "lead_officer_id": None})
    assert nobody.status_code == 201 and nobody.get_json()["lead_officer"] is None
    _, analyst = api_user("analyst", "FGE-SON")
    assert client.post("/api/v1/cases", headers=analyst, json={"title": "C"}).get_json()["lead_officer"] is None


def test_create_validation_answers_422_per_field(client, api_user, agencies):
    outsider = factories.user("officer", agencies["FGE-JAL"])
    db.session.commit()
    _, headers = api_user("officer", "FGE-SON")
    before = case_count()
    error = assert_api_error(client.post("/api/v1/cases", headers=headers, json={
        "title": "x" * 10_000, "priority": "critical", "carpeta_number": "CI#5"}), 422, "validation_failed")
    assert {"title", "priority"} <= set(error["details"])
    error = assert_api_error(client.post("/api/v1/cases", headers=headers, json={
        "title": "ok", "carpeta_number": "CI#5", "lead_officer_id": outsider.id}), 422)
    assert set(error["details"]) == {"carpeta_number", "lead_officer_id"}
    assert all(isinstance(messages, list) and messages for messages in error["details"].values())
    assert case_count() == before


def test_liaison_and_admin_may_not_create(client, api_user):
    for role, agency in (("liaison", "ATF-MX"), ("admin", "FGR")):
        _, headers = api_user(role, agency)
        assert_api_error(client.post("/api/v1/cases", headers=headers, json={"title": "X"}), 403)


# --- edit -----------------------------------------------------------------------------------------


def test_patch_changes_only_what_is_sent(client, api_user, sonora_case):
    user, headers = api_user("supervisor", "FGE-SON")
    response = client.patch(f"/api/v1/cases/{sonora_case.id}", headers=headers,
                            json={"version": 1, "priority": "high", "summary": "Dos\nlíneas"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["priority"], body["summary"], body["version"]) == ("high", "Dos\nlíneas", 2)
    assert body["title"] == "Aseguramiento en Nogales"
    assert utc(body["updated_at"]) >= utc(body["created_at"])
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.update",
                                                       AuditEvent.object_id == str(sonora_case.id)))
    assert event.details == {"old": {"priority": "normal", "summary": None},
                             "new": {"priority": "high", "summary": "Dos\nlíneas"}}
    assert event.user_id == user.id


def test_patch_with_a_stale_version_is_409_with_the_current_values(client, api_user, sonora_case):
    _, first = api_user("officer", "FGE-SON")
    _, second = api_user("analyst", "FGE-SON")
    path = f"/api/v1/cases/{sonora_case.id}"
    assert client.patch(path, headers=first, json={"version": 1, "title": "Primero"}).status_code == 200
    error = assert_api_error(client.patch(path, headers=second, json={"version": 1, "title": "Segundo"}),
                             409, "conflict")
    assert error["details"]["version"] == 2
    assert error["details"]["current"]["title"] == "Primero"
    assert "Alguien más modificó este caso" in error["message"]
    assert client.get(path, headers=second).get_json()["title"] == "Primero"


def test_patch_validation_and_types(client, api_user, sonora_case):
    _, headers = api_user("officer", "FGE-SON")
    path = f"/api/v1/cases/{sonora_case.id}"
    cases = [
        ({"title": "x"}, "version"),
        ({"version": "1", "title": "x"}, "version"),
        ({"version": 1, "title": None}, "title"),
        ({"version": 1, "title": ""}, "title"),
        ({"version": 1, "title": 5}, "title"),
        ({"version": 1, "priority": None}, "priority"),
        ({"version": 1, "lead_officer_id": "3"}, "lead_officer_id"),
        ({"version": 1, "lead_officer_id": True}, "lead_officer_id"),
        ({"version": 1, "status": "closed"}, "status"),
        ({"version": 1, "owner_agency_id": 1}, "owner_agency_id"),
        ({"version": 1, "title": "Caso\u202e"}, "title"),
        ({"version": 1, "carpeta_number": "CI\u200b1"}, "carpeta_number"),
        ({"version": 1, "summary": "tab\tok but bell \x07"}, "summary"),
    ]
    for body, field in cases:
        error = assert_api_error(client.patch(path, headers=headers, json=body), 422, "validation_failed")
        assert field in error["details"], (body, error)
    db.session.expire_all()
    assert db.session.get(Case, sonora_case.id).version == 1


def test_patch_access(client, api_user, sonora_case):
    path = f"/api/v1/cases/{sonora_case.id}"
    _, neighbour = api_user("officer", "SSP-SON")  # sees the case, does not own it
    assert client.get(path, headers=neighbour).status_code == 200
    assert_api_error(client.patch(path, headers=neighbour, json={"version": 1, "title": "No"}), 403, "forbidden")
    _, jalisco = api_user("officer", "FGE-JAL")
    assert_api_error(client.patch(path, headers=jalisco, json={"version": 1, "title": "No"}), 404)
    _, liaison = api_user("liaison", "ATF-MX")
    assert_api_error(client.patch(path, headers=liaison, json={"version": 1, "title": "No"}), 403)
    _, federal = api_user("analyst", "SEDENA")
    assert client.patch(path, headers=federal, json={"version": 1, "title": "Sí"}).status_code == 200


def test_openapi_documents_the_case_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert set(document["paths"]["/api/v1/cases"]) == {"get", "post"}
    assert set(document["paths"]["/api/v1/cases/{case_id}"]) == {"get", "patch"}
    assert "409" in document["paths"]["/api/v1/cases/{case_id}"]["patch"]["responses"]
    assert "CaseOut" in document["components"]["schemas"]
