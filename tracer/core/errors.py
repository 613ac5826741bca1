"""Domain errors raised by services and turned into pages or JSON by the views."""
from __future__ import annotations

from typing import Any


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
