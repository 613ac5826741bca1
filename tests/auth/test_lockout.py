"""Five consecutive failures lock a username for 15 minutes, whether or not it exists."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.auth.helpers import flash_error, location, page, path_of, use_english
from tracer.auth.models import LoginThrottle
from tracer.core.models import utcnow

LOCKED = "Too many failed attempts. Sign-in is blocked for 15 minutes."
INVALID = "Incorrect username or password."


def fail(browser, username, times):
    answers = []
    for attempt in range(times):
        response = browser.post("/auth/login", {"username": username, "password": f"wrong password {attempt}"})
        answers.append((response.status_code, flash_error(page(response))))
    return answers


@pytest.fixture
def english(new_browser):
    browser = new_browser()
    use_english(browser)
    browser.accept_notice()
    return browser


def test_five_failures_lock_an_existing_user(make_user, english, fetch, events):
    user = make_user()
    answers = fail(english, user.username, 5)
    assert answers[:4] == [(401, INVALID)] * 4
    assert answers[4] == (401, LOCKED)

    throttle = fetch(LoginThrottle, user.username)
    assert throttle.locked_until is not None
    remaining = throttle.locked_until - utcnow()
    assert timedelta(minutes=14) < remaining <= timedelta(minutes=15)

    [lockout] = events("login.lockout")
    assert lockout.outcome == "failure"
    assert lockout.details["username"] == user.username
    assert lockout.user_id == user.id
    assert len(events("login", outcome="failure")) == 5


def test_correct_password_during_lockout_does_not_sign_in(make_user, english, events):
    user = make_user()
    fail(english, user.username, 5)
    response = english.post("/auth/login", {"username": user.username, "password": user.password})
    assert response.status_code == 401
    assert flash_error(page(response)) == LOCKED
    assert path_of(english.get("/")) == "/auth/login"
    assert [e.details for e in events("login", outcome="denied")] == [{"username": user.username, "reason": "locked"}]
    assert events("login", outcome="success") == []


def test_unknown_and_existing_usernames_lock_alike(make_user, english, new_browser, events):
    user = make_user()
    real = fail(english, user.username, 6)
    other = new_browser()
    use_english(other)
    other.accept_notice()
    invented = fail(other, "no.such.person", 6)
    assert real == invented
    assert real[4:] == [(401, LOCKED)] * 2
    names = sorted(e.details["username"] for e in events("login.lockout"))
    assert user.username in names and len(names) == 2
    # What is typed for a name that is no account is kept only as a keyed hash: it may be a password.
    invented_name = next(name for name in names if name != user.username)
    assert invented_name.startswith("unknown:") and "no.such.person" not in invented_name


def test_lock_is_per_username_whatever_its_case_or_spaces(make_user, english):
    user = make_user()
    fail(english, user.username.upper(), 2)
    fail(english, f"  {user.username}  ", 3)
    response = english.post("/auth/login", {"username": user.username, "password": user.password})
    assert flash_error(page(response)) == LOCKED


def test_lock_of_one_name_leaves_others_alone(make_user, english, new_browser):
    locked, other = make_user(), make_user()
    fail(english, locked.username, 5)
    response = new_browser().login(other.username, other.password)
    assert response.status_code == 302
    assert location(response) == "/"


def test_sign_in_works_again_when_the_lock_expires(make_user, english, dbs, fetch):
    user = make_user()
    fail(english, user.username, 5)
    with dbs() as session:
        session.get(LoginThrottle, user.username).locked_until = utcnow() - timedelta(seconds=1)
    response = english.post("/auth/login", {"username": user.username, "password": user.password})
    assert response.status_code == 302
    assert location(response) == "/"
    throttle = fetch(LoginThrottle, user.username)
    assert throttle.failures == 0
    assert throttle.locked_until is None


def test_lock_still_holds_a_moment_before_it_expires(make_user, english, dbs):
    user = make_user()
    fail(english, user.username, 5)
    with dbs() as session:
        session.get(LoginThrottle, user.username).locked_until = utcnow() + timedelta(seconds=30)
    response = english.post("/auth/login", {"username": user.username, "password": user.password})
    assert flash_error(page(response)) == LOCKED


def test_success_resets_the_failure_count(make_user, english, new_browser, fetch):
    user = make_user()
    fail(english, user.username, 4)
    assert fetch(LoginThrottle, user.username).failures == 4
    assert english.post("/auth/login", {"username": user.username, "password": user.password}).status_code == 302
    assert fetch(LoginThrottle, user.username).failures == 0

    again = new_browser()
    use_english(again)
    again.accept_notice()
    assert fail(again, user.username, 4) == [(401, INVALID)] * 4
    assert again.post("/auth/login", {"username": user.username, "password": user.password}).status_code == 302


def test_lockout_after_expiry_counts_from_zero(make_user, english, dbs):
    user = make_user()
    fail(english, user.username, 5)
    with dbs() as session:
        session.get(LoginThrottle, user.username).locked_until = utcnow() - timedelta(seconds=1)
    # A single failure after the lock has expired does not lock again.
    assert fail(english, user.username, 1) == [(401, INVALID)]
