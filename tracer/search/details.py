"""What a search shows of each match, read with the user's scope in the same statement.

Each row says whether the scope rule (``agency_scope``) covers the firearm, which agency
owns it, and carries the firearm's and case's details only where the scope covers it:
NULL elsewhere, so nothing of another agency's record leaves the database but its
owning agency, which the disclosure service turns into a restricted hit.

The statement is built once per scope and reused; a scope's values are part of its key
(its SQL with the values written in), so two users share a statement only when their
scopes are the same.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, any_, bindparam, case, func, null, select
from sqlalchemy.dialects import postgresql

from tracer.cases.models import Case
from tracer.extensions import db
from tracer.firearms.models import Caliber, Firearm, Manufacturer
from tracer.search.matches import SerialMatch, find_serial_matches
from tracer.search.query import SerialQuery

FIREARMS, CASES = Firearm.__table__, Case.__table__
MAKERS, CALIBERS = Manufacturer.__table__, Caliber.__table__
_STATEMENTS: dict[tuple, Any] = {}


def matches_with_details(query: SerialQuery, manufacturer_ids: set[int] | None, scope,
                         wanted: int) -> tuple[list[SerialMatch], dict[int, Any]]:
    """The ``wanted`` best matches of ``query`` and, by firearm id, what is shown of each.

    The matches come first (the index lookups and the ranking), then the details of those
    alone, in a statement of its own: most rows of the one-edit lookups are not matches,
    and a small statement is planned in a fraction of the time a join over the lookups
    takes (which costs more than the round trip it would save)."""
    matches = find_serial_matches(query.text, query.mode, manufacturer_ids, limit=wanted)
    if not matches:
        return [], {}
    connection = db.session.connection()
    dialect = connection.dialect.name
    statement = _statement((dialect, str(scope.compile(compile_kwargs={"literal_binds": True}))), scope, dialect)
    rows = {row.id: row for row in connection.execute(statement, {"ids": [match.firearm_id for match in matches]})}
    return [match for match in matches if match.firearm_id in rows], rows  # a firearm deleted meanwhile is gone


def _statement(key: tuple, scope, dialect: str):
    statement = _STATEMENTS.get(key)
    if statement is None:
        if len(_STATEMENTS) > 256:  # one per scope: a handful in practice
            _STATEMENTS.clear()
        statement = _STATEMENTS[key] = _build(scope, dialect)
    return statement


def _build(scope, dialect: str):
    """SELECT what is shown of the firearms whose ids are the parameter ``ids``: two tables
    joined (the scope reads the case), the names of maker and caliber by subquery, so that
    the server plans it in a fraction of a millisecond."""
    firearm = FIREARMS

    def covered(column, name: str):
        return case((scope, column), else_=null()).label(name)

    def name_of(table, key, written):
        return func.coalesce(select(table.c.name).where(table.c.id == key).scalar_subquery(), written)

    if dialect == "postgresql":
        # One array parameter: the same SQL however many ids, so the server keeps its plan.
        wanted = firearm.c.id == any_(bindparam("ids", type_=postgresql.ARRAY(Integer)))
    else:
        wanted = firearm.c.id.in_(bindparam("ids", expanding=True))
    return select(
        firearm.c.id, case((scope, 1), else_=0).label("visible"), CASES.c.owner_agency_id.label("agency_id"),
        covered(firearm.c.serial_number, "serial_number"), covered(firearm.c.restored_serial, "restored_serial"),
        covered(name_of(MAKERS, firearm.c.manufacturer_id, firearm.c.manufacturer_text), "manufacturer"),
        covered(firearm.c.model, "model"),
        covered(name_of(CALIBERS, firearm.c.caliber_id, firearm.c.caliber_text), "caliber"),
        covered(CASES.c.id, "case_id"), covered(CASES.c.reference, "case_reference"),
    ).select_from(firearm.join(CASES, CASES.c.id == firearm.c.case_id)).where(wanted)
