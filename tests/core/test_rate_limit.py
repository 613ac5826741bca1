"""Sign-in is rate limited per address, with counters in Redis when configured."""
from __future__ import annotations

import uuid

import pytest
import redis

from config import TestConfig
from tests.conftest import Browser
from tracer import create_app
from tracer.extensions import limiter

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def _limited_app(storage: str, database_url: str):
    if storage == "redis" and not _redis_available():
        pytest.fail("Redis is not reachable at 127.0.0.1:6379")
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": True,
        "LOGIN_RATE_LIMIT": "3 per minute",
        "RATELIMIT_KEY_PREFIX": f"tracer-test-{uuid.uuid4().hex}",
    }
    if storage == "redis":
        settings["REDIS_URL"] = REDIS_URL
    return create_app(type("LimitedConfig", (TestConfig,), settings))


@pytest.fixture(params=["memory", "redis"])
def limited_app(request, database_url):
    yield _limited_app(request.param, database_url)
    limiter.enabled = False  # the limiter is shared: give the suite back its setting


@pytest.fixture
def redis_limited_app(database_url):
    yield _limited_app("redis", database_url)
    limiter.enabled = False


def test_fourth_sign_in_attempt_in_a_minute_is_refused(limited_app):
    browser = Browser(limited_app.test_client())
    browser.accept_notice()
    statuses = [browser.post("/auth/login", {"username": "nadie", "password": "x" * 12}).status_code
                for _ in range(4)]
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3] == 429
    page = browser.post("/auth/login", {"username": "nadie", "password": "x" * 12})
    assert page.status_code == 429
    assert "Demasiados intentos" in page.get_data(as_text=True)


def _login_counters(client) -> int:
    return sum(int(client.get(key) or 0) for key in client.keys("LIMITS:*auth.login*"))


def test_redis_holds_the_counters_when_configured(redis_limited_app):
    store = redis.Redis.from_url(REDIS_URL)
    before = _login_counters(store)
    browser = Browser(redis_limited_app.test_client())
    browser.accept_notice()
    browser.post("/auth/login", {"username": "nadie", "password": "x" * 12})
    assert _login_counters(store) == before + 1, "the sign-in was not counted in Redis"
