"""Database connections and sessions: no ping round trip per request; a connection the server
closed costs one request (a 503 "try again"), and the next one succeeds; rows are not read
again after a commit."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError
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
    assert "La conexión con la base de datos se renovó" in response.get_data(as_text=True)
    assert officer.get("/auth/profile").status_code == 200


def test_other_database_errors_stay_500(officer, monkeypatch):
    _first_lookup_fails(monkeypatch, _other_error)
    response = officer.client.get("/api/v1/me", headers={"Authorization": f"Bearer {officer.raw_token}"})
    assert response.status_code == 500


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
