"""Database connections and sessions: no ping round trip per request; a connection the server
closed costs one request (a 503 "try again"), and the next one succeeds; a server that cannot
be reached at all answers 503 too, while other database errors stay 500; rows are not read
again after a commit."""
from __future__ import annotations

import sqlite3

import psycopg
import psycopg.errors
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import NullPool

from config import Config
from tracer.extensions import db


def test_connections_are_recycled_instead_of_pinged_on_every_checkout():
    options = Config.SQLALCHEMY_ENGINE_OPTIONS
    assert options["pool_pre_ping"] is False
    assert 0 < options["pool_recycle"] <= 3600


def _lost_connection():
    error = OperationalError("SELECT 1", {}, ConnectionResetError("server closed the connection"))
    error.connection_invalidated = True
    return error


def _other_error():
    return DBAPIError("SELECT 1", {}, ValueError("something else"))


def _first_lookup_fails(monkeypatch, make_error):
    """The request's first statement (finding its user) meets ``make_error()``; later ones work."""
    from tracer.auth import sessions, tokens

    failed = []

    def once(real):
        def lookup(*args, **kwargs):
            if not failed:
                failed.append(real)
                raise make_error()
            return real(*args, **kwargs)
        return lookup

    monkeypatch.setattr(tokens, "user_for_token", once(tokens.user_for_token))
    monkeypatch.setattr(sessions, "session_user", once(sessions.session_user))


@pytest.fixture
def officer(login_as):
    from tracer.auth import tokens

    browser = login_as("officer")
    _, browser.raw_token = tokens.issue_token(browser.user, "script")
    db.session.commit()
    return browser


def test_a_lost_connection_answers_503_try_again_on_the_api(officer, monkeypatch):
    _first_lookup_fails(monkeypatch, _lost_connection)
    headers = {"Authorization": f"Bearer {officer.raw_token}"}
    response = officer.client.get("/api/v1/me", headers=headers)
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "unavailable"
    assert officer.client.get("/api/v1/me", headers=headers).status_code == 200


def test_a_lost_connection_answers_503_try_again_on_a_page(officer, monkeypatch):
    _first_lookup_fails(monkeypatch, _lost_connection)
    response = officer.get("/auth/profile", headers={"Accept-Language": "es"})
    assert response.status_code == 503
    assert "No es posible comunicarse con la base de datos en este momento" in response.get_data(as_text=True)
    assert officer.get("/auth/profile").status_code == 200


def test_other_database_errors_stay_500(officer, monkeypatch):
    _first_lookup_fails(monkeypatch, _other_error)
    response = officer.client.get("/api/v1/me", headers={"Authorization": f"Bearer {officer.raw_token}"})
    assert response.status_code == 500


def _server_down():
    """What psycopg raises when nothing answers at the server's address (the server stopped)."""
    return OperationalError(None, None, psycopg.OperationalError(
        'connection failed: connection to server at "127.0.0.1", port 5432 failed: Connection refused'))


def _server_shutting_down():
    return OperationalError("SELECT 1", {}, psycopg.errors.AdminShutdown(
        "terminating connection due to administrator command"))


def _connection_closed():
    return InterfaceError("SELECT 1", {}, psycopg.InterfaceError("the connection is closed"))


def _every_lookup_fails(monkeypatch, make_error):
    """Every request's first statement meets ``make_error()``, as while the server is down."""
    from tracer.auth import sessions, tokens

    def fail(*args, **kwargs):
        raise make_error()

    monkeypatch.setattr(tokens, "user_for_token", fail)
    monkeypatch.setattr(sessions, "session_user", fail)


UNREACHABLE_ES = "No es posible comunicarse con la base de datos en este momento"
UNREACHABLE_EN = "The database cannot be reached at the moment"
UNREACHABLE_API_ES = "No es posible comunicarse con la base de datos en este momento; envíe la solicitud de nuevo en un momento."


def _pool_exhausted():
    """What the pool raises when no connection of the process frees up within its timeout."""
    return PoolTimeout("QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 10.00")


@pytest.mark.parametrize("make_error", [_server_down, _server_shutting_down, _connection_closed, _pool_exhausted])
def test_a_database_out_of_reach_answers_503_on_pages_and_the_api_until_it_is_back(officer, monkeypatch,
                                                                                 make_error):
    with monkeypatch.context() as outage:
        _every_lookup_fails(outage, make_error)
        answer = officer.client.get("/api/v1/cases", headers={"Authorization": f"Bearer {officer.raw_token}"})
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
        assert answer.get_json()["error"]["code"] == "unavailable"
        assert answer.get_json()["error"]["message"] == UNREACHABLE_API_ES
        # Spanish first; English when the browser's session chose it (the user's own setting
        # is in the database, out of reach).
        for language, words in (("es", UNREACHABLE_ES), ("en", UNREACHABLE_EN)):
            if language == "en":
                with officer.client.session_transaction() as cookie_session:
                    cookie_session["lang"] = "en"
            page = officer.get("/cases")
            assert page.status_code == 503 and page.headers["Retry-After"] == "5"
            assert words in page.get_data(as_text=True)
    # The server is back: the same session and token work again.
    assert officer.get("/cases").status_code == 200
    assert officer.client.get("/api/v1/cases",
                              headers={"Authorization": f"Bearer {officer.raw_token}"}).status_code == 200


@pytest.mark.parametrize("make_error", [
    lambda: OperationalError("SELECT 1", {}, psycopg.errors.QueryCanceled("canceling statement due to statement timeout")),
    lambda: OperationalError("SELECT * FROM nowhere", {}, sqlite3.OperationalError("no such table: nowhere")),
    lambda: InterfaceError("SELECT 1", {}, sqlite3.InterfaceError("bad parameter or other API misuse")),
], ids=["statement-cancelled", "sqlite-missing-table", "sqlite-misuse"])
def test_a_statement_that_went_wrong_is_not_an_outage_and_stays_500(officer, monkeypatch, make_error):
    _first_lookup_fails(monkeypatch, make_error)
    page = officer.get("/cases", headers={"Accept-Language": "es"})
    assert page.status_code == 500 and UNREACHABLE_ES not in page.get_data(as_text=True)


def test_a_database_gone_after_a_reading_request_was_answered_leaves_the_answer_whole(officer, monkeypatch):
    """A request that only read ends its transaction with COMMIT after the answer is made; the
    server gone by then changes nothing the user asked for, so the answer stands."""
    from tracer.core import database

    failure = {"make": _server_down}

    def commit_fails(session):
        raise failure["make"]()

    monkeypatch.setattr(database, "commit_if_only_read", commit_fails)
    assert officer.get("/cases").status_code == 200
    failure["make"] = _other_error
    with pytest.raises(DBAPIError):  # any other failure is not hidden
        officer.get("/cases")


def test_postgresql_connections_give_up_connecting_after_a_bound():
    from tracer import create_app
    from tracer.core.database import CONNECT_TIMEOUT, POOL_TIMEOUT

    config = type("Bounded", (Config,), {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://tracer@db.invalid/tracer",
                                         "SECRET_KEY": "k" * 32})
    app = create_app(config)
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"]["connect_timeout"] == CONNECT_TIMEOUT and 0 < CONNECT_TIMEOUT <= 10
    assert options["pool_timeout"] == POOL_TIMEOUT and 0 < POOL_TIMEOUT <= 30
    with app.app_context():
        assert db.engine.pool.timeout() == POOL_TIMEOUT
    assert "connect_args" not in Config.SQLALCHEMY_ENGINE_OPTIONS  # SQLite's driver would refuse it


def test_a_connection_the_server_closed_costs_one_request_and_the_next_succeeds(database_url):
    """Like a database restart: every pooled connection is closed by the server."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the server closes connections only on PostgreSQL")
    engine = create_engine(database_url, **Config.SQLALCHEMY_ENGINE_OPTIONS)
    admin = create_engine(database_url, poolclass=NullPool)
    try:
        first, second = engine.connect(), engine.connect()
        pids = [c.execute(text("SELECT pg_backend_pid()")).scalar() for c in (first, second)]
        first.close(), second.close()  # both back in the pool
        with admin.connect() as connection:
            for pid in pids:
                assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()

        outcomes = []
        for _ in range(3):
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                outcomes.append("ok")
            except DBAPIError as error:
                assert error.connection_invalidated
                outcomes.append("lost")
        assert outcomes in (["lost", "ok", "ok"], ["ok", "ok", "ok"])
        assert outcomes.count("lost") <= 1
    finally:
        engine.dispose()
        admin.dispose()


def test_a_request_s_rows_stay_loaded_after_its_commit():
    """A view commits its audited work and then renders: the rows it read are not read again
    (the firearm page went from 21 statements to 14). The suite's sessions run this way too."""
    from tracer.extensions import SESSION_OPTIONS

    assert SESSION_OPTIONS["expire_on_commit"] is False
