"""One disclosure budget per user across every channel: past it, matches outside the user's
scope are withheld, the user is told whom to call, and both agencies are alerted."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import select

from config import TestConfig
from tests import factories
from tests.conftest import Browser
from tests.deconfliction.conftest import SERIAL
from tests.seizures.helpers import new_case, row, seizure_form, text
from tests.tracing.helpers import READY
from tracer import ROOT, create_app
from tracer.auth import tokens
from tracer.deconfliction.budget import budget
from tracer.deconfliction.models import DeconflictionNotice
from tracer.extensions import db, limiter

LIMIT_TEXT = "You have reached the hourly limit of matches with other agencies' records."


def sonora_glocks(count: int) -> list:
    """``count`` Sonora Glocks with serials SON0000001, SON0000002, …"""
    case = factories.case("FGE-SON")
    firearms = factories.seizure(case, firearms=[{**READY, "serial_number": f"SON{n:07d}"}
                                                 for n in range(1, count + 1)]).firearms
    db.session.commit()
    return firearms


def notices(**where) -> list[DeconflictionNotice]:
    statement = select(DeconflictionNotice).order_by(DeconflictionNotice.id)
    for name, value in where.items():
        statement = statement.where(getattr(DeconflictionNotice, name) == value)
    return list(db.session.scalars(statement))


def test_searches_past_the_budget_are_withheld_and_both_agencies_alerted(login_as, budget_of, hidden_glock):
    budget_of(2)
    jalisco = login_as("analyst", "FGE-JAL", locale="en")
    own = factories.seizure(factories.case("FGE-JAL"), firearms=[{**READY, "serial_number": "JAL777777"}])
    db.session.commit()
    first = text(jalisco.get(f"/search/serial?q={SERIAL}&mode=exact"))
    assert "data-restricted-hit" in first and LIMIT_TEXT not in first
    second = text(jalisco.get("/search/serial?q=KSB2Q613X&mode=fuzzy"))
    # The budget is now spent: said at once, before anything is withheld, so the words tell nothing.
    assert "data-restricted-hit" in second and LIMIT_TEXT in second
    third = text(jalisco.get("/search/serial?q=SB2061&mode=partial"))
    assert "data-restricted-hit" not in third and "FGE-SON" not in third and LIMIT_TEXT in third
    assert "Contacto FGE-JAL" in third  # whom to call: the user's own agency
    # Work in the user's own scope goes on.
    mine = text(jalisco.get("/search/serial?q=JAL777777&mode=exact"))
    assert f'href="/firearms/{own.firearms[0].id}"' in mine

    [withheld] = notices(withheld=True)
    assert withheld.owner_agency.acronym == "FGE-SON" and withheld.told_user_id == jalisco.user.id
    sonora = login_as("supervisor", "FGE-SON", locale="en")
    alerts = text(sonora.get("/deconfliction?alerts=1"))
    assert withheld.reference in alerts and "Withheld: limit reached" in alerts and "FGE-JAL" in alerts
    supervisor = login_as("supervisor", "FGE-JAL", locale="en")
    outgoing = text(supervisor.get("/deconfliction?direction=outgoing&alerts=1"))
    assert withheld.reference in outgoing and jalisco.user.full_name in outgoing


def test_recording_guessed_serials_is_no_oracle(api, budget_of, reference_data):
    budget_of(3)
    sonora = sonora_glocks(6)
    officer = api("officer", "FGE-JAL")
    case = factories.case("FGE-JAL", officer.user)
    db.session.commit()
    body = {"case_id": case.id, "seized_on": "2025-06-01", "state": "14", "municipality": "039",
            "firearms": [{**READY, "serial_number": firearm.serial_number} for firearm in sonora]}
    saved = officer("POST", "/seizures", json=body)
    assert saved.status_code == 201, saved.get_json()
    warnings = saved.get_json()["warnings"]
    told = [key for key, messages in warnings.items() if key.startswith("firearms") and
            any("FGE-SON" in message for message in messages)]
    assert len(told) == 3
    assert LIMIT_TEXT in " ".join(warnings["deconfliction"])
    assert len(notices(withheld=False, channel="recording")) == 3 and len(notices(withheld=True)) == 3
    # The withheld matches do not come back through the firearm pages' link panels either.
    recorded = saved.get_json()["firearms"]
    for item in recorded[3:]:
        links = officer("GET", f"/firearms/{item['id']}/links").get_json()
        assert links["items"] == [] and links["restricted_withheld"] is True


def test_recording_on_the_form_counts_against_the_same_budget(login_as, budget_of, reference_data):
    budget_of(1)
    sonora = sonora_glocks(2)
    officer = login_as("officer", "FGE-JAL", locale="en")
    case = new_case(officer.user)
    form = seizure_form(case.id, [row(serial_number=firearm.serial_number) for firearm in sonora], agency="FGE-JAL",
                        state="14", municipality="039", locality="Guadalajara", latitude="", longitude="")
    saved = text(officer.post("/seizures/new", form, token_from="/seizures/new", follow_redirects=True))
    assert saved.count("held by Fiscalía") == 1 and LIMIT_TEXT in saved


def test_editing_a_serial_is_no_oracle(login_as, budget_of, reference_data):
    budget_of(1)
    first, second = sonora_glocks(2)
    officer = login_as("officer", "FGE-JAL", locale="en")
    mine, other = factories.seizure(factories.case("FGE-JAL", officer.user), officer.user, firearms=[
        {**READY, "serial_number": "JAL000001"}, {**READY, "serial_number": "JAL000002"}]).firearms
    db.session.commit()

    def guess(firearm, serial: str) -> str:
        edit = text(officer.get(f"/firearms/{firearm.id}/edit"))
        version = re.search(r'name="version"[^>]*value="(\d+)"', edit).group(1)
        saved = officer.post(f"/firearms/{firearm.id}/edit", {**row(serial_number=serial), "version": version},
                             token_from=f"/firearms/{firearm.id}/edit", follow_redirects=True)
        assert saved.status_code == 200
        return text(officer.get(f"/firearms/{firearm.id}"))

    page = guess(mine, first.serial_number)
    [told] = notices(withheld=False)
    assert told.reference in page and "FGE-SON" in page
    # Guessing again on the same firearm shows the same group again: nothing new is learnt, and
    # the owner's notice now names both of its records.
    again = guess(mine, second.serial_number)
    assert told.reference in again and again.count("data-reference") == 1
    db.session.refresh(told)
    assert told.firearm_ids == [first.id, second.id]
    # On another firearm the guess is a new disclosure: past the budget, withheld.
    withheld = guess(other, second.serial_number)
    assert "FGE-SON" not in withheld and LIMIT_TEXT in withheld
    assert [n.firearm_id for n in notices(withheld=True)] == [second.id]


def test_a_budget_of_zero_withholds_every_out_of_scope_match(api, login_as, budget_of, hidden_glock):
    budget_of(0)
    answer = api("analyst", "FGE-JAL")("GET", "/search/serial", query_string={"q": SERIAL, "mode": "exact"})
    assert answer.status_code == 200
    assert answer.get_json()["items"] == [] and answer.get_json()["restricted_withheld"] is True
    page = login_as("officer", "FGE-JAL", locale="en").get(f"/search/serial?q={SERIAL}")
    assert page.status_code == 200 and LIMIT_TEXT in text(page) and "FGE-SON" not in text(page)
    assert {n.withheld for n in notices()} == {True}
    # A federal user sees the record in scope: nothing to withhold.
    federal = api("analyst", "FGR")("GET", "/search/serial", query_string={"q": SERIAL, "mode": "exact"})
    assert [item["firearm_id"] for item in federal.get_json()["items"]] == [hidden_glock.id]


@pytest.mark.parametrize("value, expected", [("0", "0"), ("7", "7"), ("", "50")])
def test_the_budget_comes_from_the_environment(value, expected):
    env = {**os.environ, "TRACER_DISCLOSURE_BUDGET": value}
    shown = subprocess.run([sys.executable, "-c", "import config; print(config.Config.DISCLOSURE_BUDGET)"],
                           cwd=ROOT, env=env, capture_output=True, text=True)
    assert shown.stdout.strip() == expected, shown.stderr


def test_a_budget_that_is_not_a_number_stops_the_start():
    env = {**os.environ, "TRACER_DISCLOSURE_BUDGET": "fifty"}
    shown = subprocess.run([sys.executable, "-c", "import config"], cwd=ROOT, env=env, capture_output=True,
                           text=True)
    assert shown.returncode != 0 and "TRACER_DISCLOSURE_BUDGET must be a whole number" in shown.stderr


def test_every_process_counts_the_same_budget_in_redis(database_url):
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "DISCLOSURE_BUDGET": 2,
                "DISCLOSURE_BUDGET_STORAGE_URI": "redis://127.0.0.1:6379/0",
                "DISCLOSURE_BUDGET_KEY_PREFIX": f"tracer-test-{uuid.uuid4().hex}"}
    one, two = (create_app(type("RedisBudget", (TestConfig,), settings)) for _ in range(2))
    try:
        with one.app_context():
            assert budget().take(4242) and budget().take(4242)
        with two.app_context():
            assert budget().spent(4242) and not budget().take(4242)
            assert budget().take(4343)  # another user keeps an allowance of their own
    finally:
        with one.app_context():
            budget().reset()


@pytest.fixture
def limited_app(database_url):
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True,
                "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": f"tracer-test-{uuid.uuid4().hex}"}}
    yield create_app(type("LimitedConfig", (TestConfig,), settings))
    limiter.enabled = False  # the limiter is shared: give the suite back its setting


def test_an_analyst_checks_300_serials_of_their_own_cases_without_refusal(limited_app):
    with limited_app.app_context():
        analyst = factories.user("analyst", factories.agency("FGE-SON"))
        token = tokens.issue_token(analyst, "search")[1]
        db.session.commit()
    client = limited_app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    statuses = {client.get(f"/api/v1/search/serial?q=SON{n:07d}&mode=exact", headers=headers).status_code
                for n in range(300)}
    assert statuses == {200}
    page = Browser(limited_app.test_client())
    page.login(analyst.username)
    assert page.get("/search/serial?q=SON0000001&mode=partial").status_code == 200


def test_a_page_asks_the_budget_once_and_again_after_spending_it(app, login_as, budget_of):
    """The firearm page's panels each say whether the limit is reached: the storage is asked once
    for the page; a disclosure spent in the request is counted before the next answer."""
    counting = budget_of(1)
    asked = []
    test = counting._strategy.test
    counting._strategy.test = lambda *args: asked.append(args) or test(*args)
    analyst = login_as("analyst", "FGR")
    firearm = factories.firearm()
    db.session.commit()
    assert analyst.get(f"/firearms/{firearm.id}").status_code == 200
    assert len(asked) == 1
    with app.test_request_context("/"):
        assert counting.spent(firearm.id) is False
        assert counting.take(firearm.id) is True
        assert counting.spent(firearm.id) is True
