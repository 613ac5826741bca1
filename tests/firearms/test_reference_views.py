"""The administrators' reference pages and the typeahead suggestions."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from tracer.audit.models import AuditEvent
from tracer.extensions import db
from tracer.firearms.models import Caliber, Manufacturer
from tracer.firearms.reference import resolve_caliber, resolve_manufacturer


@pytest.fixture
def admin(login_as, reference_data):
    return login_as("admin", locale="en")


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- manufacturers -------------------------------------------------------------------------------------


def test_the_list_shows_makers_with_country_and_aliases(admin):
    page = admin.get("/admin/reference/manufacturers")
    assert page.status_code == 200
    body = text_of(page)
    assert "Beretta" in body and "Pietro Beretta" in body and "Italy" in body
    assert "Page 1 of 4" in body and "Zastava Arms" not in body, "50 makers a page, by name"
    assert "Zastava Arms" in text_of(admin.get("/admin/reference/manufacturers?page=4"))


def test_the_list_searches_names_and_aliases(admin):
    body = text_of(admin.get("/admin/reference/manufacturers?q=wesson"))
    assert "Smith & Wesson" in body and "Dan Wesson Firearms" in body and "Glock" not in body
    body = text_of(admin.get("/admin/reference/manufacturers?q=IZHMASH"))
    assert "Kalashnikov Concern" in body
    body = text_of(admin.get("/admin/reference/manufacturers?q=Heckler und Koch"))
    assert "Heckler & Koch" in body
    assert "No manufacturers match." in text_of(admin.get("/admin/reference/manufacturers?q=zzzzqqq"))


@pytest.mark.parametrize("query", ["%", "_", "\u200b", "x" * 500, "\x00"])
def test_odd_searches_never_fail(admin, query):
    response = admin.get("/admin/reference/manufacturers", query_string={"q": query})
    assert response.status_code in (200, 400)
    response = admin.get("/admin/reference/calibers", query_string={"q": query, "page": "-3"})
    assert response.status_code in (200, 400)


def test_add_a_manufacturer(admin):
    response = admin.post("/admin/reference/manufacturers/new",
                          {"name": "Armas del Pacífico", "country_code": "MX", "aliases": "ADP\nArmas Pacifico"})
    assert response.status_code == 302
    maker = resolve_manufacturer("ARMAS PACIFICO")
    assert maker is not None and maker.name == "Armas del Pacífico" and maker.country_code == "MX"
    assert response.headers["Location"] == f"/admin/reference/manufacturers/{maker.id}"
    detail = text_of(admin.get(response.headers["Location"]))
    assert "Manufacturer Armas del Pacífico added." in detail and "ADP" in detail and "Mexico" in detail
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "manufacturer.create"))
    assert event.username == admin.user.username


def test_a_duplicate_name_is_shown_next_to_the_field_and_nothing_is_written(admin):
    before = db.session.scalar(select(db.func.count()).select_from(Manufacturer))
    response = admin.post("/admin/reference/manufacturers/new", {"name": "smith and wesson", "aliases": "Otra"})
    assert response.status_code == 400
    body = text_of(response)
    assert 'id="name-error"' in body and "already names Smith & Wesson" in body
    assert 'value="smith and wesson"' in body and "Otra" in body, "the data entered stays on the form"
    assert db.session.scalar(select(db.func.count()).select_from(Manufacturer)) == before


def test_a_missing_name_and_an_unknown_country(admin):
    response = admin.post("/admin/reference/manufacturers/new", {"name": "", "country_code": "QQ"})
    assert response.status_code == 400
    assert 'id="name-error"' in text_of(response) and 'id="country_code-error"' in text_of(response)


def test_add_an_alias_to_a_manufacturer(admin):
    colt = resolve_manufacturer("Colt")
    response = admin.post(f"/admin/reference/manufacturers/{colt.id}", {"alias": "Colt Hartford"})
    assert response.status_code == 302
    assert resolve_manufacturer("colt hartford") == colt
    assert "Colt Hartford" in text_of(admin.get(f"/admin/reference/manufacturers/{colt.id}"))
    duplicate = admin.post(f"/admin/reference/manufacturers/{colt.id}", {"alias": "S&W"})
    assert duplicate.status_code == 400
    assert 'id="alias-error"' in text_of(duplicate) and "Smith & Wesson" in text_of(duplicate)


def test_an_absent_manufacturer_is_404(admin):
    assert admin.get("/admin/reference/manufacturers/99999999").status_code == 404
    assert admin.post("/admin/reference/calibers/99999999", {"alias": "x"}).status_code == 404


def test_forms_need_their_csrf_token(admin):
    response = admin.client.post("/admin/reference/manufacturers/new", data={"name": "Sin Token"})
    assert response.status_code == 400
    assert resolve_manufacturer("Sin Token") is None


# --- calibers ------------------------------------------------------------------------------------------------


def test_the_caliber_list_shows_types_and_aliases(admin):
    body = text_of(admin.get("/admin/reference/calibers?q=9x19"))
    assert "9mm Luger" in body and "9mm Parabellum" in body and "Submachine gun" in body
    assert ".380 ACP" not in body


def test_add_a_caliber_with_the_types_it_fits(admin):
    form = text_of(admin.get("/admin/reference/calibers/new"))
    assert 'type="checkbox"' in form and 'value="machine_gun"' in form and 'value="receiver_frame"' not in form
    response = admin.post("/admin/reference/calibers/new",
                          {"name": "6.5 PRC", "firearm_types": ["rifle"], "aliases": "6.5mm PRC"})
    assert response.status_code == 302
    caliber = resolve_caliber("6.5mm PRC")
    assert caliber.firearm_types == ["rifle"]
    added = admin.post(f"/admin/reference/calibers/{caliber.id}", {"alias": "6,5 Precision Rifle"})
    assert added.status_code == 302 and resolve_caliber("6.5 precision rifle") == caliber


def test_a_caliber_needs_a_type_and_a_new_name(admin):
    response = admin.post("/admin/reference/calibers/new", {"name": "6.5 PRC"})
    assert response.status_code == 400
    assert 'id="firearm_types-error"' in text_of(response)
    response = admin.post("/admin/reference/calibers/new", {"name": "9 MM", "firearm_types": ["pistol", "cannon"]})
    assert response.status_code == 400 and 'id="firearm_types-error"' in text_of(response)
    response = admin.post("/admin/reference/calibers/new", {"name": "9 MM", "firearm_types": ["pistol"]})
    assert response.status_code == 400
    assert 'id="name-error"' in text_of(response) and "already names 9mm Luger" in text_of(response)
    assert db.session.scalar(select(Caliber).where(Caliber.name.in_(["9 MM", "6.5 PRC"]))) is None


# --- who may enter ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "analyst", "supervisor", "liaison"])
def test_only_administrators_reach_the_pages(login_as, reference_data, role):
    person = login_as(role, "ATF-MX" if role == "liaison" else "FGR")
    colt = resolve_manufacturer("Colt")
    for path in ("/admin/reference/manufacturers", "/admin/reference/manufacturers/new",
                 f"/admin/reference/manufacturers/{colt.id}", "/admin/reference/calibers",
                 "/admin/reference/calibers/new"):
        assert person.get(path).status_code == 403, path
    assert person.post("/admin/reference/manufacturers/new", {"name": "Intrusa"}).status_code == 403
    assert person.post(f"/admin/reference/manufacturers/{colt.id}", {"alias": "Intrusa"}).status_code == 403
    assert resolve_manufacturer("Intrusa") is None


def test_the_admin_menu_links_to_the_reference_pages(admin):
    assert 'href="/admin/reference/manufacturers"' in admin.get("/").get_data(as_text=True)


# --- suggestions -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "analyst", "supervisor", "admin"])
def test_suggestions_for_the_people_who_record_firearms(login_as, reference_data, role):
    person = login_as(role)
    response = person.get("/reference/manufacturers/suggest?q=smith")
    assert response.status_code == 200 and response.is_json
    items = response.get_json()["items"]
    assert items[0] == {"id": resolve_manufacturer("Smith & Wesson").id, "name": "Smith & Wesson"}
    calibers = person.get("/reference/calibers/suggest?q=9x19").get_json()["items"]
    assert calibers[0]["name"] == "9mm Luger" and set(calibers[0]) == {"id", "name"}


def test_suggestions_are_not_for_liaisons_or_visitors(login_as, client, reference_data):
    assert login_as("liaison", "ATF-MX").get("/reference/manufacturers/suggest?q=s").status_code == 403
    anonymous = client.get("/reference/calibers/suggest?q=9")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]


@pytest.mark.parametrize("query", ["", "   ", "\u202e", "%%", "x" * 1000])
def test_empty_or_odd_queries_suggest_nothing(login_as, reference_data, query):
    person = login_as("officer")
    for kind in ("manufacturers", "calibers"):
        response = person.get(f"/reference/{kind}/suggest", query_string={"q": query})
        assert response.status_code == 200
        assert response.get_json()["items"] == [] or query.startswith("x")
    assert person.get("/reference/manufacturers/suggest").get_json() == {"items": []}
