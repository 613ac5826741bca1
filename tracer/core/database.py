"""Engine settings that make SQLite behave like the production database."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import event

from tracer.extensions import db


def _sqlite_connect(dbapi_connection, connection_record) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin,
    # so that SAVEPOINT and transactional DDL work; enforce foreign keys.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection) -> None:
    connection.exec_driver_sql("BEGIN")


def configure_engines(app: Flask) -> None:
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_connect):
                event.listen(engine, "connect", _sqlite_connect)
                event.listen(engine, "begin", _sqlite_begin)
