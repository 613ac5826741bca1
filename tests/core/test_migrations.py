"""The migrations build exactly the schema the models describe, and can be undone."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.config import Config as AlembicConfig

from tracer import ROOT
from tracer.core.models import autogenerate_filter
from tracer.extensions import db

TABLES = {"scenes", "ballistic_items", "ballistic_links", "deconfliction_notices", "trace_requests", "trace_number_counters", "firearm_links", "agencies", "users", "api_tokens", "recovery_codes", "user_sessions", "login_throttles", "audit_events",
          "cases", "case_reference_counters", "seizures", "firearms", "custody_events", "attachments",
          "manufacturers", "manufacturer_aliases", "calibers", "caliber_aliases", "rifling_specs",
          "case_reviews", "case_review_comments", "case_notes", "case_assignments", "case_shares",
          "people", "case_people", "person_merges", "person_duplicates",
          "case_report_versions", "case_report_exports",
          "stats_seizures", "stats_seizure_places", "stats_firearms", "stats_calibers", "stats_traces",
          "stats_sources", "stats_dealers", "stats_corridors", "stats_time_to_crime", "bulk_writes"}
SQLITE_TRIGGERS = {"audit_events_no_update", "audit_events_no_delete",
                   "custody_events_no_update", "custody_events_no_delete",
                   "case_report_versions_no_update", "case_report_versions_no_delete",
                   "case_report_exports_no_update", "case_report_exports_no_delete",
                   "firearm_serials_fts_insert", "firearm_serials_fts_delete", "firearm_serials_fts_update",
                   "firearm_serials_fts_grams_insert", "firearm_serials_fts_grams_delete",
                   "firearm_serials_fts_grams_update",
                   # The dashboards' counters (tracer.stats.rollups).
                   *(f"stats_{table}_{event}" for table in ("seizures", "firearms", "trace_requests")
                     for event in ("insert", "update", "delete"))}
# SQLite's full-text indexes of serials (trigrams; position grams): the FTS5 tables and the
# shadow tables they keep.
SQLITE_SEARCH_TABLES = {f"{name}{shadow}" for name in ("firearm_serials_fts", "firearm_serials_fts_grams")
                        for shadow in ("", "_data", "_idx", "_docsize", "_config")}


def head_revision() -> str:
    config = AlembicConfig()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def test_models_and_migrations_agree(app, _rollback):
    """Autogenerate finds nothing to do on the migrated test database (SQLite or PostgreSQL)."""
    context = MigrationContext.configure(_rollback, opts={
        "compare_type": True, "compare_server_default": False,
        "include_object": autogenerate_filter(_rollback.dialect.name)})
    differences = compare_metadata(context, db.metadata)
    assert differences == [], "the models and the migrations differ; write a migration:\n" + "\n".join(
        map(str, differences))


def test_test_database_is_at_the_head_revision(_rollback):
    assert MigrationContext.configure(_rollback).get_current_revision() == head_revision()


def test_there_is_one_head():
    config = AlembicConfig()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


# --- downgrade and upgrade on a fresh file ---------------------------------------------------------------


def flask(database: Path, *args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRACER_")}
    env.update(TRACER_ENV="development", TRACER_DATABASE_URL=f"sqlite:///{database}",
               TRACER_SECRET_KEY="migration-test-secret")
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def schema(database: Path) -> tuple[set[str], set[str], list[str]]:
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        triggers = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        versions = ([row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]
                    if "alembic_version" in tables else [])
    return tables - {"sqlite_sequence"}, triggers, versions


@pytest.fixture(scope="module")
def migrated_file(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("migrations") / "fresh.db"


def test_upgrade_downgrade_upgrade_on_a_fresh_sqlite_file(migrated_file):
    head = head_revision()
    flask(migrated_file, "db", "upgrade")
    tables, triggers, versions = schema(migrated_file)
    assert tables == TABLES | SQLITE_SEARCH_TABLES | {"alembic_version"}
    assert triggers == SQLITE_TRIGGERS
    assert versions == [head]

    flask(migrated_file, "db", "downgrade", "base")
    tables, triggers, versions = schema(migrated_file)
    assert tables <= {"alembic_version"}
    assert triggers == set()
    assert versions == []

    flask(migrated_file, "db", "upgrade")
    tables, triggers, versions = schema(migrated_file)
    assert tables == TABLES | SQLITE_SEARCH_TABLES | {"alembic_version"}
    assert triggers == SQLITE_TRIGGERS
    assert versions == [head]


def test_fresh_database_works_after_the_round_trip(migrated_file):
    if not migrated_file.exists():  # run on its own
        flask(migrated_file, "db", "upgrade")
    seeded = flask(migrated_file, "seed-demo")
    assert "enlace.atf" in seeded.stdout
    verified = flask(migrated_file, "audit", "verify")
    assert verified.stdout.startswith("audit chain intact: ")
    with sqlite3.connect(migrated_file) as connection:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            connection.execute("UPDATE audit_events SET action = 'x'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            connection.execute("DELETE FROM audit_events")
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
