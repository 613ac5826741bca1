"""Request identifiers, security headers and safe redirects."""
from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def assign_request_id() -> None:
    # Always made here: a caller must not be able to choose the id the audit trail records.
    g.request_id = uuid.uuid4().hex


def client_address() -> str:
    """The address the request came from (the proxy fix sets it behind a balancer)."""
    return (request.remote_addr or "")[:64]


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static":
        headers.setdefault("Cache-Control", "no-store")
    if getattr(g, "request_id", None):
        headers["X-Request-ID"] = g.request_id
    return response


def safe_next(target: str | None) -> str | None:
    """Return ``target`` only when it is a path on this site, else None."""
    if not target or len(target) > 2000:
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def init_security(app: Flask) -> None:
    # First of all before-request work, so that even a request refused by the
    # CSRF check or the rate limit carries its id.
    app.before_request_funcs.setdefault(None, []).insert(0, assign_request_id)
    app.after_request(add_security_headers)
