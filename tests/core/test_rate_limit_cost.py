"""What the rate limit costs an allowed request: one Redis round trip, no headers read back;
a refused request still says when to come back."""
from __future__ import annotations

import redis

from tests.core.test_rate_limit import _api_call, _token, make_app  # noqa: F401  (the fixture)


def _redis_commands(monkeypatch) -> list[str]:
    sent: list[str] = []
    real = redis.Redis.execute_command

    def counted(self, *args, **options):
        sent.append(str(args[0]))
        return real(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    return sent


def test_an_allowed_api_call_costs_one_redis_round_trip(make_app, monkeypatch):
    app = make_app("redis")
    ana = _token(app, "ana.ruiz")
    assert _api_call(app, ana).status_code == 200  # loads the counting script once

    sent = _redis_commands(monkeypatch)
    response = _api_call(app, ana)

    assert response.status_code == 200
    assert sent == ["EVALSHA"]
    assert response.headers["X-RateLimit-Limit"] == "3" and "X-RateLimit-Remaining" not in response.headers


def test_a_refused_api_call_says_when_to_come_back(make_app):
    app = make_app("redis")
    ana = _token(app, "ana.ruiz")
    statuses = [_api_call(app, ana) for _ in range(4)]

    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    assert 1 <= int(statuses[3].headers["Retry-After"]) <= 60


def test_a_refused_sign_in_says_when_to_come_back(make_app):
    from tests.core.test_rate_limit import _sign_in_attempt
    from tests.conftest import Browser

    app = make_app()
    for _ in range(3):
        _sign_in_attempt(app, "nadie")
    browser = Browser(app.test_client())
    browser.client.environ_base["REMOTE_ADDR"] = "10.20.30.40"
    browser.accept_notice()
    page = browser.post("/auth/login", {"username": "nadie", "password": "x" * 12})

    assert page.status_code == 429
    assert 1 <= int(page.headers["Retry-After"]) <= 60
