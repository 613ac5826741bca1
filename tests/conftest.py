"""One database per test run, migrated with Alembic; every test rolls back.

The database is SQLite (a temporary file) unless TRACER_TEST_DATABASE_URL names
another one, PostgreSQL in CI; an unreachable database fails the run.
"""
from __future__ import annotations

import os
import re

import pytest
from flask import g, request, request_started, request_tearing_down
from flask_migrate import upgrade
from sqlalchemy import text

from flask_sqlalchemy.session import Session as FlaskSession

from config import TestConfig
from tests import factories
import tracer.models  # noqa: F401  (every model mapped before a test module builds a statement at import)
from tracer import create_app
from tracer.auth import tokens
from tracer.extensions import db
from tracer.firearms.reference import load_reference_data


def _reset(engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("TRACER_TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'tracer.db'}"


def _empty_reference_lists(engine) -> None:
    """``db upgrade`` fills the shipped makers and calibers; the suite starts without
    them, and tests that want them ask for the ``reference_data`` fixture (which
    loads them the way ``flask reference load`` does)."""
    with engine.begin() as connection:
        for table in ("rifling_specs", "manufacturer_aliases", "caliber_aliases", "manufacturers", "calibers"):
            connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture(scope="session")
def app(database_url):
    config = type("SuiteConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url})
    application = create_app(config)
    with application.app_context():
        _reset(db.engine)
        upgrade()
        _empty_reference_lists(db.engine)
    _fresh_globals_per_request(application)
    return application


def _fresh_globals_per_request(application) -> None:
    """Give every request its own ``g``, as in production.

    A request made while the test holds an application context (``ctx``,
    ``login_as``) reuses that context, and with it ``g``, where Flask-Login
    keeps the signed-in user, Flask-Babel the locale and Flask-WTF the checked
    CSRF token. Without this, one request's user, language or CSRF check would
    carry over to the next request, whichever client sends it.
    """

    def start(sender, **extra):
        state = vars(g._get_current_object())
        request.environ["tests.saved_g"] = dict(state)
        state.clear()

    def end(sender, **extra):
        saved = request.environ.pop("tests.saved_g", None)
        if saved is not None:
            state = vars(g._get_current_object())
            state.clear()
            state.update(saved)

    request_started.connect(start, application, weak=False)
    request_tearing_down.connect(end, application, weak=False)


class JoinedSession(FlaskSession):
    """A session that always uses the test's connection, whatever the model."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return self.bind


@pytest.fixture(autouse=True)
def _rollback(request, app):
    """Every session of the test, in requests too, works inside one outer
    transaction that is rolled back at the end; commits become savepoints."""
    if request.node.get_closest_marker("browser"):
        yield
        return
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    factory = db.session.session_factory
    saved, saved_class = dict(factory.kw), factory.class_
    factory.class_ = JoinedSession
    factory.configure(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield connection
    finally:
        with app.app_context():
            db.session.remove()
        factory.kw.clear()
        factory.kw.update(saved)
        factory.class_ = saved_class
        outer.rollback()
        connection.close()


@pytest.fixture(autouse=True)
def _fresh_disclosure_budgets(app):
    """Every test starts with full disclosure budgets: user ids come back after each rollback."""
    from tracer.deconfliction.budget import EXTENSION

    app.extensions[EXTENSION].reset()


@pytest.fixture
def ctx(app):
    """An application context for work on the database outside a request."""
    with app.app_context():
        yield


@pytest.fixture
def reference_data(ctx):
    """The shipped makers and calibers, loaded and committed (rolled back after the test)."""
    counts = load_reference_data()
    db.session.commit()
    return counts


@pytest.fixture
def client(app):
    return app.test_client()


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/auth/notice") -> str:
    page = client.get(path).get_data(as_text=True)
    match = CSRF_INPUT.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class Browser:
    """A test client that signs in like a person and submits forms with their CSRF token."""

    def __init__(self, client):
        self.client = client

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def post(self, path, data=None, token_from: str | None = None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", csrf_token(self.client, token_from or "/auth/notice"))
        return self.client.post(path, data=data, **kw)

    def accept_notice(self):
        return self.post("/auth/notice", {})

    def login(self, username, password=factories.PASSWORD, **kw):
        self.accept_notice()
        return self.post("/auth/login", {"username": username, "password": password}, **kw)

    def logout(self):
        return self.post("/auth/logout", {}, token_from="/auth/profile")


@pytest.fixture
def browser(client):
    return Browser(client)


@pytest.fixture
def login_as(app, ctx):
    """``login_as(role, agency="FGR")`` → a Browser signed in as a new user of that role."""

    def sign_in(role: str, agency: str = "FGR", **user_fields):
        user = factories.user(role=role, agency=factories.agency(agency), **user_fields)
        db.session.commit()
        signed = Browser(app.test_client())
        response = signed.login(user.username)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        signed.user = user
        return signed

    return sign_in


@pytest.fixture
def api(app):
    """``api(role, agency)`` → a function calling the API as a new user of that role."""
    def caller(role: str, agency: str):
        user = factories.user(role, factories.agency(agency), locale="en")
        _, token = tokens.issue_token(user, "test")
        db.session.commit()
        client = app.test_client()

        def call(method: str, path: str, **kwargs):
            return client.open(f"/api/v1{path}", method=method, headers={"Authorization": f"Bearer {token}"},
                               **kwargs)
        call.user = user
        return call
    return caller
