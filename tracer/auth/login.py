"""Signing in: password, lockout, second factor, enrolment and the finished sign-in.

Failures count per typed username (see ``tracer.auth.throttle``): five in a row
lock the name for 15 minutes, with the same answer for a real and an invented name.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from tracer.audit.services import record
from tracer.auth import mfa, passwords, sessions, tokens
from tracer.auth.models import User
from tracer.auth.services import user_by_username
from tracer.auth.throttle import INVALID, LOCKED, clear_failures, is_locked, register_failure, typed_name, username_key
from tracer.core.models import utcnow

OK, NEEDS_MFA, NEEDS_ENROLMENT = "ok", "mfa", "enrol"


@dataclass
class LoginResult:
    status: str
    user: User | None = None
    method: str = "password"


def _can_sign_in(user: User | None) -> bool:
    return user is not None and user.active and user.agency.active


def attempt_password(username: str, password: str) -> LoginResult:
    """First step of sign-in. The caller commits."""
    key = username_key(username)
    user = user_by_username(key)
    if is_locked(key):
        record("login", object_type="user", object_id=getattr(user, "id", None), outcome="denied",
               details={"username": typed_name(key, user), "reason": "locked"}, actor=user)
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
    clear_failures(user)
    user.previous_login_at, user.last_login_at = user.last_login_at, utcnow()
    record("login", object_type="user", object_id=user.id, details={"method": method}, actor=user)
    return sessions.start_session(user)


def logout(user: User, sid: str | None) -> None:
    record("logout", object_type="user", object_id=user.id)
    sessions.end_session(sid, "logout")
