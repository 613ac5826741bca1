"""The server sqlmap attacks in tests/security/test_sqlmap.py: Tracer on a loopback port, over a
scratch database it migrates and seeds itself, noting every request it answers.

``python -m tests.security.sqlmap_target DATABASE_URL PORT WORKDIR`` migrates the database, creates
an officer with a password, an API token and one seized firearm, writes them to WORKDIR/seed.json,
then serves until stopped. Each answer adds a line to WORKDIR/requests.jsonl: the method, path,
query and form values, the status, and whether the form's CSRF token was valid, so the test can
tell a payload the application read from a request it refused at the door.
"""
from __future__ import annotations

import json
import secrets
import sys
import threading
from pathlib import Path

from flask import g, request
from flask_migrate import upgrade
from flask_wtf.csrf import validate_csrf
from werkzeug.serving import make_server
from wtforms import ValidationError

from config import Config
from tracer import create_app

USERNAME = "agente.fgr"
SERIAL = "TRC40551"


class ScanConfig(Config):
    ENV_NAME = "test"
    SESSION_COOKIE_SECURE = False  # plain HTTP on the loopback
    SECRET_KEY = secrets.token_hex(32)
    REQUIRE_MFA = False
    # The limits are off during the scan: the limiter would answer 429 to the scanner's hundreds of
    # requests a minute, and a refused request proves nothing about injection. For the same reason
    # the account never locks (five wrong passwords would lock it, and a locked name's password is
    # not even read). tests/core/test_rate_limited_routes.py and tests/auth check the limits.
    RATELIMIT_ENABLED = False
    LOGIN_MAX_FAILURES = 10**9
    ARGON2_PROFILE = "CHEAPEST"  # each guess hashes a password: the scan checks queries, not hashing
    AUDIT_SEAL_ON_COMMIT = True
    MAP_TILE_URL = None


def _seed(app, workdir: Path) -> None:
    from tests import factories
    from tracer.auth import tokens
    from tracer.extensions import db

    with app.app_context():
        upgrade()
        password = secrets.token_urlsafe(12)
        agency = factories.agency("FGR")
        officer = factories.user("officer", agency, username=USERNAME, password=password)
        case = factories.case(agency, officer)
        factories.seizure(case, officer, firearms=[factories.firearm_values(serial_number=SERIAL)])
        _, token = tokens.issue_token(officer, "sqlmap")
        db.session.commit()
    seed = {"username": USERNAME, "password": password, "token": token, "serial": SERIAL, "manufacturer": "Glock"}
    (workdir / "seed.json").write_text(json.dumps(seed))


def _note_every_answer(app, log: Path) -> None:
    lock = threading.Lock()

    @app.before_request
    def check_token():
        """Judged before the view: a sign-in starts a new session, where the old token is void."""
        g.scan_csrf_valid = None
        if request.method == "POST":
            try:
                validate_csrf(request.form.get("csrf_token"))
                g.scan_csrf_valid = True
            except ValidationError:
                g.scan_csrf_valid = False

    @app.after_request
    def note(response):
        entry = {"method": request.method, "path": request.path, "status": response.status_code,
                 "args": request.args.to_dict(), "form": request.form.to_dict(),
                 "csrf_valid": g.get("scan_csrf_valid")}
        with lock, log.open("a") as out:
            out.write(json.dumps(entry) + "\n")
        return response


def main(database_url: str, port: int, workdir: Path) -> None:
    config = type("Scan", (ScanConfig,), {"SQLALCHEMY_DATABASE_URI": database_url})
    app = create_app(config)
    _seed(app, workdir)
    _note_every_answer(app, workdir / "requests.jsonl")
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
