"""A password typed again from an open session (new API token, new password, new
recovery codes) is a sign-in attempt of the account: wrong ones count toward the
same lockout, are audited with their page, and a locked account confirms nothing."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from tests.auth.helpers import field_error_text, flash_error, has_field_error, page, totp_code, use_english
from tracer.auth import passwords
from tracer.auth.models import ApiToken, LoginThrottle, User
from tracer.extensions import db

NOT_CORRECT = "The current password is not correct."
LOCKED = ("Too many failed attempts: the account is blocked for 15 minutes and the password "
          "cannot be confirmed until then.")
SIGN_IN_LOCKED = "Too many failed attempts. Sign-in is blocked for 15 minutes."
NEW_PASSWORD = "a brand new passphrase for tracing"


def _token(browser, password):
    return browser.post("/auth/tokens", {"name": "script", "password": password}, token_from="/auth/profile")


def _password(browser, password):
    return browser.post("/auth/password", {"current_password": password, "new_password": NEW_PASSWORD,
                                           "confirm": NEW_PASSWORD}, token_from="/auth/password")


def _recovery(browser, password):
    return browser.post("/auth/mfa/recovery-codes", {"password": password}, token_from="/auth/profile")


PAGES = {
    # name: (send, field with the error, endpoint audited, what a success answers)
    "token": (_token, "password", "auth.create_token", 200),
    "password": (_password, "current_password", "auth.change_password", 302),
    "recovery": (_recovery, "password", "auth.regenerate_recovery_codes", 200),
}


@pytest.fixture(params=sorted(PAGES))
def recheck(request, sign_in, mfa_user, new_browser):
    """A signed-in English user and one of the pages that ask for the password again."""
    send, field, endpoint, success = PAGES[request.param]
    if request.param == "recovery":
        user = mfa_user(locale="en")
        browser = new_browser()
        browser.login(user.username, user.password)
        assert browser.post("/auth/mfa", {"code": totp_code(user.secret)}).status_code == 302
        browser.user = user
    else:
        browser = sign_in(locale="en")
    return SimpleNamespace(name=request.param, browser=browser, user=browser.user, field=field, endpoint=endpoint,
                           success=success, send=lambda password: send(browser, password))


def _error(response, field):
    assert response.status_code == 400, response.status_code
    text = page(response)
    assert has_field_error(text, field)
    return field_error_text(text, field)


def _tokens(app, user_id) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user_id))


def test_five_wrong_passwords_lock_the_account_and_are_audited(recheck, fetch, events, new_browser):
    answers = [_error(recheck.send(f"wrong password {n}"), recheck.field) for n in range(5)]
    assert answers == [NOT_CORRECT] * 4 + [LOCKED]

    throttle = fetch(LoginThrottle, recheck.user.username)
    assert throttle.locked_until is not None
    failures = events("login", outcome="failure", user_id=recheck.user.id)
    assert [(e.details["reason"], e.details["page"]) for e in failures] == \
        [("bad_password_recheck", recheck.endpoint)] * 5
    assert all("wrong password" not in str(e.details) for e in failures)
    [lockout] = events("login.lockout", user_id=recheck.user.id)
    assert lockout.details["page"] == recheck.endpoint

    # The lock is the sign-in's: the right password no longer signs in anywhere.
    other = new_browser()
    use_english(other)
    use = other.login(recheck.user.username, recheck.user.password)
    assert use.status_code == 401 and flash_error(page(use)) == SIGN_IN_LOCKED


def test_a_locked_account_confirms_nothing_even_with_the_right_password(recheck, app, fetch, events):
    for n in range(5):
        recheck.send(f"wrong password {n}")
    hash_before = fetch(User, recheck.user.id).password_hash
    assert _error(recheck.send(recheck.user.password), recheck.field) == LOCKED
    assert fetch(User, recheck.user.id).password_hash == hash_before
    assert _tokens(app, recheck.user.id) == 0
    [denied] = events("login", outcome="denied", user_id=recheck.user.id)
    assert denied.details == {"username": recheck.user.username, "reason": "locked", "page": recheck.endpoint}


def test_a_lock_from_failed_sign_ins_elsewhere_holds_here_and_says_no_more(recheck, new_browser):
    attacker = new_browser()
    attacker.accept_notice()
    for n in range(5):
        attacker.post("/auth/login", {"username": recheck.user.username, "password": f"guess {n}"})
    # Right or wrong, the answer is the lock and its full length: not who caused it, nor when it ends.
    assert _error(recheck.send(recheck.user.password), recheck.field) == LOCKED
    assert _error(recheck.send("wrong password"), recheck.field) == LOCKED


def test_the_right_password_resets_the_count(recheck, fetch):
    for n in range(4):
        recheck.send(f"wrong password {n}")
    assert fetch(LoginThrottle, recheck.user.username).failures == 4
    assert recheck.send(recheck.user.password).status_code == recheck.success
    assert fetch(LoginThrottle, recheck.user.username).failures == 0


def test_sign_in_failures_and_rechecks_count_together(sign_in, new_browser, fetch):
    browser = sign_in(locale="en")
    other = new_browser()
    other.accept_notice()
    for n in range(3):
        other.post("/auth/login", {"username": browser.user.username, "password": f"guess {n}"})
    assert _error(_token(browser, "wrong password 1"), "password") == NOT_CORRECT
    assert _error(_token(browser, "wrong password 2"), "password") == LOCKED
    assert fetch(LoginThrottle, browser.user.username).locked_until is not None


def test_the_refusal_is_in_spanish_for_a_spanish_reader(sign_in):
    browser = sign_in(locale="es")
    assert _error(_token(browser, "contraseña equivocada"), "password") == "La contraseña actual no es correcta."
    for n in range(4):
        _token(browser, f"equivocada {n}")
    text = _error(_token(browser, browser.user.password), "password")
    assert "15 minutos" in text and "Too many" not in text


def test_a_wrong_current_password_never_tests_the_new_one(sign_in, fetch):
    """Typing a wrong current password and a guess as the new one must not say whether the guess
    is the password ("choose a different one" would)."""
    browser = sign_in(locale="en")
    real = browser.user.password
    guess_is_right = browser.post("/auth/password", {"current_password": "not it", "new_password": real,
                                                     "confirm": real})
    guess_is_wrong = browser.post("/auth/password", {"current_password": "not it", "new_password": NEW_PASSWORD,
                                                     "confirm": NEW_PASSWORD})
    assert _error(guess_is_right, "current_password") == NOT_CORRECT
    assert not has_field_error(page(guess_is_right), "new_password")
    assert not has_field_error(page(guess_is_wrong), "new_password")
    assert fetch(LoginThrottle, browser.user.username).failures == 2
    assert passwords.verify_password(fetch(User, browser.user.id).password_hash, browser.user.password)
