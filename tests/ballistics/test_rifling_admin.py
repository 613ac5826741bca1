"""Administrators keep the rifling table: list, add, correct, retire; every change audited."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from tests.ballistics.rifling_fixtures import rifling_table  # noqa: F401  (fixture)
from tracer.audit.models import AuditEvent
from tracer.ballistics.rifling_admin import load_shipped_specs
from tracer.ballistics.rifling_models import RiflingSpec
from tracer.extensions import db

pytestmark = pytest.mark.usefixtures("rifling_table")

NEW_ROW = {"manufacturer": "Bersa", "model": "Thunder 380 Plus", "caliber": ".380", "lands": "6",
           "twist": "right", "land_width_mm": "1.41", "groove_width_mm": "3.31", "source": "MFR"}


@pytest.fixture
def admin(login_as):
    return login_as("admin", locale="en")


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def spec(model: str, maker: str | None = None) -> RiflingSpec:
    statement = select(RiflingSpec).where(RiflingSpec.model == model)
    if maker:
        statement = statement.where(RiflingSpec.manufacturer_text == maker)
    return db.session.scalars(statement).one()


def test_the_list_walks_the_table_fifty_rows_at_a_time(admin):
    first = text_of(admin.get("/admin/reference/rifling"))
    assert "Barrett Firearms" in first and "Walther" not in first
    assert "Page 1 of" in first
    later = admin.get("/admin/reference/rifling?page=5")
    assert later.status_code == 200 and "Walther" in text_of(later)
    searched = text_of(admin.get("/admin/reference/rifling?q=detective"))
    assert "Detective Special" in searched and "Python" not in searched


def test_a_tampered_cursor_is_refused_without_a_500(admin):
    response = admin.get("/admin/reference/rifling?cursor=forged")
    assert response.status_code == 400
    assert "The cursor does not belong to this list" in text_of(response)


def test_an_admin_adds_a_row_audited(admin):
    response = admin.post("/admin/reference/rifling/new", data=NEW_ROW, token_from="/admin/reference/rifling/new")
    assert response.status_code == 302
    row = spec("Thunder 380 Plus")
    assert row.manufacturer is not None and row.manufacturer.name == "Bersa"
    assert row.caliber.name == ".380 ACP" and row.lands == 6 and row.land_width_mm == 1.41
    event = events("rifling_spec.create")[-1]
    assert event.object_id == str(row.id) and event.details["new"]["model"] == "Thunder 380 Plus"


def test_bad_input_keeps_the_form_and_names_the_fields(admin):
    bad = dict(NEW_ROW, caliber="9.99 Martian", lands="0", twist="", land_width_mm="-2")
    response = admin.post("/admin/reference/rifling/new", data=bad, token_from="/admin/reference/rifling/new")
    body = text_of(response)
    assert response.status_code == 400
    assert "Unknown caliber" in body and "Write a number of lands from 1 to 32" in body
    assert "Choose left or right." in body and "greater than 0" in body
    assert 'value="Thunder 380 Plus"' in body and 'value="9.99 Martian"' in body
    assert db.session.scalar(select(RiflingSpec).where(RiflingSpec.model == "Thunder 380 Plus")) is None
    assert events("rifling_spec.create") == []


def test_a_second_row_for_the_same_model_and_caliber_is_refused(admin):
    duplicate = dict(NEW_ROW, manufacturer="Glock", model="G17", caliber="9mm", lands="polygonal")
    response = admin.post("/admin/reference/rifling/new", data=duplicate, token_from="/admin/reference/rifling/new")
    assert response.status_code == 400
    assert "already holds this model" in text_of(response)


def test_an_admin_corrects_a_row_with_old_and_new_values_audited(admin):
    row = spec("Model 10", "Smith & Wesson")
    path = f"/admin/reference/rifling/{row.id}"
    page = text_of(admin.get(path))
    assert 'value="Model 10"' in page and 'value="5"' in page
    changed = {"manufacturer": "Smith & Wesson", "model": "Model 10", "caliber": ".38 Special", "lands": "5",
               "twist": "right", "land_width_mm": "1.95", "groove_width_mm": "", "source": "AFTE"}
    assert admin.post(path, data=changed, token_from=path).status_code == 302
    db.session.refresh(row)
    assert row.land_width_mm == 1.95 and row.groove_width_mm is None and row.source == "AFTE"
    event = events("rifling_spec.update")[-1]
    assert event.details["new"] == {"land_width_mm": 1.95, "groove_width_mm": None, "source": "AFTE"}
    assert event.details["old"]["source"] == "FBI-GRC"


def test_an_admin_retires_and_restores_a_row(admin):
    row = spec("G17")
    path = f"/admin/reference/rifling/{row.id}"
    assert admin.post(f"{path}/active?active=0", token_from=path).status_code == 302
    db.session.refresh(row)
    assert row.active is False and "Retired" in text_of(admin.get(path))
    assert admin.post(f"{path}/active?active=1", token_from=path).status_code == 302
    db.session.refresh(row)
    assert row.active is True
    assert [e.action for e in events("rifling_spec.retire") + events("rifling_spec.restore")] == [
        "rifling_spec.retire", "rifling_spec.restore"]


def test_loading_the_shipped_table_again_changes_nothing(admin):
    row = spec("G19")
    row.source = "LAB-NOTE"
    db.session.commit()
    counts = load_shipped_specs()
    assert counts["created"] == 0 and spec("G19").source == "LAB-NOTE"


@pytest.mark.parametrize("role", ["officer", "analyst", "supervisor", "liaison", "auditor"])
def test_only_admins_edit_the_table(login_as, role):
    user = login_as(role, "ATF-MX" if role == "liaison" else "FGR")
    row = spec("G17")
    assert user.get("/admin/reference/rifling").status_code == 403
    assert user.get(f"/admin/reference/rifling/{row.id}").status_code == 403
    response = user.post("/admin/reference/rifling/new", data=NEW_ROW, token_from="/auth/profile")
    assert response.status_code == 403
    assert db.session.scalar(select(RiflingSpec).where(RiflingSpec.model == "Thunder 380 Plus")) is None
