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


SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
NO_STORE = ("Cache-Control", "no-store")


def add_security_headers(response):
    """Each header unless the answer set its own (one look at the headers the answer has,
    rather than one search of them per header)."""
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    wanted = list(SECURITY_HEADERS)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        wanted.append(HSTS)
    if request.endpoint != "static":
        wanted.append(NO_STORE)
    for name, value in wanted:
        if name.lower() not in present:
            headers.add(name, value)
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
