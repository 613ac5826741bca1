"""Engine settings that make SQLite behave like the production database."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from werkzeug.routing import IntegerConverter

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


# Row ids are INTEGER columns (32-bit on PostgreSQL).
MAX_ROW_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """``<int:...>`` in a route names a row: a number no id can reach matches no
    route (404) instead of overflowing the database driver (500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def configure_engines(app: Flask) -> None:
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_connect):
                event.listen(engine, "connect", _sqlite_connect)
                event.listen(engine, "begin", _sqlite_begin)
