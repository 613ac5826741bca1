"""Two application servers behave as one (README, "Multi-host deployment").

Two gunicorn masters in the production configuration, each on its own loopback port, share
one PostgreSQL database, one Redis and one secret key, as two hosts behind a proxy do; two
audit sealers run beside them, as when every host starts one. A real HTTP client then shows
that a sign-out, the sign-in limit, the disclosure budget, an edited case and the audit chain
are the same whichever server answers.

PostgreSQL only (SQLite serves one host): the database is a blank one of its own, dropped
afterwards, since what the servers commit (audit events) may never be deleted.
"""
from __future__ import annotations

import json
import re
import secrets
import signal
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from flask_migrate import upgrade
from limits import parse
from sqlalchemy import select

from config import Config, TestConfig
from tests import factories
from tests.bench.http_load import CSRF, Client
from tests.processes import (TEST_REDIS_URL, blank_database, call, free_port, production_env, real_commits, start,
                             start_gunicorn, stop, wait_for, wait_until_serving)
from tracer import create_app
from tracer.audit import services as audit
from tracer.audit.models import AuditEvent
from tracer.deconfliction.services import DISCLOSED, WITHHELD
from tracer.extensions import db

DISCLOSURES_AN_HOUR = 3
SERIALS = [f"SON{n:07d}" for n in range(1, DISCLOSURES_AN_HOUR + 2)]
WAITING = "another sealer is at work: waiting to take over"
SEALING = "sealing audit events"


class Deployment:
    """What the fixture made: the database (and an application on it to read it), the case
    and the analyst, the servers' addresses, the sealers and their logs."""

    def __init__(self, database_url: str, app, tmp_path: Path):
        self.database_url, self.app, self.tmp_path = database_url, app, tmp_path
        self.case_id = self.analyst_id = 0
        self.servers: dict[str, str] = {}  # "A", "B" -> http://127.0.0.1:PORT
        self.sealers: dict[str, subprocess.Popen] = {}

    def log(self, name: str) -> str:
        path = self.tmp_path / f"{name}.log"
        return path.read_text() if path.exists() else ""

    @contextmanager
    def reading(self):
        """An application context on the deployment's database, its session committing for real."""
        with real_commits(), self.app.app_context():
            try:
                yield
            finally:
                db.session.remove()

    def health(self, server: str) -> dict:
        status, body = call(self.servers[server], "GET", "/api/v1/health")
        assert status == 200, body
        return json.loads(body)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("deployment")
    with blank_database() as database_url:
        app = create_app(type("SeedConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url}))
        deployment = Deployment(database_url, app, tmp_path)
        with real_commits(), app.app_context():
            upgrade()
        # One environment, as every host of a deployment has: the same key, database and Redis.
        env = production_env(database_url, TRACER_REQUIRE_MFA="0", TRACER_AUDIT_SEALER="external",
                             TRACER_DISCLOSURE_BUDGET=str(DISCLOSURES_AN_HOUR), TRACER_WORKERS="1",
                             TRACER_ACCESS_LOG="")
        servers, sealers, ports = [], [], {}
        try:
            for name in ("A", "B"):
                ports[name] = free_port()
                servers.append(start_gunicorn(env, ports[name], tmp_path / f"server-{name}.log"))
            for name in ("first", "second"):
                deployment.sealers[name] = start(
                    ["flask", "--app", "wsgi", "audit", "seal", "--interval", "0.05",
                     "--head-file", str(tmp_path / f"head-{name}")], env, tmp_path / f"sealer-{name}.log")
                sealers.append(deployment.sealers[name])
            seed(deployment)  # while the processes start
            for name, process in zip(("A", "B"), servers):
                deployment.servers[name] = wait_until_serving(process, ports[name], tmp_path / f"server-{name}.log")
            yield deployment
        finally:
            for process in servers + sealers:
                # Nothing to finish: what the test needed is committed, and the database goes next.
                stop(process, signal.SIGKILL)
            with app.app_context():
                db.engine.dispose()


def seed(deployment: Deployment) -> None:
    """A Sonora officer's case with a seizure of one firearm per serial, and a Jalisco analyst."""
    with deployment.reading():
        sonora = factories.agency("FGE-SON")
        officer = factories.user("officer", sonora, username="agente.son")
        case = factories.case(sonora, officer, title="Aseguramiento en Caborca")
        factories.seizure(case, officer, firearms=[factories.firearm_values(serial_number=serial)
                                                   for serial in SERIALS])
        analyst = factories.user("analyst", factories.agency("FGE-JAL"), username="analista.jal")
        db.session.commit()
        deployment.case_id, deployment.analyst_id = case.id, analyst.id
    # A blank database gives its users the ids of earlier runs: their budgets start full.
    counters = redis.Redis.from_url(TEST_REDIS_URL)
    for key in counters.scan_iter(f"*tracer-disclosure/{deployment.analyst_id}/*"):
        counters.delete(key)


def browser(deployment, server: str, cookies: dict | None = None) -> Client:
    client = Client(int(deployment.servers[server].rsplit(":", 1)[1]))
    client.cookies = dict(cookies or {})
    return client


def csrf(client: Client, path: str) -> str:
    status, page = client.request("GET", path)
    assert status == 200, (path, status)
    return CSRF.search(page.decode()).group(1)


def accept_notice(client: Client) -> None:
    status, _ = client.request("POST", "/auth/notice", {"csrf_token": csrf(client, "/auth/notice")})
    assert status == 302


def sign_in(client: Client, username: str, password: str = factories.PASSWORD) -> int:
    accept_notice(client)
    status, _ = client.request("POST", "/auth/login", {"csrf_token": csrf(client, "/auth/login"),
                                                       "username": username, "password": password})
    return status


def test_signed_in_on_one_server_is_signed_in_on_the_other_and_a_sign_out_ends_both(deployment):
    on_a = browser(deployment, "A")
    assert sign_in(on_a, "agente.son") == 302
    cookies = dict(on_a.cookies)
    case_page = f"/cases/{deployment.case_id}"

    status, page = browser(deployment, "B", cookies).request("GET", case_page)
    assert status == 200 and "Aseguramiento en Caborca" in page.decode()

    status, _ = on_a.request("POST", "/auth/logout", {"csrf_token": csrf(on_a, case_page)})
    assert status == 302
    on_b = browser(deployment, "B", cookies)  # the very cookie that worked on B before
    status, body = on_b.request("GET", case_page)
    assert status == 302 and "/auth/login" in body.decode()


def test_wrong_passwords_on_both_servers_meet_one_sign_in_limit(deployment):
    allowance = parse(Config.LOGIN_RATE_LIMIT).amount
    name = f"nadie.{secrets.token_hex(4)}"  # a name of this run alone: the counters outlive it
    on_a = browser(deployment, "A")
    accept_notice(on_a)
    clients = {"A": on_a, "B": browser(deployment, "B", on_a.cookies)}
    tokens = {server: csrf(client, "/auth/login") for server, client in clients.items()}
    answers = []
    for attempt in range(allowance + 1):
        server = "AB"[attempt % 2]
        status, _ = clients[server].request("POST", "/auth/login", {
            "csrf_token": tokens[server], "username": name, "password": f"adivinanza-{attempt}"})
        answers.append(status)
    # Each server alone saw about half the allowance; together they refuse the one past it.
    assert answers == [401] * allowance + [429]
    for server in ("A", "B"):
        status, _ = clients[server].request("POST", "/auth/login", {
            "csrf_token": tokens[server], "username": name, "password": "otra-vez"})
        assert status == 429


def test_the_disclosure_budget_is_spent_on_both_servers_together(deployment):
    on_a = browser(deployment, "A")
    assert sign_in(on_a, "analista.jal") == 302
    clients = {"A": on_a, "B": browser(deployment, "B", on_a.cookies)}
    shown = []
    for number, serial in enumerate(SERIALS):
        status, page = clients["AB"[number % 2]].request("GET", f"/search/serial?q={serial}&mode=exact")
        assert status == 200
        shown.append("data-restricted-hit" in page.decode())
    # Another agency's firearm is disclosed DISCLOSURES_AN_HOUR times, then withheld.
    assert shown == [True] * DISCLOSURES_AN_HOUR + [False]
    with deployment.reading():
        told = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.user_id == deployment.analyst_id, AuditEvent.action.like("deconfliction.%"))
            .order_by(AuditEvent.id)).all()
    assert told == [DISCLOSED] * DISCLOSURES_AN_HOUR + [WITHHELD]


def test_a_case_edited_on_one_server_shows_on_the_other(deployment):
    on_a = browser(deployment, "A")
    assert sign_in(on_a, "agente.son") == 302
    edit = f"/cases/{deployment.case_id}/edit"
    status, page = on_a.request("GET", edit)
    form = page.decode()
    version = re.search(r'name="version"[^>]*value="(\d+)"', form).group(1)
    status, _ = on_a.request("POST", edit, {
        "csrf_token": CSRF.search(form).group(1), "version": version, "title": "Aseguramiento en Altar",
        "summary": "Dos pistolas en una camioneta.", "priority": "high", "carpeta_number": "", "lead_officer_id": ""})
    assert status == 302

    status, page = browser(deployment, "B", on_a.cookies).request("GET", f"/cases/{deployment.case_id}")
    page = page.decode()
    assert status == 200
    assert "Aseguramiento en Altar" in page and "Dos pistolas en una camioneta." in page
    assert "Aseguramiento en Caborca" not in page


def test_one_sealer_chains_what_both_servers_wrote_and_the_other_takes_over(deployment):
    working = wait_for(lambda: next((name for name in deployment.sealers
                                     if SEALING in deployment.log(f"sealer-{name}")), None), "a sealer at work")
    waiting = next(name for name in deployment.sealers if name != working)
    wait_for(lambda: WAITING in deployment.log(f"sealer-{waiting}"), "the second sealer to wait")
    assert SEALING not in deployment.log(f"sealer-{waiting}")
    assert not (deployment.tmp_path / f"head-{waiting}").exists()  # only the working one publishes

    with deployment.reading():
        before = db.session.scalar(select(db.func.max(AuditEvent.id)))
    for server in ("A", "B"):  # events written through both servers
        assert sign_in(browser(deployment, server), "analista.jal") == 302
    wait_for(lambda: deployment.health("B")["audit_unsealed"] == 0, "the events to be sealed")

    stop(deployment.sealers[working], signal.SIGKILL)
    wait_for(lambda: SEALING in deployment.log(f"sealer-{waiting}"), "the second sealer to take over")
    assert sign_in(browser(deployment, "A"), "agente.son") == 302
    wait_for(lambda: deployment.health("A")["audit_unsealed"] == 0, "the second sealer to seal")
    assert (deployment.tmp_path / f"head-{waiting}").exists()

    with deployment.reading():
        sign_ins = db.session.scalars(select(AuditEvent.seq).where(AuditEvent.id > before,
                                                                   AuditEvent.action == "login")).all()
        report = audit.verify_chain()
        result = deployment.app.test_cli_runner().invoke(args=["audit", "verify"])
    assert len(sign_ins) == 3 and None not in sign_ins and len(set(sign_ins)) == 3
    assert report.intact and report.unsealed == 0, report
    assert result.exit_code == 0, result.output
    assert "unsealed: 0 events waiting for the sealer" in result.output
