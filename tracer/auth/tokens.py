"""API bearer tokens: shown once, stored as SHA-256, expiring, revocable."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g
from sqlalchemy import bindparam, select, update

from tracer.audit.services import record
from tracer.auth.models import ApiToken, User
from tracer.core.errors import NotFound
from tracer.core.models import utcnow
from tracer.core.translation import gettext as _
from tracer.extensions import db

PREFIX = "trc_"
TOUCH_INTERVAL = timedelta(minutes=5)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "ignore")).hexdigest()


def issue_token(user: User, name: str, actor: User | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the plain token (shown once)."""
    raw = PREFIX + secrets.token_urlsafe(32)
    lifetime = current_app.config["API_TOKEN_LIFETIME"]
    token = ApiToken(user_id=user.id, name=name.strip()[:100] or "API", token_hash=_digest(raw), prefix=raw[:12],
                     expires_at=utcnow() + lifetime)
    db.session.add(token)
    db.session.flush()
    record("api_token.create", object_type="api_token", object_id=token.id,
           details={"user": user.username, "name": token.name, "expires_at": token.expires_at.isoformat()},
           actor=actor)
    return token, raw


# Every API request asks it: built once, so that its cache key is found again rather than built anew.
TOKEN_USER = (select(User, ApiToken.id, ApiToken.revoked_at, ApiToken.expires_at, ApiToken.last_used_at)
              .join(ApiToken, ApiToken.user_id == User.id).where(ApiToken.token_hash == bindparam("token_hash")))


def user_for_token(raw: str) -> User | None:
    """The active owner of a live token, or None. Never commits: the request's
    end writes ``last_used_at`` (see ``touch_after_request``), at most every
    ``TOUCH_INTERVAL``.

    One statement: the user (with the agency) joined to the token's few columns that decide."""
    if not raw or len(raw) > 200 or not raw.startswith(PREFIX):
        return None
    found = db.session.execute(TOKEN_USER, {"token_hash": _digest(raw)}).first()
    if found is None:
        return None
    user, token_id, revoked_at, expires_at, last_used_at = found
    now = utcnow()
    if revoked_at is not None or (expires_at and expires_at <= now):
        return None
    if not user.active or not user.agency.active:
        return None
    if last_used_at is None or now - last_used_at > TOUCH_INTERVAL:
        g.touch_token_id = token_id
    return user


def touch(token_id: int) -> None:
    db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow())
                       .execution_options(synchronize_session=False))


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())))


def revoke_token(user: User, token_id: int, actor: User | None = None) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("Not found."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("api_token.revoke", object_type="api_token", object_id=token.id,
               details={"user": user.username, "name": token.name}, actor=actor)
    return token


def revoke_all_tokens(user: User, reason: str) -> int:
    """Revoke every live token of ``user`` (disabled, new password, new second factor)."""
    count = db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount or 0
    if count:
        record("api_token.revoke_all", object_type="user", object_id=user.id,
               details={"reason": reason, "revoked": count})
    return count
