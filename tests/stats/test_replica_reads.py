"""With TRACER_REPLICA_DATABASE_URL, the dashboard, the map and stats/summary read their figures
from the replica, and answer what they answer from the primary; nothing is written there, and
the audit events of those pages still go to the primary.

The replica here is a second engine on the same PostgreSQL database (a streaming replica holds
the same rows), whose statements are counted apart. The figures must be committed to be seen
from a second engine, so the test runs in a blank database of its own (PostgreSQL only).
"""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError

from config import TestConfig
from tests import factories
from tests.conftest import Browser
from tests.processes import blank_database, real_commits
from tests.stats.conftest import _result
from tracer import create_app
from tracer.audit.models import AuditEvent
from tracer.auth import tokens
from tracer.core.database import REPLICA
from tracer.extensions import db
from tracer.stats.rollups import BY_TABLE

PAGES = ("/dashboard", "/map")


@pytest.fixture
def deployments():
    """Two applications on one blank database, one of them reading its figures from a replica
    engine; a Sonora register with a traced pistol; an analyst with a token."""
    with blank_database() as url, real_commits():
        primary_only = create_app(type("PrimaryOnly", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
        with_replica = create_app(type("WithReplica", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url,
                                                                      "REPLICA_DATABASE_URI": url}))
        with primary_only.app_context():
            upgrade()
            case = factories.case("FGE-SON")
            pistol, _rifle = factories.seizure(case, firearms=[
                factories.firearm_values(), factories.firearm_values(firearm_type="rifle", caliber="5.56mm")]).firearms
            factories.seizure(case, seized_on="2025-05-02", municipality="043", locality="Nogales")
            _result(pistol, "us_retail", "Tucson", "AZ", 32.2226, -110.9747, ttc=400)
            analyst = factories.user("analyst", factories.agency("FGE-SON"), username="analista.replica")
            _, token = tokens.issue_token(analyst, "figures")
            db.session.commit()
            db.session.remove()
        try:
            yield primary_only, with_replica, token
        finally:
            for app in (primary_only, with_replica):
                with app.app_context():
                    db.engine.dispose()
            with_replica.extensions[REPLICA].dispose()


@contextmanager
def statements(engine):
    """Every statement ``engine`` runs meanwhile."""
    seen: list[str] = []

    def note(connection, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def primary_engine(app):
    with app.app_context():
        return db.engine


def reads_rollups(statement: str) -> bool:
    return any(name in statement for name in BY_TABLE)


def summary(app, token) -> dict:
    response = app.test_client().get("/api/v1/stats/summary", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def signed_in(app) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login("analista.replica").status_code == 302
    return browser


def test_the_figures_pages_read_the_replica_and_answer_the_same(deployments):
    primary_only, with_replica, token = deployments
    expected = summary(primary_only, token)
    assert (expected["seizures"], expected["firearms"], expected["median_ttc_days"]) == (2, 3, 400)
    browser = signed_in(with_replica)

    with statements(with_replica.extensions[REPLICA]) as on_replica, \
            statements(primary_engine(with_replica)) as on_primary:
        assert summary(with_replica, token) == expected
        for page in PAGES:
            response = browser.get(page)
            assert response.status_code == 200, page
            assert "Tucson" in response.get_data(as_text=True)
    assert sum(map(reads_rollups, on_replica)) >= 10
    assert all(statement.lstrip().upper().startswith(("SELECT", "WITH")) for statement in on_replica)
    # The primary still finds the token, the session and the user; not one figure.
    assert on_primary and not any(map(reads_rollups, on_primary))


def test_without_the_setting_the_figures_are_read_on_the_primary(deployments):
    primary_only, _with_replica, token = deployments
    assert REPLICA not in primary_only.extensions
    with statements(primary_engine(primary_only)) as on_primary:
        summary(primary_only, token)
    assert any(map(reads_rollups, on_primary))


def test_an_audited_download_reads_the_replica_and_writes_its_event_to_the_primary(deployments):
    _primary_only, with_replica, _token = deployments
    browser = signed_in(with_replica)
    count = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "stats.export")
    with with_replica.app_context():
        before = db.session.scalar(count)
        db.session.remove()

    with statements(with_replica.extensions[REPLICA]) as on_replica:
        response = browser.get("/dashboard/dealers.csv")
    assert response.status_code == 200 and "Tucson" in response.get_data(as_text=True)
    assert any(map(reads_rollups, on_replica))
    assert not any("audit_events" in statement for statement in on_replica)
    with with_replica.app_context():
        assert db.session.scalar(count) == before + 1
        db.session.remove()


def test_the_replica_engine_refuses_writes(deployments):
    _primary_only, with_replica, _token = deployments
    with with_replica.extensions[REPLICA].connect() as connection:
        with pytest.raises(DBAPIError, match="read-only transaction"):
            connection.execute(text("UPDATE agencies SET contact_name = contact_name"))
