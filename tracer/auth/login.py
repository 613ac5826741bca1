"""Signing in: password, lockout, second factor, enrolment and the finished sign-in.

Failures are counted per typed username, whether or not such a user exists:
after ``LOGIN_MAX_FAILURES`` consecutive failures the name is locked for
``LOGIN_LOCKOUT``, and the answer is the same for a real and an invented name.
The count is one atomic statement, so parallel guesses cannot share a slot.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tracer.audit.services import record
from tracer.auth import mfa, passwords, sessions, tokens
from tracer.auth.models import LoginThrottle, User
from tracer.auth.services import user_by_username
from tracer.core.models import utcnow
from tracer.extensions import db

OK, NEEDS_MFA, NEEDS_ENROLMENT, INVALID, LOCKED = "ok", "mfa", "enrol", "invalid", "locked"


@dataclass
class LoginResult:
    status: str
    user: User | None = None
    method: str = "password"


def username_key(username: str) -> str:
    return username.strip().lower()[:64]


def _typed_name(key: str, user: User | None) -> str:
    """What the audit keeps of a typed name: the name of a real account, or a
    keyed hash (a password typed into the name field must not be kept)."""
    if user is not None:
        return user.username
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), key.encode(), hashlib.sha256).hexdigest()
    return "unknown:" + digest[:16]


def is_locked(username: str) -> bool:
    throttle = db.session.get(LoginThrottle, username_key(username))
    return bool(throttle and throttle.locked_until and throttle.locked_until > utcnow())


def _count_failure(key: str, now) -> int:
    """Add one failure for ``key`` in one statement; returns the new count."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(LoginThrottle).values(username_key=key, failures=1, last_failure_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[LoginThrottle.username_key],
        set_={"failures": LoginThrottle.failures + 1, "last_failure_at": now},
    ).returning(LoginThrottle.failures)
    return db.session.execute(statement).scalar_one()


def register_failure(username: str, reason: str, user: User | None = None) -> str:
    """Count a failed attempt; returns LOCKED when this failure locks the name."""
    key = username_key(username)
    now = utcnow()
    failures = _count_failure(key, now)
    name = _typed_name(key, user)
    record("login", object_type="user", object_id=getattr(user, "id", None), outcome="failure",
           details={"username": name, "reason": reason}, actor=user)
    if failures < current_app.config["LOGIN_MAX_FAILURES"]:
        return INVALID
    until = now + current_app.config["LOGIN_LOCKOUT"]
    db.session.execute(update(LoginThrottle).where(LoginThrottle.username_key == key)
                       .values(failures=0, locked_until=until).execution_options(synchronize_session=False))
    db.session.expire_all()
    record("login.lockout", object_type="user", object_id=getattr(user, "id", None), outcome="failure",
           details={"username": name, "until": until.isoformat()}, actor=user)
    return LOCKED


def _can_sign_in(user: User | None) -> bool:
    return user is not None and user.active and user.agency.active


def attempt_password(username: str, password: str) -> LoginResult:
    """First step of sign-in. The caller commits."""
    key = username_key(username)
    user = user_by_username(key)
    if is_locked(key):
        record("login", object_type="user", object_id=getattr(user, "id", None), outcome="denied",
               details={"username": _typed_name(key, user), "reason": "locked"}, actor=user)
        return LoginResult(LOCKED)
    valid = passwords.verify_password(user.password_hash if user else passwords.dummy_hash(), password)
    if not valid or not _can_sign_in(user):
        reason = "bad_credentials" if not valid or user is None else "disabled"
        return LoginResult(register_failure(key, reason, user))
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if user.mfa_enabled:
        return LoginResult(NEEDS_MFA, user)
    if current_app.config["REQUIRE_MFA"]:
        return LoginResult(NEEDS_ENROLMENT, user)
    return LoginResult(OK, user)


def verify_second_factor(user: User, code: str) -> LoginResult:
    """Second step: a code of the authenticator or a recovery code. The caller commits."""
    if not _can_sign_in(user):
        return LoginResult(INVALID)
    if is_locked(user.username):
        record("login", object_type="user", object_id=user.id, outcome="denied",
               details={"username": user.username, "reason": "locked"}, actor=user)
        return LoginResult(LOCKED)
    if mfa.claim_totp(user, code):
        return LoginResult(OK, user, "password+totp")
    if mfa.claim_recovery_code(user, code):
        record("user.recovery_code_used", object_type="user", object_id=user.id, actor=user)
        return LoginResult(OK, user, "password+recovery_code")
    return LoginResult(register_failure(user.username, "bad_second_factor", user), user)


def confirm_enrolment(user: User, code: str, during_sign_in: bool) -> tuple[LoginResult, list[str]]:
    """Activate the pending authenticator when ``code`` matches it; returns the
    recovery codes to show once. During sign-in a wrong code counts as a failure."""
    if during_sign_in:
        if not _can_sign_in(user):
            return LoginResult(INVALID), []
        if is_locked(user.username):
            return LoginResult(LOCKED), []
    if not mfa.claim_totp(user, code, secret=mfa.pending_secret(user)):
        status = register_failure(user.username, "bad_enrolment_code", user) if during_sign_in else INVALID
        return LoginResult(status, user), []
    codes = mfa.enable(user)
    tokens.revoke_all_tokens(user, "mfa_enabled")
    record("user.mfa_enable", object_type="user", object_id=user.id, actor=user)
    return LoginResult(OK, user), codes


def complete_login(user: User, method: str) -> str:
    """Record a successful sign-in, clear the failure count and open a session;
    returns the new session id. The caller commits."""
    db.session.execute(update(LoginThrottle).where(LoginThrottle.username_key == username_key(user.username))
                       .values(failures=0, locked_until=None).execution_options(synchronize_session=False))
    user.last_login_at = utcnow()
    record("login", object_type="user", object_id=user.id, details={"method": method}, actor=user)
    return sessions.start_session(user)


def logout(user: User, sid: str | None) -> None:
    record("logout", object_type="user", object_id=user.id)
    sessions.end_session(sid, "logout")
