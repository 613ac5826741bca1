"""Who reads what on the audit page: an administrator reads account, permission and
reference events and no case content; an auditor reads the whole trail of their
scope, details included, and changes nothing."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import Browser
from tracer.audit.models import AuditEvent
from tracer.audit.services import record
from tracer.auth import tokens
from tracer.extensions import db

SERIAL = "ZQX4417ABC"
TITLE = "Operativo Halcón Nocturno"
QUERY = "N?Y6?96"

ROW = re.compile(r"<td>(?P<label>[^<]*)<br><code class=\"muted\">(?P<code>[^<]*)</code></td>")


def actions(response) -> list[tuple[str, str]]:
    """(label, code) of each row shown."""
    assert response.status_code == 200, response.status_code
    return [(html.unescape(m["label"]).strip(), m["code"]) for m in ROW.finditer(response.get_data(as_text=True))]


@pytest.fixture
def trail(app):
    """Case work in Sonora and Jalisco, and account work, each by its own people."""
    with app.app_context():
        sonora = factories.user("analyst", factories.agency("FGE-SON"), username="analista.son")
        jalisco = factories.user("analyst", factories.agency("FGE-JAL"), username="analista.jal")
        sonora_case = factories.case(sonora.agency, title=TITLE)
        jalisco_case = factories.case(jalisco.agency, title="Caso de Jalisco")
        record("search.serial", actor=sonora, details={"q": QUERY, "mode": "partial", "hits": 1})
        record("search.restricted_hit", actor=sonora, object_type="firearm", object_id=77,
               details={"serial": SERIAL})
        record("firearm.update", actor=jalisco, object_type="firearm", object_id=78, case_id=jalisco_case.id,
               details={"old": {"serial_number": "OLD1"}, "new": {"serial_number": "JAL-9911"}})
        # Someone of another agency working on Sonora's case is part of Sonora's trail.
        federal = factories.user("analyst", factories.agency("FGR"), username="analista.fgr")
        record("trace_request.create", actor=federal, object_type="trace_request", object_id=5,
               case_id=sonora_case.id, details={"firearm": SERIAL})
        db.session.commit()
        return {"sonora_case": sonora_case.id, "jalisco_case": jalisco_case.id}


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- the administrator --------------------------------------------------------------------------------


def test_the_admin_reads_account_events_and_no_case_content(login_as, trail):
    admin = login_as("admin", locale="en")
    response = admin.get("/admin/audit")
    shown = {code for _, code in actions(response)}
    text = page_text(response)
    assert {"user.create", "agency.create", "login"} <= shown
    assert not shown & {"case.create", "search.serial", "search.restricted_hit", "firearm.update",
                        "trace_request.create"}
    for secret in (SERIAL, TITLE, QUERY, "JAL-9911"):
        assert secret not in text, secret
    # Asking for case events by name finds nothing either.
    for action in ("search", "case", "firearm", "trace_request"):
        assert actions(admin.get(f"/admin/audit?action={action}")) == [], action
    assert actions(admin.get("/admin/audit?object_type=firearm")) == []


def test_a_state_admin_reads_the_account_events_of_their_states_agencies_only(login_as, trail):
    federal = page_text(login_as("admin", locale="en").get("/admin/audit?action=user.create"))
    assert all(name in federal for name in ("analista.son", "analista.jal", "analista.fgr"))
    sonora = login_as("admin", "FGE-SON", locale="en")
    created = page_text(sonora.get("/admin/audit?action=user.create"))
    assert "analista.son" in created
    assert "analista.jal" not in created and "analista.fgr" not in created
    agencies = page_text(sonora.get("/admin/audit?action=agency.create"))
    assert "FGE-SON" in agencies and "FGE-JAL" not in agencies


def test_labels_are_in_the_readers_language_with_the_code_beside_them(login_as, trail):
    english = actions(login_as("admin", locale="en").get("/admin/audit?action=user.create"))
    assert english and set(english) == {("User created", "user.create")}
    spanish = actions(login_as("auditor", locale="es").get("/admin/audit?action=search.serial"))
    assert spanish and set(spanish) == {("Búsqueda por número de serie", "search.serial")}


# --- the auditor --------------------------------------------------------------------------------------


def test_a_federal_auditor_reads_every_agency_details_included(login_as, trail):
    auditor = login_as("auditor", "FGR")
    response = auditor.get("/admin/audit")
    shown = {code for _, code in actions(response)}
    assert {"search.serial", "search.restricted_hit", "firearm.update", "trace_request.create", "case.create",
            "user.create"} <= shown
    text = page_text(response)
    for detail in (SERIAL, QUERY, "JAL-9911"):
        assert detail in text, detail


def test_a_state_auditor_reads_their_agencys_users_and_cases_only(login_as, trail):
    auditor = login_as("auditor", "FGE-SON")
    rows = auditor.get("/admin/audit")
    shown = {code for _, code in actions(rows)}
    text = page_text(rows)
    assert {"search.serial", "search.restricted_hit", "trace_request.create"} <= shown
    assert QUERY in text and SERIAL in text
    assert "firearm.update" not in shown and "JAL-9911" not in text
    assert actions(auditor.get(f"/admin/audit?object_type=firearm&object_id=78")) == []


def test_every_read_of_the_trail_is_audited(login_as, trail):
    auditor = login_as("auditor", "FGE-SON")
    auditor.get("/admin/audit?action=search")
    read = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.read")
                              .order_by(AuditEvent.seq.desc())).first()
    assert read.user_id == auditor.user.id
    assert read.details == {"filters": {"action": "search"}, "page": 1}


def test_the_auditor_menu_leads_to_the_trail_and_nowhere_else(login_as):
    home = login_as("auditor", "FGR").get("/")
    assert home.status_code == 200
    text = home.get_data(as_text=True)
    assert 'href="/admin/audit"' in text
    for elsewhere in ('href="/cases"', 'href="/admin/users"', 'href="/search/serial"', 'href="/trace-requests"'):
        assert elsewhere not in text, elsewhere


# --- an auditor changes nothing ------------------------------------------------------------------------


def test_an_auditor_is_refused_every_change_on_the_web(login_as, trail):
    auditor = login_as("auditor", "FGR")
    case_id = trail["sonora_case"]
    for path, data in [("/cases/new", {"title": "Nuevo"}),
                       (f"/cases/{case_id}/edit", {"title": "Cambiado"}),
                       ("/seizures/new", {}),
                       ("/admin/users/new", {"username": "otro", "role": "admin"}),
                       (f"/admin/users/{auditor.user.id}", {"role": "admin"}),
                       ("/auth/tokens", {"name": "script", "password": factories.PASSWORD})]:
        response = auditor.post(path, data, token_from="/auth/profile")
        assert response.status_code == 403, path
    for path in ("/cases", f"/cases/{case_id}", "/search/serial?q=ZQX4417", "/admin/users"):
        assert auditor.get(path).status_code == 403, path
    assert db.session.get(type(auditor.user), auditor.user.id).role == "auditor"
    # Signing out still works.
    assert auditor.logout().status_code == 302


def test_an_auditor_is_refused_on_the_api(app, ctx, trail):
    auditor = factories.user("auditor", factories.agency("FGR"))
    _, raw = tokens.issue_token(auditor, "script")
    db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {raw}"}
    case_id = trail["sonora_case"]
    calls = [("GET", "/api/v1/cases", None), ("GET", f"/api/v1/cases/{case_id}", None),
             ("POST", "/api/v1/cases", {"title": "Nuevo"}),
             ("PATCH", f"/api/v1/cases/{case_id}", {"version": 1, "title": "Cambiado"}),
             ("PATCH", "/api/v1/me", {"full_name": "Otro nombre"}),
             ("GET", "/api/v1/search/serial?q=ZQX4417&mode=exact", None)]
    for method, path, body in calls:
        response = client.open(path, method=method, json=body, headers=headers)
        assert response.status_code == 403, (method, path)
        assert response.get_json()["error"]["code"] == "forbidden"
    assert db.session.get(type(auditor), auditor.id).full_name != "Otro nombre"


def test_an_auditor_still_looks_after_their_own_sign_in(app, ctx):
    """Changing nothing does not stop an auditor from setting their own password or language."""
    auditor = factories.user("auditor", factories.agency("FGE-SON"), must_change_password=True)
    db.session.commit()
    browser = Browser(app.test_client())
    assert browser.login(auditor.username).headers["Location"] == "/auth/password"
    new = "cielo despejado sobre hermosillo"
    changed = browser.post("/auth/password", {"current_password": factories.PASSWORD, "new_password": new,
                                              "confirm": new}, token_from="/auth/password")
    assert changed.status_code == 302 and changed.headers["Location"] == "/auth/profile"
    switched = browser.post("/language", {"lang": "en", "next": "/admin/audit"}, token_from="/auth/profile")
    assert switched.status_code == 302
    assert "Audit trail" in browser.get("/admin/audit").get_data(as_text=True)
