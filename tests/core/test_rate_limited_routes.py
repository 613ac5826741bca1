"""Every rate-limited route, found in the limiter itself, and each limit seen refusing.

The limits are read from Flask-Limiter (the limits decorating each view and those of its
blueprint) for every route of the URL map, and must be exactly the ones listed here: a limit
taken off a route, or a route of the API left outside the shared allowance, fails
``test_the_limited_routes_are_these``. Each limit is then exceeded with limits switched on:
the sign-in pages answer 429 with their page in Spanish, the API a JSON ``rate_limited`` error.
The allowances are small settings of the application under test (see ``test_rate_limit``).
"""
from __future__ import annotations

import re

import pyotp
from flask_limiter.util import get_qualified_name
from sqlalchemy import func, select

from tests import factories
from tests.auth.helpers import by_testid, page, path_of, totp_code, wrong_code
from tests.conftest import Browser
from tests.core.test_rate_limit import HOME, OFFICE, make_app  # noqa: F401  (make_app: a fixture)
from tracer.audit.models import AuditEvent
from tracer.auth import mfa, tokens
from tracer.auth.models import User
from tracer.extensions import db, limiter

TOO_MANY = "Demasiados intentos"  # the title of the refusal page, in Spanish
# Which allowance a limit spends, by its key (or by the scope a shared limit names).
PER_NAME, PER_ACCOUNT, PER_ADDRESS, API = "per typed name", "per account", "per address, every sign-in form", "api"
KINDS = {"_typed_name_key": PER_NAME, "_signing_in_account_key": PER_ACCOUNT, "sign-in-address": PER_ADDRESS,
         "api": API}
SIGN_IN_LIMITS = {
    ("auth.login", "POST"): {PER_NAME, PER_ADDRESS},
    ("auth.mfa_verify", "POST"): {PER_ACCOUNT, PER_ADDRESS},
    ("auth.mfa_setup", "POST"): {PER_ACCOUNT, PER_ADDRESS},
}
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def _kind(limit) -> str:
    name = limit.scope if limit.shared else limit.key_func.__name__
    return KINDS.get(name, name)


def limited_routes(app) -> dict[tuple[str, str], set[str]]:
    """``(endpoint, method)`` → the allowances a request to it spends, as the limiter holds them."""
    manager = limiter.limit_manager
    found: dict[tuple[str, str], set[str]] = {}
    with app.app_context():
        assert manager.application_limits == [] and manager.default_limits == [], \
            "a limit on every route: list it here"
        for rule in app.url_map.iter_rules():
            blueprint = rule.endpoint.rpartition(".")[0]
            limits = manager.decorated_limits(get_qualified_name(app.view_functions[rule.endpoint]))
            limits += manager.blueprint_limits(app, blueprint) if blueprint else []
            for limit in limits:
                methods = {m.upper() for m in limit.methods} if limit.methods else METHODS
                for method in methods & rule.methods:
                    found.setdefault((rule.endpoint, method), set()).add(_kind(limit))
    return found


def _api_routes(app) -> list[tuple[str, str, str]]:
    return sorted((rule.endpoint, method, rule.rule) for rule in app.url_map.iter_rules()
                  if rule.rule.startswith("/api/") for method in rule.methods & METHODS)


def test_the_limited_routes_are_these(app):
    """The sign-in forms, and every route of the API in one shared allowance; nothing else."""
    expected = dict(SIGN_IN_LIMITS)
    expected.update({(endpoint, method): {API} for endpoint, method, _ in _api_routes(app)})
    assert len(expected) > 30
    assert limited_routes(app) == expected


# --- the sign-in form ----------------------------------------------------------------------------


def _attempt(app, username: str, address: str = OFFICE):
    browser = Browser(app.test_client())
    browser.client.environ_base["REMOTE_ADDR"] = address
    browser.accept_notice()
    return browser.post("/auth/login", {"username": username, "password": "x" * 12})


def test_sign_in_per_typed_name(make_app):  # noqa: F811
    app = make_app()
    assert [_attempt(app, "ana.ruiz", address).status_code for address in (OFFICE, HOME, OFFICE)] == [401] * 3
    refused = _attempt(app, "ana.ruiz", HOME)
    assert refused.status_code == 429
    assert TOO_MANY in page(refused)
    assert _attempt(app, "beto.diaz", HOME).status_code == 401


def test_sign_in_per_address(make_app):  # noqa: F811
    app = make_app(LOGIN_RATE_LIMIT="20 per minute", LOGIN_ADDRESS_RATE_LIMIT="3 per minute")
    assert [_attempt(app, f"persona{n}").status_code for n in range(3)] == [401] * 3
    refused = _attempt(app, "persona3")
    assert refused.status_code == 429
    assert TOO_MANY in page(refused)
    assert _attempt(app, "persona4", HOME).status_code == 401


# --- the second step: a code from the authenticator ------------------------------------------------


def _totp_user(app, name: str) -> tuple[str, str]:
    with app.app_context():
        user = factories.user(username=name)
        secret = pyotp.random_base32()
        user.totp_pending_secret = secret
        mfa.enable(user)
        db.session.commit()
    return name, secret


def _at_second_step(app, name: str, address: str = OFFICE) -> Browser:
    browser = Browser(app.test_client())
    browser.client.environ_base["REMOTE_ADDR"] = address
    password = browser.login(name)
    assert password.status_code == 302 and path_of(password) == "/auth/mfa"
    return browser


def _successful_sign_ins(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "login", AuditEvent.username == name, AuditEvent.outcome == "success"))


def test_second_step_codes_per_account_then_even_the_right_code_waits(make_app):  # noqa: F811
    """Guessing codes stops at the allowance; within the window the right code is refused too, so
    a guess that happens to be right cannot be told from a wrong one."""
    app = make_app()
    name, secret = _totp_user(app, "ana.ruiz")
    browser = _at_second_step(app, name)
    wrong = wrong_code(secret)
    assert [browser.post("/auth/mfa", {"code": wrong}).status_code for _ in range(3)] == [401] * 3
    refused = browser.post("/auth/mfa", {"code": wrong})
    assert refused.status_code == 429
    assert TOO_MANY in page(refused)
    right = browser.post("/auth/mfa", {"code": totp_code(secret)})
    assert right.status_code == 429
    assert path_of(browser.get("/")) == "/auth/login"
    assert _successful_sign_ins(app, name) == 0


def test_second_step_codes_per_address(make_app):  # noqa: F811
    app = make_app(LOGIN_RATE_LIMIT="20 per minute", LOGIN_ADDRESS_RATE_LIMIT="4 per minute")
    (ana, ana_secret), (beto, beto_secret) = _totp_user(app, "ana.ruiz"), _totp_user(app, "beto.diaz")
    first, second = _at_second_step(app, ana), _at_second_step(app, beto)  # two sign-in posts spent
    assert first.post("/auth/mfa", {"code": wrong_code(ana_secret)}).status_code == 401
    assert second.post("/auth/mfa", {"code": wrong_code(beto_secret)}).status_code == 401
    refused = first.post("/auth/mfa", {"code": totp_code(ana_secret)})
    assert refused.status_code == 429
    assert TOO_MANY in page(refused)
    assert _successful_sign_ins(app, ana) == 0


# --- the enrolment a sign-in requires --------------------------------------------------------------


def _at_enrolment(app, name: str, address: str = OFFICE) -> tuple[Browser, str]:
    with app.app_context():
        factories.user(username=name)
        db.session.commit()
    browser = Browser(app.test_client())
    browser.client.environ_base["REMOTE_ADDR"] = address
    password = browser.login(name)
    assert password.status_code == 302 and path_of(password) == "/auth/mfa/setup"
    return browser, by_testid(page(browser.get("/auth/mfa/setup")), "totp-secret")


def _enrolled(app, name: str) -> bool:
    with app.app_context():
        return db.session.scalar(select(User).where(User.username == name)).mfa_enabled


def test_enrolment_codes_per_account(make_app):  # noqa: F811
    app = make_app(REQUIRE_MFA=True)
    browser, secret = _at_enrolment(app, "ana.ruiz")
    wrong = wrong_code(secret)
    assert [browser.post("/auth/mfa/setup", {"code": wrong}).status_code for _ in range(3)] == [400] * 3
    refused = browser.post("/auth/mfa/setup", {"code": pyotp.TOTP(secret).now()})
    assert refused.status_code == 429
    assert TOO_MANY in page(refused)
    assert not _enrolled(app, "ana.ruiz")


def test_enrolment_codes_per_address(make_app):  # noqa: F811
    app = make_app(REQUIRE_MFA=True, LOGIN_RATE_LIMIT="20 per minute", LOGIN_ADDRESS_RATE_LIMIT="4 per minute")
    (first, first_secret), (second, second_secret) = _at_enrolment(app, "ana.ruiz"), _at_enrolment(app, "beto.diaz")
    assert first.post("/auth/mfa/setup", {"code": wrong_code(first_secret)}).status_code == 400
    assert second.post("/auth/mfa/setup", {"code": wrong_code(second_secret)}).status_code == 400
    refused = first.post("/auth/mfa/setup", {"code": pyotp.TOTP(first_secret).now()})
    assert refused.status_code == 429
    assert TOO_MANY in page(refused)
    assert not _enrolled(app, "ana.ruiz")


# --- the API ---------------------------------------------------------------------------------------


def test_every_api_route_is_refused_once_the_allowance_is_spent(make_app):  # noqa: F811
    """For each route of the API, an account spends its allowance (3) elsewhere in the API; the
    route then answers 429 with the JSON error, whatever its method."""
    app = make_app()
    problems = []
    routes = _api_routes(app)
    with app.app_context():
        raws = []
        for number, _route in enumerate(routes):
            _, raw = tokens.issue_token(factories.user(username=f"api.walker{number}"), "walk")
            raws.append(raw)
        db.session.commit()
    client = app.test_client()
    for (endpoint, method, rule), raw in zip(routes, raws):
        headers = {"Authorization": f"Bearer {raw}"}
        spent = [client.get("/api/v1/health", headers=headers).status_code for _ in range(3)]
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: {"fmt": "graphml", "chart": "months"}.get(m.group(1), "999999"),
                     rule)
        response = client.open(url, method=method, headers=headers, json={})
        body = response.get_json(silent=True) or {}
        if spent != [200] * 3 or response.status_code != 429 or body.get("error", {}).get("code") != "rate_limited":
            problems.append(f"{method} {url} ({endpoint}): {spent} then {response.status_code}")
    assert problems == [], "\n".join(problems)
    assert len(routes) > 30
