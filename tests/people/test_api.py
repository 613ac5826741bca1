"""The people API (SPEC §7): recording, reading under the personal-data rule, PATCH with version, merge."""
from __future__ import annotations

from sqlalchemy import select

from tests import factories
from tests.people.conftest import CURP, POSSESSOR
from tracer.audit.models import AuditEvent
from tracer.auth import tokens
from tracer.extensions import db
from tracer.people.models import Person, PersonMerge


def as_user(app, user, language: str = "en"):
    _, token = tokens.issue_token(user, "test")
    db.session.commit()
    client = app.test_client()

    def call(method: str, path: str, **kwargs):
        return client.open(f"/api/v1{path}", method=method, headers={"Authorization": f"Bearer {token}",
                                                                      "Accept-Language": language}, **kwargs)
    return call


def test_an_officer_records_a_possessor_but_may_not_read_people(app, world):
    call = as_user(app, world.sonora_officer)
    created = call("POST", f"/cases/{world.sonora_case.id}/people", json={**POSSESSOR, "role": "possessor"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["restricted"] is True and body["person"] is None and body["role"] == "possessor"
    assert call("GET", f"/cases/{world.sonora_case.id}/people").status_code == 403
    person_id = db.session.scalar(select(Person.id))
    assert call("GET", f"/people/{person_id}").status_code == 403
    purchaser = call("POST", f"/cases/{world.sonora_case.id}/people", json={**POSSESSOR, "role": "purchaser"})
    assert purchaser.status_code == 422 and "role" in purchaser.get_json()["error"]["details"]


def test_an_analyst_lists_the_people_of_a_case_with_the_list_shape_and_the_read_is_audited(app, world):
    person = factories.person(world.sonora_case, **POSSESSOR)
    call = as_user(app, world.sonora_analyst)
    listed = call("GET", f"/cases/{world.sonora_case.id}/people").get_json()
    assert {"items", "per_page", "next", "total", "total_estimated"} <= set(listed)
    assert [item["person"]["curp"] for item in listed["items"]] == [CURP] and listed["total"] == 1
    assert call("GET", f"/people/{person.id}").get_json()["last_names"] == "Valenzuela Espinoza"
    reads = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data.read")))
    assert {event.details["where"] for event in reads} == {"api.list_case_people", "api.get_person"}
    assert all(CURP not in str(event.details) and "Valenzuela" not in str(event.details) for event in reads)


def test_out_of_scope_is_404(app, world):
    person = factories.person(world.sonora_case, **POSSESSOR)
    call = as_user(app, world.jalisco_analyst)
    assert call("GET", f"/people/{person.id}").status_code == 404
    assert call("GET", f"/cases/{world.sonora_case.id}/people").status_code == 404
    assert call("PATCH", f"/people/{person.id}", json={"version": 1, "alias": "x"}).status_code == 404


def test_bad_input_is_a_422_naming_each_field_in_the_users_language(app, world):
    call = as_user(app, world.sonora_analyst, language="es")
    response = call("POST", f"/cases/{world.sonora_case.id}/people",
                    json={**POSSESSOR, "role": "possessor", "birth_date": "2999-01-01", "curp": CURP[:-1] + "3"})
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert details["birth_date"] == ["La fecha no puede estar en el futuro."]
    assert "dígito verificador" in details["curp"][0]
    assert db.session.scalar(select(Person.id)) is None


def test_patch_carries_the_version_and_a_stale_one_answers_409_with_the_stored_values(app, world):
    person = factories.person(world.sonora_case, **POSSESSOR)
    call = as_user(app, world.sonora_analyst)
    saved = call("PATCH", f"/people/{person.id}", json={"version": person.version, "alias": "El Güero"})
    assert saved.status_code == 200 and saved.get_json()["alias"] == "El Güero"
    assert saved.get_json()["curp"] == CURP  # fields left out keep their values
    stale = call("PATCH", f"/people/{person.id}", json={"version": saved.get_json()["version"] - 1, "alias": "Otro"})
    assert stale.status_code == 409
    details = stale.get_json()["error"]["details"]
    assert details["version"] == saved.get_json()["version"] and details["stored"]["alias"] == "El Güero"


def test_merge_into_another_person_with_a_reason(app, world):
    kept = factories.person(world.sonora_case, **POSSESSOR)
    merged = factories.person(world.sonora_case_2, **{**POSSESSOR, "curp": None})
    call = as_user(app, world.sonora_analyst)
    assert call("POST", f"/people/{merged.id}/merge", json={"into": merged.id, "reason": "x"}).status_code == 422
    assert call("POST", f"/people/{merged.id}/merge", json={"into": kept.id}).status_code == 422
    done = call("POST", f"/people/{merged.id}/merge", json={"into": kept.id, "reason": "Misma persona"})
    assert done.status_code == 200 and done.get_json()["id"] == kept.id
    again = call("GET", f"/people/{merged.id}").get_json()
    assert (again["merged_into_id"], again["canonical_id"]) == (kept.id, kept.id)


def test_merging_people_of_an_agency_the_analyst_cannot_see_is_404_and_changes_nothing(app, world):
    sonora = factories.person(world.sonora_case, **POSSESSOR)
    jalisco = factories.person(world.jalisco_case, **{**POSSESSOR, "curp": None})
    call = as_user(app, world.sonora_analyst)
    response = call("POST", f"/people/{sonora.id}/merge", json={"into": jalisco.id, "reason": "Misma persona"})
    assert response.status_code == 404
    response = call("POST", f"/people/{jalisco.id}/merge", json={"into": sonora.id, "reason": "Misma persona"})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Person, sonora.id).merged_into_id is None
    assert db.session.get(Person, jalisco.id).merged_into_id is None
    assert db.session.scalar(select(PersonMerge.id)) is None


def test_a_supervisor_reads_but_may_not_merge(app, world):
    first = factories.person(world.sonora_case, **POSSESSOR)
    second = factories.person(world.sonora_case_2, **{**POSSESSOR, "curp": None})
    call = as_user(app, world.sonora_supervisor)
    assert call("GET", f"/people/{first.id}").status_code == 200
    assert call("POST", f"/people/{second.id}/merge", json={"into": first.id, "reason": "x"}).status_code == 403


def test_the_openapi_document_names_the_people_endpoints(app, world):
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/cases/{case_id}/people"])
    assert {"get", "patch"} <= set(paths["/api/v1/people/{person_id}"])
    assert "post" in paths["/api/v1/people/{person_id}/merge"]
