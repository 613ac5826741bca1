"""Auditor accounts: created on the command line and in the demo data, in Mexican agencies only."""
from __future__ import annotations

from sqlalchemy import select

from tests import factories
from tests.conftest import Browser
from tracer.auth.demo import DEMO_PASSWORD, seed_accounts
from tracer.auth.models import User
from tracer.auth.services import user_by_username
from tracer.extensions import db

STRONG = "mango tractor velvet harbour"


def invoke(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_users_create_makes_an_auditor_of_a_mexican_agency(app, ctx):
    factories.agency("FGE-SON")
    db.session.commit()
    result = invoke(app, "users", "create", "auditora.son", "--role", "auditor", "--agency", "FGE-SON",
                    "--password-stdin", input=STRONG + "\n")
    assert result.exit_code == 0, result.output
    assert "auditora.son created (auditor, FGE-SON)" in result.stdout
    assert user_by_username("auditora.son").role == "auditor"


def test_users_create_refuses_an_auditor_of_a_us_agency(app, ctx):
    factories.agency("ATF-MX")
    db.session.commit()
    result = invoke(app, "users", "create", "auditor.atf", "--role", "auditor", "--agency", "ATF-MX",
                    "--password-stdin", input=STRONG + "\n")
    assert result.exit_code == 2
    assert "role: Los auditores pertenecen a una institución mexicana (federal o estatal)." in result.stderr
    assert user_by_username("auditor.atf") is None


def test_the_demo_has_an_auditor_in_fgr_and_one_in_fge_son_who_can_read_the_trail(app, ctx):
    accounts = seed_accounts()
    db.session.commit()
    auditors = {u.username: u.agency.acronym for u in accounts if u.role == "auditor"}
    assert sorted(auditors.values()) == ["FGE-SON", "FGR"]
    stored = db.session.scalars(select(User).where(User.role == "auditor")).all()
    assert {u.username for u in stored} == set(auditors)
    for username in auditors:
        browser = Browser(app.test_client())
        assert browser.login(username, DEMO_PASSWORD).status_code == 302
        assert browser.get("/admin/audit").status_code == 200
