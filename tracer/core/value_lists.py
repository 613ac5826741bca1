"""A column compared with a list of values, the statement's text the same however long the list.

``column.in_(values)`` writes one placeholder per value: a statement over a batch of a
thousand ids is a new text for every batch, which SQLAlchemy renders again and the
driver parses again (psycopg keeps no statement longer than a few kilobytes). Here the
list is one parameter instead: an array on PostgreSQL (``column = ANY(:values)``), a JSON
array on SQLite (``column IN (SELECT value FROM json_each(:values))``).
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import JSON, any_, bindparam, func, literal_column, select
from sqlalchemy.dialects import postgresql

from tracer.extensions import db


def _among(column, parameter_of, dialect: str):
    if dialect == "postgresql":
        return column == any_(parameter_of(postgresql.ARRAY(column.type)))
    return column.in_(select(literal_column("value")).select_from(func.json_each(parameter_of(JSON()))))


def among_parameter(column, name: str, dialect: str):
    """``column`` among the values of the parameter ``name`` (a list), for a statement built
    once per dialect and executed with ``{name: values}``."""
    return _among(column, lambda type_: bindparam(name, type_=type_), dialect)


def among(column, values: Iterable):
    """``column`` among ``values``, on the session's database."""
    values = list(values)
    return _among(column, lambda type_: bindparam(None, values, type_=type_), db.session.get_bind().dialect.name)
