"""Finding the request's user costs one statement; the last-seen bookkeeping is written
at most once a minute (sessions) or every five minutes (tokens), not on every request."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from tests import factories
from tests.auth.helpers import session_value
from tracer.auth import sessions, tokens
from tracer.auth.models import ApiToken, UserSession
from tracer.extensions import db


@contextmanager
def statements(app):
    """The SQL statements sent while the block runs (savepoints left out)."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            sent.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
        # Requests here share the test's session: forget what it holds, as a new process would.
        db.session.expire_all()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def token(ctx):
    user = factories.user("officer", factories.agency("FGR"))
    row, raw = tokens.issue_token(user, "script")
    db.session.commit()
    return row.id, raw


def _me(client, raw):
    db.session.expire_all()
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})


def test_an_api_call_finds_its_user_agency_and_token_in_one_statement(app, token):
    token_id, raw = token
    client = app.test_client()
    assert _me(client, raw).status_code == 200  # the first call writes last_used_at

    with statements(app) as sent:
        response = _me(client, raw)

    assert response.status_code == 200 and response.get_json()["agency"]["acronym"] == "FGR"
    assert len(sent) == 1, sent
    assert all(table in sent[0] for table in ("api_tokens", "users", "agencies")), sent


def test_a_token_s_last_use_is_written_again_only_after_five_minutes(app, token):
    token_id, raw = token
    client = app.test_client()
    _me(client, raw)
    with statements(app) as sent:
        _me(client, raw)
    assert not [s for s in sent if s.upper().startswith("UPDATE")]

    row = db.session.get(ApiToken, token_id)
    row.last_used_at -= timedelta(minutes=6)
    db.session.commit()
    with statements(app) as sent:
        assert _me(client, raw).status_code == 200
    assert [s.split(" SET")[0] for s in sent if s.upper().startswith("UPDATE")] == ["UPDATE api_tokens"]


def test_a_page_finds_its_user_and_agency_with_the_session_row(app, login_as):
    browser = login_as("officer")
    browser.get("/auth/profile")

    with statements(app) as sent:
        page = browser.get("/auth/profile")

    assert page.status_code == 200 and "FGR" in page.get_data(as_text=True)
    lookups = [s for s in sent if "user_sessions.sid_hash =" in s]
    assert len(lookups) == 1 and "users" in lookups[0] and "agencies" in lookups[0], sent
    assert not [s for s in sent if s.startswith("SELECT") and " FROM users" in s and "user_sessions" not in s], sent
    assert not [s for s in sent if s.upper().startswith("UPDATE")], sent  # seen less than a minute ago


def test_a_session_s_last_seen_is_written_again_after_a_minute(app, login_as):
    browser = login_as("officer")
    digest = sessions._digest(session_value(browser, "sid"))
    row = db.session.scalar(select(UserSession).where(UserSession.sid_hash == digest))
    row.last_seen_at -= timedelta(seconds=90)
    db.session.commit()
    before = row.last_seen_at

    with statements(app) as sent:
        assert browser.get("/auth/profile").status_code == 200

    assert [s.split(" SET")[0] for s in sent if s.upper().startswith("UPDATE")] == ["UPDATE user_sessions"]
    db.session.expire_all()
    assert db.session.scalar(select(UserSession.last_seen_at).where(UserSession.sid_hash == digest)) > before
