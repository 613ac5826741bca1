"""Error pages in the user's language, and JSON errors on the API."""
from __future__ import annotations

from flask import Flask, g, make_response, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from tracer.core.access import is_api_request
from tracer.core.database import is_database_unreachable
from tracer.core.errors import DomainError, is_storage_full, storage_full_message
from tracer.core.translation import gettext as _
from tracer.extensions import db, login_manager

RETRY_AFTER_SECONDS = 5  # what a 503 suggests a client waits before trying again


def _api(status: int, code: str | None = None, message: str | None = None, details=None):
    from tracer.core.api_errors import api_error

    return api_error(status, code, message, details)


def handle_http(error: HTTPException):
    status = error.code or 500
    if is_api_request():
        response = _api(status)
    else:
        response = make_response(render_template("errors/error.html", status=status), status)
    # Headers the error carries, such as Allow on a 405 (required by HTTP).
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_csrf(error: CSRFError):
    return render_template("errors/error.html", status=400, csrf=True), 400


def handle_domain(error: DomainError):
    db.session.rollback()
    if is_api_request():
        return _api(error.status, error.code, error.message, error.details)
    return render_template("errors/error.html", status=error.status, message=error.message), error.status


def handle_unexpected(error: Exception):
    db.session.rollback()
    import logging

    logging.getLogger("tracer").exception("unexpected error")
    if is_api_request():
        return _api(500)
    return render_template("errors/error.html", status=500), 500


def database_unavailable_message(api: bool) -> str:
    if api:
        return _("The database cannot be reached at the moment; send the request again in a moment.")
    return _("The database cannot be reached at the moment. Reload the page or send the form again "
             "in a moment.")


def handle_database_error(error: DBAPIError | PoolTimeout):
    """The database out of reach answers 503 "try again", pages and API alike: a connection
    the server closed (restart, failover; the pool has discarded its connections, so the next
    request connects afresh), one that cannot be made at all (the server stopped), or none free
    in the process's pool within its timeout. Any other database error is unexpected (500)."""
    if isinstance(error, DBAPIError) and not is_database_unreachable(error):
        return handle_unexpected(error)
    try:
        db.session.rollback()
    except DBAPIError:  # nothing to undo on a connection that is gone
        pass
    # The page is drawn for nobody: finding the user again would only ask the database again.
    g._login_user = login_manager.anonymous_user()
    import logging

    logging.getLogger("tracer").warning("database unreachable (%s); answered 503", getattr(error, "orig", error))
    if is_api_request():
        response = _api(503, "unavailable", database_unavailable_message(api=True))
    else:
        response = make_response(render_template("errors/error.html", status=503,
                                                 message=database_unavailable_message(api=False)), 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def handle_os_error(error: OSError):
    """A full disk (the request's upload spooled to disk, a file kept) is said plainly, 507;
    any other failure of the system is unexpected."""
    if not is_storage_full(error):
        return handle_unexpected(error)
    db.session.rollback()
    import logging

    logging.getLogger("tracer").error("request refused, the disk is full: %s", error)
    if is_api_request():
        return _api(507, "storage_full", storage_full_message())
    return render_template("errors/error.html", status=507, message=storage_full_message()), 507


def init_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(DomainError, handle_domain)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(PoolTimeout, handle_database_error)
    app.register_error_handler(OSError, handle_os_error)
    app.register_error_handler(Exception, handle_unexpected)
