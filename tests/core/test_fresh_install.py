"""A fresh install is ready after `db upgrade` (SPEC §1), and the README's production
steps, followed on a blank PostgreSQL database, give a working system."""
from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory

from config import ProductionConfig
from tests.core.test_migrations import flask
from tests.processes import (blank_postgres, call, flask_command, free_port, production_env,  # noqa: F401
                             start_gunicorn, stop, wait_until_serving)
from tracer import ROOT, create_app
from tracer.firearms.reference_keys import fold_key, shipped

PASSWORD = "Fresh-Install-Check-2026"
DATA_REVISION = "5d2e8f1a9b63"  # the shipped makers, calibers and aliases


def _revision(revision_id: str):
    config = AlembicConfig()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_revision(revision_id)


# --- the shipped reference lists come with `db upgrade` ---------------------------------------------------


def _reference_rows(database: Path) -> dict[str, object]:
    with sqlite3.connect(database) as connection:
        return {
            "makers": {name for (name,) in connection.execute("SELECT name FROM manufacturers")},
            "calibers": {name for (name,) in connection.execute("SELECT name FROM calibers")},
            "maker_keys": dict(connection.execute(
                "SELECT a.key, m.name FROM manufacturer_aliases a JOIN manufacturers m ON m.id = a.manufacturer_id")),
            "caliber_keys": dict(connection.execute(
                "SELECT a.key, c.name FROM caliber_aliases a JOIN calibers c ON c.id = a.caliber_id")),
        }


def test_db_upgrade_alone_fills_the_shipped_makers_calibers_and_aliases(tmp_path):
    database = tmp_path / "fresh.db"
    flask(database, "db", "upgrade")
    rows = _reference_rows(database)
    assert rows["makers"] == {entry["name"] for entry in shipped("manufacturers")}
    assert rows["calibers"] == {entry["name"] for entry in shipped("calibers")}
    assert rows["maker_keys"][fold_key("GLOCK")] == "Glock"
    assert rows["maker_keys"][fold_key("S&W")] == "Smith & Wesson"
    assert rows["caliber_keys"]["9mm"] == "9mm Luger"

    # `reference load` stays for later updates and finds nothing to add.
    loaded = flask(database, "reference", "load").stdout
    assert re.findall(r"\((\d+) new\)", loaded) == ["0", "0", "0", "0"], loaded
    assert _reference_rows(database) == rows

    # Going down past the revision and up again adds nothing twice.
    flask(database, "db", "downgrade", _revision(DATA_REVISION).down_revision)
    flask(database, "db", "upgrade")
    assert _reference_rows(database) == rows


def test_the_data_revision_reads_the_lists_without_the_orm_models():
    """A revision runs against the schema of its time: it describes its tables itself."""
    probe = (f"import importlib.util, sys\n"
             f"spec = importlib.util.spec_from_file_location('revision', {str(_revision(DATA_REVISION).path)!r})\n"
             f"spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
             f"print(sorted(m for m in sys.modules if m.endswith('.models') or m == 'tracer.extensions'))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --- a production start serves both languages --------------------------------------------------------------


GOOD_PRODUCTION = {"SECRET_KEY": "s" * 32, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://tracer@db.example/tracer",
                   "REDIS_URL": "redis://cache.example:6379/0"}


@pytest.mark.parametrize("missing", ["es", "en"])
def test_production_refuses_to_start_without_a_compiled_catalog(tmp_path, missing):
    for language in ("es", "en"):
        folder = tmp_path / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        if language != missing:
            source = ROOT / "tracer" / "translations" / language / "LC_MESSAGES" / "messages.mo"
            (folder / "messages.mo").write_bytes(source.read_bytes())
    config = type("NoCatalog", (ProductionConfig,), {**GOOD_PRODUCTION, "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path)})
    with pytest.raises(RuntimeError, match=f"compiled '{missing}' catalog is missing"):
        create_app(config)


def test_the_shipped_catalogs_pass_the_production_check():
    type("Shipped", (ProductionConfig,), GOOD_PRODUCTION).check()


# --- the README's production steps on a blank PostgreSQL database ------------------------------------------


@pytest.fixture
def served(blank_postgres, tmp_path):
    """The README's production steps (section "Production install, step by step"),
    then gunicorn on a free loopback port."""
    env = production_env(blank_postgres)
    flask_command(env, "db", "upgrade")
    flask_command(env, "agencies", "create", "FGR", "--name", "Fiscalía General de la República", "--level", "federal")
    flask_command(env, "users", "create", "admin.fgr", "--role", "admin", "--agency", "FGR", "--password-stdin",
                  stdin=PASSWORD + "-admin\n")
    flask_command(env, "users", "create", "agente.fgr", "--role", "officer", "--agency", "FGR", "--password-stdin",
                  stdin=PASSWORD + "\n")
    token = flask_command(env, "users", "token", "agente.fgr", "--name", "seizure import").strip().splitlines()[-1]
    port, log = free_port(), tmp_path / "gunicorn.log"
    server = start_gunicorn(dict(env, TRACER_WORKERS="1"), port, log)
    try:
        yield wait_until_serving(server, port, log), token
    finally:
        stop(server)


def test_the_readme_production_steps_give_a_working_system(served):
    base, token = served
    status, answer = call(base, "POST", "/api/v1/cases", token, {"title": "Revisión en garita de Nogales"})
    assert status == 201, answer
    case_id = json.loads(answer)["id"]
    status, answer = call(base, "POST", "/api/v1/seizures", token, {
        "case_id": case_id, "seized_on": "2026-03-14", "state": "26", "municipality": "Nogales",
        "firearms": [{"firearm_type": "pistol", "manufacturer": "GLOCK", "model": "19", "caliber": "9mm",
                      "serial_number": "BHZT417", "country_of_manufacture": "AT", "importer": "Glock Inc"}]})
    assert status == 201, answer
    seizure = json.loads(answer)
    assert not seizure.get("warnings"), seizure.get("warnings")
    firearm_id = seizure["firearms"][0]["id"]

    status, answer = call(base, "GET", f"/api/v1/firearms/{firearm_id}/readiness", token)
    assert status == 200, answer
    readiness = json.loads(answer)
    assert [s for s in readiness["suspect"] if s["field"] in ("manufacturer", "caliber")] == []
    assert readiness["ready"] is True, readiness

    for path in ("/auth/notice", "/auth/login"):
        status, page = call(base, "GET", path)
        assert status == 200
        assert '<html lang="es">' in page
        assert "Aviso de uso del sistema" in page
        assert "Use-of-system notice" not in page
