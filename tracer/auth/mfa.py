"""TOTP second factor (RFC 6238) and one-time recovery codes.

Both are claimed with a single conditional UPDATE, so that one code cannot be
used twice even by requests racing each other on different processes.
"""
from __future__ import annotations

import hashlib
import secrets
import time
import unicodedata

import pyotp
import segno
from sqlalchemy import delete, select, update

from tracer.auth.models import RecoveryCode, User
from tracer.core.models import utcnow
from tracer.extensions import db

ISSUER = "Tracer"
RECOVERY_CODE_COUNT = 10
# Codes of the step before and after are accepted, for clock drift.
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _digits(code: str) -> str | None:
    """Six ASCII digits (full-width digits are folded), or None."""
    code = unicodedata.normalize("NFKC", code or "").strip().replace(" ", "")
    return code if code.isascii() and code.isdigit() and len(code) == 6 else None


def matching_counter(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step whose code equals ``code``, or None."""
    code = _digits(code)
    if code is None:
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(at if at is not None else time.time())
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def claim_totp(user: User, code: str, secret: str | None = None) -> bool:
    """Accept a code once: the step is claimed atomically, so a code of a step
    already used (a replay, even a simultaneous one) is refused."""
    secret = secret or user.totp_secret
    step = matching_counter(secret, code) if secret else None
    if step is None:
        return False
    claimed = db.session.execute(
        update(User)
        .where(User.id == user.id)
        .where((User.totp_last_counter.is_(None)) | (User.totp_last_counter < step))
        .values(totp_last_counter=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed == 1:
        user.totp_last_counter = step
    return claimed == 1


def _digest(user_id: int, code: str) -> str:
    normalised = unicodedata.normalize("NFKC", code).strip().replace("-", "").replace(" ", "").upper()
    return hashlib.sha256(f"{user_id}:{normalised}".encode("utf-8", "ignore")).hexdigest()


def issue_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes (80 random bits each); the plain codes are shown once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(10).upper()
        code = "-".join(raw[i:i + 4] for i in range(0, 20, 4))
        codes.append(code)
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_digest(user.id, code)))
    return codes


def claim_recovery_code(user: User, code: str) -> bool:
    if not code or len(code) > 40:
        return False
    claimed = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(user.id, code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return claimed == 1


def remaining_recovery_codes(user: User) -> int:
    return len(db.session.scalars(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())


def pending_secret(user: User) -> str:
    """The secret being enrolled, kept on the server for 15 minutes at most."""
    fresh = user.totp_pending_at is not None and (utcnow() - user.totp_pending_at).total_seconds() < 900
    if not (user.totp_pending_secret and fresh):
        user.totp_pending_secret = new_secret()
        user.totp_pending_at = utcnow()
    return user.totp_pending_secret


def enable(user: User) -> list[str]:
    user.totp_secret = user.totp_pending_secret
    user.totp_enabled_at = utcnow()
    user.totp_pending_secret = None
    user.totp_pending_at = None
    return issue_recovery_codes(user)


def disable(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_counter = None
    user.totp_pending_secret = None
    user.totp_pending_at = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
