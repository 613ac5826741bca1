"""``flask backup`` and ``flask restore`` on PostgreSQL (``pg_dump``/``pg_restore``), each
installation in a blank database of its own on the server of TRACER_TEST_DATABASE_URL."""
from __future__ import annotations

import os
import secrets

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.backup.helpers import Installation

pytestmark = pytest.mark.skipif(not (os.environ.get("TRACER_TEST_DATABASE_URL") or "").startswith("postgresql"),
                                reason="needs TRACER_TEST_DATABASE_URL on PostgreSQL")


@pytest.fixture
def blank_database():
    """``blank_database()`` → the URL of a new, empty database; all are dropped afterwards."""
    url = os.environ["TRACER_TEST_DATABASE_URL"]
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    made = []

    def make() -> str:
        name = f"tracer_backup_{secrets.token_hex(4)}"
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return make_url(url).set(database=name).render_as_string(hide_password=False)

    try:
        yield make
    finally:
        with server.connect() as connection:
            for name in made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def test_a_postgres_backup_restores_into_a_blank_database_whole(blank_database, tmp_path):
    source = Installation(blank_database(), tmp_path / "source-uploads")
    source.populate()
    before = {"rows": source.rows(), "files": source.files(), "head": source.head()}
    archive = tmp_path / "tracer.tar"
    source.flask("backup", str(archive))

    target = Installation(blank_database(), tmp_path / "target-uploads")
    done = target.flask("restore", str(archive))
    assert "restaurado" in done.stdout

    rows = target.rows()
    restored_events, expected_events = rows.pop("audit_events"), before["rows"].pop("audit_events")
    assert rows == before["rows"]
    assert restored_events[:len(expected_events)] == expected_events
    assert len(restored_events) == len(expected_events) + 1 and "backup.restore" in restored_events[-1]
    assert len(before["files"]) == 2 and target.files() == before["files"]
    target.flask("audit", "seal", "--once")  # the restore's own event, as the running sealer would
    target.flask("audit", "verify", "--expect-head", before["head"])

    # The restored database is a working one: its sequences go on, and its audit events still
    # refuse to be changed.
    engine = create_engine(target.database_url)
    try:
        with engine.begin() as connection:
            refused = connection.execute(text("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal")).scalar()
            assert refused > 0
        with pytest.raises(Exception, match="audit"):
            with engine.begin() as connection:
                connection.execute(text("UPDATE audit_events SET action = 'changed' WHERE seq = 1"))
    finally:
        engine.dispose()
    target.flask("agencies", "create", "NUEVA", "--name", "Agencia nueva", "--level", "federal")

    # A second restore into the now filled database is refused.
    refused = target.flask("restore", str(archive), check=False)
    assert refused.returncode == 1 and "no está vacía" in refused.stderr
