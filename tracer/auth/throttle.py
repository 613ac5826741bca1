"""Failed sign-ins of an account name: counted, locked, audited.

Failures are counted per typed username, whether or not such a user exists:
after ``LOGIN_MAX_FAILURES`` consecutive failures the name is locked for
``LOGIN_LOCKOUT``, and the answer is the same for a real and an invented name.
The count is one atomic statement, so parallel guesses cannot share a slot.

A password asked for again from an open session (a new API token, a new
password, new recovery codes) is a guess like any other: a wrong one counts
on the same name, and while the name is locked the password is not checked.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app, has_request_context, request
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tracer.audit.services import record
from tracer.auth import passwords
from tracer.auth.models import LoginThrottle, User
from tracer.core.errors import ValidationFailed
from tracer.core.models import utcnow
from tracer.core.translation import gettext as _
from tracer.extensions import db

INVALID, LOCKED = "invalid", "locked"


class PasswordRefused(ValidationFailed):
    """A password asked for again was wrong, or the account is locked. The
    failure is already counted and audited: the caller commits, then shows the form."""


def username_key(username: str) -> str:
    return username.strip().lower()[:64]


def hashed_name(key: str) -> str:
    """A keyed hash of a typed name: what is typed in the name field may be a password."""
    return hmac.new(current_app.config["SECRET_KEY"].encode(), key.encode(), hashlib.sha256).hexdigest()


def typed_name(key: str, user: User | None) -> str:
    """What the audit keeps of a typed name: the name of a real account, or a keyed hash."""
    if user is not None:
        return user.username
    return "unknown:" + hashed_name(key)[:16]


def is_locked(username: str) -> bool:
    throttle = db.session.get(LoginThrottle, username_key(username))
    return bool(throttle and throttle.locked_until and throttle.locked_until > utcnow())


def lockout_minutes() -> int:
    return int(current_app.config["LOGIN_LOCKOUT"].total_seconds() // 60)


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


def register_failure(username: str, reason: str, user: User | None = None, page: str | None = None) -> str:
    """Count a failed attempt; returns LOCKED when this failure locks the name.
    ``page`` names where a password asked for again was typed."""
    key = username_key(username)
    now = utcnow()
    failures = _count_failure(key, now)
    name = typed_name(key, user)
    where = {"page": page} if page else {}
    record("login", object_type="user", object_id=getattr(user, "id", None), outcome="failure",
           details={"username": name, "reason": reason, **where}, actor=user)
    if failures < current_app.config["LOGIN_MAX_FAILURES"]:
        return INVALID
    until = now + current_app.config["LOGIN_LOCKOUT"]
    db.session.execute(update(LoginThrottle).where(LoginThrottle.username_key == key)
                       .values(failures=0, locked_until=until).execution_options(synchronize_session=False))
    db.session.expire_all()
    record("login.lockout", object_type="user", object_id=getattr(user, "id", None), outcome="failure",
           details={"username": name, "until": until.isoformat(), **where}, actor=user)
    return LOCKED


def clear_failures(user: User) -> None:
    """A correct password ends the run of failures and any lock that has run out."""
    db.session.execute(update(LoginThrottle).where(LoginThrottle.username_key == username_key(user.username))
                       .values(failures=0, locked_until=None).execution_options(synchronize_session=False))


def _current_page() -> str | None:
    return request.endpoint if has_request_context() else None


def confirm_password(user: User, password: str | None, field: str = "password") -> None:
    """Check the password a signed-in user types again before a sensitive action.

    A wrong one is a failed sign-in of the account (counted, audited with the
    page, locking at the fifth); while the account is locked the password is
    not even checked. Either way ``PasswordRefused`` names ``field``, with no
    more than the sign-in page would say. A right one clears the failures."""
    if not password:
        raise ValidationFailed(_("Please correct the marked fields."), {field: [_("This field is required.")]})
    page = _current_page()
    if is_locked(user.username):
        record("login", object_type="user", object_id=user.id, outcome="denied", actor=user,
               details={"username": user.username, "reason": "locked", "page": page})
        raise PasswordRefused(_("Please correct the marked fields."), {field: [_confirmation_locked()]})
    if not passwords.verify_password(user.password_hash, password):
        status = register_failure(user.username, "bad_password_recheck", user, page=page)
        message = _confirmation_locked() if status == LOCKED else _("The current password is not correct.")
        raise PasswordRefused(_("Please correct the marked fields."), {field: [message]})
    clear_failures(user)


def locked_message() -> str:
    """What the sign-in says of a locked name, whatever locked it."""
    return _("Too many failed attempts. Sign-in is blocked for %(minutes)d minutes.", minutes=lockout_minutes())


def _confirmation_locked() -> str:
    # No more than the sign-in says: the lock and its full length, never what caused it or when it ends.
    return _("Too many failed attempts: the account is blocked for %(minutes)d minutes and the password "
             "cannot be confirmed until then.", minutes=lockout_minutes())
