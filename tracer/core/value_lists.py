"""A column compared with a list of values, the statement's text the same however long the list.

``column.in_(values)`` writes one placeholder per value: a statement over a batch of a
thousand ids is a new text for every batch, which SQLAlchemy renders again and the
driver parses again (psycopg keeps no statement longer than a few kilobytes). Here the
list is one parameter instead: an array on PostgreSQL (``column = ANY(:values)``), a JSON
array on SQLite (``column IN (SELECT value FROM json_each(:values))``).
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import JSON, any_, bindparam, func, literal, literal_column, select, true
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


def probed(values: Iterable, column, *conditions, returning=None):
    """The statement of the ``values`` that ``column`` holds in a row meeting ``conditions``
    (equalities on the columns an index on ``column`` follows), with that row's ``returning``
    column beside each when given.

    On PostgreSQL each value is one probe of the index, a ``LATERAL`` lookup limited to one
    row, whatever the planner believes of the table. Its statistics lag behind an import
    that fills it: believing the importing agency had recorded no firearm, it read
    ``external_id = ANY(…)`` as a filter over every row of the agency rather than as a
    condition of the unique index on (agency, external_id), and compared each of them with
    the thousand values of the batch, 1.4 s a batch once the agency had imported 50,000
    firearms. SQLite's planner probes the index for ``IN`` already.
    """
    values = list(values)
    if db.session.get_bind().dialect.name != "postgresql":
        return select(column, *([returning] if returning is not None else [])).where(*conditions, among(column, values))
    given = func.unnest(bindparam(None, values, type_=postgresql.ARRAY(column.type))).table_valued(
        "value").render_derived("given")
    found = (select(returning if returning is not None else literal(1).label("found"))
             .where(*conditions, column == given.c.value).limit(1).lateral("found"))
    return select(given.c.value, *([found.c[returning.key]] if returning is not None else [])) \
        .select_from(given.join(found, true()))
