"""Redis stopped: the application keeps answering. Sign-in, pages and the API work; rate
limits and the disclosure budget count in each process's memory until Redis answers
again (tracer/core/counters.py), so they still refuse what is over the allowance."""
from __future__ import annotations

import socket
import uuid

import pytest

from config import TestConfig
from tests import factories
from tests.conftest import Browser
from tracer import create_app
from tracer.auth import tokens
from tracer.deconfliction.budget import budget
from tracer.extensions import db, limiter


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


@pytest.fixture
def stopped_redis_app(database_url):
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True, "REDIS_URL": url,
                "LOGIN_RATE_LIMIT": "3 per minute", "API_RATE_LIMIT": "3 per minute", "DISCLOSURE_BUDGET": 2,
                "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": f"tracer-test-{uuid.uuid4().hex}",
                                              "socket_timeout": 1.0, "socket_connect_timeout": 1.0}}
    yield create_app(type("StoppedRedisConfig", (TestConfig,), settings))
    limiter.enabled = False  # the limiter is shared: give the suite back its setting


def test_sign_in_pages_and_the_api_answer_with_redis_stopped(stopped_redis_app):
    app = stopped_redis_app
    with app.app_context():
        officer = factories.user("officer", factories.agency("FGE-SON"))
        case = factories.case("FGE-SON", officer, title="Aseguramiento en Nogales")
        _, raw = tokens.issue_token(officer, "script")
        db.session.commit()
    browser = Browser(app.test_client())
    browser.accept_notice()
    assert browser.login(officer.username).status_code == 302
    assert not limiter.storage.redis_answers  # the counters are this process's own meanwhile

    for path in ("/", "/cases", f"/cases/{case.id}", "/search/serial?q=ABC123&mode=exact"):
        page = browser.get(path)
        assert page.status_code == 200, path
    assert "Aseguramiento en Nogales" in browser.get(f"/cases/{case.id}").get_data(as_text=True)

    client = app.test_client()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.status_code == 200 and me.get_json()["username"] == officer.username
    assert client.get("/api/v1/health").get_json()["status"] == "ok"


def test_limits_still_refuse_what_is_over_the_allowance(stopped_redis_app):
    app = stopped_redis_app
    with app.app_context():
        user = factories.user("analyst", factories.agency("FGR"))
        _, raw = tokens.issue_token(user, "script")
        db.session.commit()
    browser = Browser(app.test_client())
    browser.accept_notice()
    attempts = [browser.post("/auth/login", {"username": "nadie.aqui", "password": "x" * 12}).status_code
                for _ in range(4)]
    assert attempts == [401, 401, 401, 429]

    client = app.test_client()
    calls = [client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code for _ in range(4)]
    assert calls == [200, 200, 200, 429]

    with app.app_context():
        assert budget().take(user.id) and budget().take(user.id)
        assert not budget().take(user.id) and budget().spent(user.id)
