"""Administration of agencies and accounts, and the audit trail page."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import undefer_group

from tests.auth.helpers import (
    by_testid, error_fields, field_error_text, field_value, has_field_error, location, page, path_of, query_of,
)
from tracer.audit import services as audit_services
from tracer.auth import sessions
from tracer.auth.models import SECRETS, Agency, User, UserSession
from tracer.core.time import local_today
from tracer.extensions import db


@pytest.fixture
def admin(sign_in):
    return sign_in("admin", locale="en")


def agency_form(**overrides):
    values = {"acronym": "SSP-SIN", "name": "Secretaría de Seguridad Pública de Sinaloa", "level": "state",
              "state_code": "25", "contact_name": "Lic. Ana Ruiz", "contact_phone": "+52 667 000 0000",
              "contact_email": "enlace@ssp.example.mx", "active": "y"}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def stored_agency(app, acronym):
    with app.app_context():
        return db.session.scalar(select(Agency).where(Agency.acronym == acronym))


def stored_user(app, username):
    """The account as stored, secrets included (read apart from the rest), for reading after its context ends."""
    with app.app_context():
        return db.session.scalar(select(User).where(User.username == username).options(undefer_group(SECRETS)))


def user_form(agency_id, **overrides):
    values = {"username": "nuevo.agente", "full_name": "Nuevo Agente Pérez", "email": "nuevo@fgr.example.mx",
              "role": "officer", "agency_id": agency_id, "locale": "es"}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def edit_form(user, agency_id, **overrides):
    values = {"full_name": user.full_name, "email": user.email or "", "role": user.role,
              "agency_id": agency_id, "locale": user.locale}
    values.update(overrides)
    return values


# --- who may enter ---------------------------------------------------------

ADMIN_PAGES = ["/admin/agencies", "/admin/agencies/new", "/admin/users", "/admin/users/new",
               "/admin/users/{id}", "/admin/agencies/{agency}", "/admin/audit"]


@pytest.mark.parametrize("role, agency", [("officer", "FGR"), ("analyst", "FGE-SON"), ("supervisor", "SEDENA"),
                                          ("liaison", "ATF-MX")])
def test_non_admins_get_403_on_admin_pages(role, agency, sign_in, agency_id, fetch, events):
    browser = sign_in(role, agency)
    for path in ADMIN_PAGES:
        response = browser.get(path.format(id=browser.user.id, agency=agency_id(agency)))
        assert response.status_code == 403, path
    for action in ("disable", "end-sessions", "reset-mfa", "reset-password", "enable"):
        assert browser.post(f"/admin/users/{browser.user.id}/{action}", {}).status_code == 403, action
    assert browser.post("/admin/agencies/new", agency_form()).status_code == 403
    assert browser.post(f"/admin/users/{browser.user.id}", {"role": "admin"}).status_code == 403
    assert fetch(User, browser.user.id).role == role
    assert fetch(User, browser.user.id).active
    assert events("audit.read") == []


def test_signed_out_visitors_are_sent_to_sign_in(new_browser):
    browser = new_browser()
    for path in ("/admin/agencies", "/admin/users", "/admin/audit"):
        response = browser.get(path)
        assert response.status_code == 302
        assert path_of(response) == "/auth/login"
        assert query_of(response)["next"] == [path]


def test_admin_sees_the_admin_pages(admin):
    for path in ("/admin/agencies", "/admin/agencies/new", "/admin/users", "/admin/users/new", "/admin/audit"):
        assert admin.get(path).status_code == 200, path


# --- agencies ----------------------------------------------------------------

def test_admin_creates_a_federal_agency(admin, app, events):
    response = admin.post("/admin/agencies/new", agency_form(acronym="GN", name="Guardia Nacional", level="federal",
                                                             state_code=""))
    assert response.status_code == 302
    assert path_of(response) == "/admin/agencies"
    agency = stored_agency(app, "GN")
    assert agency.name == "Guardia Nacional" and agency.level == "federal" and agency.state_code is None
    assert agency.active
    assert "Guardia Nacional" in page(admin.get("/admin/agencies"))
    [event] = events("agency.create", user_id=admin.user.id)
    assert event.object_id == str(agency.id)
    assert event.details["new"]["acronym"] == "GN"


@pytest.mark.parametrize("code", ["01", "26", "32"])
def test_state_agency_with_a_valid_state(code, admin, app):
    response = admin.post("/admin/agencies/new", agency_form(acronym=f"FGE-T{code}", state_code=code))
    assert response.status_code == 302
    assert stored_agency(app, f"FGE-T{code}").state_code == code


@pytest.mark.parametrize("code", ["", "00", "33", "99", "1", "AB"])
def test_state_agency_needs_a_valid_state(code, admin, app):
    response = admin.post("/admin/agencies/new", agency_form(acronym="FGE-BAD", state_code=code))
    assert response.status_code == 400
    assert has_field_error(page(response), "state_code")
    assert error_fields(page(response)) == {"state_code"}
    assert stored_agency(app, "FGE-BAD") is None
    # What was typed stays in the form.
    assert field_value(page(response), "acronym") == "FGE-BAD"
    assert field_value(page(response), "contact_name") == "Lic. Ana Ruiz"


def test_federal_agency_may_not_have_a_state(admin, app):
    response = admin.post("/admin/agencies/new", agency_form(acronym="FED-X", level="federal", state_code="09"))
    assert response.status_code == 400
    assert has_field_error(page(response), "state_code")
    assert stored_agency(app, "FED-X") is None


@pytest.mark.parametrize("acronym", ["FGR", "fgr", " FGR "])
def test_duplicate_acronym_is_refused(acronym, admin, app, agency_id):
    agency_id("FGR")
    response = admin.post("/admin/agencies/new", agency_form(acronym=acronym, level="federal", state_code="",
                                                             name="Otra Fiscalía"))
    assert response.status_code == 400
    assert has_field_error(page(response), "acronym")
    assert field_error_text(page(response), "acronym") == "Another agency already uses this acronym."
    with app.app_context():
        assert db.session.scalar(select(Agency).where(Agency.name == "Otra Fiscalía")) is None


@pytest.mark.parametrize("acronym", ["A", "FG R", "FGR/2", "-FGR", "Ñ-FGR"])
def test_malformed_acronym_is_refused(acronym, admin):
    response = admin.post("/admin/agencies/new", agency_form(acronym=acronym))
    assert response.status_code == 400
    assert has_field_error(page(response), "acronym")


def test_admin_edits_an_agency(admin, app, agency_id, events):
    sonora = agency_id("FGE-SON")
    form = page(admin.get(f"/admin/agencies/{sonora}"))
    assert field_value(form, "acronym") == "FGE-SON"
    response = admin.post(f"/admin/agencies/{sonora}", agency_form(acronym="FGE-SON", name="Fiscalía de Sonora",
                                                                   state_code="26"))
    assert response.status_code == 302
    assert stored_agency(app, "FGE-SON").name == "Fiscalía de Sonora"
    [event] = events("agency.update")
    assert event.details["new"]["name"] == "Fiscalía de Sonora"
    assert event.details["old"]["name"] == "Fiscalía General de Justicia del Estado de Sonora"


def test_unknown_agency_is_404(admin):
    assert admin.get("/admin/agencies/987654").status_code == 404


# --- users -------------------------------------------------------------------

def test_admin_creates_a_user_with_a_temporary_password(admin, app, agency_id, new_browser, events):
    response = admin.post("/admin/users/new", user_form(agency_id("FGR")))
    assert response.status_code == 200
    temporary = by_testid(page(response), "temporary-password")
    assert len(temporary) >= 12

    created = stored_user(app, "nuevo.agente")
    assert created.full_name == "Nuevo Agente Pérez" and created.role == "officer"
    assert created.must_change_password
    assert created.password_hash.startswith("$argon2id$")
    [event] = events("user.create", user_id=admin.user.id)
    assert event.object_id == str(created.id)
    assert event.details["new"] == {"username": "nuevo.agente", "role": "officer", "agency": "FGR"}
    assert temporary not in str([e.details for e in events()])
    # Shown once: the user's page does not show it again.
    assert temporary not in page(admin.get(f"/admin/users/{created.id}"))

    # The first page after signing in is the password change, and nothing else opens before it.
    person = new_browser()
    signed = person.login("nuevo.agente", temporary)
    assert signed.status_code == 302
    assert path_of(signed) == "/auth/password"
    for path in ("/", "/auth/profile", "/admin/users"):
        assert path_of(person.get(path)) == "/auth/password", path
    changed = person.post("/auth/password", {"current_password": temporary,
                                             "new_password": "cielo despejado sobre hermosillo",
                                             "confirm": "cielo despejado sobre hermosillo"})
    assert changed.status_code == 302
    assert person.get("/").status_code == 200
    assert not stored_user(app, "nuevo.agente").must_change_password


def test_user_created_with_a_chosen_password_must_change_it_too(admin, app, agency_id, new_browser):
    response = admin.post("/admin/users/new", user_form(agency_id("FGR"), password="primer acceso temporal 77"))
    assert response.status_code == 200
    assert by_testid(page(response), "temporary-password") == ""
    assert stored_user(app, "nuevo.agente").must_change_password
    signed = new_browser().login("nuevo.agente", "primer acceso temporal 77")
    assert path_of(signed) == "/auth/password"


def test_new_user_under_required_mfa_enrols_then_changes_the_password(admin, app, agency_id, new_browser,
                                                                      monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_MFA", True)
    temporary = by_testid(page(admin.post("/admin/users/new", user_form(agency_id("FGR")))), "temporary-password")
    person = new_browser()
    assert path_of(person.login("nuevo.agente", temporary)) == "/auth/mfa/setup"
    secret = by_testid(page(person.get("/auth/mfa/setup")), "totp-secret")
    assert person.post("/auth/mfa/setup", {"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert path_of(person.get("/auth/continue")) == "/auth/password"
    assert path_of(person.get("/")) == "/auth/password"


def test_taken_username_is_refused(admin, make_user, agency_id, app):
    existing = make_user(username="ya.existe")
    response = admin.post("/admin/users/new", user_form(agency_id("FGR"), username="Ya.Existe",
                                                         full_name="Otra Persona"))
    assert response.status_code == 400
    assert has_field_error(page(response), "username")
    assert field_error_text(page(response), "username") == "This username is taken."
    assert stored_user(app, "ya.existe").id == existing.id
    assert field_value(page(response), "full_name") == "Otra Persona"


@pytest.mark.parametrize("username", ["ab", "con espacio", "Ñandú", "-guion", "x" * 65])
def test_malformed_username_is_refused(username, admin, agency_id):
    response = admin.post("/admin/users/new", user_form(agency_id("FGR"), username=username))
    assert response.status_code == 400
    assert has_field_error(page(response), "username")


def test_role_must_suit_the_agency(admin, agency_id):
    liaison_in_fgr = admin.post("/admin/users/new", user_form(agency_id("FGR"), role="liaison"))
    assert liaison_in_fgr.status_code == 400
    assert has_field_error(page(liaison_in_fgr), "role")
    officer_in_atf = admin.post("/admin/users/new", user_form(agency_id("ATF-MX"), role="officer"))
    assert officer_in_atf.status_code == 400
    assert has_field_error(page(officer_in_atf), "role")


def test_role_change_is_audited_and_ends_the_users_sessions(admin, sign_in, agency_id, app, events):
    officer = sign_in("officer")
    assert officer.get("/").status_code == 200
    target = stored_user(app, officer.user.username)
    response = admin.post(f"/admin/users/{target.id}", edit_form(target, agency_id("FGR"), role="analyst"))
    assert response.status_code == 302
    assert path_of(response) == f"/admin/users/{target.id}"

    assert stored_user(app, officer.user.username).role == "analyst"
    [event] = events("user.permission_change")
    assert event.object_id == str(target.id) and event.user_id == admin.user.id
    assert event.details == {"old": {"role": "officer"}, "new": {"role": "analyst"}}
    assert events("user.update") == []

    follow = officer.get("/")
    assert follow.status_code == 302 and path_of(follow) == "/auth/login"
    with app.app_context():
        reasons = db.session.scalars(select(UserSession.end_reason).where(UserSession.user_id == target.id)).all()
    assert reasons == ["permission_change"]


def test_agency_change_is_a_permission_change(admin, sign_in, agency_id, app, events):
    officer = sign_in("officer")
    target = stored_user(app, officer.user.username)
    sonora = agency_id("FGE-SON")
    admin.post(f"/admin/users/{target.id}", edit_form(target, sonora))
    [event] = events("user.permission_change")
    assert event.details == {"old": {"agency_id": target.agency_id}, "new": {"agency_id": sonora}}
    assert path_of(officer.get("/")) == "/auth/login"


def test_name_change_is_not_a_permission_change(admin, sign_in, agency_id, app, events):
    officer = sign_in("officer")
    target = stored_user(app, officer.user.username)
    admin.post(f"/admin/users/{target.id}", edit_form(target, agency_id("FGR"), full_name="Nombre Corregido"))
    assert stored_user(app, officer.user.username).full_name == "Nombre Corregido"
    [event] = events("user.update")
    assert event.details["new"] == {"full_name": "Nombre Corregido"}
    assert events("user.permission_change") == []
    assert officer.get("/").status_code == 200


def test_disable_and_enable(admin, sign_in, new_browser, app, events):
    officer = sign_in("officer")
    target_id = officer.user.id
    response = admin.post(f"/admin/users/{target_id}/disable", {})
    assert response.status_code == 302 and path_of(response) == f"/admin/users/{target_id}"
    assert not stored_user(app, officer.user.username).active
    [disabled] = events("user.disable")
    assert disabled.details == {"old": {"active": True}, "new": {"active": False}}
    assert path_of(officer.get("/")) == "/auth/login"
    assert new_browser().login(officer.user.username, officer.user.password).status_code == 401
    assert f'action="/admin/users/{target_id}/enable"' in page(admin.get(f"/admin/users/{target_id}"))

    admin.post(f"/admin/users/{target_id}/enable", {})
    assert stored_user(app, officer.user.username).active
    [enabled] = events("user.enable")
    assert enabled.details == {"old": {"active": False}, "new": {"active": True}}
    assert location(new_browser().login(officer.user.username, officer.user.password)) == "/"


def test_end_sessions_from_the_user_page(admin, sign_in, app, events):
    officer = sign_in("officer")
    edit = page(admin.get(f"/admin/users/{officer.user.id}"))
    assert f'action="/admin/users/{officer.user.id}/end-sessions"' in edit
    admin.post(f"/admin/users/{officer.user.id}/end-sessions", {})
    assert path_of(officer.get("/")) == "/auth/login"
    assert events("user.sessions_end")[0].details == {"ended": 1}
    with app.app_context():
        assert sessions.live_sessions(db.session.get(User, officer.user.id)) == []


def test_reset_password(admin, sign_in, new_browser, app, events):
    officer = sign_in("officer")
    response = admin.post(f"/admin/users/{officer.user.id}/reset-password", {})
    assert response.status_code == 200
    temporary = by_testid(page(response), "temporary-password")
    assert temporary
    assert stored_user(app, officer.user.username).must_change_password
    assert path_of(officer.get("/")) == "/auth/login"
    assert new_browser().login(officer.user.username, officer.user.password).status_code == 401
    assert path_of(new_browser().login(officer.user.username, temporary)) == "/auth/password"
    [event] = events("user.password_change")
    assert event.details == {"by_admin": True}


def test_user_list_search(admin, make_user):
    make_user(username="busqueda.uno", full_name="Rosa Búsqueda")
    make_user(username="otra.persona")
    listing = page(admin.get("/admin/users?q=busqueda"))
    assert "busqueda.uno" in listing and "otra.persona" not in listing
    assert "busqueda.uno" in page(admin.get("/admin/users?q=Rosa"))


def test_unknown_user_is_404(admin):
    assert admin.get("/admin/users/987654").status_code == 404
    assert admin.post("/admin/users/987654/disable", {}).status_code == 404


# --- the audit trail page ----------------------------------------------------

ROW = re.compile(
    r"<tr>\s*<td>(?P<seq>\d+)</td>\s*<td><time[^>]*>(?P<local>[^<]*)</time><br><span class=\"muted\">(?P<utc>[^<]*)</span></td>\s*<td>(?P<user>[^<]*)</td>\s*"
    r"<td>[^<]*</td>\s*<td>(?P<label>[^<]*)<br><code class=\"muted\">(?P<action>[^<]*)</code></td>\s*"
    r"<td>(?P<object>[^<]*)</td>", re.S)


def audit_rows(response) -> list[dict[str, str]]:
    return [{k: html.unescape(v).strip() for k, v in match.groupdict().items()} for match in ROW.finditer(page(response))]


@pytest.fixture
def trail(admin, sign_in, new_browser):
    """A few events by different people: a sign-in, a failure and an agency created."""
    officer = sign_in("officer")
    new_browser().login("nobody.at.all", "whatever password")
    admin.post("/admin/agencies/new", agency_form(acronym="GN", name="Guardia Nacional", level="federal",
                                                  state_code=""))
    return officer


def test_audit_page_lists_events_newest_first(admin, trail):
    rows = audit_rows(admin.get("/admin/audit"))
    seqs = [int(row["seq"]) for row in rows]
    assert seqs == sorted(seqs, reverse=True)
    assert {"login", "agency.create"} <= {row["action"] for row in rows}


def test_audit_filter_by_user(admin, trail, events):
    for typed in (trail.user.username, trail.user.username.upper()):
        rows = audit_rows(admin.get("/admin/audit", query_string={"user": typed}))
        assert rows and {row["user"] for row in rows} == {trail.user.username}
        assert "login" in {row["action"] for row in rows}
    read = events("audit.read")[-1]
    assert read.user_id == admin.user.id
    assert read.details == {"filters": {"user": trail.user.username.upper()}, "page": 1}


def test_audit_filter_by_action_prefix(admin, trail):
    rows = audit_rows(admin.get("/admin/audit?action=agency"))
    assert {row["action"] for row in rows} == {"agency.create"}
    assert admin.user.username in {row["user"] for row in rows}
    logins = audit_rows(admin.get("/admin/audit?action=login"))
    assert logins and all(row["action"].startswith("login") for row in logins)


def test_audit_filter_by_object_type_and_id(admin, trail, app, events):
    agency_id = stored_agency(app, "GN").id
    rows = audit_rows(admin.get("/admin/audit?object_type=agency"))
    assert rows and all(row["object"].startswith("agency ") for row in rows)
    assert f"agency {agency_id}" in {row["object"] for row in rows}
    assert not {row["action"] for row in rows} - {"agency.create"}
    assert len(audit_rows(admin.get(f"/admin/audit?object_type=agency&object_id={agency_id}"))) == 1
    assert audit_rows(admin.get(f"/admin/audit?object_type=agency&object_id={agency_id + 1000}")) == []
    assert events("audit.read")[-1].details["filters"] == {"object_type": "agency", "object_id": str(agency_id + 1000)}


def test_audit_filter_by_date(admin, trail, events):
    today = local_today()
    day = timedelta(days=1)
    assert audit_rows(admin.get(f"/admin/audit?date_from={today}&date_to={today}"))
    assert audit_rows(admin.get(f"/admin/audit?date_from={today - day}"))
    assert audit_rows(admin.get(f"/admin/audit?date_to={today - day}")) == []
    assert audit_rows(admin.get(f"/admin/audit?date_from={today + day}")) == []
    assert events("audit.read")[-1].details["filters"] == {"from": (today + day).isoformat()}


def test_audit_dates_are_days_in_mexico(admin, sign_in, monkeypatch):
    """An event at 21:00 in Mexico City on 6 March is 03:00 UTC on the 7th: the auditor finds it under
    the 6th, the day the page shows it on."""
    evening = datetime(2025, 3, 7, 3, 0, tzinfo=timezone.utc)
    monkeypatch.setattr(audit_services, "utcnow", lambda: evening)
    sign_in("officer")
    monkeypatch.undo()
    shown = [row for row in audit_rows(admin.get("/admin/audit?date_from=2025-03-06&date_to=2025-03-06"))
             if row["action"] == "login"]
    assert len(shown) == 1 and shown[0]["local"].startswith("2025-03-06 21:00")
    assert not [row for row in audit_rows(admin.get("/admin/audit?date_from=2025-03-07&date_to=2025-03-07"))
                if row["action"] == "login"]


def test_reading_the_audit_trail_is_audited(admin, events):
    assert events("audit.read") == []
    admin.get("/admin/audit")
    admin.get("/admin/audit?action=login&page=2")
    first, second = events("audit.read")
    assert first.user_id == second.user_id == admin.user.id
    assert first.object_type == "audit_event"
    assert first.details == {"filters": {}, "page": 1}
    assert second.details["filters"] == {"action": "login"}
    # The reads themselves show on the page.
    assert "audit.read" in {row["action"] for row in audit_rows(admin.get("/admin/audit"))}


def test_audit_page_links_from_the_user_page(admin, trail):
    edit = page(admin.get(f"/admin/users/{trail.user.id}"))
    assert f"/admin/audit?user={trail.user.username}" in edit
