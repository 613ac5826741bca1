"""The ballistics API (SPEC §7): items, links and the examiner's decision, with the list shape and errors."""
from __future__ import annotations

from tests import factories
from tracer.auth import tokens
from tracer.extensions import db


def as_user(app, user):
    _, token = tokens.issue_token(user, "test")
    db.session.commit()
    client = app.test_client()

    def call(method: str, path: str, **kwargs):
        return client.open(f"/api/v1{path}", method=method, headers={"Authorization": f"Bearer {token}",
                                                                      "Accept-Language": "en"}, **kwargs)
    return call


def test_an_examiner_records_a_bullet_and_lists_it_by_case_and_kind(app, world):
    call = as_user(app, world.jalisco_examiner)
    response = call("POST", "/ballistics/items", json={
        "kind": "bullet", "case_id": world.jalisco_case.id, "scene_id": world.scene.id, "caliber": "9mm",
        "lands": 6, "twist": "right", "land_width_mm": 1.6, "groove_width_mm": 2.9, "ibis_ref": "JAL-BU-1"})
    assert response.status_code == 201, response.get_json()
    bullet = response.get_json()
    assert (bullet["kind"], bullet["lands"], bullet["twist"], bullet["caliber"]) == ("bullet", 6, "right", "9mm Luger")
    listed = call("GET", f"/ballistics/items?case_id={world.jalisco_case.id}&kind=bullet").get_json()
    assert [item["id"] for item in listed["items"]] == [bullet["id"]]
    assert {"per_page", "next", "total"} <= set(listed) and listed["total"] == 1
    by_ref = call("GET", "/ballistics/items?ibis_ref=JAL-CC-1").get_json()
    assert [item["id"] for item in by_ref["items"]] == [world.cartridge_case.id]


def test_bad_items_answer_422_naming_each_field(app, world):
    call = as_user(app, world.jalisco_examiner)
    response = call("POST", "/ballistics/items", json={
        "kind": "bullet", "case_id": world.jalisco_case.id, "scene_id": world.scene.id, "caliber": "9mm",
        "lands": 40, "land_width_mm": -1, "groove_width_mm": 11})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["details"]) == {"lands", "land_width_mm", "groove_width_mm"}
    polygonal = call("POST", "/ballistics/items", json={
        "kind": "bullet", "case_id": world.jalisco_case.id, "scene_id": world.scene.id, "caliber": "9mm",
        "polygonal": True, "lands": 6})
    assert "lands" in polygonal.get_json()["error"]["details"]
    test_fire = call("POST", "/ballistics/items", json={"kind": "test_fire", "case_id": world.jalisco_case.id,
                                                         "caliber": "9mm"})
    assert test_fire.status_code == 422 and "firearm_id" in test_fire.get_json()["error"]["details"]


def test_an_item_out_of_scope_is_404(app, world):
    call = as_user(app, world.jalisco_examiner)
    assert call("GET", f"/ballistics/items/{world.test_fire.id}").status_code == 404
    officer = as_user(app, factories.user("officer", world.jalisco_case.owner_agency))
    assert officer("GET", f"/ballistics/items/{world.cartridge_case.id}").status_code == 200
    assert officer("POST", "/ballistics/items", json={}).status_code == 403


def test_links_from_lead_to_confirmed_hit_and_back_with_a_reason(app, world):
    call = as_user(app, world.federal_examiner)
    body = {"item_a": world.cartridge_case.id, "item_b": world.test_fire.id, "source": "manual", "notes": "FP drag"}
    created = call("POST", "/ballistics/links", json=body)
    assert created.status_code == 201
    link = created.get_json()
    assert (link["status"], link["item_a"], link["item_b"]) == ("lead", world.test_fire.id, world.cartridge_case.id)
    assert call("POST", "/ballistics/links", json=body).status_code == 422  # duplicate
    itself = call("POST", "/ballistics/links", json={"item_a": world.test_fire.id, "item_b": world.test_fire.id})
    assert itself.status_code == 422 and "item_b" in itself.get_json()["error"]["details"]
    path = f"/ballistics/links/{link['id']}"
    confirmed = call("PATCH", path, json={"status": "confirmed", "version": 1})
    assert confirmed.status_code == 200 and confirmed.get_json()["conclusion"] == "identification"
    assert call("PATCH", path, json={"status": "confirmed", "version": 2}).status_code == 409
    stale = call("PATCH", path, json={"status": "excluded", "reason": "Re-examined", "version": 1})
    assert stale.status_code == 409
    no_reason = call("PATCH", path, json={"status": "excluded", "version": 2})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["error"]["details"]
    excluded = call("PATCH", path, json={"status": "excluded", "reason": "Different breech face", "version": 2})
    assert excluded.get_json()["status"] == "excluded"


def test_another_agency_reads_a_hit_only_as_a_restricted_entry(app, world):
    from tracer.ballistics import leads

    link = leads.create_lead(world.federal_examiner, world.test_fire, world.cartridge_case)
    leads.decide(world.federal_examiner, link, "identification", expected_version=1)
    db.session.commit()
    call = as_user(app, world.jalisco_examiner)
    listed = call("GET", f"/ballistics/links?item_id={world.cartridge_case.id}").get_json()
    assert listed["items"] == [{"restricted": True, "match": "ballistic_hit", "reference": listed["items"][0]["reference"],
                                "agency": listed["items"][0]["agency"]}]
    assert listed["items"][0]["agency"]["acronym"] == "FGE-SON"
    assert listed["items"][0]["reference"].startswith("DC-")
    assert call("PATCH", f"/ballistics/links/{link.id}", json={"status": "excluded", "reason": "x",
                                                                "version": 2}).status_code == 403
    incoming = call("GET", "/deconfliction?direction=incoming").get_json()["items"]
    assert any(n["channel"] == "ballistic" and n["ballistic_item_id"] == world.cartridge_case.id for n in incoming)


def test_the_openapi_document_names_the_ballistics_fields(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    assert {"kind", "caliber"} <= set(schemas["ItemIn"]["required"])
    assert set(schemas["LinkIn"]["required"]) == {"item_a", "item_b"}
    assert schemas["LinkPatch"]["required"] == ["version"]
    assert "/api/v1/ballistics/links/{link_id}" in document["paths"]
