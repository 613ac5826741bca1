"""GET/PATCH /api/v1/firearms/{id} and GET/POST /api/v1/firearms/{id}/custody."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tests.api.test_api import assert_error, bearer
from tracer.audit.models import AuditEvent
from tracer.auth import tokens
from tracer.core.models import utcnow
from tracer.extensions import db
from tracer.firearms.models import CustodyEvent, Firearm


def caller(role="officer", agency="FGE-SON"):
    user = factories.user(role, factories.agency(agency))
    _, raw = tokens.issue_token(user, "script")
    db.session.commit()
    return user, raw


@pytest.fixture
def firearm(ctx, reference_data):
    user, raw = caller()
    seizure = factories.seizure(factories.case(user.agency, user), user, firearms=[factories.firearm_values(
        manufacturer="Glock", model="17", caliber="9mm", serial_number="BXK-123")])
    db.session.commit()
    return seizure.firearms[0], raw


def test_read_a_firearm(client, firearm):
    item, raw = firearm
    response = client.get(f"/api/v1/firearms/{item.id}", headers=bearer(raw))
    assert response.status_code == 200
    body = response.get_json()
    assert body["manufacturer"] == "Glock" and body["manufacturer_known"] is True
    assert body["serial_number"] == "BXK-123" and body["serial_normalized"] == "BXK123"
    assert body["caliber"] == "9mm Luger" and body["version"] == 1 and body["custody_status"] == "seized"
    assert body["url"] == f"/firearms/{item.id}"


def test_patch_changes_only_the_fields_sent(client, firearm):
    item, raw = firearm
    response = client.patch(f"/api/v1/firearms/{item.id}", json={"version": 1, "model": "19", "importer": "Glock Inc."},
                            headers=bearer(raw))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["model"] == "19" and body["version"] == 2 and body["serial_number"] == "BXK-123"
    assert body["warnings"] == {}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "firearm.update"))
    assert event.details["new"] == {"model": "19"} and event.details["old"] == {"model": "17"}


def test_patch_with_a_stale_version_answers_409_with_the_stored_values(client, firearm):
    item, raw = firearm
    client.patch(f"/api/v1/firearms/{item.id}", json={"version": 1, "model": "19"}, headers=bearer(raw))
    error = assert_error(client.patch(f"/api/v1/firearms/{item.id}", json={"version": 1, "model": "26"},
                                      headers=bearer(raw)), 409, "conflict")
    assert error["details"]["version"] == 2 and error["details"]["current"]["model"] == "19"
    assert db.session.get(Firearm, item.id).model == "19"


@pytest.mark.parametrize("payload, field", [
    ({"version": 1, "caliber": "12 GA"}, "caliber"),
    ({"version": 1, "serial_number": "B\u0425K123"}, "serial_number"),  # Cyrillic Х
    ({"version": 1, "serial_number": "", "serial_status": "intact"}, "serial_number"),
    ({"version": 1, "firearm_type": "bazooka"}, "firearm_type"),
    ({"version": 1, "country_of_manufacture": "Atlantis"}, "country_of_manufacture"),
    ({"version": 1, "colour": "black"}, "colour"),
    ({"model": "x"}, "version"),
    ({"version": "one"}, "version"),
])
def test_patch_refuses_bad_values_naming_the_field(client, firearm, payload, field):
    item, raw = firearm
    error = assert_error(client.patch(f"/api/v1/firearms/{item.id}", json=payload, headers=bearer(raw)), 422)
    assert field in error["details"]
    assert db.session.get(Firearm, item.id).version == 1


def test_an_unknown_manufacturer_is_accepted_with_a_warning(client, firearm):
    item, raw = firearm
    response = client.patch(f"/api/v1/firearms/{item.id}", json={"version": 1, "manufacturer": "Taller X"},
                            headers=bearer(raw))
    assert response.status_code == 200
    body = response.get_json()
    assert body["manufacturer"] == "Taller X" and body["manufacturer_known"] is False
    assert "manufacturer" in body["warnings"]


def test_custody_read_and_append(client, firearm):
    item, raw = firearm
    listed = client.get(f"/api/v1/firearms/{item.id}/custody", headers=bearer(raw)).get_json()
    assert listed["total"] == 1 and listed["items"][0]["event"] == "seized"
    assert set(listed) == {"items", "page", "per_page", "total"}
    entry = {"event": "sent_to_lab", "occurred_at": "2025-03-16T08:30", "handed_over_by_name": "R. Esquer",
             "received_by_name": "L. Moreno", "received_by_institution": "Laboratorio de Balística",
             "seal_number": "LAB-77", "notes": "Para dictamen.\nPrioridad alta."}
    created = client.post(f"/api/v1/firearms/{item.id}/custody", json=entry, headers=bearer(raw))
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert body["event"] == "sent_to_lab" and body["occurred_at"] == "2025-03-16T14:30:00+00:00"  # Mexico City time
    assert body["notes"].count("\n") == 1 and body["attachment"] is None
    correction = client.post(f"/api/v1/firearms/{item.id}/custody",
                             json={**entry, "seal_number": "LAB-78", "corrects_id": body["id"]}, headers=bearer(raw))
    assert correction.status_code == 201 and correction.get_json()["corrects_id"] == body["id"]
    assert client.get(f"/api/v1/firearms/{item.id}/custody", headers=bearer(raw)).get_json()["total"] == 3
    assert db.session.get(Firearm, item.id).custody_status == "sent_to_lab"
    assert db.session.get(CustodyEvent, body["id"]).seal_number == "LAB-77"


@pytest.mark.parametrize("payload, field", [
    ({"event": "lost", "occurred_at": "2025-03-16T08:30"}, "event"),
    ({"event": "stored", "occurred_at": "16/03/2025"}, "occurred_at"),
    ({"event": "stored"}, "occurred_at"),
    ({"event": "transferred", "occurred_at": "2025-03-16T08:30"}, "received_by_name"),
    ({"event": "stored", "occurred_at": "2025-03-16T08:30", "corrects_id": 999999}, "corrects_id"),
    ({"event": "stored", "occurred_at": "2025-03-16T08:30", "seal_number": "S\u200b1"}, "seal_number"),
])
def test_custody_refuses_bad_entries(client, firearm, payload, field):
    item, raw = firearm
    error = assert_error(client.post(f"/api/v1/firearms/{item.id}/custody", json=payload, headers=bearer(raw)), 422)
    assert field in error["details"]
    assert db.session.scalar(select(CustodyEvent).where(CustodyEvent.event != "seized")) is None


def test_custody_in_the_future_is_refused(client, firearm):
    item, raw = firearm
    later = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    error = assert_error(client.post(f"/api/v1/firearms/{item.id}/custody",
                                     json={"event": "stored", "occurred_at": later}, headers=bearer(raw)), 422)
    assert "occurred_at" in error["details"]


def test_scope_and_roles(client, firearm):
    item, _raw = firearm
    _, jalisco = caller("officer", "FGE-JAL")
    _, federal = caller("analyst", "FGR")
    _, liaison = caller("liaison", "ATF-MX")
    for path in (f"/api/v1/firearms/{item.id}", f"/api/v1/firearms/{item.id}/custody"):
        assert_error(client.get(path, headers=bearer(jalisco)), 404)
        assert client.get(path, headers=bearer(federal)).status_code == 200
        assert_error(client.get(path, headers=bearer(liaison)), 403)
    assert_error(client.patch(f"/api/v1/firearms/{item.id}", json={"version": 1, "model": "x"},
                              headers=bearer(jalisco)), 404)
    assert_error(client.post(f"/api/v1/firearms/{item.id}/custody",
                             json={"event": "stored", "occurred_at": "2025-03-16T08:30"},
                             headers=bearer(jalisco)), 404)
    assert_error(client.get("/api/v1/firearms/2147483648", headers=bearer(federal)), 404)
