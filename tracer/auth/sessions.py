"""Server-side session records.

The signed cookie carries only a random session id. Every request checks the
matching row, so logout, a password change, disabling a user or an
administrator's "end sessions" take effect at once on every process and host.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from flask import current_app, g, has_request_context, request
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import DBAPIError

from tracer.auth.models import User, UserSession
from tracer.core.database import is_database_unreachable
from tracer.core.models import utcnow
from tracer.extensions import db

# last_seen_at is written at most this often, to keep requests read-only.
TOUCH_INTERVAL = timedelta(seconds=60)


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode("ascii", "ignore")).hexdigest()


def start_session(user: User) -> str:
    """Create a session row for ``user`` and return the new random id."""
    sid = secrets.token_urlsafe(32)
    source = agent = None
    if has_request_context():
        from tracer.core.security import client_address

        source = client_address()
        agent = (request.user_agent.string or "")[:200]
    db.session.add(UserSession(sid_hash=_digest(sid), user_id=user.id, source_address=source, user_agent=agent))
    return sid


# Every page asks it: built once, so that its cache key is found again rather than built anew.
SESSION_USER = (select(User, UserSession.id, UserSession.user_id, UserSession.created_at, UserSession.last_seen_at,
                       UserSession.ended_at)
                .join(UserSession, UserSession.user_id == User.id).where(UserSession.sid_hash == bindparam("sid_hash")))


def session_user(sid: str | None, user_id: str | None) -> User | None:
    """The user of a live session, or None when it ended, expired or does not match.

    Never commits: an expiry or a refreshed ``last_seen_at`` is written when the
    request ends (``touch_after_request``), not in the middle of a view's work, and
    ``last_seen_at`` at most every ``TOUCH_INTERVAL``.

    One statement: the user (with the agency) joined to the session row's few columns that decide."""
    if not sid or not user_id or len(sid) > 100:
        return None
    record = db.session.execute(SESSION_USER, {"sid_hash": _digest(sid)}).first()
    if record is None or record.ended_at is not None or str(record.user_id) != str(user_id):
        return None
    user = record.User
    now = utcnow()
    reason = _expiry_reason(record, now)
    if reason is None and not (user.active and user.agency.active):
        reason = "disabled"
    if reason:
        g.ended_session = (record.id, record.user_id, reason)
        return None
    if now - record.last_seen_at >= TOUCH_INTERVAL:
        g.touch_session_id = record.id
    return user


def _expiry_reason(record, now: datetime) -> str | None:
    config = current_app.config
    if now - record.created_at >= config["SESSION_ABSOLUTE_TIMEOUT"]:
        return "absolute_timeout"
    if now - record.last_seen_at >= config["SESSION_IDLE_TIMEOUT"]:
        return "idle_timeout"
    return None


def end_session(sid: str | None, reason: str) -> None:
    if not sid:
        return
    db.session.execute(
        update(UserSession)
        .where(UserSession.sid_hash == _digest(sid), UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )


def end_all_sessions(user: User, reason: str) -> int:
    """End every live session of ``user``; returns how many were ended."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )
    return result.rowcount or 0


def live_sessions(user: User) -> list[UserSession]:
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
            .order_by(UserSession.created_at.desc())
        )
    )


def touch_after_request(response):
    """Write what the user loaders noticed: a session that expired (audited), a
    session or token seen again. Runs after the view has committed its own work."""
    from tracer.audit.services import record
    from tracer.auth.tokens import touch

    ended = g.pop("ended_session", None)
    session_id = g.pop("touch_session_id", None)
    token_id = g.pop("touch_token_id", None)
    if not (ended or session_id or token_id):
        return response
    db.session.rollback()  # anything the view left uncommitted was not meant to be kept
    try:
        now = utcnow()
        if ended:
            row_id, user_id, reason = ended
            db.session.execute(update(UserSession).where(UserSession.id == row_id, UserSession.ended_at.is_(None))
                               .values(ended_at=now, end_reason=reason).execution_options(synchronize_session=False))
            record("session.end", object_type="user", object_id=user_id, details={"reason": reason},
                   actor=db.session.get(User, user_id))
        if session_id:
            db.session.execute(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now)
                               .execution_options(synchronize_session=False))
        if token_id:
            touch(token_id)
        db.session.commit()
    except DBAPIError as error:
        # The view's answer stands when the database went away after it: the session is
        # seen again (and an expired one noticed again) on the next request.
        if not is_database_unreachable(error):
            raise
        db.session.rollback()
        logging.getLogger("tracer").warning("database unreachable after the answer was made (%s)", error.orig)
    return response
