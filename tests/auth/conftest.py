"""Fixtures of the web sign-in tests.

Database work happens in short application contexts of its own, never in one
held open across requests: each request then gets a fresh ``g`` and session,
and loads its user from the cookie exactly as in production.
"""
from __future__ import annotations

from contextlib import contextmanager
from types import SimpleNamespace

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import undefer

from tests import factories
from tests.auth.helpers import path_of
from tests.conftest import Browser
from tracer.audit.models import AuditEvent
from tracer.auth import mfa
from tracer.auth.models import User
from tracer.extensions import db


@pytest.fixture
def dbs(app):
    """``with dbs() as session:`` a short application context, committed at the end."""

    @contextmanager
    def scope():
        with app.app_context():
            yield db.session
            db.session.commit()

    return scope


@pytest.fixture
def make_user(dbs):
    """``make_user(role, agency, **fields)`` → namespace with id, username, password."""

    def make(role: str = "officer", agency: str = "FGR", **fields):
        password = fields.get("password", factories.PASSWORD)
        with dbs():
            user = factories.user(role=role, agency=factories.agency(agency), **fields)
            return SimpleNamespace(id=user.id, username=user.username, password=password)

    return make


@pytest.fixture
def new_browser(app):
    return lambda: Browser(app.test_client())


@pytest.fixture
def sign_in(make_user, new_browser):
    """``sign_in(role, agency, **fields)`` → a signed-in Browser with ``.user``."""

    def signed(role: str = "officer", agency: str = "FGR", **fields):
        user = make_user(role, agency, **fields)
        browser = new_browser()
        response = browser.login(user.username, user.password)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        assert path_of(response) == "/"
        browser.user = user
        return browser

    return signed


@pytest.fixture
def fetch(app):
    """``fetch(Model, key)`` → the row as stored now, read in a fresh session, every column
    (those read apart, such as an account's secrets, included)."""

    def get(model, key):
        with app.app_context():
            return db.session.get(model, key, options=[undefer("*")])

    return get


@pytest.fixture
def events(app):
    """``events(action, **attributes)`` → audit events of that action, oldest first."""

    def find(action: str | None = None, **where):
        with app.app_context():
            statement = select(AuditEvent).order_by(AuditEvent.seq)
            if action is not None:
                statement = statement.where(AuditEvent.action == action)
            for name, value in where.items():
                statement = statement.where(getattr(AuditEvent, name) == value)
            return list(db.session.scalars(statement))

    return find


@pytest.fixture
def mfa_user(make_user, dbs):
    """``mfa_user(role, **fields)`` → a user with an authenticator already enrolled:
    the namespace also has ``secret`` and the plain recovery ``codes``."""

    def make(role: str = "officer", agency: str = "FGR", **fields):
        user = make_user(role, agency, **fields)
        secret = pyotp.random_base32()
        with dbs():
            stored = db.session.get(User, user.id)
            stored.totp_pending_secret = secret
            user.codes = mfa.enable(stored)
        user.secret = secret
        return user

    return make



@pytest.fixture
def agency_id(dbs):
    """``agency_id(acronym)`` → the id of that agency, created on first use."""

    def find(acronym: str = "FGR") -> int:
        with dbs():
            return factories.agency(acronym).id

    return find
