"""Domain errors raised by services and turned into pages or JSON by the views."""
from __future__ import annotations

import errno
import sqlite3
from typing import Any

from tracer.core.translation import gettext as _


class DomainError(Exception):
    """A rule of the domain was broken. ``message`` is already translated."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class ValidationFailed(DomainError):
    """Input broke a rule; ``details`` maps each field to its messages."""

    status = 422
    code = "validation_failed"

    def __init__(self, message: str, fields: dict[str, list[str]]):
        super().__init__(message, fields)
        self.fields = fields


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class StorageFull(DomainError):
    """The server's disk is full: what the user sent could not be kept, and nothing was saved."""

    status = 507
    code = "storage_full"


FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
SQLITE_FULL = getattr(sqlite3, "SQLITE_FULL", 13)


def is_storage_full(error: BaseException) -> bool:
    """Whether ``error`` says a disk is full: no space (or quota) left for a file, or a SQLite
    file that could not grow."""
    if isinstance(error, OSError):
        return error.errno in FULL_ERRNOS
    if isinstance(error, sqlite3.OperationalError):
        return getattr(error, "sqlite_errorcode", None) == SQLITE_FULL or "disk is full" in str(error)
    return False


def storage_full_message() -> str:
    return _("The server's storage is full: what you sent could not be kept, and nothing was saved. Try again "
             "later; if it persists, tell your administrator.")
