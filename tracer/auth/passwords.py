"""Password hashing (argon2) and the password policy.

Policy follows NIST SP 800-63B: 12 to 256 characters, no composition rules,
refused when it is a commonly used password or built on the user's own name.
The common-password list is Django's (BSD licence), see data/NOTICE.
"""
from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

from tracer.core.translation import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 256
_DATA = Path(__file__).parent / "data" / "common-passwords.txt.gz"
# Words of this system and its users that make a password easy to guess.
_CONTEXT_WORDS = ("tracer", "contraseña", "contrasena", "password", "rastreo", "fiscalia")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with gzip.open(_DATA, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


@lru_cache(maxsize=4)
def _hasher_for(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, profile))


def _hasher() -> PasswordHasher:
    """argon2id with RFC 9106 parameters; the test configuration picks a cheap profile."""
    profile = current_app.config.get("ARGON2_PROFILE") if has_app_context() else None
    return _hasher_for(profile or "RFC_9106_LOW_MEMORY")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


@lru_cache(maxsize=4)
def _dummy_hash_for(hasher: PasswordHasher) -> str:
    return hasher.hash("tracer-dummy-password-for-timing")


def dummy_hash() -> str:
    """A hash to verify against when the user does not exist, so that the time
    taken does not tell an unknown user from a wrong password."""
    return _dummy_hash_for(_hasher())


def password_problems(password: str, username: str | None = None) -> list[str]:
    """Reasons, in the user's language, why ``password`` may not be used."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_("Use at most %(n)d characters.", n=MAX_LENGTH))
    lowered = password.lower()
    if lowered in common_passwords() or _is_repetitive(lowered) or _context_only(lowered):
        problems.append(_("This password is too common; choose a less predictable one."))
    if username and len(username) >= 3 and username.lower() in lowered:
        problems.append(_("The password may not contain your username."))
    return problems


def _is_repetitive(password: str) -> bool:
    return len(set(password)) <= 2


def _context_only(password: str) -> bool:
    """True when the password is only words of this system around a short or common core."""
    stripped = password
    for word in _CONTEXT_WORDS:
        stripped = stripped.replace(word, "")
    stripped = re.sub(r"[\W_]+", "", stripped)
    return len(stripped) < 6 or stripped in common_passwords()
