"""An administrator manages only the accounts and agencies within their reach: a federal one every
agency, a state one the state agencies of their state. Out of reach is not found, so no administrator can widen their own scope through an account they make
or a password they reset."""
from __future__ import annotations

from datetime import timedelta

import pytest
from tests import factories
from tests.auth.helpers import field_error_text, page
from tests.auth.test_admin import agency_form, stored_agency, stored_user, user_form
from tests.core.test_home import work
from tracer.auth.models import LoginThrottle
from tracer.core.models import utcnow
from tracer.extensions import db


@pytest.fixture
def agencies(app):
    with app.app_context():
        ids = {acronym: factories.agency(acronym).id for acronym in ("FGR", "FGE-SON", "FGE-JAL", "ATF-MX")}
        ids["SSP-SON"] = factories.agency("SSP-SON", name="Secretaría de Seguridad de Sonora", level="state",
                                          state_code="26").id
        db.session.commit()
    return ids


@pytest.fixture
def members(app, agencies):
    """One account in each agency (a liaison in the US office), by acronym: (id, username)."""
    with app.app_context():
        found = {}
        for acronym in agencies:
            user = factories.user("liaison" if acronym == "ATF-MX" else "officer", factories.agency(acronym))
            found[acronym] = (user.id, user.username)
        db.session.commit()
    return found


def test_a_state_administrator_lists_only_their_states_agencies_and_accounts(sign_in, agencies, members):
    sonora = sign_in("admin", "FGE-SON")
    listed = sonora.get("/admin/agencies").get_data(as_text=True)
    assert "FGE-SON" in listed and "SSP-SON" in listed
    assert all(acronym not in listed for acronym in ("FGR", "FGE-JAL", "ATF-MX"))
    accounts = sonora.get("/admin/users").get_data(as_text=True)
    assert members["FGE-SON"][1] in accounts and members["SSP-SON"][1] in accounts
    assert all(members[acronym][1] not in accounts for acronym in ("FGR", "FGE-JAL", "ATF-MX"))
    form = sonora.get("/admin/users/new").get_data(as_text=True)
    assert "SSP-SON" in form and "FGR —" not in form and "FGE-JAL" not in form


@pytest.mark.parametrize("acronym", ["FGR", "FGE-JAL", "ATF-MX"])
def test_accounts_and_agencies_out_of_reach_are_not_found(sign_in, app, agencies, members, acronym):
    sonora = sign_in("admin", "FGE-SON")
    user_id, username = members[acronym]
    before = stored_user(app, username).password_hash
    assert sonora.get(f"/admin/users/{user_id}").status_code == 404
    assert sonora.get(f"/admin/agencies/{agencies[acronym]}").status_code == 404
    for action in ("disable", "enable", "reset-mfa", "end-sessions", "reset-password"):
        assert sonora.post(f"/admin/users/{user_id}/{action}", token_from="/admin/users").status_code == 404
    after = stored_user(app, username)
    assert after.password_hash == before and after.active


def test_a_state_administrator_cannot_make_an_account_in_a_federal_agency(sign_in, app, agencies):
    sonora = sign_in("admin", "FGE-SON")
    refused = sonora.post("/admin/users/new", user_form(agencies["FGR"], role="analyst"),
                          token_from="/admin/users/new")
    assert refused.status_code == 400
    assert field_error_text(page(refused), "agency_id")
    assert stored_user(app, "nuevo.agente") is None
    made = sonora.post("/admin/users/new", user_form(agencies["SSP-SON"]), token_from="/admin/users/new")
    assert made.status_code == 200 and stored_user(app, "nuevo.agente").agency_id == agencies["SSP-SON"]


def test_nor_move_an_account_of_their_state_to_another_agency_out_of_reach(sign_in, app, agencies, members):
    sonora = sign_in("admin", "FGE-SON")
    user_id, username = members["FGE-SON"]
    user = stored_user(app, username)
    moved = sonora.post(f"/admin/users/{user_id}", {"full_name": user.full_name, "email": "", "role": "officer",
                                                    "agency_id": agencies["FGR"], "locale": "es"},
                        token_from=f"/admin/users/{user_id}")
    assert moved.status_code == 400 and field_error_text(page(moved), "agency_id")
    assert stored_user(app, username).agency_id == agencies["FGE-SON"]


@pytest.mark.parametrize("level, state_code, field, message", [
    ("federal", None, "level", "Solo puede administrar las dependencias estatales de su propio estado."),
    ("state", "14", "state_code", "Solo puede administrar las dependencias estatales de su propio estado."),
])
def test_a_state_administrator_makes_agencies_of_their_state_only(sign_in, app, agencies, level, state_code, field,
                                                                   message):
    sonora = sign_in("admin", "FGE-SON")
    refused = sonora.post("/admin/agencies/new", agency_form(level=level, state_code=state_code),
                          token_from="/admin/agencies/new")
    assert refused.status_code == 400
    assert message in field_error_text(page(refused), field)
    assert stored_agency(app, "SSP-SIN") is None
    made = sonora.post("/admin/agencies/new", agency_form(state_code="26"), token_from="/admin/agencies/new")
    assert made.status_code == 302 and stored_agency(app, "SSP-SIN").state_code == "26"


def test_a_state_administrator_cannot_raise_their_own_agency_to_federal(sign_in, app, agencies):
    sonora = sign_in("admin", "FGE-SON")
    page = f"/admin/agencies/{agencies['FGE-SON']}"
    raised = sonora.post(page, agency_form(acronym="FGE-SON", name="Fiscalía de Sonora", level="federal",
                                           state_code=None), token_from=page)
    assert raised.status_code == 400
    assert stored_agency(app, "FGE-SON").level == "state"


def test_a_federal_administrator_manages_every_agency(sign_in, app, agencies, members):
    federal = sign_in("admin", "FGR")
    for acronym in ("FGE-JAL", "ATF-MX", "SSP-SON"):
        assert federal.get(f"/admin/users/{members[acronym][0]}").status_code == 200
        assert federal.get(f"/admin/agencies/{agencies[acronym]}").status_code == 200


def test_the_locked_accounts_card_counts_accounts_within_reach(sign_in, app, agencies, members):
    with app.app_context():
        for acronym in ("FGE-SON", "FGE-JAL", "FGR"):
            db.session.add(LoginThrottle(username_key=members[acronym][1], failures=5,
                                         locked_until=utcnow() + timedelta(minutes=15)))
        db.session.commit()
    label = "accounts locked after failed sign-ins"
    assert work(sign_in("admin", "FGE-SON", locale="en").get("/"))[label][0] == 1
    assert work(sign_in("admin", "FGR", locale="en").get("/"))[label][0] == 3
