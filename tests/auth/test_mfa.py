"""The second factor: enrolment, codes at sign-in, replays, recovery codes,
the "MFA required" setting and the administrator's reset."""
from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from tests.auth.helpers import (
    flash_error, location, page, path_of, recovery_codes, session_value, by_testid, totp_code, use_english, wrong_code,
)
from tracer.auth.models import LoginThrottle, RecoveryCode, User
from tracer.core.models import utcnow
from tracer.extensions import db


def second_factor(browser, code):
    return browser.post("/auth/mfa", {"code": code})


def test_enrolment_from_the_profile(sign_in, fetch, events, app):
    browser = sign_in()
    profile = page(browser.get("/auth/profile"))
    assert 'href="/auth/mfa/setup"' in profile

    setup = browser.get("/auth/mfa/setup")
    assert setup.status_code == 200
    secret = by_testid(page(setup), "totp-secret")
    assert len(secret) >= 16
    # The secret is kept for the whole enrolment, not drawn anew at each view.
    assert by_testid(page(browser.get("/auth/mfa/setup")), "totp-secret") == secret
    assert fetch(User, browser.user.id).totp_secret is None

    done = browser.post("/auth/mfa/setup", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = recovery_codes(page(done))
    assert len(codes) == 10 and len(set(codes)) == 10

    user = fetch(User, browser.user.id)
    assert user.mfa_enabled and user.totp_secret == secret
    with app.app_context():
        stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10
    assert not set(codes) & set(stored)  # only digests are stored
    assert [e.user_id for e in events("user.mfa_enable")] == [user.id]
    # Once enrolled, the setup page leads back to the profile.
    assert path_of(browser.get("/auth/mfa/setup")) == "/auth/profile"

    # The next sign-in asks for a code after the password.
    browser.logout()
    response = browser.login(browser.user.username, browser.user.password)
    assert response.status_code == 302
    assert path_of(response) == "/auth/mfa"
    assert path_of(browser.get("/")) == "/auth/login"
    assert browser.get("/auth/mfa").status_code == 200

    # The code of the enrolment's time step was used up; the next step's is accepted.
    signed = second_factor(browser, totp_code(secret, +1))
    assert signed.status_code == 302
    assert location(signed) == "/"
    assert browser.get("/").status_code == 200
    [success] = [e for e in events("login", outcome="success") if e.details["method"] == "password+totp"]
    assert success.user_id == user.id


def test_enrolment_refuses_a_wrong_code(sign_in, fetch):
    browser = sign_in()
    secret = by_testid(page(browser.get("/auth/mfa/setup")), "totp-secret")
    response = browser.post("/auth/mfa/setup", {"code": wrong_code(secret)})
    assert response.status_code == 400
    assert recovery_codes(page(response)) == []
    assert not fetch(User, browser.user.id).mfa_enabled


def test_sign_in_with_mfa_needs_the_code(mfa_user, new_browser):
    user = mfa_user()
    browser = new_browser()
    response = browser.login(user.username, user.password)
    assert path_of(response) == "/auth/mfa"
    assert session_value(browser, "sid") is None
    assert path_of(browser.get("/auth/profile")) == "/auth/login"


def test_wrong_code_is_refused_and_counts_toward_lockout(mfa_user, new_browser, fetch, events):
    user = mfa_user()
    browser = new_browser()
    use_english(browser)
    browser.login(user.username, user.password)
    bad = wrong_code(user.secret)

    for attempt in range(1, 5):
        response = second_factor(browser, bad)
        assert response.status_code == 401
        assert flash_error(page(response)) == "The code is not valid or has already been used."
        assert fetch(LoginThrottle, user.username).failures == attempt
    assert path_of(browser.get("/")) == "/auth/login"
    reasons = [e.details["reason"] for e in events("login", outcome="failure")]
    assert reasons == ["bad_second_factor"] * 4

    fifth = second_factor(browser, bad)
    assert fifth.status_code == 302
    assert path_of(fifth) == "/auth/login"
    assert len(events("login.lockout")) == 1
    # The pending sign-in is gone and even the right password and code do nothing now.
    assert path_of(browser.get("/auth/mfa")) == "/auth/login"
    again = browser.post("/auth/login", {"username": user.username, "password": user.password})
    assert again.status_code == 401
    assert "15" in flash_error(page(again))
    assert events("login", outcome="success") == []


def test_code_is_refused_while_the_name_is_locked(mfa_user, new_browser, dbs):
    user = mfa_user()
    browser = new_browser()
    browser.login(user.username, user.password)
    with dbs() as session:
        session.add(LoginThrottle(username_key=user.username, failures=0,
                                  locked_until=utcnow() + timedelta(minutes=10)))
    response = second_factor(browser, totp_code(user.secret))
    # The sign-in is over: back to the form, with the lockout message.
    assert path_of(response) == "/auth/login"
    assert "15" in flash_error(page(browser.get("/auth/login")))
    assert path_of(browser.get("/")) == "/auth/login"


def test_replayed_code_is_refused(mfa_user, new_browser, fetch):
    user = mfa_user()
    code = totp_code(user.secret)

    first = new_browser()
    first.login(user.username, user.password)
    assert second_factor(first, code).status_code == 302
    assert fetch(User, user.id).totp_last_counter is not None

    # Someone who saw the code tries it again within its time step.
    second = new_browser()
    second.login(user.username, user.password)
    replay = second_factor(second, code)
    assert replay.status_code == 401
    assert path_of(second.get("/")) == "/auth/login"

    # A code of a later step still works.
    assert second_factor(second, totp_code(user.secret, +1)).status_code == 302
    assert second.get("/").status_code == 200


def test_code_of_an_earlier_step_than_the_last_used_is_refused(mfa_user, new_browser):
    user = mfa_user()
    first = new_browser()
    first.login(user.username, user.password)
    assert second_factor(first, totp_code(user.secret, +1)).status_code == 302
    second = new_browser()
    second.login(user.username, user.password)
    assert second_factor(second, totp_code(user.secret)).status_code == 401


def test_recovery_code_works_once(mfa_user, new_browser, app, events):
    user = mfa_user()
    code = user.codes[3]

    first = new_browser()
    first.login(user.username, user.password)
    response = second_factor(first, code)
    assert response.status_code == 302
    assert location(response) == "/"
    assert first.get("/").status_code == 200
    assert [e.user_id for e in events("user.recovery_code_used")] == [user.id]
    with app.app_context():
        used = db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                             RecoveryCode.used_at.is_not(None))).all()
    assert len(used) == 1

    second = new_browser()
    second.login(user.username, user.password)
    assert second_factor(second, code).status_code == 401
    assert path_of(second.get("/")) == "/auth/login"
    # Another of the codes still works, typed without its hyphen and in lower case.
    assert second_factor(second, user.codes[4].replace("-", "").lower()).status_code == 302

    with app.app_context():
        left = db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                             RecoveryCode.used_at.is_(None))).all()
    assert len(left) == 8


def test_new_recovery_codes_replace_the_old_ones(mfa_user, new_browser):
    user = mfa_user()
    browser = new_browser()
    browser.login(user.username, user.password)
    second_factor(browser, totp_code(user.secret))
    refused = browser.post("/auth/mfa/recovery-codes", {"password": "not my password"}, token_from="/auth/profile")
    assert refused.status_code == 400
    response = browser.post("/auth/mfa/recovery-codes", {"password": user.password}, token_from="/auth/profile")
    assert response.status_code == 200
    fresh = recovery_codes(page(response))
    assert len(fresh) == 10 and not set(fresh) & set(user.codes)

    other = new_browser()
    other.login(user.username, user.password)
    assert second_factor(other, user.codes[0]).status_code == 401
    assert second_factor(other, fresh[0]).status_code == 302


def test_sign_in_with_mfa_keeps_the_page_asked_for(mfa_user, new_browser):
    user = mfa_user()
    browser = new_browser()
    browser.accept_notice()
    browser.post("/auth/login?next=/auth/profile", {"username": user.username, "password": user.password})
    response = second_factor(browser, totp_code(user.secret))
    assert location(response) == "/auth/profile"


def test_second_factor_page_without_a_password_first(mfa_user, new_browser):
    user = mfa_user()
    browser = new_browser()
    browser.accept_notice()
    assert path_of(browser.get("/auth/mfa")) == "/auth/login"
    response = second_factor(browser, totp_code(user.secret))
    assert path_of(response) == "/auth/login"
    assert path_of(browser.get("/")) == "/auth/login"


def test_pending_second_factor_expires(mfa_user, new_browser):
    user = mfa_user()
    browser = new_browser()
    browser.login(user.username, user.password)
    with browser.client.session_transaction() as session:
        session["pending"] = dict(session["pending"], at=time.time() - 301)
    response = second_factor(browser, totp_code(user.secret))
    assert path_of(response) == "/auth/login"
    assert path_of(browser.get("/")) == "/auth/login"


@pytest.fixture
def mfa_required(app, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_MFA", True)


def test_required_mfa_sends_a_user_without_it_to_enrolment(mfa_required, make_user, new_browser, fetch, events):
    user = make_user()
    browser = new_browser()
    response = browser.login(user.username, user.password)
    assert response.status_code == 302
    assert path_of(response) == "/auth/mfa/setup"

    # Not signed in until enrolled.
    assert session_value(browser, "sid") is None
    assert path_of(browser.get("/")) == "/auth/login"
    assert path_of(browser.get("/auth/profile")) == "/auth/login"
    assert events("login", outcome="success") == []

    setup = browser.get("/auth/mfa/setup")
    assert setup.status_code == 200
    secret = by_testid(page(setup), "totp-secret")
    assert browser.post("/auth/mfa/setup", {"code": wrong_code(secret)}).status_code == 400
    assert path_of(browser.get("/")) == "/auth/login"

    done = browser.post("/auth/mfa/setup", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    assert len(recovery_codes(page(done))) == 10
    assert browser.get("/").status_code == 200
    onward = browser.get("/auth/continue")
    assert location(onward) == "/"

    stored = fetch(User, user.id)
    assert stored.mfa_enabled and stored.last_login_at is not None
    [success] = events("login", outcome="success")
    assert success.details == {"method": "password+totp_enrolment"}


def test_required_mfa_enrolment_keeps_the_page_asked_for(mfa_required, make_user, new_browser):
    user = make_user()
    browser = new_browser()
    browser.accept_notice()
    browser.post("/auth/login?next=/auth/profile", {"username": user.username, "password": user.password})
    secret = by_testid(page(browser.get("/auth/mfa/setup")), "totp-secret")
    browser.post("/auth/mfa/setup", {"code": pyotp.TOTP(secret).now()})
    assert location(browser.get("/auth/continue")) == "/auth/profile"


def test_required_mfa_asks_an_enrolled_user_for_the_code(mfa_required, mfa_user, new_browser):
    user = mfa_user()
    browser = new_browser()
    assert path_of(browser.login(user.username, user.password)) == "/auth/mfa"
    assert second_factor(browser, totp_code(user.secret)).status_code == 302


def test_enrolment_page_without_a_sign_in_goes_to_login(mfa_required, new_browser):
    browser = new_browser()
    browser.accept_notice()
    assert path_of(browser.get("/auth/mfa/setup")) == "/auth/login"


def test_admin_reset_removes_the_second_factor(mfa_user, sign_in, new_browser, fetch, app, events):
    user = mfa_user()
    holder = new_browser()
    holder.login(user.username, user.password)
    second_factor(holder, totp_code(user.secret))
    assert holder.get("/").status_code == 200

    admin = sign_in("admin")
    edit = page(admin.get(f"/admin/users/{user.id}"))
    assert f'action="/admin/users/{user.id}/reset-mfa"' in edit
    response = admin.post(f"/admin/users/{user.id}/reset-mfa", {})
    assert response.status_code == 302

    stored = fetch(User, user.id)
    assert stored.totp_secret is None and not stored.mfa_enabled and stored.totp_last_counter is None
    with app.app_context():
        assert db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all() == []
    [reset] = events("user.mfa_reset")
    assert reset.object_id == str(user.id)
    assert reset.user_id == admin.user.id
    # Their sessions ended, and they sign in with the password alone (MFA is optional here).
    assert path_of(holder.get("/")) == "/auth/login"
    again = new_browser()
    assert location(again.login(user.username, user.password)) == "/"
