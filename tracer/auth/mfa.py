"""TOTP second factor (RFC 6238) and one-time recovery codes."""
from __future__ import annotations

import hashlib
import secrets
import time

import pyotp
import segno
from sqlalchemy import delete, select

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


def matching_counter(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step whose code equals ``code``, or None."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = at if at is not None else time.time()
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_totp(user: User, code: str, secret: str | None = None) -> bool:
    """Accept a code once: a code of a step already used is a replay and is refused."""
    secret = secret or user.totp_secret
    if not secret:
        return False
    step = matching_counter(secret, code)
    if step is None:
        return False
    if user.totp_last_counter is not None and step <= user.totp_last_counter:
        return False
    user.totp_last_counter = step
    return True


def _digest(code: str) -> str:
    normalised = code.strip().replace("-", "").replace(" ", "").upper()
    return hashlib.sha256(normalised.encode("ascii", "ignore")).hexdigest()


def issue_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the plain codes are shown once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5).upper()
        code = f"{raw[:5]}-{raw[5:]}"
        codes.append(code)
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_digest(code)))
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    if not code or len(code) > 32:
        return False
    row = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = utcnow()
    return True


def remaining_recovery_codes(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def enable(user: User, secret: str) -> list[str]:
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    return issue_recovery_codes(user)


def disable(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_counter = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
