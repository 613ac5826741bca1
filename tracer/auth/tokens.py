"""API bearer tokens: shown once, stored as SHA-256, revocable."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from tracer.audit.services import record
from tracer.auth.models import ApiToken, User
from tracer.core.errors import NotFound
from tracer.core.models import utcnow
from tracer.extensions import db

PREFIX = "trc_"
_TOUCH_INTERVAL = timedelta(minutes=5)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "ignore")).hexdigest()


def issue_token(user: User, name: str, actor: User | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the plain token (shown once)."""
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name.strip()[:100] or "API", token_hash=_digest(raw), prefix=raw[:12])
    db.session.add(token)
    db.session.flush()
    record("api_token.create", object_type="api_token", object_id=token.id,
           details={"user": user.username, "name": token.name}, actor=actor)
    return token, raw


def user_for_token(raw: str) -> User | None:
    """The active owner of a live token, or None."""
    if not raw or len(raw) > 200 or not raw.startswith(PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(raw)))
    if token is None or token.revoked_at is not None:
        return None
    user = token.user
    if not user.active or not user.agency.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > _TOUCH_INTERVAL:
        token.last_used_at = now
        db.session.commit()
    return user


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())))


def revoke_token(user: User, token_id: int, actor: User | None = None) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("Not found."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("api_token.revoke", object_type="api_token", object_id=token.id,
               details={"user": user.username, "name": token.name}, actor=actor)
    return token
