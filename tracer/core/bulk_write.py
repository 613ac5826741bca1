"""Writing many rows of one table in the current transaction, as fast as the database allows:
``COPY … FROM STDIN`` on PostgreSQL, one ``executemany`` INSERT of the driver elsewhere
(both on the session's own connection, so inside its transaction).

The rows are dictionaries with the same keys. A column a row leaves out gets its
Python default (as a Core INSERT would give it) or, failing that, the server's; values
pass through each column type's bind processing, as they would in an INSERT. The
driver is handed plain tuples: building a statement's parameters row by row through
SQLAlchemy cost more than the database's own work.
"""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import Connection, Table

from tracer.extensions import db


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
    columns = names + list(defaulted)
    processors = [(index, processor) for index, processor in enumerate(
        table.c[name].type._cached_bind_processor(dialect) for name in columns) if processor is not None]
    fixed = tuple(defaulted.values())
    values = (_values(row, names, fixed, processors) for row in rows)
    if dialect.name == "postgresql":
        _copy(connection, table.name, columns, values)
    else:
        _executemany(connection, table.name, columns, values)


def _values(row: dict, names: list[str], fixed: tuple, processors) -> list:
    values = [row[name] for name in names]
    values.extend(fixed)
    for index, processor in processors:
        values[index] = processor(values[index])
    return values


def _executemany(connection, table_name: str, columns: list[str], values: Iterable[list]) -> None:
    quoted = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join("?" * len(columns))
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.executemany(f'INSERT INTO "{table_name}" ({quoted}) VALUES ({marks})', values)
    finally:
        cursor.close()


def _copy(connection, table_name: str, columns: list[str], values: Iterable[tuple]) -> None:
    quoted = ", ".join(f'"{name}"' for name in columns)
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f'COPY "{table_name}" ({quoted}) FROM STDIN') as copy:
            for row in values:
                copy.write_row(row)
