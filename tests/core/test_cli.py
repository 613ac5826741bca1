"""The administration commands: agencies, users, tokens and the demo data."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests import factories
from tracer.audit.models import AuditEvent
from tracer.auth import passwords
from tracer.auth.demo import AGENCIES as DEMO_AGENCIES
from tracer.auth.demo import DEMO_PASSWORD
from tracer.auth.models import Agency, ApiToken, User
from tracer.auth.services import agency_by_acronym, user_by_username
from tracer.core.access import ROLES
from tracer.extensions import db

STRONG = "mango tractor velvet harbour"


@pytest.fixture
def cli(app, ctx):
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        return runner.invoke(args=list(args), input=input)

    return invoke


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


# --- agencies create ------------------------------------------------------------------------------------


def test_create_a_federal_agency(cli):
    result = cli("agencies", "create", "fiscalia-x", "--name", "Fiscalía Especializada X", "--level", "federal",
                 "--contact-name", "Unidad de Armas", "--contact-phone", "+52 55 1234 5678")
    assert result.exit_code == 0, result.output
    agency = agency_by_acronym("FISCALIA-X")
    assert agency is not None
    assert result.stdout.strip() == f"agency FISCALIA-X created (id {agency.id})"
    assert (agency.name, agency.level, agency.state_code, agency.active) == ("Fiscalía Especializada X", "federal",
                                                                             None, True)
    assert agency.contact_name == "Unidad de Armas"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "agency.create",
                                                       AuditEvent.object_id == str(agency.id)))
    assert event is not None and event.source_address == "cli"


def test_create_a_state_agency_pads_the_state_code(cli):
    result = cli("agencies", "create", "FGE-COAH", "--name", "Fiscalía General del Estado de Coahuila",
                 "--level", "state", "--state-code", "5")
    assert result.exit_code == 0, result.output
    assert agency_by_acronym("FGE-COAH").state_code == "05"


def test_duplicate_acronym_is_refused(cli):
    factories.agency("FGR")
    db.session.commit()
    before = count(Agency)
    result = cli("agencies", "create", "fgr", "--name", "Otra Fiscalía", "--level", "federal")
    assert result.exit_code != 0
    assert "acronym" in result.stderr
    assert "created" not in result.stdout
    assert count(Agency) == before


def test_state_agency_needs_its_state(cli):
    result = cli("agencies", "create", "FGE-NL", "--name", "Fiscalía de Nuevo León", "--level", "state")
    assert result.exit_code != 0
    assert "state_code" in result.stderr
    assert agency_by_acronym("FGE-NL") is None


@pytest.mark.parametrize("args,field", [
    (["--level", "state", "--state-code", "33"], "state_code"),
    (["--level", "federal", "--state-code", "14"], "state_code"),
], ids=["unknown-state", "federal-with-state"])
def test_state_code_rules(cli, args, field):
    result = cli("agencies", "create", "AGX", "--name", "Agencia X", *args)
    assert result.exit_code != 0
    assert field in result.stderr
    assert agency_by_acronym("AGX") is None


def test_bad_level_and_acronym_are_refused(cli):
    result = cli("agencies", "create", "AGX", "--name", "Agencia X", "--level", "municipal")
    assert result.exit_code != 0
    result = cli("agencies", "create", "A", "--name", "Agencia", "--level", "federal")
    assert result.exit_code != 0
    assert "acronym" in result.stderr
    result = cli("agencies", "create", "AGX", "--name", "Agencia\u202eX", "--level", "federal")
    assert result.exit_code != 0
    assert "name" in result.stderr
    assert agency_by_acronym("AGX") is None


# --- users create ---------------------------------------------------------------------------------------


def test_create_user_with_password_from_stdin(cli, client):
    factories.agency("FGE-SON")
    db.session.commit()
    result = cli("users", "create", "Ramon.Esquer", "--role", "analyst", "--agency", "fge-son",
                 "--name", "Ramón Esquer", "--email", "ramon@fge-son.example.gob.mx", "--locale", "en",
                 "--password-stdin", input=STRONG + "\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "user ramon.esquer created (analyst, FGE-SON)"
    assert "password" not in result.stdout
    assert STRONG not in result.output
    user = user_by_username("ramon.esquer")
    assert (user.full_name, user.role, user.agency.acronym, user.locale) == ("Ramón Esquer", "analyst", "FGE-SON", "en")
    assert user.email == "ramon@fge-son.example.gob.mx"
    assert user.password_hash != STRONG
    assert passwords.verify_password(user.password_hash, STRONG)
    assert user.must_change_password is False


def test_create_user_with_a_generated_password(cli):
    factories.agency("FGR")
    db.session.commit()
    result = cli("users", "create", "agente.nuevo", "--role", "officer", "--agency", "FGR")
    assert result.exit_code == 0, result.output
    match = re.search(r"^password \(shown once\): (\S+)$", result.stdout, re.MULTILINE)
    assert match, result.stdout
    generated = match.group(1)
    assert result.stdout.count(generated) == 1
    assert passwords.password_problems(generated) == []
    user = user_by_username("agente.nuevo")
    assert user.full_name == "agente.nuevo"
    assert passwords.verify_password(user.password_hash, generated)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "user",
                                                         AuditEvent.object_id == str(user.id))).all()
    assert [e.action for e in events] == ["user.create"]
    assert generated not in str(events[0].details)


@pytest.mark.parametrize("password", ["short", "password1234", "aaaaaaaaaaaaaaaa", "agente.debil-2026-x"],
                         ids=["short", "common", "repetitive", "contains-username"])
def test_weak_password_is_refused(cli, password):
    factories.agency("FGR")
    db.session.commit()
    before = count(User)
    result = cli("users", "create", "agente.debil", "--role", "officer", "--agency", "FGR", "--password-stdin",
                 input=password + "\n")
    assert result.exit_code != 0
    assert "password" in result.stderr
    assert password not in result.output
    assert user_by_username("agente.debil") is None
    assert count(User) == before


def test_unknown_agency_is_refused(cli):
    result = cli("users", "create", "agente.x", "--role", "officer", "--agency", "NOPE",
                 "--password-stdin", input=STRONG + "\n")
    assert result.exit_code != 0
    assert "NOPE" in result.stderr
    assert user_by_username("agente.x") is None


def test_duplicate_username_and_bad_role_are_refused(cli):
    existing = factories.user("officer", username="agente.uno")
    db.session.commit()
    result = cli("users", "create", "AGENTE.UNO", "--role", "officer", "--agency", "FGR",
                 "--password-stdin", input=STRONG + "\n")
    assert result.exit_code != 0
    assert "username" in result.stderr
    result = cli("users", "create", "agente.dos", "--role", "superuser", "--agency", "FGR",
                 "--password-stdin", input=STRONG + "\n")
    assert result.exit_code != 0
    result = cli("users", "create", "agente.tres", "--role", "liaison", "--agency", "FGR",
                 "--password-stdin", input=STRONG + "\n")
    assert result.exit_code != 0
    assert "role" in result.stderr
    assert count(User) == 1 and user_by_username("agente.uno").id == existing.id


# --- tokens and disabling -------------------------------------------------------------------------------


def test_users_token_prints_a_working_token(cli, client):
    user = factories.user("supervisor", username="supervisora.x")
    db.session.commit()
    result = cli("users", "token", "supervisora.x", "--name", "tablero")
    assert result.exit_code == 0, result.output
    raw = result.stdout.strip()
    assert raw.startswith("trc_") and "\n" not in raw
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 200
    assert response.get_json()["username"] == "supervisora.x"
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.name == "tablero"
    assert token.token_hash != raw


def test_users_token_for_an_unknown_user(cli):
    result = cli("users", "token", "nadie")
    assert result.exit_code != 0
    assert "nadie" in result.stderr
    assert count(ApiToken) == 0


def test_users_disable_stops_the_token(cli, client):
    factories.user("analyst", username="analista.x")
    db.session.commit()
    raw = cli("users", "token", "analista.x").stdout.strip()
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    result = cli("users", "disable", "analista.x")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "user analista.x disabled"
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401
    assert user_by_username("analista.x").active is False
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.disable")).one()
    assert event.details == {"old": {"active": True}, "new": {"active": False}}


def test_users_disable_ends_web_sessions(cli, login_as):
    officer = login_as("officer")
    assert officer.get("/auth/profile").status_code == 200
    assert cli("users", "disable", officer.user.username).exit_code == 0
    response = officer.get("/auth/profile")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_users_disable_unknown_user(cli):
    result = cli("users", "disable", "nadie")
    assert result.exit_code != 0
    assert "nadie" in result.stderr


# --- seed-demo ------------------------------------------------------------------------------------------


EXPECTED_AGENCIES = {"FGR": ("federal", None), "SEDENA": ("federal", None), "GN": ("federal", None),
                     "FGE-SON": ("state", "26"), "FGE-JAL": ("state", "14"), "FGE-CHIH": ("state", "08"),
                     "ATF-MX": ("us", None)}


def test_seed_demo_creates_agencies_and_one_user_of_every_role(cli, client):
    result = cli("seed-demo")
    assert result.exit_code == 0, result.output
    agencies = {a.acronym: (a.level, a.state_code) for a in db.session.scalars(select(Agency))}
    assert agencies == EXPECTED_AGENCIES
    users = db.session.scalars(select(User)).all()
    assert {u.role for u in users} == set(ROLES)
    assert all(u.active and not u.must_change_password for u in users)
    assert DEMO_PASSWORD in result.stdout
    for user in users:
        line = re.search(rf"^\s+{re.escape(user.username)}\s+{user.role}\s+{re.escape(user.agency.acronym)}\s*$",
                         result.stdout, re.MULTILINE)
        assert line, f"{user.username} is not listed"
        assert passwords.verify_password(user.password_hash, DEMO_PASSWORD)
    liaison = next(u for u in users if u.role == "liaison")
    assert liaison.agency.acronym == "ATF-MX"
    assert {a["acronym"] for a in DEMO_AGENCIES} == set(EXPECTED_AGENCIES)


def test_seed_demo_logins_work(cli, browser):
    assert cli("seed-demo").exit_code == 0
    db.session.commit()
    response = browser.login("agente.fgr", DEMO_PASSWORD)
    assert response.status_code == 302
    assert browser.get("/").status_code == 200


def test_seed_demo_twice_changes_nothing(cli):
    first = cli("seed-demo")
    assert first.exit_code == 0, first.output
    counts = (count(Agency), count(User), count(AuditEvent))
    hashes = {u.username: u.password_hash for u in db.session.scalars(select(User))}
    second = cli("seed-demo")
    assert second.exit_code == 0, second.output
    assert (count(Agency), count(User), count(AuditEvent)) == counts
    assert {u.username: u.password_hash for u in db.session.scalars(select(User))} == hashes
    assert second.stdout == first.stdout


def test_seed_demo_keeps_existing_records(cli):
    factories.agency("FGR", name="Fiscalía General de la República (local)")
    db.session.commit()
    assert cli("seed-demo").exit_code == 0
    assert agency_by_acronym("FGR").name == "Fiscalía General de la República (local)"
    assert count(Agency) == len(EXPECTED_AGENCIES)
