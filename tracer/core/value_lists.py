"""A column compared with a list of values, the statement's text the same however long the list.

``column.in_(values)`` writes one placeholder per value: a statement over a batch of a
thousand ids is a new text for every batch, which the driver parses again (psycopg keeps
no statement longer than a few kilobytes) and SQLAlchemy renders again. On PostgreSQL the
list goes as one array parameter instead (``column = ANY(:values)``); SQLite has no arrays
and keeps the placeholders.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import bindparam, any_
from sqlalchemy.dialects import postgresql

from tracer.extensions import db


def among_parameter(column, name: str, dialect: str):
    """``column`` among the values of the parameter ``name`` (a list), for a statement built
    once per dialect and executed with ``{name: values}``."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=postgresql.ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


def among(column, values: Iterable):
    """``column`` among ``values``, on the session's database."""
    values = list(values)
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=postgresql.ARRAY(column.type)))
    return column.in_(values)
