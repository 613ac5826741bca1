"""How a request finds its user: a live session row for pages, a bearer token for the API."""
from __future__ import annotations

from flask import Flask, flash, redirect, request, session, url_for

from tracer.auth import sessions, tokens
from tracer.core.access import is_api_request
from tracer.core.security import safe_next
from tracer.core.translation import lazy_gettext as _l
from tracer.extensions import login_manager


def load_user(user_id: str):
    if is_api_request():
        return None
    return sessions.session_user(session.get("sid"), user_id)


def load_user_from_request(req):
    if not is_api_request():
        return None
    header = req.headers.get("Authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return tokens.user_for_token(credentials.strip())


def unauthorized():
    if session.get("sid"):
        # The cookie named a session that has ended or expired.
        session.clear()
        flash(_l("Your session has ended. Please sign in again."), "warning")
    target = safe_next(request.full_path if request.method == "GET" else None)
    return redirect(url_for("auth.login", next=target.rstrip("?") if target else None))


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = None  # the session row is the protection
    login_manager.user_loader(load_user)
    login_manager.request_loader(load_user_from_request)
    login_manager.unauthorized_handler(unauthorized)
    app.after_request(sessions.touch_after_request)
