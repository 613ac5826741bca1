"""Bad input on the case pages and API: a clear answer naming the field, never a 500 or a partial write."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.cases.conftest import assert_api_error
from tracer.cases.models import Case, CaseReferenceCounter
from tracer.extensions import db

SQL_TITLE = "'; DROP TABLE cases; -- \" OR 1=1 /* % _ \\ */"


def case_count() -> int:
    return db.session.scalar(select(func.count(Case.id)))


def counter_total() -> int:
    return db.session.scalar(select(func.coalesce(func.sum(CaseReferenceCounter.last_number), 0)))


@pytest.mark.parametrize("data, content_type, code", [
    ("{not json", "application/json", "malformed_json"),
    ('{"title": "x",}', "application/json", "malformed_json"),
    ('["title"]', "application/json", "malformed_json"),
    ('"title"', "application/json", "malformed_json"),
    ("title=x", "application/x-www-form-urlencoded", "bad_content_type"),
    ("", None, "bad_content_type"),
])
def test_malformed_bodies_are_400(client, api_user, sonora_case, data, content_type, code):
    _, headers = api_user("officer", "FGE-SON")
    before = (case_count(), counter_total())
    for method, path in (("POST", "/api/v1/cases"), ("PATCH", f"/api/v1/cases/{sonora_case.id}")):
        response = client.open(path, method=method, headers=headers, data=data, content_type=content_type)
        assert_api_error(response, 400, code)
    assert (case_count(), counter_total()) == before


@pytest.mark.parametrize("body, field", [
    ({"title": ["a"]}, "title"),
    ({"title": {"a": 1}}, "title"),
    ({"title": 12}, "title"),
    ({"title": True}, "title"),
    ({"title": "ok", "priority": 3}, "priority"),
    ({"title": "ok", "lead_officer_id": 1.5}, "lead_officer_id"),
    ({"title": "ok", "lead_officer_id": 2**63}, "lead_officer_id"),
    ({"title": "ok", "summary": 5}, "summary"),
    ({"title": "ok", "summary": "x" * 10_001}, "summary"),
    ({"title": "ok", "carpeta_number": "1" * 81}, "carpeta_number"),
    ({"title": "ok", "version": 1}, "version"),
    ({}, "title"),
])
def test_wrong_types_and_sizes_are_422(client, api_user, body, field):
    _, headers = api_user("officer", "FGE-SON")
    before = (case_count(), counter_total())
    error = assert_api_error(client.post("/api/v1/cases", headers=headers, json=body), 422, "validation_failed")
    assert field in error["details"]
    assert (case_count(), counter_total()) == before


@pytest.mark.parametrize("title", ["Caso\x00", "Caso\u200f", "Caso\u202eXYZ", "Caso\u2066", "\ufeffCaso", "Caso\x1b[31m"])
def test_control_and_bidi_characters_are_refused(client, api_user, title):
    _, headers = api_user("officer", "FGE-SON")
    before = case_count()
    error = assert_api_error(client.post("/api/v1/cases", headers=headers, json={"title": title}), 422)
    assert "title" in error["details"]
    assert case_count() == before


def test_sql_metacharacters_are_stored_and_found_literally(client, api_user, login_as):
    _, headers = api_user("officer", "FGE-SON")
    created = client.post("/api/v1/cases", headers=headers, json={"title": SQL_TITLE, "summary": SQL_TITLE})
    assert created.status_code == 201
    body = created.get_json()
    assert body["title"] == SQL_TITLE and body["summary"] == SQL_TITLE
    found = client.get("/api/v1/cases", headers=headers, query_string={"q": "DROP TABLE cases; --"}).get_json()
    assert [item["id"] for item in found["items"]] == [body["id"]]
    assert client.get("/api/v1/cases", headers=headers, query_string={"q": "% _"}).get_json()["total"] == 1
    page = login_as("officer", "FGE-SON").get("/cases", query_string={"q": SQL_TITLE})
    assert page.status_code == 200 and body["reference"] in page.get_data(as_text=True)


def test_ten_thousand_character_title_on_the_api(client, api_user):
    _, headers = api_user("officer", "FGE-SON")
    error = assert_api_error(client.post("/api/v1/cases", headers=headers, json={"title": "é" * 10_000}), 422)
    assert error["details"]["title"] == ["Máximo 200 caracteres."]


def test_huge_ids_in_paths_are_404(client, api_user, login_as):
    _, headers = api_user("officer", "FGE-SON")
    assert_api_error(client.get("/api/v1/cases/99999999999999999999", headers=headers), 404)
    assert login_as("officer", "FGE-SON").get("/cases/99999999999999999999").status_code == 404


def test_forged_form_fields_are_refused(login_as, sonora_case):
    browser = login_as("officer", "FGE-SON")
    path = f"/cases/{sonora_case.id}/edit"
    for forged in ({"priority": "critical"}, {"lead_officer_id": "abc"}, {"version": "uno"}, {"version": ""}):
        values = {"title": "Cambio", "priority": "normal", "lead_officer_id": "", "version": "1", **forged}
        response = browser.post(path, values, token_from=path)
        assert response.status_code in (400, 409), forged
    db.session.expire_all()
    assert db.session.get(Case, sonora_case.id).title == "Aseguramiento en Nogales"
