"""On PostgreSQL, a request that only read ends its transaction with COMMIT, so the connection
keeps the statements psycopg prepared (a rollback makes it forget them all); a transaction that
wrote anything still ends with the rollback, and what it wrote is not kept."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tracer.core.database import commit_if_only_read
from tracer.extensions import db


@pytest.fixture
def own_connection(app):
    """A connection of the application's engine outside the test's rolled-back transaction."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("prepared statements are psycopg's (PostgreSQL)")
        connection = db.engine.connect()
    try:
        yield connection
    finally:
        connection.rollback()
        connection.close()


def _prepared(connection) -> list[str]:
    return list(connection.execute(text("SELECT statement FROM pg_prepared_statements")).scalars())


def test_statements_stay_prepared_across_transactions_that_only_read(own_connection):
    page_statement = text("SELECT count(*) FROM agencies WHERE level = :level")
    for _ in range(8):  # eight requests, each reading once: psycopg prepares on the fifth
        session = Session(bind=own_connection)
        session.execute(page_statement, {"level": "federal"}).scalar()
        assert commit_if_only_read(session)
        assert not session.in_transaction()
        session.close()
    assert any("FROM agencies WHERE level" in statement for statement in _prepared(own_connection))


def test_a_transaction_that_wrote_is_not_committed(own_connection):
    own_connection.execute(text("CREATE TEMPORARY TABLE scratch_notes (note text)"))
    own_connection.commit()
    session = Session(bind=own_connection)
    session.execute(text("SELECT 1")).scalar()
    session.execute(text("INSERT INTO scratch_notes VALUES ('left uncommitted by a view')"))
    assert not commit_if_only_read(session)
    session.rollback()
    assert own_connection.execute(text("SELECT count(*) FROM scratch_notes")).scalar() == 0
