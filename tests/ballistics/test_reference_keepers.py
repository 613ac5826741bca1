"""The national reference lists (makers, calibers, rifling) serve every agency: federal
administrators keep them; a state administrator reads them and changes nothing."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from tests.ballistics.rifling_fixtures import rifling_table  # noqa: F401  (fixture)
from tracer.audit.models import AuditEvent
from tracer.ballistics.rifling_models import RiflingSpec
from tracer.extensions import db
from tracer.firearms.models import Caliber, CaliberAlias, Manufacturer, ManufacturerAlias

pytestmark = pytest.mark.usefixtures("rifling_table")

REFUSAL = "kept by the federal administrators"
NEW_ROW = {"manufacturer": "Bersa", "model": "Thunder 380 Plus", "caliber": ".380", "lands": "6",
           "twist": "right", "land_width_mm": "1.41", "groove_width_mm": "3.31", "source": "MFR"}


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Manufacturer, ManufacturerAlias, Caliber, CaliberAlias, RiflingSpec, AuditEvent))


@pytest.fixture
def state_admin(login_as):
    return login_as("admin", "FGE-SON", locale="en")


def test_a_state_administrator_reads_the_lists_without_their_forms(state_admin):
    glock = db.session.scalar(select(Manufacturer).where(Manufacturer.name == "Glock"))
    for path, form in (("/admin/reference/manufacturers", "New manufacturer"),
                       ("/admin/reference/calibers", "New caliber"),
                       ("/admin/reference/rifling", "New rifling row"),
                       (f"/admin/reference/manufacturers/{glock.id}", "Add alias")):
        page = state_admin.get(path)
        assert page.status_code == 200, path
        body = text_of(page)
        assert form not in body and REFUSAL in body, path
    assert "Glock" in text_of(state_admin.get("/admin/reference/manufacturers?q=glock"))
    assert 'href="/admin/reference/rifling/' not in text_of(state_admin.get("/admin/reference/rifling"))


def test_a_state_administrator_changes_no_list(state_admin):
    glock = db.session.scalar(select(Manufacturer).where(Manufacturer.name == "Glock"))
    caliber = db.session.scalar(select(Caliber).where(Caliber.name == "9mm Luger"))
    row = db.session.scalars(select(RiflingSpec).order_by(RiflingSpec.id)).first()
    before = counts()
    for path in ("/admin/reference/manufacturers/new", "/admin/reference/calibers/new",
                 "/admin/reference/rifling/new", f"/admin/reference/rifling/{row.id}"):
        refused = state_admin.get(path)
        assert refused.status_code == 403 and REFUSAL in text_of(refused), path
    token = "/admin/reference/manufacturers"
    posts = ((f"/admin/reference/manufacturers/{glock.id}", {"alias": "Glok Austria"}),
             (f"/admin/reference/calibers/{caliber.id}", {"alias": "nueve corto"}),
             ("/admin/reference/manufacturers/new", {"name": "Armas Sonora", "country_code": "MX"}),
             ("/admin/reference/calibers/new", {"name": "5.7x28mm Sonora"}),
             ("/admin/reference/rifling/new", NEW_ROW),
             (f"/admin/reference/rifling/{row.id}", NEW_ROW),
             (f"/admin/reference/rifling/{row.id}/active", {"active": "0"}))
    for path, body in posts:
        refused = state_admin.post(path, data=body, token_from=token)
        assert refused.status_code == 403 and REFUSAL in text_of(refused), path
    db.session.expire_all()
    assert counts() == before
    assert db.session.get(RiflingSpec, row.id).active


def test_a_federal_administrator_keeps_them(login_as):
    federal = login_as("admin", "FGR", locale="en")
    glock = db.session.scalar(select(Manufacturer).where(Manufacturer.name == "Glock"))
    assert "New manufacturer" in text_of(federal.get("/admin/reference/manufacturers"))
    added = federal.post(f"/admin/reference/manufacturers/{glock.id}", data={"alias": "Glok Austria"},
                         token_from=f"/admin/reference/manufacturers/{glock.id}")
    assert added.status_code == 302
    assert db.session.scalar(select(ManufacturerAlias).where(ManufacturerAlias.alias == "Glok Austria")) is not None
