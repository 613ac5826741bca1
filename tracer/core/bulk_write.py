"""Writing many rows of one table in the current transaction, as fast as the database allows:
``COPY … FROM STDIN`` on PostgreSQL (one row, a request's audit event: one INSERT, a round trip
less), INSERTs of hundreds of rows each on SQLite (both on the session's own connection, so
inside its transaction).

The rows are dictionaries with the same keys. A column a row leaves out gets its
Python default (as a Core INSERT would give it) or, failing that, the server's; values
pass through each column type's bind processing, as they would in an INSERT. The
driver is handed plain tuples: building a statement's parameters row by row through
SQLAlchemy cost more than the database's own work.

What the database keeps per inserted row (the dashboards' counters, SQLite's full-text
indexes of serials) follows a bulk insert in one statement per batch. PostgreSQL's triggers
are statement triggers that see a ``COPY``'s rows together. SQLite has row triggers only:
while ``insert_numbered`` writes a table, a row of ``bulk_writes`` names it; the row
triggers that a room declares with ``unless_bulk_writing`` skip, and the room's
``after_bulk_insert`` follower does their work for the whole range of new ids.
"""
from __future__ import annotations

import itertools
import sqlite3
from collections import defaultdict
from typing import Any, Callable, Iterable

from sqlalchemy import Column, Connection, String, Table, delete, insert, text

from tracer.extensions import db

# Rows per INSERT on SQLite at most: past a few hundred, a longer statement gains nothing.
VALUES_ROWS = 256

# The tables a bulk insert is writing, in its transaction (SQLite; see the module's docstring).
BULK_WRITES = Table("bulk_writes", db.metadata, Column("table_name", String(64), primary_key=True))
# table name -> followers(connection, first id, last id), run after a bulk insert on SQLite.
Follower = Callable[[Connection, int, int], None]
_followers: dict[str, list[Follower]] = defaultdict(list)


def after_bulk_insert(table_name: str) -> Callable[[Follower], Follower]:
    """Register a follower of bulk inserts into ``table_name`` on SQLite: it is given the
    first and last new ids and does, in set-based statements, what the row triggers declared
    with ``unless_bulk_writing`` skipped."""
    def register(follower: Follower) -> Follower:
        _followers[table_name].append(follower)
        return follower
    return register


def unless_bulk_writing(table_name: str) -> str:
    """The ``WHEN`` condition of a SQLite row trigger on ``table_name`` that a follower
    replaces during a bulk insert (``table_name`` is a constant of the code)."""
    if not table_name.isidentifier():
        raise ValueError(f"not a table name: {table_name!r}")
    return f"NOT EXISTS (SELECT 1 FROM bulk_writes WHERE table_name = '{table_name}')"  # nosec B608 (checked name)


def _default_of(column):
    default = column.default
    if default is None or not (default.is_scalar or default.is_callable):
        return None
    if default.is_scalar:
        value = default.arg
        return lambda: value
    return lambda: default.arg(None)


def insert_rows(table: Table, rows: list[dict[str, Any]], connection: Connection | None = None) -> None:
    """Insert ``rows`` into ``table`` in the transaction of ``connection`` (the session's by default)."""
    if not rows:
        return
    connection = connection if connection is not None else db.session.connection()
    dialect = connection.dialect
    given = list(rows[0].keys())
    names = [column.name for column in table.columns if column.name in given]
    # Defaults once per call: a batch of rows shares its moment, as rows written together do.
    defaulted = {column.name: _default_of(column) for column in table.columns if column.name not in given}
    defaulted = {name: default() for name, default in defaulted.items() if default is not None}
    fixed = [_processed(table.c[name], value, dialect) for name, value in defaulted.items()]
    processors = [(index, processor) for index, processor in enumerate(
        table.c[name].type._cached_bind_processor(dialect) for name in names) if processor is not None]
    values = (_values(row, names, fixed, processors) for row in rows)
    if dialect.name == "postgresql" and len(rows) == 1:  # a request's event: one round trip, not COPY's two
        _insert_one(connection, table.name, names + list(defaulted), next(values))
    elif dialect.name == "postgresql":
        _copy(connection, table.name, names + list(defaulted), values)
    else:
        _insert_values(connection, table.name, names + list(defaulted), values)


def insert_numbered(table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` into ``table`` (whose key is ``id``) in the session's transaction; their
    new ids, in the order of ``rows``.

    PostgreSQL: ``len(rows)`` ids are taken from the table's sequence first, then the rows are
    copied with them. SQLite, which has one writer at a time, numbers the rows of one
    INSERT one after the other from the largest id plus one: the ids end at
    ``last_insert_rowid()``. (RETURNING would make SQLAlchemy insert row by row on SQLite
    to keep the order, and build statements of thousands of placeholders on PostgreSQL.)
    """
    if not rows:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        # The sequence is named and drawn from in one statement: one round trip per table written.
        ids = list(db.session.scalars(text(
            "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(:table, 'id') AS name) "
            "SELECT nextval(s.name) FROM s CROSS JOIN generate_series(1, :n) ORDER BY 1"),
            {"table": table.name, "n": len(rows)}))
        insert_rows(table, [{**row, "id": row_id} for row, row_id in zip(rows, ids)])
        return ids
    connection = db.session.connection()
    followers = _followers.get(table.name, ())
    if followers:
        connection.execute(insert(BULK_WRITES).values(table_name=table.name))
    try:
        insert_rows(table, rows, connection)
    finally:  # an INSERT that failed leaves SQLite's transaction usable: the row triggers come back
        if followers:
            connection.execute(delete(BULK_WRITES).where(BULK_WRITES.c.table_name == table.name))
    last = connection.scalar(text("SELECT last_insert_rowid()"))
    first = last - len(rows) + 1
    for follower in followers:
        follower(connection, first, last)
    return list(range(first, last + 1))


def _processed(column, value, dialect):
    processor = column.type._cached_bind_processor(dialect)
    return value if processor is None else processor(value)


def _values(row: dict, names: list[str], fixed: list, processors) -> list:
    values = [row[name] for name in names]
    for index, processor in processors:
        values[index] = processor(values[index])
    values.extend(fixed)
    return values


def _insert_values(connection, table_name: str, columns: list[str], values: Iterable[list]) -> None:
    """Multi-row INSERTs: full-text indexes flush their pending terms at every statement, so
    a statement per row (``executemany``) would cost them a segment per row. Each statement
    holds a power of two of rows, at most ``VALUES_ROWS`` and as many as SQLite takes
    parameters: batches of any size then share a handful of statements, which the driver
    prepares once and keeps."""
    driver = connection.connection.driver_connection
    most = max(1, min(VALUES_ROWS, driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(columns)))
    most = 1 << (most.bit_length() - 1)
    quoted = ", ".join(f'"{name}"' for name in columns)
    one = "(" + ", ".join("?" * len(columns)) + ")"
    values = iter(values)
    cursor = driver.cursor()
    try:
        while chunk := list(itertools.islice(values, most)):
            start = 0
            while start < len(chunk):
                size = 1 << ((len(chunk) - start).bit_length() - 1)
                part = chunk[start:start + size]
                # Safe for B608: quoted names from the table's metadata; values bound.
                statement = f'INSERT INTO "{table_name}" ({quoted}) VALUES {", ".join([one] * size)}'  # nosec B608
                cursor.execute(statement, [value for row in part for value in row])
                start += size
    finally:
        cursor.close()


def _insert_one(connection, table_name: str, columns: list[str], row) -> None:
    quoted = ", ".join(f'"{name}"' for name in columns)
    places = ", ".join(["%s"] * len(columns))
    with connection.connection.driver_connection.cursor() as cursor:
        # Safe for B608: quoted names from the table's metadata; values bound.
        cursor.execute(f'INSERT INTO "{table_name}" ({quoted}) VALUES ({places})', row)  # nosec B608


def _copy(connection, table_name: str, columns: list[str], values: Iterable[tuple]) -> None:
    quoted = ", ".join(f'"{name}"' for name in columns)
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f'COPY "{table_name}" ({quoted}) FROM STDIN') as copy:
            for row in values:
                copy.write_row(row)
