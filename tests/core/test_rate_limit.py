"""Rate limits: sign-in per account name, the API per account, counters in Redis when configured.

A whole office may reach the system through one address (a government NAT, a proxy), so
allowances follow accounts, not addresses. The limiter is one object per process: every
application start gives it a fresh storage connection. With memory storage a new instance
therefore starts from zero; whatever a second instance sees of the first one's hits came
through Redis, as it would between two processes or two hosts.
"""
from __future__ import annotations

import uuid

import pyotp
import pytest
import redis
from limits import parse

from config import Config, TestConfig
from tests import factories
from tests.conftest import Browser
from tracer import create_app
from tracer.auth import mfa, tokens
from tracer.extensions import db, limiter

REDIS_URL = "redis://127.0.0.1:6379/0"
OFFICE, HOME = "10.20.30.40", "10.99.0.7"


def _redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def _limited_app(storage: str, database_url: str, prefix: str, **settings):
    """An application with rate limits on; ``prefix`` keeps this test's counters apart
    from every other test and every other run sharing the Redis server."""
    if storage == "redis" and not _redis_available():
        pytest.fail("Redis is not reachable at 127.0.0.1:6379")
    values = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": True,
        "LOGIN_RATE_LIMIT": "3 per minute",
        "API_RATE_LIMIT": "3 per minute",
        "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": prefix},
        **settings,
    }
    if storage == "redis":
        values["REDIS_URL"] = REDIS_URL
    return create_app(type("LimitedConfig", (TestConfig,), values))


@pytest.fixture
def make_app(database_url):
    """``make_app(storage, **settings)`` → a rate-limited application; every call of one
    test shares one key prefix, like the processes of one deployment."""
    prefix = f"tracer-test-{uuid.uuid4().hex}"

    def make(storage: str = "memory", **settings):
        return _limited_app(storage, database_url, prefix, **settings)

    make.prefix = prefix
    yield make
    limiter.enabled = False  # the limiter is shared: give the suite back its setting


@pytest.fixture(params=["memory", "redis"])
def limited_app(request, make_app):
    return make_app(request.param)


def _sign_in_attempt(app, username: str, address: str = OFFICE) -> int:
    browser = Browser(app.test_client())
    browser.client.environ_base["REMOTE_ADDR"] = address
    browser.accept_notice()
    return browser.post("/auth/login", {"username": username, "password": "x" * 12}).status_code


def _token(app, username: str) -> str:
    with app.app_context():
        user = factories.user(username=username)
        _, raw = tokens.issue_token(user, "script")
        db.session.commit()
    return raw


def _api_call(app, raw: str | None, address: str = OFFICE):
    headers = {"Authorization": f"Bearer {raw}"} if raw else {}
    path = "/api/v1/me" if raw else "/api/v1/health"
    return app.test_client().get(path, headers=headers, environ_base={"REMOTE_ADDR": address})


def _api_statuses(app, raw, address=OFFICE, times=1) -> list[int]:
    return [_api_call(app, raw, address).status_code for _ in range(times)]


# --- sign-in ---------------------------------------------------------------------------------------


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


def test_two_names_behind_one_address_do_not_share_an_allowance(make_app):
    app = make_app()
    assert [_sign_in_attempt(app, "ana.ruiz") for _ in range(4)] == [401, 401, 401, 429]
    # A colleague in the same office, behind the same address, signs in as usual.
    assert _sign_in_attempt(app, "beto.diaz") == 401


def test_one_name_from_two_addresses_shares_one_allowance(make_app):
    app = make_app()
    assert [_sign_in_attempt(app, "ana.ruiz", OFFICE) for _ in range(2)] == [401, 401]
    assert _sign_in_attempt(app, "ana.ruiz", HOME) == 401
    # Counted as the lockout counts it: case and spaces make no other name.
    assert _sign_in_attempt(app, "  ANA.Ruiz ", HOME) == 429


def test_one_address_has_a_generous_allowance_for_all_names(make_app):
    app = make_app(LOGIN_ADDRESS_RATE_LIMIT="5 per minute")
    assert [_sign_in_attempt(app, f"persona{n}") for n in range(6)] == [401] * 5 + [429]
    assert _sign_in_attempt(app, "persona6", HOME) == 401


def test_the_address_allowance_is_ten_times_the_per_name_one():
    assert parse(Config.LOGIN_ADDRESS_RATE_LIMIT).amount == 10 * parse(Config.LOGIN_RATE_LIMIT).amount
    assert parse(Config.LOGIN_ADDRESS_RATE_LIMIT).get_expiry() == parse(Config.LOGIN_RATE_LIMIT).get_expiry()


def test_codes_of_the_second_step_count_per_account(make_app):
    app = make_app()
    browsers = []
    with app.app_context():
        for name in ("ana.ruiz", "beto.diaz"):
            user = factories.user(username=name)
            user.totp_pending_secret = pyotp.random_base32()
            mfa.enable(user)
        db.session.commit()
    for name in ("ana.ruiz", "beto.diaz"):
        browser = Browser(app.test_client())
        browser.client.environ_base["REMOTE_ADDR"] = OFFICE
        assert browser.login(name).status_code == 302
        browsers.append(browser)
    ana, beto = browsers
    assert [ana.post("/auth/mfa", {"code": "000000"}).status_code for _ in range(4)] == [401, 401, 401, 429]
    assert beto.post("/auth/mfa", {"code": "000000"}).status_code == 401


def test_redis_holds_the_counters_when_configured(make_app):
    app = make_app("redis")
    store = redis.Redis.from_url(REDIS_URL)
    prefix = make_app.prefix

    def counters() -> int:
        return sum(int(store.get(key) or 0) for key in store.keys(f"{prefix}:*auth.login*"))

    before = counters()
    _sign_in_attempt(app, "nadie")
    assert counters() == before + 1, "the sign-in was not counted in Redis"
    assert not [key for key in store.keys(f"{prefix}:*") if b"nadie" in key], "a typed name is kept in clear"


# --- the API ---------------------------------------------------------------------------------------


def test_api_allowance_is_per_account_behind_one_address(make_app):
    app = make_app()
    ana, beto = _token(app, "ana.ruiz"), _token(app, "beto.diaz")
    assert _api_statuses(app, ana, times=4) == [200, 200, 200, 429]
    assert _api_statuses(app, beto, times=3) == [200, 200, 200]
    refused = _api_call(app, ana)
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"


def test_api_allowance_is_one_for_the_whole_api(make_app):
    app = make_app()
    ana = _token(app, "ana.ruiz")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {ana}"}
    statuses = [client.get(path, headers=headers).status_code
                for path in ("/api/v1/me", "/api/v1/health", "/api/v1/openapi.json", "/api/v1/me")]
    assert statuses == [200, 200, 200, 429]


def test_api_allowance_follows_the_account_across_addresses(make_app):
    app = make_app()
    ana = _token(app, "ana.ruiz")
    assert _api_statuses(app, ana, OFFICE, 2) + _api_statuses(app, ana, HOME, 2) == [200, 200, 200, 429]


def test_api_calls_without_a_token_count_per_address(make_app):
    app = make_app()
    assert _api_statuses(app, None, OFFICE, 4) == [200, 200, 200, 429]
    assert _api_statuses(app, None, HOME) == [200]
    # A bad token is no account: it spends its address's allowance.
    assert _api_call(app, "trc_not-a-token", OFFICE).status_code == 429


def test_api_limit_is_a_setting(make_app):
    assert TestConfig.API_RATE_LIMIT == "600 per minute"
    app = make_app(API_RATE_LIMIT="7 per minute")
    response = _api_call(app, _token(app, "ana.ruiz"))
    assert response.headers["X-RateLimit-Limit"] == "7"


# --- across instances ------------------------------------------------------------------------------


@pytest.mark.parametrize("storage, shared", [("redis", True), ("memory", False)])
def test_api_allowance_is_shared_by_instances_through_redis(make_app, storage, shared):
    first = make_app(storage)
    ana, beto = _token(first, "ana.ruiz"), _token(first, "beto.diaz")
    assert _api_statuses(first, ana, OFFICE, 2) == [200, 200]
    second = make_app(storage)
    expected = [200, 429] if shared else [200, 200]
    assert _api_statuses(second, ana, HOME, 2) == expected
    assert _api_statuses(second, beto, OFFICE) == [200]


@pytest.mark.parametrize("storage, shared", [("redis", True), ("memory", False)])
def test_sign_in_allowance_is_shared_by_instances_through_redis(make_app, storage, shared):
    first = make_app(storage)
    assert [_sign_in_attempt(first, "ana.ruiz") for _ in range(2)] == [401, 401]
    second = make_app(storage)
    expected = [401, 429] if shared else [401, 401]
    assert [_sign_in_attempt(second, "ana.ruiz", HOME) for _ in range(2)] == expected
    assert _sign_in_attempt(second, "beto.diaz") == 401
