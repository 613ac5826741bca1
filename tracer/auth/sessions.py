"""Server-side session records.

The signed cookie carries only a random session id. Every request checks the
matching row, so logout, a password change, disabling a user or an
administrator's "end sessions" take effect at once on every process and host.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import select, update

from tracer.auth.models import User, UserSession
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


def session_user(sid: str | None, user_id: str | None) -> User | None:
    """The user of a live session, or None when it ended, expired or does not match."""
    if not sid or not user_id or len(sid) > 100:
        return None
    record = db.session.scalar(select(UserSession).where(UserSession.sid_hash == _digest(sid)))
    if record is None or record.ended_at is not None or str(record.user_id) != str(user_id):
        return None
    now = utcnow()
    reason = _expiry_reason(record, now)
    if reason or not record.user.active or not record.user.agency.active:
        _end(record, reason or "disabled", now)
        db.session.commit()
        return None
    if now - record.last_seen_at >= TOUCH_INTERVAL:
        record.last_seen_at = now
        db.session.commit()
    return record.user


def _expiry_reason(record: UserSession, now: datetime) -> str | None:
    config = current_app.config
    if now - record.created_at >= config["SESSION_ABSOLUTE_TIMEOUT"]:
        return "absolute_timeout"
    if now - record.last_seen_at >= config["SESSION_IDLE_TIMEOUT"]:
        return "idle_timeout"
    return None


def _end(record: UserSession, reason: str, now: datetime) -> None:
    record.ended_at = now
    record.end_reason = reason


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
