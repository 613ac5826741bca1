"""Who may call what: every route declares its roles, one hook enforces them.

A view is marked with ``@public`` or ``@roles(...)``. ``enforce_access`` runs
before every request and is the only place where the declaration is checked;
``check_declarations`` refuses to start an application with an undeclared route,
so a forgotten decorator fails loudly instead of opening a page to everyone.
"""
from __future__ import annotations

from typing import Callable

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

# Every role an account may hold.
ROLES = ("officer", "analyst", "supervisor", "liaison", "admin", "auditor")
AUDITOR = "auditor"
# The roles that work in the system. The auditor only reads the audit trail, so a
# route open to "any role" (``any_role``, the API's default) stays closed to them;
# a route an auditor may reach names the role.
WORKING_ROLES = tuple(role for role in ROLES if role != AUDITOR)
PUBLIC = "public"

# Endpoints a signed-in user may reach while a password change is pending.
PASSWORD_CHANGE_ALLOWED = {"auth.change_password", "auth.logout", "core.set_language"}
# The only changes an auditor makes: to their own sign-in (sign-out, password,
# second factor, language). Anything else they send besides GET is refused here,
# whatever a route declares.
AUDITOR_MAY_CHANGE = {"auth.logout", "auth.change_password", "auth.regenerate_recovery_codes",
                      "auth.login", "auth.notice", "auth.mfa_verify", "auth.mfa_setup", "core.set_language"}
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def public(view: Callable) -> Callable:
    view.access_roles = PUBLIC  # type: ignore[attr-defined]
    return view


def roles(*names: str) -> Callable[[Callable], Callable]:
    unknown = set(names) - set(ROLES)
    if unknown or not names:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def decorate(view: Callable) -> Callable:
        view.access_roles = frozenset(names)  # type: ignore[attr-defined]
        return view

    return decorate


any_role = roles(*WORKING_ROLES)
# One's own account: the landing page, profile, password and sign-out.
any_account = roles(*ROLES)


def declared_access(app: Flask, endpoint: str):
    view = app.view_functions.get(endpoint)
    return getattr(view, "access_roles", None)


def check_declarations(app: Flask) -> None:
    missing = [
        endpoint
        for endpoint in app.view_functions
        if endpoint != "static" and declared_access(app, endpoint) is None
    ]
    if missing:
        raise RuntimeError(f"routes without an access declaration: {sorted(missing)}")


def is_api_request() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


def enforce_access():
    """before_request hook: the one place where route roles are enforced."""
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return None
    declared = declared_access(current_app, endpoint)
    if (request.method not in READ_METHODS and endpoint not in AUDITOR_MAY_CHANGE
            and getattr(current_user, "role", None) == AUDITOR):
        return _refuse()
    if declared == PUBLIC:
        return None
    if not current_user.is_authenticated:
        if is_api_request():
            from tracer.core.api_errors import api_error

            return api_error(401, "unauthorized")
        return current_app.login_manager.unauthorized()
    if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ALLOWED:
        if is_api_request():
            from tracer.core.api_errors import api_error

            return api_error(403, "password_change_required")
        return redirect(url_for("auth.change_password"))
    if current_user.role not in declared:
        return _refuse()
    return None


def _refuse():
    if is_api_request():
        from tracer.core.api_errors import api_error

        return api_error(403, "forbidden")
    abort(403)

