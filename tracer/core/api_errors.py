"""The API's error body: {"error": {"code", "message", "details"}}."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from tracer.core.translation import lazy_gettext as _l

DEFAULT_MESSAGES = {
    400: ("bad_request", _l("The request is malformed.")),
    401: ("unauthorized", _l("A valid API token is required (Authorization: Bearer TOKEN).")),
    403: ("forbidden", _l("Your role does not allow this action.")),
    404: ("not_found", _l("Not found.")),
    405: ("method_not_allowed", _l("This method is not allowed here.")),
    409: ("conflict", _l("The record was changed by someone else; reload it and try again.")),
    413: ("too_large", _l("The request is too large.")),
    415: ("unsupported_media_type", _l("Send the body as application/json.")),
    422: ("validation_failed", _l("Some fields are not valid.")),
    429: ("rate_limited", _l("Too many requests; slow down and try again shortly.")),
    500: ("internal_error", _l("An unexpected error occurred; it has been logged.")),
    503: ("unavailable", _l("The service is temporarily unavailable.")),
    507: ("storage_full", _l("The server's storage is full; nothing was saved. Try again later.")),
}
MESSAGES_BY_CODE = {
    "password_change_required": _l("Change your password on the web before using the API."),
    "malformed_json": _l("The body is not valid JSON."),
    "bad_content_type": _l("Send the body as application/json."),
}


def api_error(status: int, code: str | None = None, message: str | None = None,
              details: dict[str, Any] | None = None):
    default_code, default_message = DEFAULT_MESSAGES.get(status, DEFAULT_MESSAGES[500 if status >= 500 else 400])
    code = code or default_code
    text = message or MESSAGES_BY_CODE.get(code) or default_message
    response = jsonify({"error": {"code": code, "message": str(text), "details": details or {}}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tracer"'
    return response
