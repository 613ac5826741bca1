"""Password sign-in: the notice, the answer to right and wrong credentials,
a new session id at every sign-in and the ``next`` address."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from tests import factories
from tests.auth.helpers import (
    cookie_value, flash_error, is_on_site, location, page, path_of, query_of, recent, session_value, use_english,
)
from tracer.auth import sessions
from tracer.auth.models import LoginThrottle, User, UserSession
from tracer.extensions import db


def test_login_form_comes_after_the_notice(new_browser):
    browser = new_browser()
    response = browser.get("/auth/login")
    assert response.status_code == 302
    assert path_of(response) == "/auth/notice"

    accepted = browser.accept_notice()
    assert accepted.status_code == 302
    assert path_of(accepted) == "/auth/login"
    assert browser.get("/auth/login").status_code == 200


def test_posting_credentials_without_the_notice_does_not_sign_in(make_user, new_browser, events):
    user = make_user()
    browser = new_browser()
    response = browser.post("/auth/login", {"username": user.username, "password": user.password})
    assert response.status_code == 302
    assert path_of(response) == "/auth/notice"
    assert session_value(browser, "sid") is None
    assert path_of(browser.get("/")) == "/auth/login"
    assert events("login") == []


def test_notice_keeps_the_page_asked_for(new_browser):
    browser = new_browser()
    response = browser.get("/auth/login?next=/auth/profile")
    assert path_of(response) == "/auth/notice"
    assert query_of(response)["next"] == ["/auth/profile"]
    accepted = browser.post("/auth/notice", {"next": "/auth/profile"})
    assert path_of(accepted) == "/auth/login"
    assert query_of(accepted)["next"] == ["/auth/profile"]


def test_successful_login_goes_home_and_is_recorded(make_user, new_browser, fetch, events):
    user = make_user()
    browser = new_browser()
    response = browser.login(user.username, user.password)
    assert response.status_code == 302
    assert location(response) == "/"
    assert browser.get("/").status_code == 200

    stored = fetch(User, user.id)
    assert recent(stored.last_login_at)
    [event] = events("login", user_id=user.id)
    assert event.outcome == "success"
    assert event.username == user.username
    assert event.details == {"method": "password"}


def test_username_is_not_case_sensitive(make_user, new_browser):
    user = make_user(username="mixedcase.user")
    response = new_browser().login("  MixedCase.User ", user.password)
    assert response.status_code == 302
    assert location(response) == "/"


def test_signed_in_user_is_sent_home_from_the_login_page(sign_in):
    browser = sign_in()
    response = browser.get("/auth/login")
    assert response.status_code == 302
    assert path_of(response) == "/"


def test_each_login_gets_a_new_session_id(make_user, new_browser, fetch, app):
    user = make_user()
    browser = new_browser()
    browser.login(user.username, user.password)
    first = session_value(browser, "sid")
    assert first
    assert browser.logout().status_code == 302
    browser.login(user.username, user.password)
    second = session_value(browser, "sid")
    assert second and second != first
    with app.app_context():
        rows = {row.sid_hash: row for row in db.session.query(UserSession).filter_by(user_id=user.id)}
    assert rows[sessions._digest(first)].ended_at is not None
    assert rows[sessions._digest(second)].ended_at is None


def test_session_fixation_a_planted_session_is_not_kept(make_user, new_browser, app):
    user = make_user()
    victim = new_browser()
    victim.accept_notice()
    with victim.client.session_transaction() as session:
        session["sid"] = "chosen-by-someone-else"
        session["planted"] = "yes"
    before = cookie_value(victim)

    victim.login(user.username, user.password)
    sid = session_value(victim, "sid")
    assert sid and sid != "chosen-by-someone-else"
    assert session_value(victim, "planted") is None
    assert cookie_value(victim) != before

    # Whoever kept the cookie of before the sign-in gains nothing from it.
    attacker = app.test_client()
    attacker.set_cookie("tracer_session", before)
    response = attacker.get("/")
    assert response.status_code == 302
    assert path_of(response) == "/auth/login"
    assert victim.get("/").status_code == 200


def test_unknown_user_and_wrong_password_get_the_same_answer(make_user, new_browser, events):
    user = make_user()
    browser = new_browser()
    use_english(browser)
    browser.accept_notice()

    unknown = browser.post("/auth/login", {"username": "nobody.here", "password": factories.PASSWORD})
    wrong = browser.post("/auth/login", {"username": user.username, "password": "not the right password"})

    assert unknown.status_code == wrong.status_code == 401
    assert flash_error(page(unknown)) == flash_error(page(wrong)) == "Incorrect username or password."
    assert "not the right password" not in page(wrong)
    assert path_of(browser.get("/")) == "/auth/login"

    failures = events("login", outcome="failure")
    assert [e.details["reason"] for e in failures] == ["bad_credentials", "bad_credentials"]
    # A typed name that is no account is kept only as a keyed hash (it may be a password typed there).
    assert failures[0].details["username"].startswith("unknown:")
    assert "nobody.here" not in failures[0].details["username"]
    assert failures[1].details["username"] == user.username
    assert failures[0].user_id is None
    assert failures[1].user_id == user.id


def test_disabled_user_gets_the_same_answer(make_user, new_browser, events):
    user = make_user(active=False)
    browser = new_browser()
    use_english(browser)
    browser.accept_notice()
    response = browser.post("/auth/login", {"username": user.username, "password": user.password})
    assert response.status_code == 401
    assert flash_error(page(response)) == "Incorrect username or password."
    assert path_of(browser.get("/")) == "/auth/login"
    [event] = events("login", outcome="failure")
    assert event.details["reason"] == "disabled"


def test_user_of_an_inactive_agency_cannot_sign_in(make_user, new_browser, dbs):
    user = make_user("officer", "FGE-CHIH")
    with dbs():
        factories.agency("FGE-CHIH").active = False
    response = new_browser().login(user.username, user.password)
    assert response.status_code == 401


def test_failed_login_does_not_touch_last_login(make_user, new_browser, fetch):
    user = make_user()
    new_browser().login(user.username, "wrong password here")
    assert fetch(User, user.id).last_login_at is None
    assert fetch(LoginThrottle, user.username).failures == 1


EVIL_TARGETS = [
    "//evil.example",
    "//evil.example/auth/profile",
    "https://evil.example",
    "http://evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "https:evil.example",
]


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_next_never_leaves_the_site(target, make_user, new_browser):
    user = make_user()
    browser = new_browser()

    asked = browser.get("/auth/login?next=" + quote(target))
    assert is_on_site(location(asked))
    assert all(is_on_site(value) for value in query_of(asked).get("next", []))

    accepted = browser.post("/auth/notice", {"next": target})
    assert is_on_site(location(accepted))
    assert all(is_on_site(value) for value in query_of(accepted).get("next", []))
    assert target not in page(browser.get(location(accepted)))

    response = browser.post("/auth/login?next=" + quote(target),
                            {"username": user.username, "password": user.password, "next": target})
    assert response.status_code == 302
    assert location(response) == "/"

    switched = browser.post("/language", {"lang": "en", "next": target})
    assert switched.status_code == 302
    assert location(switched) == "/"


def test_next_to_a_page_of_the_site_is_honoured(make_user, new_browser):
    user = make_user()
    browser = new_browser()
    asked = browser.get("/auth/profile")
    assert path_of(asked) == "/auth/login"
    assert query_of(asked)["next"] == ["/auth/profile"]

    to_notice = browser.get(location(asked))
    assert path_of(to_notice) == "/auth/notice"
    notice = page(browser.get(location(to_notice)))
    assert 'name="next" type="hidden" value="/auth/profile"' in notice

    accepted = browser.post("/auth/notice", {"next": "/auth/profile"})
    assert path_of(accepted) == "/auth/login"
    form = page(browser.get(location(accepted)))
    assert 'value="/auth/profile"' in form

    response = browser.post(location(accepted), {"username": user.username, "password": user.password,
                                                 "next": "/auth/profile"})
    assert response.status_code == 302
    assert location(response) == "/auth/profile"
    assert browser.get("/auth/profile").status_code == 200
