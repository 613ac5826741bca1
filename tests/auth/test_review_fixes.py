"""The sign-in foundation after its security review.

Each test here checks one rule the review added: it fails if that rule is
taken away. The tests of simultaneous requests need PostgreSQL (SQLite
serialises every writer on one file lock); they commit for real, on
connections of their own, and remove what they can of it afterwards.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import runpy
import threading
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

import pyotp
import pytest
from flask import g
from flask_babel import force_locale
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import delete, func, select, update

from config import ProductionConfig, TestConfig
from tests import factories
from tests.auth.helpers import (
    by_testid, cookie_value, field_error_text, flash_error, has_field_error, location, page, path_of,
    recovery_codes, session_value, totp_code,
)
from tests.conftest import Browser, csrf_token
from tracer import create_app
from tracer.audit import services as audit
from tracer.audit.models import AuditEvent
from tracer.auth import login as login_service
from tracer.auth import mfa, services, sessions, throttle, tokens
from tracer.auth.models import Agency, ApiToken, LoginThrottle, RecoveryCode, User, UserSession
from tracer.core.errors import ValidationFailed
from tracer.core.models import utcnow
from tracer.extensions import db

ROOT = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "a brand new passphrase for tracing"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
RECOVERY_CODE = re.compile(r"^[0-9A-F]{4}(?:-[0-9A-F]{4}){4}$")  # 20 hex digits: 80 bits


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def second_factor(browser, code):
    return browser.post("/auth/mfa", {"code": code})


def last_seq() -> int:
    return db.session.scalar(select(func.max(AuditEvent.seq))) or 0


def events_after(seq: int) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.seq > seq).order_by(AuditEvent.seq)))


def only_admin(dbs, user_id: int) -> None:
    """Make ``user_id`` the only active administrator (undone with the test)."""
    with dbs() as session:
        session.execute(update(User).where(User.role == "admin", User.id != user_id).values(active=False)
                        .execution_options(synchronize_session=False))


@pytest.fixture
def token_user(make_user, app):
    """``token_user(role, agency, **fields)`` → a user namespace with a live API token (``raw``, ``token_id``)."""

    def make(role: str = "officer", agency: str = "FGR", **fields):
        user = make_user(role, agency, **fields)
        with app.app_context():
            token, raw = tokens.issue_token(db.session.get(User, user.id), "script")
            db.session.commit()
            user.token_id, user.raw = token.id, raw
        return user

    return make


# --- 1. simultaneous requests (PostgreSQL) ------------------------------------------------------------

PARALLEL_LOGINS = 10
PARALLEL_CODES = 6


def needs_postgresql(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("simultaneous requests need PostgreSQL: SQLite serialises every writer on one file lock")


@contextmanager
def committing_app(database_url: str):
    """A second application on the same database whose sessions are the normal
    ones: each request gets its own connection and its commits are real.

    The suite's fixture binds every session to the test's rolled-back
    connection; that binding is lifted for the duration and put back after."""
    factory = db.session.session_factory
    joined_kw, joined_class = dict(factory.kw), factory.class_
    factory.class_ = FlaskSession
    for name in ("bind", "join_transaction_mode", "expire_on_commit"):
        factory.kw.pop(name, None)
    config = type("CommittingConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": PARALLEL_LOGINS + 4, "max_overflow": 0, "pool_pre_ping": True},
    })
    try:
        live = create_app(config)
        try:
            yield live
        finally:
            with live.app_context():
                db.session.remove()
                db.engine.dispose()
    finally:
        factory.kw.clear()
        factory.kw.update(joined_kw)
        factory.class_ = joined_class


def remove_committed(live, usernames: list[str], acronym: str | None = None) -> None:
    """Delete what a concurrency test committed; audit events stay (append-only).
    Rows a foreign key still holds are disabled instead."""
    with live.app_context():
        try:
            ids = list(db.session.scalars(select(User.id).where(User.username.in_(usernames))))
            db.session.execute(delete(LoginThrottle).where(LoginThrottle.username_key.in_(usernames)))
            for model in (UserSession, RecoveryCode, ApiToken):
                db.session.execute(delete(model).where(model.user_id.in_(ids)))
            db.session.execute(delete(User).where(User.id.in_(ids)))
            if acronym:
                db.session.execute(delete(Agency).where(Agency.acronym == acronym))
            db.session.commit()
        except Exception:  # noqa: BLE001  (leftovers are harmless: every name is unique)
            db.session.rollback()
            db.session.execute(update(User).where(User.username.in_(usernames)).values(active=False))
            if acronym:
                db.session.execute(update(Agency).where(Agency.acronym == acronym).values(active=False))
            db.session.commit()


def ready_browser(live) -> tuple[Browser, str]:
    """A browser of ``live`` past the notice, with a CSRF token for its next form."""
    browser = Browser(live.test_client())
    assert browser.accept_notice().status_code == 302
    return browser, csrf_token(browser.client)


def in_parallel(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run the jobs in threads released together; returns their results in order."""
    start = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            start.wait(timeout=30)
            results[index] = jobs[index]()
        except BaseException as error:  # noqa: BLE001  (reported by the main thread)
            failures.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung (lock wait?)"
    assert failures == []
    return results


def unique(prefix: str) -> tuple[str, str]:
    """A username and an agency acronym no other run uses."""
    suffix = uuid.uuid4().hex[:10]
    return f"{prefix}.{suffix}", f"RACE-{suffix[:8].upper()}"


def guess_in_parallel(live, username: str) -> list[int]:
    prepared = [ready_browser(live) for _ in range(PARALLEL_LOGINS)]

    def guess(browser, token, attempt):
        return lambda: browser.client.post("/auth/login", data={
            "csrf_token": token, "username": username, "password": f"wrong guess {attempt}"}).status_code

    return in_parallel([guess(browser, token, n) for n, (browser, token) in enumerate(prepared)])


def assert_locked_consistently(live, key: str, audited_name: str, before: int) -> None:
    """The name is locked, and every failure was counted exactly once."""
    with live.app_context():
        throttle = db.session.get(LoginThrottle, key)
        assert throttle is not None and throttle.locked_until is not None
        assert throttle.locked_until > utcnow()
        mine = [e for e in events_after(before) if (e.details or {}).get("username") == audited_name]
    counted = [e for e in mine if e.action == "login" and e.outcome == "failure"]
    refused = [e for e in mine if e.action == "login" and e.outcome == "denied"]
    lockouts = [e for e in mine if e.action == "login.lockout"]
    assert len(counted) + len(refused) == PARALLEL_LOGINS
    # One atomic count: every fifth counted failure locks, none is lost or counted twice.
    assert len(lockouts) == len(counted) // live.config["LOGIN_MAX_FAILURES"] >= 1


def test_parallel_wrong_passwords_lock_an_existing_name(database_url):
    needs_postgresql(database_url)
    username, acronym = unique("race")
    with committing_app(database_url) as live:
        try:
            with live.app_context():
                factories.user("officer", factories.agency(acronym), username=username)
                db.session.commit()
                before = last_seq()
            statuses = guess_in_parallel(live, username)
            assert 500 not in statuses
            assert statuses == [401] * PARALLEL_LOGINS
            assert_locked_consistently(live, username, username, before)
            # Locked: even the right password is refused now.
            browser, token = ready_browser(live)
            right = browser.client.post("/auth/login", data={"csrf_token": token, "username": username,
                                                             "password": factories.PASSWORD})
            assert right.status_code == 401
        finally:
            remove_committed(live, [username], acronym)


def test_parallel_first_failures_of_an_unknown_name(database_url):
    needs_postgresql(database_url)
    username, _ = unique("nobody")
    with committing_app(database_url) as live:
        try:
            with live.app_context():
                before = last_seq()
                audited = throttle.typed_name(username, None)
            statuses = guess_in_parallel(live, username)
            # Ten first failures insert the same throttle row: no request may trip on the others' insert.
            assert 500 not in statuses
            assert statuses == [401] * PARALLEL_LOGINS
            assert_locked_consistently(live, username, audited, before)
        finally:
            remove_committed(live, [username])


def test_one_code_shared_by_parallel_sign_ins_signs_in_once(database_url):
    needs_postgresql(database_url)
    username, acronym = unique("otp")
    secret = pyotp.random_base32()
    with committing_app(database_url) as live:
        try:
            with live.app_context():
                user = factories.user("officer", factories.agency(acronym), username=username)
                user.totp_pending_secret = secret
                mfa.enable(user)
                user_id = user.id
                db.session.commit()
                before = last_seq()
            pending = []
            for _ in range(PARALLEL_CODES):
                browser, token = ready_browser(live)
                response = browser.client.post("/auth/login", data={"csrf_token": token, "username": username,
                                                                    "password": factories.PASSWORD})
                assert path_of(response) == "/auth/mfa"
                pending.append((browser, csrf_token(browser.client)))
            code = totp_code(secret)

            def submit(browser, token):
                return lambda: browser.client.post("/auth/mfa", data={"csrf_token": token, "code": code})

            responses = in_parallel([submit(browser, token) for browser, token in pending])
            assert 500 not in [r.status_code for r in responses]
            signed_in = [r for r in responses if r.status_code == 302 and location(r) == "/"]
            assert len(signed_in) == 1
            assert all(r.status_code == 401 or path_of(r) == "/auth/login"
                       for r in responses if r not in signed_in)
            with live.app_context():
                successes = [e for e in events_after(before)
                             if e.action == "login" and e.outcome == "success" and e.user_id == user_id]
            assert len(successes) == 1
            assert successes[0].details == {"method": "password+totp"}
        finally:
            remove_committed(live, [username], acronym)


# --- 2. the second factor ------------------------------------------------------------------------------


def test_full_width_digits_are_accepted(mfa_user, new_browser):
    user = mfa_user()
    browser = new_browser()
    assert path_of(browser.login(user.username, user.password)) == "/auth/mfa"
    code = totp_code(user.secret).translate(FULL_WIDTH)
    assert code.isdigit() and not code.isascii()
    response = second_factor(browser, code)
    assert response.status_code == 302
    assert location(response) == "/"
    assert browser.get("/").status_code == 200


def test_arabic_indic_digits_are_refused_without_an_error(mfa_user, new_browser, fetch, events):
    user = mfa_user()
    browser = new_browser()
    browser.login(user.username, user.password)
    code = totp_code(user.secret).translate(ARABIC_INDIC)
    assert code.isdigit() and not code.isascii()
    response = second_factor(browser, code)
    assert response.status_code == 401
    assert path_of(browser.get("/")) == "/auth/login"
    assert fetch(User, user.id).totp_last_counter is None
    assert [e.details["reason"] for e in events("login", outcome="failure", user_id=user.id)] == ["bad_second_factor"]
    assert mfa.matching_counter(user.secret, code) is None


def test_arabic_indic_digits_at_enrolment_are_refused_without_an_error(sign_in):
    browser = sign_in()
    secret = by_testid(page(browser.get("/auth/mfa/setup")), "totp-secret")
    response = browser.post("/auth/mfa/setup", {"code": pyotp.TOTP(secret).now().translate(ARABIC_INDIC)})
    assert response.status_code == 400
    assert recovery_codes(page(response)) == []


def flask_session(app, browser) -> dict:
    """The Flask session as the signed cookie carries it."""
    return app.session_interface.get_signing_serializer(app).loads(cookie_value(browser))


def strings_in(value) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings_in(item)] + [str(k) for k in value]
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in strings_in(item)]
    return [str(value)]


def assert_not_in_cookie(app, browser, secret: str) -> None:
    carried = flask_session(app, browser)
    assert secret not in strings_in(carried)
    assert secret not in json.dumps(carried, default=str)


def test_enrolment_secret_stays_on_the_server(sign_in, app, fetch, dbs):
    browser = sign_in()
    secret = by_testid(page(browser.get("/auth/mfa/setup")), "totp-secret")
    assert len(secret) >= 16
    assert_not_in_cookie(app, browser, secret)
    assert fetch(User, browser.user.id).totp_pending_secret == secret

    # Shown again on reload, even 14 minutes later.
    assert by_testid(page(browser.get("/auth/mfa/setup")), "totp-secret") == secret
    with dbs() as session:
        stored = session.get(User, browser.user.id)
        stored.totp_pending_at = utcnow() - timedelta(minutes=14)
    assert by_testid(page(browser.get("/auth/mfa/setup")), "totp-secret") == secret
    assert_not_in_cookie(app, browser, secret)

    # An enrolment left for more than 15 minutes starts again with a new secret.
    with dbs() as session:
        session.get(User, browser.user.id).totp_pending_at = utcnow() - timedelta(minutes=16)
    fresh = by_testid(page(browser.get("/auth/mfa/setup")), "totp-secret")
    assert fresh != secret
    assert browser.post("/auth/mfa/setup", {"code": pyotp.TOTP(secret).now()}).status_code == 400

    done = browser.post("/auth/mfa/setup", {"code": pyotp.TOTP(fresh).now()})
    assert done.status_code == 200 and len(recovery_codes(page(done))) == 10
    user = fetch(User, browser.user.id)
    assert user.totp_secret == fresh and user.totp_pending_secret is None and user.totp_pending_at is None


def test_enrolment_during_sign_in_keeps_the_secret_off_the_cookie(make_user, new_browser, app, monkeypatch, fetch):
    monkeypatch.setitem(app.config, "REQUIRE_MFA", True)
    user = make_user()
    browser = new_browser()
    assert path_of(browser.login(user.username, user.password)) == "/auth/mfa/setup"
    secret = by_testid(page(browser.get("/auth/mfa/setup")), "totp-secret")
    assert secret
    assert_not_in_cookie(app, browser, secret)
    assert by_testid(page(browser.get("/auth/mfa/setup")), "totp-secret") == secret
    done = browser.post("/auth/mfa/setup", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    assert session_value(browser, "sid")
    assert_not_in_cookie(app, browser, secret)
    assert fetch(User, user.id).totp_secret == secret


def test_recovery_codes_have_80_bits_and_work_once(mfa_user, new_browser):
    user = mfa_user()
    assert len(user.codes) == 10 and len(set(user.codes)) == 10
    assert all(RECOVERY_CODE.match(code) for code in user.codes), user.codes
    code = user.codes[0]

    first = new_browser()
    first.login(user.username, user.password)
    response = second_factor(first, code)
    assert response.status_code == 302 and location(response) == "/"

    again = new_browser()
    again.login(user.username, user.password)
    assert second_factor(again, code).status_code == 401
    assert path_of(again.get("/")) == "/auth/login"


def test_recovery_code_hashes_are_bound_to_their_user(mfa_user, new_browser, dbs):
    """A code's stored hash copied to another account does not open that account."""
    owner, other = mfa_user(), mfa_user()
    with dbs() as session:
        hashes = list(session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == owner.id)))
        session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == other.id))
        session.add_all(RecoveryCode(user_id=other.id, code_hash=h) for h in hashes)
    browser = new_browser()
    browser.login(other.username, other.password)
    assert second_factor(browser, owner.codes[0]).status_code == 401
    assert path_of(browser.get("/")) == "/auth/login"


def test_unknown_names_are_audited_as_a_keyed_hash(new_browser, app):
    with app.app_context():
        before = last_seq()
    browser = new_browser()
    browser.accept_notice()
    for typed in ("My-Secret-Passw0rd", "  my-secret-passw0rd "):
        browser.post("/auth/login", {"username": typed, "password": "whatever it was"})
    key = "my-secret-passw0rd"
    expected = "unknown:" + hmac.new(app.config["SECRET_KEY"].encode(), key.encode(), hashlib.sha256).hexdigest()[:16]
    with app.app_context():
        failures = [e for e in events_after(before) if e.action == "login" and e.outcome == "failure"]
    assert [e.details["username"] for e in failures] == [expected, expected]
    assert all(key not in json.dumps(e.details).lower() and e.username is None for e in failures)


# --- 3. API tokens -------------------------------------------------------------------------------------


def test_tokens_expire_after_their_lifetime(token_user, app, client, dbs, fetch, monkeypatch):
    user = token_user()
    token = fetch(ApiToken, user.token_id)
    lifetime = app.config["API_TOKEN_LIFETIME"]
    assert abs(token.expires_at - (utcnow() + lifetime)) < timedelta(minutes=1)
    assert client.get("/api/v1/me", headers=bearer(user.raw)).status_code == 200

    with dbs() as session:
        session.get(ApiToken, user.token_id).expires_at = utcnow() - timedelta(seconds=1)
    response = client.get("/api/v1/me", headers=bearer(user.raw))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"

    monkeypatch.setitem(app.config, "API_TOKEN_LIFETIME", timedelta(days=7))
    short = token_user()
    assert abs(fetch(ApiToken, short.token_id).expires_at - (utcnow() + timedelta(days=7))) < timedelta(minutes=1)


def revoked_for(events, user_id: int, reason: str) -> bool:
    return [e.details["reason"] for e in events("api_token.revoke_all", object_id=str(user_id))] == [reason]


def test_password_change_revokes_the_tokens(token_user, new_browser, client, fetch, events):
    user = token_user()
    browser = new_browser()
    browser.login(user.username, user.password)
    response = browser.post("/auth/password", {"current_password": user.password, "new_password": NEW_PASSWORD,
                                               "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert fetch(ApiToken, user.token_id).revoked_at is not None
    assert client.get("/api/v1/me", headers=bearer(user.raw)).status_code == 401
    assert revoked_for(events, user.id, "password_change")


def test_mfa_reset_revokes_the_tokens(sign_in, mfa_user, app, client, fetch, events):
    admin = sign_in("admin", locale="en")
    user = mfa_user()
    with app.app_context():
        _, raw = tokens.issue_token(db.session.get(User, user.id), "script")
        db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    assert admin.post(f"/admin/users/{user.id}/reset-mfa", {}).status_code == 302
    assert not fetch(User, user.id).mfa_enabled
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401
    assert revoked_for(events, user.id, "mfa_reset")


def test_enabling_mfa_revokes_the_tokens(sign_in, app, client, events):
    browser = sign_in()
    with app.app_context():
        _, raw = tokens.issue_token(db.session.get(User, browser.user.id), "script")
        db.session.commit()
    secret = by_testid(page(browser.get("/auth/mfa/setup")), "totp-secret")
    assert browser.post("/auth/mfa/setup", {"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401
    assert revoked_for(events, browser.user.id, "mfa_enabled")


def test_disabling_revokes_the_tokens(sign_in, token_user, client, events):
    admin = sign_in("admin", locale="en")
    user = token_user()
    assert admin.post(f"/admin/users/{user.id}/disable", {}).status_code == 302
    assert client.get("/api/v1/me", headers=bearer(user.raw)).status_code == 401
    assert revoked_for(events, user.id, "disabled")


def test_read_only_request_records_the_token_use(token_user, client, fetch, dbs):
    user = token_user()
    assert fetch(ApiToken, user.token_id).last_used_at is None
    assert client.get("/api/v1/me", headers=bearer(user.raw)).status_code == 200
    used = fetch(ApiToken, user.token_id).last_used_at
    assert used is not None and utcnow() - used < timedelta(minutes=1)

    # Written at most every five minutes.
    with dbs() as session:
        session.get(ApiToken, user.token_id).last_used_at = utcnow() - timedelta(minutes=2)
    earlier = fetch(ApiToken, user.token_id).last_used_at
    client.get("/api/v1/me", headers=bearer(user.raw))
    assert fetch(ApiToken, user.token_id).last_used_at == earlier
    with dbs() as session:
        session.get(ApiToken, user.token_id).last_used_at = utcnow() - timedelta(minutes=6)
    client.get("/api/v1/me", headers=bearer(user.raw))
    assert utcnow() - fetch(ApiToken, user.token_id).last_used_at < timedelta(minutes=1)


def test_token_loader_does_not_commit(token_user, app):
    user = token_user()
    with app.test_request_context("/api/v1/me", headers=bearer(user.raw)):
        assert tokens.user_for_token(user.raw).id == user.id
        assert g.touch_token_id == user.token_id
        db.session.rollback()  # whatever the loader did without committing is gone
        assert db.session.get(ApiToken, user.token_id).last_used_at is None


def test_create_personal_token_requires_the_password(sign_in, app):
    browser = sign_in()
    refused = browser.post("/auth/tokens", {"name": "script", "password": "not my password"},
                           token_from="/auth/profile")
    assert refused.status_code == 400
    assert has_field_error(page(refused), "password")
    with app.app_context():
        assert db.session.scalars(select(ApiToken).where(ApiToken.user_id == browser.user.id)).all() == []
        user = db.session.get(User, browser.user.id)
        for password in (None, ""):
            with pytest.raises(ValidationFailed) as caught:
                services.create_personal_token(user, "script", password)
            assert set(caught.value.fields) == {"password"}
    accepted = browser.post("/auth/tokens", {"name": "script", "password": browser.user.password},
                            token_from="/auth/profile")
    assert accepted.status_code == 200
    assert by_testid(page(accepted), "new-token").startswith(tokens.PREFIX)


def test_regenerate_recovery_codes_requires_the_password(mfa_user, app, new_browser):
    user = mfa_user()
    with app.app_context():
        stored = db.session.get(User, user.id)
        for password in (None, "", "not my password"):
            with pytest.raises(ValidationFailed) as caught:
                services.regenerate_recovery_codes(stored, password)
            assert set(caught.value.fields) == {"password"}
        db.session.rollback()
    # The old codes still work.
    browser = new_browser()
    browser.login(user.username, user.password)
    assert location(second_factor(browser, user.codes[0])) == "/"


# --- 4. sessions ---------------------------------------------------------------------------------------


def session_row(app, browser) -> UserSession:
    sid = session_value(browser, "sid")
    with app.app_context():
        return db.session.scalar(select(UserSession).where(UserSession.sid_hash == sessions._digest(sid)))


def test_idle_expiry_is_written_and_audited(sign_in, dbs, app, events):
    browser = sign_in()
    row = session_row(app, browser)
    with dbs() as session:
        stored = session.get(UserSession, row.id)
        stored.last_seen_at = stored.last_seen_at - timedelta(minutes=31)
    response = browser.get("/auth/profile")
    assert response.status_code == 302 and path_of(response) == "/auth/login"

    with app.app_context():
        ended = db.session.get(UserSession, row.id)
    assert ended.ended_at is not None and utcnow() - ended.ended_at < timedelta(minutes=1)
    assert ended.end_reason == "idle_timeout"
    [event] = events("session.end")
    assert event.details == {"reason": "idle_timeout"}
    assert event.object_type == "user" and event.object_id == str(browser.user.id)
    assert event.user_id == browser.user.id


def test_session_loader_does_not_commit(sign_in, dbs, app):
    browser = sign_in()
    row = session_row(app, browser)
    with dbs() as session:
        stored = session.get(UserSession, row.id)
        stored.last_seen_at = stored.last_seen_at - timedelta(minutes=31)
    with app.test_request_context("/"):
        assert sessions.session_user(session_value(browser, "sid"), str(browser.user.id)) is None
        assert g.ended_session == (row.id, browser.user.id, "idle_timeout")
        db.session.rollback()
        assert db.session.get(UserSession, row.id).ended_at is None


def test_activity_refreshes_last_seen(sign_in, dbs, app):
    browser = sign_in()
    row = session_row(app, browser)
    with dbs() as session:
        session.get(UserSession, row.id).last_seen_at = utcnow() - timedelta(minutes=5)
    assert browser.get("/").status_code == 200
    assert utcnow() - session_row(app, browser).last_seen_at < timedelta(minutes=1)


# --- 5. administrators ---------------------------------------------------------------------------------


def admin_edit_form(user, agency_id: int, **overrides) -> dict[str, str]:
    values = {"full_name": user.full_name, "email": user.email or "", "role": user.role,
              "agency_id": agency_id, "locale": user.locale}
    values.update(overrides)
    return values


def test_admin_cannot_disable_themselves(sign_in, make_user, fetch, events):
    admin = sign_in("admin", locale="en")
    make_user("admin")  # another administrator: only the rule about oneself applies
    response = admin.post(f"/admin/users/{admin.user.id}/disable", {})
    assert response.status_code == 302 and path_of(response) == f"/admin/users/{admin.user.id}"
    assert flash_error(page(admin.get(location(response)))).startswith("You cannot disable your own account")
    assert fetch(User, admin.user.id).active
    assert events("user.disable") == []
    assert admin.get("/admin/users").status_code == 200


def test_last_admin_cannot_demote_themselves(sign_in, dbs, fetch, agency_id, events):
    admin = sign_in("admin", locale="en")
    only_admin(dbs, admin.user.id)
    me = fetch(User, admin.user.id)
    response = admin.post(f"/admin/users/{me.id}", admin_edit_form(me, agency_id("FGR"), role="supervisor"))
    assert response.status_code == 400
    assert has_field_error(page(response), "role")
    assert field_error_text(page(response), "role") == "Ask another administrator."
    assert fetch(User, me.id).role == "admin"
    assert events("user.permission_change") == []


def test_last_active_admin_is_kept_by_the_service(make_user, dbs, app):
    admin = make_user("admin")
    make_user("admin", active=False)  # a disabled administrator is no substitute
    only_admin(dbs, admin.id)
    with app.app_context(), force_locale("en"):
        stored = db.session.get(User, admin.id)
        with pytest.raises(ValidationFailed) as disabling:
            services.set_active(stored, False, actor=None)
        values = {"full_name": stored.full_name, "role": "officer", "agency": stored.agency, "locale": "es"}
        with pytest.raises(ValidationFailed) as demoting:
            services.update_user(stored, values, actor=None)
        db.session.rollback()
    for caught in (disabling, demoting):
        assert caught.value.message == "This is the last active administrator."
        assert set(caught.value.fields) == {"role"}
    with app.app_context():
        stored = db.session.get(User, admin.id)
        assert stored.active and stored.role == "admin"


def test_with_two_admins_one_disables_the_other(sign_in, fetch, events, app):
    admin = sign_in("admin", locale="en")
    other = sign_in("admin")
    response = admin.post(f"/admin/users/{other.user.id}/disable", {})
    assert response.status_code == 302
    assert flash_error(page(admin.get(location(response)))) == ""
    assert not fetch(User, other.user.id).active
    [event] = events("user.disable")
    assert event.object_id == str(other.user.id) and event.user_id == admin.user.id
    assert path_of(other.get("/")) == "/auth/login"
    # The remaining one is now the last active administrator.
    with app.app_context():
        with pytest.raises(ValidationFailed):
            services.set_active(db.session.get(User, admin.user.id), False, actor=None)
        db.session.rollback()
    assert fetch(User, admin.user.id).active


def test_cli_disable_of_the_last_admin_is_refused_cleanly(make_user, dbs, app, fetch):
    admin = make_user("admin")
    only_admin(dbs, admin.id)
    with app.app_context():  # as `flask users disable` runs it
        result = app.test_cli_runner().invoke(args=["users", "disable", admin.username])
    assert fetch(User, admin.id).active
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "role:" in result.stderr


# --- 6. agencies ---------------------------------------------------------------------------------------


def agency_values(acronym: str, **overrides) -> dict[str, str]:
    known = factories.KNOWN_AGENCIES[acronym]
    values = {"acronym": acronym, "name": known["name"], "level": known["level"],
              "state_code": known.get("state_code", ""), "contact_name": f"Contacto {acronym}",
              "contact_phone": "+52 55 0000 0000", "contact_email": "", "active": "y"}
    values.update(overrides)
    return values


@pytest.mark.parametrize("acronym, member, new_level", [("ATF-MX", "liaison", "federal"),
                                                       ("FGR", "officer", "us")])
def test_level_change_that_members_do_not_fit_is_refused(acronym, member, new_level, sign_in, agency_id, fetch,
                                                         events):
    admin = sign_in("admin", locale="en")
    member_browser = sign_in(member, acronym)
    agency = agency_id(acronym)
    response = admin.post(f"/admin/agencies/{agency}", agency_values(acronym, level=new_level))
    assert response.status_code == 400
    assert has_field_error(page(response), "level")
    assert member_browser.user.username in field_error_text(page(response), "level")
    assert fetch(Agency, agency).level == factories.KNOWN_AGENCIES[acronym]["level"]
    assert events("agency.permission_change") == [] and events("agency.update") == []
    assert member_browser.get("/").status_code == 200


def test_state_change_is_a_permission_change_that_ends_member_sessions(sign_in, agency_id, app, events, fetch):
    admin = sign_in("admin", locale="en")
    analyst = sign_in("analyst", "FGE-SON")
    officer = sign_in("officer", "FGE-SON")
    sonora = agency_id("FGE-SON")
    response = admin.post(f"/admin/agencies/{sonora}", agency_values("FGE-SON", state_code="25"))
    assert response.status_code == 302
    assert fetch(Agency, sonora).state_code == "25"

    [event] = events("agency.permission_change")
    assert event.object_id == str(sonora)
    assert event.details == {"old": {"state_code": "26"}, "new": {"state_code": "25"}}
    assert events("agency.update") == []
    for member in (analyst, officer):
        response = member.get("/")
        assert response.status_code == 302 and path_of(response) == "/auth/login"
        with app.app_context():
            rows = db.session.scalars(select(UserSession).where(UserSession.user_id == member.user.id)).all()
        assert [row.end_reason for row in rows] == ["agency_change"]
    assert admin.get("/admin/agencies").status_code == 200


def test_contact_change_leaves_member_sessions_alone(sign_in, agency_id, events):
    admin = sign_in("admin", locale="en")
    analyst = sign_in("analyst", "FGE-SON")
    sonora = agency_id("FGE-SON")
    response = admin.post(f"/admin/agencies/{sonora}", agency_values("FGE-SON", contact_name="Lic. Nueva Enlace"))
    assert response.status_code == 302
    assert [e.details["new"] for e in events("agency.update")] == [{"contact_name": "Lic. Nueva Enlace"}]
    assert events("agency.permission_change") == []
    assert analyst.get("/").status_code == 200


def test_deactivating_an_agency_is_a_permission_change(sign_in, agency_id, events):
    admin = sign_in("admin", locale="en")
    analyst = sign_in("analyst", "FGE-SON")
    sonora = agency_id("FGE-SON")
    values = agency_values("FGE-SON")
    del values["active"]  # an unticked box is not sent
    assert admin.post(f"/admin/agencies/{sonora}", values).status_code == 302
    [event] = events("agency.permission_change")
    assert event.details == {"old": {"active": True}, "new": {"active": False}}
    assert path_of(analyst.get("/")) == "/auth/login"


# --- 7. the audit trail --------------------------------------------------------------------------------


def test_pending_events_follow_their_transaction(ctx):
    before = last_seq()
    audit.record("test.review.a", object_type="test")
    savepoint = db.session.begin_nested()
    audit.record("test.review.b", object_type="test")
    savepoint.rollback()
    db.session.commit()
    assert [e.action for e in events_after(before)] == ["test.review.a"]

    audit.record("test.review.c", object_type="test")
    db.session.close()
    audit.record("test.review.d", object_type="test")
    db.session.commit()
    assert [e.action for e in events_after(before)] == ["test.review.a", "test.review.d"]

    # A savepoint that is kept keeps its events.
    with db.session.begin_nested():
        audit.record("test.review.e", object_type="test")
    db.session.commit()
    assert [e.action for e in events_after(before)] == ["test.review.a", "test.review.d", "test.review.e"]
    assert audit.verify_chain().intact


# --- 8. the API ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["[" * 100_000, "[" * 100_000 + "]" * 100_000,
                                  '{"full_name": ' + "[" * 100_000 + "]" * 100_000 + "}"])
def test_deeply_nested_json_is_a_400(body, token_user, client):
    user = token_user()
    response = client.patch("/api/v1/me", data=body, content_type="application/json", headers=bearer(user.raw))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]["code"] == "malformed_json"


# --- 9. production settings and headers ----------------------------------------------------------------

GOOD_PRODUCTION = {"SECRET_KEY": "s" * 32, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://tracer@db.example/tracer",
                   "REDIS_URL": "redis://cache.example:6379/0"}


@pytest.mark.parametrize("change, variable", [
    ({"SECRET_KEY": None}, "TRACER_SECRET_KEY"),
    ({"SECRET_KEY": ""}, "TRACER_SECRET_KEY"),
    ({"SECRET_KEY": "s" * 31}, "TRACER_SECRET_KEY"),
    ({"SQLALCHEMY_DATABASE_URI": "sqlite:///instance/tracer.db"}, "TRACER_DATABASE_URL"),
    ({"REDIS_URL": None}, "TRACER_REDIS_URL"),
    ({"REDIS_URL": ""}, "TRACER_REDIS_URL"),
])
def test_production_refuses_to_start_without_its_settings(change, variable):
    config = type("BadProduction", (ProductionConfig,), {**GOOD_PRODUCTION, **change})
    with pytest.raises(RuntimeError, match=variable):
        create_app(config)


def test_production_settings_that_are_complete_pass_the_check():
    type("GoodProduction", (ProductionConfig,), GOOD_PRODUCTION).check()
    assert ProductionConfig.REQUIRE_MFA in (True, False) and ProductionConfig.SESSION_COOKIE_SECURE


def test_seed_demo_refuses_under_production(database_url, ctx):
    counts = lambda: (db.session.scalar(select(func.count(User.id))),  # noqa: E731
                      db.session.scalar(select(func.count(Agency.id))), last_seq())
    before = counts()
    config = type("ProductionNamed", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url,
                                                     "ENV_NAME": "production"})
    production = create_app(config)
    try:
        with production.app_context():  # as `flask seed-demo` runs it
            result = production.test_cli_runner().invoke(args=["seed-demo", "--firearms", "0"])
    finally:
        with production.app_context():
            db.engine.dispose()
    assert result.exit_code != 0
    assert "production" in result.stderr
    assert "Demo logins" not in result.stdout
    assert counts() == before


def test_hsts_only_with_secure_cookies(app, database_url):
    assert "Strict-Transport-Security" not in app.test_client().get("/auth/notice").headers
    config = type("SecureCookies", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url,
                                                   "SESSION_COOKIE_SECURE": True})
    secure = create_app(config)
    try:
        response = secure.test_client().get("/auth/notice", base_url="https://localhost")
    finally:
        with secure.app_context():
            db.engine.dispose()
    assert response.status_code == 200
    hsts = response.headers.get("Strict-Transport-Security", "")
    assert re.fullmatch(r"max-age=\d+; includeSubDomains", hsts)
    assert int(hsts.split("=")[1].split(";")[0]) >= 180 * 24 * 3600


def test_request_id_is_always_made_by_the_server(browser, events):
    chosen = "chosen-by-the-caller"
    browser.accept_notice()
    response = browser.post("/auth/login", {"username": "nobody.here", "password": "x" * 12},
                            headers={"X-Request-ID": chosen})
    assert response.status_code == 401
    made = response.headers["X-Request-ID"]
    assert made != chosen and re.fullmatch(r"[0-9a-f]{32}", made)
    [failure] = events("login", request_id=made)
    assert failure.outcome == "failure"
    assert events("login", request_id=chosen) == []


def test_gunicorn_serves_the_production_configuration(monkeypatch):
    monkeypatch.setenv("TRACER_ENV", "placeholder")
    monkeypatch.delenv("TRACER_ENV")  # undone after the test, whatever the file sets
    for name in ("TRACER_BIND", "TRACER_WORKERS", "TRACER_WORKER_CLASS", "TRACER_THREADS"):
        monkeypatch.delenv(name, raising=False)
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert os.environ["TRACER_ENV"] == "production"
    assert settings["bind"] == "127.0.0.1:8000"
    # Several requests at once on every host: threads of a gthread worker count, as processes do.
    assert settings["worker_class"] == "gthread" and settings["workers"] >= 1
    assert settings["workers"] * settings["threads"] >= 3

    monkeypatch.setenv("TRACER_ENV", "development")
    runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert os.environ["TRACER_ENV"] == "development"  # an explicit choice is kept
