"""PostgreSQL stopped under load (a relay the test stops stands for the server, which other
work shares): while it is gone every page, API call and health check answers 503 at once,
with a clear message, and nothing half-written is left; once it is back every request succeeds
again without restarting gunicorn, what was recorded before is there, and the audit sealer,
which waited through the outage, chains what comes after."""
from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, make_url, text

from tests.faults.pg_proxy import PgProxy
from tests.faults.served import Browser, call, gunicorn, own_database, production_env

PAGE, API_LIST, HEALTH = "/cases", "/api/v1/cases", "/api/v1/health"
PAGE_MESSAGE = ("No es posible comunicarse con la base de datos en este momento. Vuelva a cargar la página o "
                "envíe el formulario de nuevo en un momento.")
OUTAGE_TITLE = "Aseguramiento enviado durante la caída"
CLIENT_TIMEOUT = 15  # a request not answered by then has hung: it shows as a failure
RECOVERY_SECONDS = 20


@dataclass
class Answer:
    path: str
    started: float
    ended: float
    status: int | None  # None: no answer (refused, reset, timed out)
    body: str


class Load:
    """A few clients sending a page, an API list and the health check, each in a loop."""

    def __init__(self, port: int, cookies: dict[str, str], token: str):
        self.port, self.cookies, self.token = port, cookies, token
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._loop, args=(path,), daemon=True)
                         for path in (PAGE, PAGE, API_LIST, HEALTH)]

    def _loop(self, path: str) -> None:
        browser = Browser(self.port, timeout=CLIENT_TIMEOUT)
        browser.cookies = dict(self.cookies)
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                if path == PAGE:
                    status, body = browser.request("GET", path)
                    body = body.decode(errors="replace")
                else:
                    status, body = call(f"http://127.0.0.1:{self.port}", "GET", path,
                                        self.token if path == API_LIST else None, timeout=CLIENT_TIMEOUT)
            except OSError as error:
                status, body = None, repr(error)
                browser = Browser(self.port, timeout=CLIENT_TIMEOUT)
                browser.cookies = dict(self.cookies)
            with self._lock:
                self.answers.append(Answer(path, started, time.monotonic(), status, body))
            self._stop.wait(0.02)

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> list[Answer]:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=CLIENT_TIMEOUT + 5)
        assert not any(thread.is_alive() for thread in self._threads), "a client is still waiting for an answer"
        return list(self.answers)


def _between(answers: list[Answer], start: float, end: float) -> list[Answer]:
    return [answer for answer in answers if answer.started >= start and answer.ended <= end]


def _wait_until_all_succeed(base: str, browser: Browser, token: str) -> None:
    deadline = time.monotonic() + RECOVERY_SECONDS
    while True:
        statuses = (browser.request("GET", PAGE)[0], call(base, "GET", API_LIST, token)[0],
                    call(base, "GET", HEALTH)[0])
        if statuses == (200, 200, 200):
            return
        assert time.monotonic() < deadline, f"not recovered {RECOVERY_SECONDS} s after the server came back: {statuses}"
        time.sleep(0.2)


@pytest.fixture
def database(fault_template):
    with own_database(fault_template, "stopped") as (url, token):
        yield url, token


@pytest.fixture
def proxy(database):
    url = make_url(database[0])
    relay = PgProxy(url.host or "127.0.0.1", url.port or 5432)
    relay.start()
    try:
        yield relay
    finally:
        relay.stop()


def test_postgresql_stopped_under_load_answers_503_and_everything_recovers_without_a_restart(
        database, proxy, tmp_path):
    url, token = database
    env = production_env(make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
                         tmp_path)
    env["TRACER_API_RATE_LIMIT"] = "100000 per minute"  # the load is not what is being limited
    with gunicorn(env, tmp_path / "gunicorn.log", workers=2) as server:
        workers, sealer = server.workers(), server.sealer()
        browser = Browser(server.port, timeout=CLIENT_TIMEOUT)
        browser.sign_in()

        # Recorded just before the outage.
        status, answer = call(server.base, "POST", "/api/v1/cases", token, {"title": "Revisión en garita de Agua Prieta"})
        assert status == 201, answer
        status, answer = call(server.base, "POST", "/api/v1/seizures", token, {
            "case_id": json.loads(answer)["id"], "seized_on": "2026-03-14", "state": "26", "municipality": "Agua Prieta",
            "firearms": [{"firearm_type": "pistol", "manufacturer": "GLOCK", "model": "19", "caliber": "9mm",
                          "serial_number": "BKRT552", "country_of_manufacture": "AT", "importer": "Glock Inc"}]})
        assert status == 201, answer
        seizure_id = json.loads(answer)["id"]
        # The case form, read before the outage and sent during it.
        status, form_page = browser.request("GET", "/cases/new")
        assert status == 200

        load = Load(server.port, browser.cookies, token)
        load.start()
        try:
            time.sleep(1.5)
            stopping_at = time.monotonic()
            proxy.stop()  # returns once new connections are refused and the open ones reset
            stopped_at = time.monotonic()
            time.sleep(1.0)
            status, page = browser.request("POST", "/cases/new", {
                "csrf_token": Browser.csrf(form_page), "title": OUTAGE_TITLE, "priority": "normal",
                "lead_officer_id": ""})
            assert status == 503 and PAGE_MESSAGE in page.decode()
            status, answer = call(server.base, "GET", HEALTH)
            assert status == 503 and json.loads(answer) == {"status": "error", "database": "unreachable"}
            time.sleep(1.5)
            restarted_at = time.monotonic()
            proxy.start()
            _wait_until_all_succeed(server.base, browser, token)
            recovered_at = time.monotonic()
            time.sleep(1.5)
        finally:
            answers = load.stop()

        unanswered = [answer for answer in answers if answer.status is None or answer.status == 500]
        assert not unanswered, f"{unanswered[:3]}\n{server.log()}"
        assert {answer.status for answer in _between(answers, 0, stopping_at)} == {200}
        assert {answer.status for answer in _between(answers, recovered_at, float("inf"))} == {200}
        assert {answer.status for answer in answers} <= {200, 503}

        outage = _between(answers, stopped_at, restarted_at)
        for path in (PAGE, API_LIST, HEALTH):
            assert len([answer for answer in outage if answer.path == path]) >= 3, f"too few answers for {path}"
        for answer in outage:
            assert answer.status == 503, answer
            if answer.path == PAGE:
                assert PAGE_MESSAGE in answer.body and '<html lang="es">' in answer.body
            elif answer.path == API_LIST:
                assert json.loads(answer.body)["error"]["code"] == "unavailable"
            else:
                assert json.loads(answer.body)["database"] == "unreachable"

        # Nothing restarted: the same workers and sealer serve.
        assert server.process.poll() is None
        assert server.workers() == workers and server.sealer() == sealer

        status, answer = call(server.base, "GET", f"/api/v1/seizures/{seizure_id}", token)
        assert status == 200 and json.loads(answer)["firearms"][0]["serial_number"] == "BKRT552"
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                assert connection.scalar(text("SELECT count(*) FROM cases WHERE title = :title"),
                                         {"title": OUTAGE_TITLE}) == 0
                assert connection.scalar(text("SELECT count(*) FROM audit_events WHERE details::text LIKE :title"),
                                         {"title": f"%{OUTAGE_TITLE}%"}) == 0
        finally:
            engine.dispose()

        # The sealer waited through the outage and chains what comes after it.
        status, answer = call(server.base, "POST", "/api/v1/cases", token, {"title": "Revisión tras la caída"})
        assert status == 201, answer
        deadline = time.monotonic() + 30
        while (health := json.loads(call(server.base, "GET", HEALTH)[1]))["audit_unsealed"]:
            assert time.monotonic() < deadline, f"the sealer did not resume: {health}\n{server.log()}"
            time.sleep(0.2)
        log = server.log(whole=True)
        # The sealer's line: "database unreachable (<the driver's message>); trying again".
        assert re.search(r"\); trying again$", log, re.M), log[-6000:]
        assert log.count("sealing audit events") >= 2, log[-6000:]  # at the start, and again after the outage
