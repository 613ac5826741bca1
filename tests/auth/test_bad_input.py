"""Hostile and malformed input on the sign-in, administration and audit forms:
refused with the field named, or stored literally, and never a server error."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from tests.auth.helpers import error_fields, field_value, has_field_error, page, selected_value
from tests.conftest import csrf_token
from tracer.audit.models import AuditEvent
from tracer.auth.models import Agency, LoginThrottle, User
from tracer.extensions import db

INVISIBLE = {
    "nul": "\x00",
    "bell": "\x07",
    "escape": "\x1b",
    "rtl-override": "\u202e",
    "rtl-mark": "\u200f",
    "zero-width-space": "\u200b",
    "zero-width-joiner": "\u200d",
    "bom": "\ufeff",
}
SQL = ["' OR 1=1 --", '"; DROP TABLE users; --', "%_\\", "admin'--", "%", "_"]


@pytest.fixture
def admin(sign_in):
    return sign_in("admin", locale="en")


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def no_throttles(app) -> bool:
    return count(app, LoginThrottle) == 0


# --- sign-in form ------------------------------------------------------------

def test_huge_username_is_a_form_error(new_browser, app, events):
    browser = new_browser()
    browser.accept_notice()
    response = browser.post("/auth/login", {"username": "a" * 10_000, "password": "whatever it is"})
    assert response.status_code == 400
    assert has_field_error(page(response), "username")
    assert no_throttles(app)
    assert events("login") == []


def test_huge_password_is_a_form_error(make_user, new_browser, app):
    user = make_user()
    browser = new_browser()
    browser.accept_notice()
    response = browser.post("/auth/login", {"username": user.username, "password": "p" * 10_000})
    assert response.status_code == 400
    assert has_field_error(page(response), "password")
    assert no_throttles(app)


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_invisible_characters_in_the_username(char, make_user, new_browser, app):
    user = make_user()
    browser = new_browser()
    browser.accept_notice()
    response = browser.post("/auth/login", {"username": user.username + char, "password": user.password})
    assert response.status_code == 400
    assert has_field_error(page(response), "username")
    assert no_throttles(app)


@pytest.mark.parametrize("char", ["\x00", "\u202e"], ids=["nul", "rtl-override"])
def test_invisible_characters_in_the_password_are_just_a_wrong_password(char, make_user, new_browser):
    user = make_user()
    response = new_browser().login(user.username, user.password + char)
    assert response.status_code == 401


@pytest.mark.parametrize("typed", SQL)
def test_sql_metacharacters_in_the_login_form(typed, make_user, new_browser, app):
    user = make_user()
    browser = new_browser()
    browser.accept_notice()
    # As the username, with the right password of an existing user: no match, no error.
    as_name = browser.post("/auth/login", {"username": typed, "password": user.password})
    assert as_name.status_code == 401
    # As the password of a real user.
    as_password = browser.post("/auth/login", {"username": user.username, "password": typed})
    assert as_password.status_code == 401
    assert browser.get("/").status_code == 302
    with app.app_context():
        keys = set(db.session.scalars(select(LoginThrottle.username_key)))
    assert keys == {typed.strip().lower(), user.username}
    assert count(app, User) >= 1  # the users table is still there


def test_undecodable_bytes_in_the_login_form(new_browser, app):
    browser = new_browser()
    browser.accept_notice()
    body = f"csrf_token={csrf_token(browser.client)}&username=%FF%FE%FD&password=%C3%28".encode()
    response = browser.client.post("/auth/login", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 401)


def test_huge_next_does_not_break_the_login(make_user, new_browser):
    user = make_user()
    browser = new_browser()
    browser.accept_notice()
    response = browser.post("/auth/login?next=/" + "a" * 5000, {"username": user.username, "password": user.password})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("code", ["\x00" * 6, "1" * 10_000, "12345\u200b6", "' OR 1=1 --"])
def test_malformed_second_factor_codes(code, mfa_user, new_browser):
    user = mfa_user()
    browser = new_browser()
    browser.login(user.username, user.password)
    response = browser.post("/auth/mfa", {"code": code})
    assert response.status_code in (200, 400, 401)
    assert browser.get("/").status_code == 302


def test_unknown_language_is_ignored(new_browser):
    browser = new_browser()
    response = browser.post("/language", {"lang": "xx' OR 1=1"})
    assert response.status_code == 302
    with browser.client.session_transaction() as session:
        assert "lang" not in session


# --- administration forms ----------------------------------------------------

def user_form(agency_id, **overrides):
    values = {"username": "persona.nueva", "full_name": "Persona Nueva", "email": "persona@fgr.example.mx",
              "role": "analyst", "agency_id": agency_id, "locale": "en"}
    values.update(overrides)
    return values


def agency_form(**overrides):
    values = {"acronym": "SSP-NL", "name": "Secretaría de Seguridad de Nuevo León", "level": "state",
              "state_code": "19", "contact_name": "Mtra. Laura Garza", "contact_phone": "+52 81 0000 0000",
              "contact_email": "enlace@ssp-nl.example.mx", "active": "y"}
    values.update(overrides)
    return values


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_invisible_characters_in_a_users_full_name(char, admin, agency_id, app):
    response = admin.post("/admin/users/new", user_form(agency_id("FGR"), full_name=f"Persona{char} Nueva"))
    assert response.status_code == 400
    text_ = page(response)
    assert has_field_error(text_, "full_name")
    assert error_fields(text_) == {"full_name"}
    assert field_value(text_, "username") == "persona.nueva"
    assert field_value(text_, "email") == "persona@fgr.example.mx"
    assert selected_value(text_, "role") == "analyst"
    assert selected_value(text_, "locale") == "en"
    assert count(app, User, User.username == "persona.nueva") == 0


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_invisible_characters_in_an_agency_name(char, admin, app):
    response = admin.post("/admin/agencies/new", agency_form(name=f"Secretaría{char} de Seguridad"))
    assert response.status_code == 400
    text_ = page(response)
    assert has_field_error(text_, "name")
    assert error_fields(text_) == {"name"}
    assert field_value(text_, "acronym") == "SSP-NL"
    assert field_value(text_, "contact_name") == "Mtra. Laura Garza"
    assert field_value(text_, "contact_phone") == "+52 81 0000 0000"
    assert selected_value(text_, "state_code") == "19"
    assert count(app, Agency, Agency.acronym == "SSP-NL") == 0


@pytest.mark.parametrize("field", ["contact_name", "contact_phone", "acronym"])
def test_invisible_characters_in_other_agency_fields(field, admin, app):
    values = agency_form()
    values[field] = values[field][:3] + "\u202e" + values[field][3:]
    response = admin.post("/admin/agencies/new", values)
    assert response.status_code == 400
    assert has_field_error(page(response), field)
    assert count(app, Agency, Agency.name == values["name"]) == 0


def test_invisible_characters_when_editing_a_user(admin, make_user, agency_id, app):
    target = make_user(full_name="Nombre Original")
    response = admin.post(f"/admin/users/{target.id}", {"full_name": "Nombre\u200b Cambiado", "email": "",
                                                         "role": "officer", "agency_id": agency_id("FGR"),
                                                         "locale": "es"})
    assert response.status_code == 400
    assert has_field_error(page(response), "full_name")
    with app.app_context():
        assert db.session.get(User, target.id).full_name == "Nombre Original"


@pytest.mark.parametrize("typed", SQL)
def test_sql_metacharacters_in_the_agency_form(typed, admin, app):
    name = f"Agencia {typed}"
    response = admin.post("/admin/agencies/new", agency_form(name=name, contact_name=typed, contact_phone=typed[:40]))
    assert response.status_code == 302
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.acronym == "SSP-NL"))
        assert (agency.name, agency.contact_name, agency.contact_phone) == (name, typed.strip(), typed[:40].strip())
    assert name in page(admin.get("/admin/agencies")).replace("&#39;", "'").replace("&#34;", '"')
    # Where the value is not valid, it is refused with the field named.
    for field in ("acronym", "contact_email", "state_code", "level"):
        refused = admin.post("/admin/agencies/new", {**agency_form(acronym="SSP-NL2"), field: typed})
        assert refused.status_code == 400, field
        assert has_field_error(page(refused), field), field


@pytest.mark.parametrize("typed", SQL)
def test_sql_metacharacters_in_the_user_form(typed, admin, agency_id, app):
    fgr = agency_id("FGR")
    response = admin.post("/admin/users/new", user_form(fgr, full_name=f"Nombre {typed}"))
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(User.full_name).where(User.username == "persona.nueva")) == f"Nombre {typed}"
    for field in ("username", "email", "role", "locale", "agency_id"):
        refused = admin.post("/admin/users/new", {**user_form(fgr, username="otra.persona"), field: typed})
        assert refused.status_code == 400, field
        assert has_field_error(page(refused), field), field
    assert count(app, User, User.username == "otra.persona") == 0
    # As an initial password it is judged by the policy alone (long enough ones are accepted).
    chosen = admin.post("/admin/users/new", {**user_form(fgr, username="con.clave"), "password": typed})
    if len(typed) >= 12:
        assert chosen.status_code == 200
        assert count(app, User, User.username == "con.clave") == 1
    else:
        assert chosen.status_code == 400
        assert has_field_error(page(chosen), "password")


@pytest.mark.parametrize("agency_id_value", ["abc", "-1", "99999999999999999999", ""])
def test_malformed_agency_choice_in_the_user_form(agency_id_value, admin, agency_id):
    agency_id("FGR")
    response = admin.post("/admin/users/new", user_form(agency_id_value))
    assert response.status_code == 400
    assert has_field_error(page(response), "agency_id")


def test_user_search_is_literal(admin, make_user):
    make_user(username="ana.lopez", full_name="Ana López")
    assert "ana.lopez" in page(admin.get("/admin/users?q=ana"))
    for typed in SQL + ["\x00", "\u202e", "a" * 10_000]:
        response = admin.get("/admin/users", query_string={"q": typed})
        assert response.status_code == 200, typed
        assert "ana.lopez" not in page(response), typed


# --- the audit filter ----------------------------------------------------------

@pytest.mark.parametrize("field", ["user", "action", "object_type", "object_id"])
@pytest.mark.parametrize("typed", SQL)
def test_sql_metacharacters_in_the_audit_filter(field, typed, admin, app):
    response = admin.get("/admin/audit", query_string={field: typed})
    assert response.status_code == 200
    # Taken literally: no event has such a user, action, type or id, so none is listed.
    assert "<td><code>" not in page(response)
    assert count(app, AuditEvent) > 0


@pytest.mark.parametrize("field", ["user", "action", "object_type", "object_id"])
@pytest.mark.parametrize("char", ["\x00", "\u202e", "\u200b"], ids=["nul", "rtl-override", "zero-width"])
def test_invisible_characters_in_the_audit_filter(field, char, admin):
    response = admin.get("/admin/audit", query_string={field: f"login{char}"})
    assert response.status_code == 400
    assert has_field_error(page(response), field)


def test_overlong_audit_filter_values(admin):
    response = admin.get("/admin/audit", query_string={"user": "u" * 10_000, "action": "a" * 500})
    assert response.status_code == 400
    assert {"user", "action"} <= error_fields(page(response))


@pytest.mark.parametrize("value", ["2024-13-45", "not a date", "2024-02-30", "31/12/2024", "2024-1-1x",
                                   "0000-00-00", "20241", "\x00", "99999-01-01", "2024-01-01' OR 1=1"])
@pytest.mark.parametrize("field", ["date_from", "date_to"])
def test_malformed_dates_in_the_audit_filter(field, value, admin):
    response = admin.get("/admin/audit", query_string={field: value})
    assert response.status_code == 400
    assert has_field_error(page(response), field)
    assert error_fields(page(response)) == {field}


@pytest.mark.parametrize("field", ["date_from", "date_to"])
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_extreme_valid_dates_in_the_audit_filter(field, value, admin):
    response = admin.get("/admin/audit", query_string={field: value})
    assert response.status_code == 200


def test_extreme_dates_filter_sensibly(admin):
    row = '<br><code class="muted">'  # the action code under its label, once per row
    assert row in page(admin.get("/admin/audit?date_from=0001-01-01&date_to=9999-12-31"))
    assert row not in page(admin.get("/admin/audit?date_from=9999-12-31"))


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/users"])
@pytest.mark.parametrize("page_number", ["99999999999999999999", "-5", "0", "abc", "1e3", "", "\x00"])
def test_odd_page_numbers(path, page_number, admin):
    response = admin.get(path, query_string={"page": page_number})
    if path == "/admin/audit" and page_number == "99999999999999999999":
        # The trail is walked by cursor beyond its first pages: a clear message naming the page.
        assert response.status_code == 400
        assert "(cursor)" in response.get_data(as_text=True)
        return
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/admin/users/99999999999999999999", "/admin/agencies/99999999999999999999",
                                  "/admin/users/2147483648", "/admin/agencies/9223372036854775808"])
def test_huge_ids_in_admin_addresses(path, admin):
    assert admin.get(path).status_code == 404


def test_huge_id_in_an_admin_action(admin):
    assert admin.post("/admin/users/99999999999999999999/disable", {}).status_code == 404


def test_tables_survive_the_injection_attempts(admin, app):
    admin.post("/admin/agencies/new", agency_form(name='x"; DROP TABLE users; --'))
    admin.get("/admin/audit", query_string={"user": "'; DELETE FROM audit_events; --"})
    with app.app_context():
        for table in ("users", "agencies", "audit_events", "user_sessions"):
            assert db.session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() >= 1
