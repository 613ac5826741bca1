"""Forged requests: no state change without the session's CSRF token, none on GET."""
from __future__ import annotations

import pytest

from tests.auth.helpers import path_of, session_value
from tests.conftest import csrf_token
from tracer.auth.models import LoginThrottle, User


def test_login_without_a_token_is_refused(make_user, new_browser, events, fetch):
    user = make_user()
    browser = new_browser()
    browser.accept_notice()
    response = browser.client.post("/auth/login", data={"username": user.username, "password": user.password})
    assert response.status_code == 400
    assert session_value(browser, "sid") is None
    assert events("login") == []
    assert fetch(LoginThrottle, user.username) is None


def test_token_of_another_session_is_refused(sign_in, new_browser):
    victim = sign_in()
    attacker = new_browser()
    foreign = csrf_token(attacker.client)
    assert foreign != csrf_token(victim.client)
    response = victim.client.post("/auth/logout", data={"csrf_token": foreign})
    assert response.status_code == 400
    assert victim.get("/").status_code == 200


def test_made_up_token_is_refused(sign_in):
    browser = sign_in()
    response = browser.client.post("/auth/logout", data={"csrf_token": "not-a-token"})
    assert response.status_code == 400
    assert browser.get("/").status_code == 200


def test_logout_without_a_token_is_refused(sign_in):
    browser = sign_in()
    assert browser.client.post("/auth/logout").status_code == 400
    assert browser.get("/").status_code == 200


def test_get_never_signs_out(sign_in):
    browser = sign_in()
    assert browser.get("/auth/logout").status_code == 405
    assert browser.get("/").status_code == 200


def test_notice_acceptance_needs_a_token(new_browser):
    browser = new_browser()
    assert browser.client.post("/auth/notice").status_code == 400
    assert path_of(browser.get("/auth/login")) == "/auth/notice"


def test_language_switch_needs_a_token(new_browser):
    browser = new_browser()
    assert browser.client.post("/language", data={"lang": "en"}).status_code == 400
    assert session_value(browser, "lang") is None


ADMIN_ACTIONS = ["disable", "end-sessions", "reset-mfa", "reset-password"]


@pytest.mark.parametrize("action", ADMIN_ACTIONS)
def test_admin_actions_need_a_token_and_a_post(action, sign_in, make_user, fetch, events):
    target = make_user()
    admin = sign_in("admin")
    before = fetch(User, target.id)
    assert admin.get(f"/admin/users/{target.id}/{action}").status_code == 405
    assert admin.client.post(f"/admin/users/{target.id}/{action}").status_code == 400
    after = fetch(User, target.id)
    assert (after.active, after.password_hash) == (before.active, before.password_hash)
    assert {e.action for e in events() if e.action.startswith("user.")} == {"user.create"}


def test_password_change_needs_a_token(sign_in, fetch):
    browser = sign_in()
    before = fetch(User, browser.user.id).password_hash
    response = browser.client.post("/auth/password", data={"current_password": browser.user.password,
                                                            "new_password": "another long passphrase here",
                                                            "confirm": "another long passphrase here"})
    assert response.status_code == 400
    assert fetch(User, browser.user.id).password_hash == before


def test_second_factor_enrolment_needs_a_token(sign_in, fetch):
    browser = sign_in()
    browser.get("/auth/mfa/setup")
    assert browser.client.post("/auth/mfa/setup", data={"code": "123456"}).status_code == 400
    assert not fetch(User, browser.user.id).mfa_enabled


@pytest.mark.parametrize("path", ["/auth/logout", "/auth/mfa/recovery-codes", "/auth/tokens", "/auth/tokens/1/revoke"])
def test_actions_refuse_get(path, sign_in, events):
    browser = sign_in()
    assert browser.get(path).status_code == 405
    assert browser.get("/").status_code == 200
    assert events("logout") == [] and events("api_token.create") == []
