"""sqlmap (Debian's package) against the sign-in form and the serial-search API of a server on the
loopback, over a scratch database of the run's dialect: SQLite, or PostgreSQL when
TRACER_TEST_DATABASE_URL names a server (a new database on it, dropped afterwards).

Each scan must end with sqlmap finding nothing injectable, having tested every parameter; and the
server's own record of the scan must show that the payloads were read by the application, not
refused at the door: every sign-in attempt carried a valid CSRF token, every API call a valid
token, no request was limited (429) or failed (5xx), and the scan's unaltered request succeeded
(the officer signs in; the search finds the seeded serial), so a true condition injected into a
field would have shown as a different answer. One line per scan tells what was tested and how long
it took. sqlmap is required where CI is set; elsewhere the test is skipped when it is missing.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tracer import ROOT

pytestmark = pytest.mark.security

STARTUP_TIMEOUT = 120  # seconds: the scratch database is migrated before the server answers
SCAN_TIMEOUT = 600
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# What sqlmap prints when it finds, or suspects, an injection point.
FINDING = re.compile(r"is vulnerable|appears to be .*injectable|might be injectable|"
                     r"identified the following injection point|\[CRITICAL\]")
# The sign-in form is attempted with every payload and a fresh CSRF token fetched before each:
# level 3 (every boundary of the usual clauses) keeps it near a minute. The API, one request a
# payload, takes level 4 in about as long. Risk 3 adds the OR payloads: the scratch database has
# nothing to lose.
LOGIN_LEVEL, API_LEVEL, RISK = 3, 4, 3


@pytest.fixture(scope="module")
def sqlmap() -> str:
    found = shutil.which("sqlmap")
    if found is None:
        if (os.environ.get("CI") or "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail("sqlmap is not installed: apt-get install sqlmap (.ci/run installs it)")
        pytest.skip("sqlmap is not installed (Debian: apt-get install sqlmap); CI installs it and runs this")
    return found


@pytest.fixture(scope="module")
def scratch_database(tmp_path_factory):
    """(SQLAlchemy URL, sqlmap's name of the dialect) of an empty database for the scan."""
    url = os.environ.get("TRACER_TEST_DATABASE_URL") or ""
    if not url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlmap-db') / 'scan.db'}", "SQLite"
        return
    name = f"{make_url(url).database}_sqlmap_{secrets.token_hex(3)}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False), "PostgreSQL"
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@dataclass
class Target:
    base: str
    dbms: str
    sqlmap: str
    seed: dict
    workdir: Path

    def answers_since(self, offset: int) -> list[dict]:
        """The server's record of the requests it answered after ``offset`` lines."""
        with (self.workdir / "requests.jsonl").open() as log:
            return [json.loads(line) for line in log.readlines()[offset:]]

    def answered(self) -> int:
        path = self.workdir / "requests.jsonl"
        return sum(1 for _ in path.open()) if path.exists() else 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def target(sqlmap, scratch_database, tmp_path_factory):
    """tests/security/sqlmap_target.py serving the scratch database on a free loopback port."""
    url, dbms = scratch_database
    workdir = tmp_path_factory.mktemp("sqlmap")
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRACER_")}
    log = (workdir / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "tests.security.sqlmap_target", url, str(port), str(workdir)],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail("the scan's server stopped:\n" + (workdir / "server.log").read_text()[-3000:])
            try:
                with urllib.request.urlopen(f"{base}/api/v1/health", timeout=2) as answer:
                    if answer.status == 200 and (workdir / "seed.json").exists():
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the scan's server did not answer within {STARTUP_TIMEOUT} s")
            time.sleep(0.3)
        yield Target(base, dbms, sqlmap, json.loads((workdir / "seed.json").read_text()), workdir)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


def _scan(target: Target, arguments: list[str]) -> tuple[str, float]:
    """Run sqlmap non-interactively; returns its output and the seconds it took."""
    command = [target.sqlmap, *arguments, "--dbms", target.dbms, "--risk", str(RISK), "--batch", "--flush-session",
               "--disable-coloring", "--output-dir", str(target.workdir / "sqlmap"), "--timeout", "10",
               "--retries", "1"]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=SCAN_TIMEOUT,
                            env={**os.environ, "TERM": "dumb"}, cwd=target.workdir)
    output = result.stdout + result.stderr
    (target.workdir / f"sqlmap-{len(list(target.workdir.glob('sqlmap-*.txt')))}.txt").write_text(output)
    return output, time.monotonic() - started


def _assert_nothing_injectable(output: str, place: str, parameters: list[str]) -> None:
    findings = [line for line in output.splitlines() if FINDING.search(line)]
    assert not findings, "\n".join(findings)
    for name in parameters:
        assert f"{place} parameter '{name}' does not seem to be injectable" in output, output[-3000:]
    assert "all tested parameters do not appear to be injectable" in output, output[-3000:]


def _changed(values: dict, baseline: dict) -> tuple[str, ...]:
    return tuple(sorted(name for name in baseline if values.get(name) != baseline[name]))


def _summary(capsys, line: str) -> None:
    with capsys.disabled():
        print(f"\n{line}")


def _signed_out_session(base: str) -> tuple[str, str]:
    """A session that acknowledged the use-of-system notice, as a person's browser holds before
    the sign-in form: (Cookie header, the form's CSRF token)."""
    jar = CookieJar()

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), Stay)
    token = CSRF_INPUT.search(opener.open(f"{base}/auth/notice").read().decode()).group(1)
    with pytest.raises(urllib.error.HTTPError) as redirected:
        opener.open(f"{base}/auth/notice", urllib.parse.urlencode({"csrf_token": token}).encode())
    assert redirected.value.code == 302
    token = CSRF_INPUT.search(opener.open(f"{base}/auth/login").read().decode()).group(1)
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar), token


def test_sqlmap_finds_no_injection_in_the_sign_in_form(target, capsys):
    cookie, token = _signed_out_session(target.base)
    baseline = {"username": target.seed["username"], "password": target.seed["password"]}
    offset = target.answered()
    output, seconds = _scan(target, [
        "-u", f"{target.base}/auth/login", "--data", urllib.parse.urlencode({"csrf_token": token, **baseline}),
        "-p", "username,password", "--level", str(LOGIN_LEVEL),
        # A fresh token from the form before each attempt, in the session that acknowledged the
        # notice: the session cookie is kept whatever the answers set, so a successful sign-in
        # does not turn the following attempts into visits of a signed-in user.
        "--csrf-token", "csrf_token", "--csrf-url", f"{target.base}/auth/login", "--cookie", cookie,
        "--drop-set-cookie",
        "--ignore-code", "401",  # a wrong password is answered 401; sqlmap would stop at the first
    ])
    _assert_nothing_injectable(output, "POST", ["username", "password"])

    attempts = [entry for entry in target.answers_since(offset)
                if entry["method"] == "POST" and entry["path"] == "/auth/login"]
    refused_at_the_door = [entry for entry in attempts if entry["csrf_valid"] is not True]
    assert not refused_at_the_door, f"{len(refused_at_the_door)} attempts without a valid CSRF token"
    by_field = {name: Counter() for name in baseline}
    unaltered = Counter()
    for entry in attempts:
        changed = _changed(entry["form"], baseline)
        assert len(changed) <= 1, entry["form"]
        (by_field[changed[0]] if changed else unaltered)[entry["status"]] += 1
    assert set(unaltered) == {302}, unaltered  # the scan's own request signs the officer in
    for name, statuses in by_field.items():
        # 401: the credentials were checked and refused; 400: the form refused the value (too
        # long, a control character). Never 302: no payload signs in; never 5xx nor 429.
        assert set(statuses) <= {400, 401} and statuses[401] >= 50, f"{name}: {statuses}"
    _summary(capsys, f"sqlmap, sign-in form on {target.dbms}: username and password not injectable; "
                     f"{len(attempts)} attempts (level {LOGIN_LEVEL}, risk {RISK}), each with a valid CSRF token, "
                     f"answered {dict(sum(by_field.values(), unaltered))}; {seconds:.0f} s")


def test_sqlmap_finds_no_injection_in_the_serial_search_api(target, capsys):
    baseline = {"q": target.seed["serial"], "mode": "fuzzy", "manufacturer": target.seed["manufacturer"],
                "limit": "10"}
    url = f"{target.base}/api/v1/search/serial?{urllib.parse.urlencode(baseline)}"
    authorization = f"Authorization: Bearer {target.seed['token']}"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {target.seed['token']}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        found = json.loads(answer.read())
    assert [item["serial_number"] for item in found["items"]] == [target.seed["serial"]]

    offset = target.answered()
    output, seconds = _scan(target, ["-u", url, "-p", ",".join(baseline), "--level", str(API_LEVEL),
                                     "--headers", authorization])
    _assert_nothing_injectable(output, "GET", list(baseline))

    calls = [entry for entry in target.answers_since(offset) if entry["path"] == "/api/v1/search/serial"]
    by_parameter = {name: Counter() for name in baseline}
    for entry in calls:
        changed = _changed(entry["args"], baseline)
        if len(changed) == 1:
            by_parameter[changed[0]][entry["status"]] += 1
        else:  # the unaltered request, or one sqlmap sends with a parameter of its own
            assert entry["status"] == 200, entry
    for name, statuses in by_parameter.items():
        # 200: searched; 422: the search refused the value (an unknown mode or maker, a limit that
        # is no number). Never 401 or 403 (the token held), 429 or 5xx.
        assert set(statuses) <= {200, 422} and sum(statuses.values()) >= 100, f"{name}: {statuses}"
    assert by_parameter["q"][200] >= 50, by_parameter["q"]  # payloads in the serial were searched
    total = sum(by_parameter.values(), Counter())
    _summary(capsys, f"sqlmap, serial-search API on {target.dbms}: q, mode, manufacturer and limit not injectable; "
                     f"{len(calls)} calls (level {API_LEVEL}, risk {RISK}) with a valid token, answered {dict(total)}; "
                     f"{seconds:.0f} s")
