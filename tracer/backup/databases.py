"""Copying the database out and back in, SQLite or PostgreSQL.

- **SQLite**: the online backup API (``sqlite3.Connection.backup``) copies a consistent
  database while the application keeps running; a restore copies the staged file into
  the target the same way.
- **PostgreSQL**: ``pg_dump`` in its custom format (compressed, restored table by table,
  with every constraint, index, trigger and sequence as the migrations made them) inside a
  snapshot exported by a repeatable-read transaction, so the row counts and audit head of
  the manifest describe exactly what the dump holds; ``pg_restore`` in one transaction,
  without owners and grants (the restoring role owns what it creates). A per-table copy
  through the application would have to rebuild triggers, sequences and the ``pg_trgm``
  indexes by hand, and be checked against every migration; the PostgreSQL tools already
  do that, are on every database host (Debian: ``postgresql-client``), and their archives
  can also be read by an administrator without Tracer. Their major version must be at
  least the server's.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, column, create_engine, func, inspect, select, table, text
from sqlalchemy.engine import make_url

from tracer.audit.chain import chain_head, unsealed_count
from tracer.backup.archive import BackupError
from tracer.core.translation import gettext as _
from tracer.extensions import db

VERSION_TABLE = "alembic_version"
TOOL_TIMEOUT = 24 * 3600


@dataclass
class State:
    """What the manifest says of a database: its revision, rows per table and audit head."""

    revision: str | None
    tables: dict[str, int]
    audit_head: str | None
    audit_unsealed: int


def kind_of(engine: Engine) -> str:
    if engine.dialect.name not in ("sqlite", "postgresql"):
        raise BackupError(_("Backups cover SQLite and PostgreSQL databases, not %(kind)s.", kind=engine.dialect.name))
    return engine.dialect.name


def table_names() -> list[str]:
    """Every table of the application, and Alembic's."""
    return sorted({*db.metadata.tables, VERSION_TABLE})


def read_state(connection: Connection) -> State:
    present = set(inspect(connection).get_table_names())
    counts = {name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
              for name in table_names() if name in present}
    revision = None
    if VERSION_TABLE in present:
        revision = connection.execute(select(column("version_num")).select_from(table(VERSION_TABLE))).scalar()
    head, unsealed = None, 0
    if "audit_events" in present:
        seq, digest = chain_head(connection)
        head = f"{seq}:{digest}" if seq else None
        unsealed = unsealed_count(connection)
    return State(revision, counts, head, unsealed)


def is_empty(engine: Engine) -> bool:
    """No table at all: a new SQLite file, or a database just created on the server."""
    with engine.connect() as connection:
        return not [name for name in inspect(connection).get_table_names() if name != "sqlite_sequence"]


# --- SQLite ---------------------------------------------------------------------------------------


def dump_sqlite(engine: Engine, target: Path) -> State:
    """Copy the live database into ``target`` with the online backup API and read its state there."""
    source = engine.raw_connection()
    try:
        copy = sqlite3.connect(target)
        try:
            source.driver_connection.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    return _state_of_file(target)


def _state_of_file(path: Path) -> State:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return read_state(connection)
    finally:
        engine.dispose()


def load_sqlite(engine: Engine, staged: Path) -> None:
    """Replace the target's content with the staged copy, page by page, in one step."""
    engine.dispose()
    copy = sqlite3.connect(staged)
    try:
        target = engine.raw_connection()
        try:
            copy.backup(target.driver_connection)
        finally:
            target.close()
    finally:
        copy.close()
    engine.dispose()


# --- PostgreSQL -----------------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(_("%(tool)s was not found on PATH: install the PostgreSQL client tools (Debian: "
                            "postgresql-client) of the server's major version or newer.", tool=name))
    return found


def _connection_arguments(engine: Engine) -> tuple[list[str], dict[str, str]]:
    """libpq's ``--dbname`` URL (the password passed in the environment, never on the command line)."""
    url = make_url(engine.url.render_as_string(hide_password=False))
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return [f"--dbname={conninfo}"], environment


def _run(command: list[str], environment: dict[str, str], failure: str) -> None:
    try:
        done = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=TOOL_TIMEOUT)
    except OSError as error:
        raise BackupError(f"{failure} {error}")
    if done.returncode != 0:
        said = (done.stderr or done.stdout or "").strip().splitlines()
        raise BackupError(f"{failure} " + " / ".join(said[-3:]))


def dump_postgres(engine: Engine, target: Path) -> State:
    """``pg_dump`` of the snapshot in which the state is read."""
    tool = _tool("pg_dump")
    arguments, environment = _connection_arguments(engine)
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            state = read_state(connection)
            _run([tool, "--format=custom", f"--snapshot={snapshot}", f"--file={target}", *arguments],
                 environment, _("pg_dump failed:"))
    return state


def load_postgres(engine: Engine, staged: Path, replace: bool) -> None:
    """``pg_restore`` in one transaction: all of it, or nothing."""
    tool = _tool("pg_restore")
    arguments, environment = _connection_arguments(engine)
    engine.dispose()
    command = [tool, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges", *arguments]
    if replace:
        command += ["--clean", "--if-exists"]
    _run([*command, str(staged)], environment, _("pg_restore failed; nothing was restored:"))
    engine.dispose()


def dump(engine: Engine, target: Path) -> State:
    return dump_sqlite(engine, target) if kind_of(engine) == "sqlite" else dump_postgres(engine, target)


def load(engine: Engine, staged: Path, replace: bool) -> None:
    if kind_of(engine) == "sqlite":
        load_sqlite(engine, staged)
    else:
        load_postgres(engine, staged, replace)


def state(engine: Engine) -> State:
    with engine.connect() as connection:
        return read_state(connection)
