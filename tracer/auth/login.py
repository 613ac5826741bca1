"""Password sign-in with lockout, and the completion of a sign-in.

Failures are counted per typed username, whether or not such a user exists:
after ``LOGIN_MAX_FAILURES`` consecutive failures the name is locked for
``LOGIN_LOCKOUT``, and the answer is the same for a real and an invented name.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from tracer.audit.services import record
from tracer.auth import passwords
from tracer.auth.models import LoginThrottle, User
from tracer.core.models import utcnow
from tracer.extensions import db

OK, NEEDS_MFA, NEEDS_ENROLMENT, INVALID, LOCKED = "ok", "mfa", "enrol", "invalid", "locked"


@dataclass
class LoginResult:
    status: str
    user: User | None = None


def username_key(username: str) -> str:
    return username.strip().lower()[:64]


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == username_key(username)))


def _throttle(key: str) -> LoginThrottle:
    throttle = db.session.get(LoginThrottle, key)
    if throttle is None:
        throttle = LoginThrottle(username_key=key, failures=0)
        db.session.add(throttle)
    return throttle


def is_locked(username: str) -> bool:
    throttle = db.session.get(LoginThrottle, username_key(username))
    return bool(throttle and throttle.locked_until and throttle.locked_until > utcnow())


def register_failure(username: str, reason: str, user: User | None = None) -> str:
    """Count a failed attempt; returns LOCKED when this failure locks the name."""
    key = username_key(username)
    throttle = _throttle(key)
    now = utcnow()
    throttle.failures = (throttle.failures or 0) + 1
    throttle.last_failure_at = now
    record("login", object_type="user", object_id=getattr(user, "id", None), outcome="failure",
           details={"username": key, "reason": reason}, actor=user)
    if throttle.failures >= current_app.config["LOGIN_MAX_FAILURES"]:
        throttle.failures = 0
        throttle.locked_until = now + current_app.config["LOGIN_LOCKOUT"]
        record("login.lockout", object_type="user", object_id=getattr(user, "id", None),
               outcome="failure", details={"username": key, "until": throttle.locked_until.isoformat()},
               actor=user)
        return LOCKED
    return INVALID


def attempt_password(username: str, password: str) -> LoginResult:
    """First step of sign-in. The caller commits."""
    key = username_key(username)
    if is_locked(key):
        record("login", outcome="denied", details={"username": key, "reason": "locked"})
        return LoginResult(LOCKED)
    user = find_user(key)
    valid = passwords.verify_password(user.password_hash if user else passwords.dummy_hash(), password)
    if not valid or user is None or not user.active or not user.agency.active:
        reason = "bad_credentials" if not valid or user is None else "disabled"
        return LoginResult(register_failure(key, reason, user))
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if user.mfa_enabled:
        return LoginResult(NEEDS_MFA, user)
    if current_app.config["REQUIRE_MFA"]:
        return LoginResult(NEEDS_ENROLMENT, user)
    return LoginResult(OK, user)


def complete_login(user: User, method: str) -> None:
    """Record a successful sign-in and clear the failure count. The caller commits."""
    throttle = db.session.get(LoginThrottle, username_key(user.username))
    if throttle is not None:
        throttle.failures = 0
        throttle.locked_until = None
    user.last_login_at = utcnow()
    record("login", object_type="user", object_id=user.id, details={"method": method}, actor=user)
