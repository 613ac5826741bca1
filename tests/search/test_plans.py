"""Every lookup the serial search makes is answered by an index, on SQLite and on PostgreSQL.

The test tables are small, and PostgreSQL rightly scans a small table; with sequential
scans priced out (``enable_seqscan = off``) it still scans one when no index can answer
the condition, so a plan without ``Seq Scan`` shows an index that fits the query. The
control cases (a LIKE on an unindexed column) show that the check can fail.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select, text

from tests import factories
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.search.lookups import lookup_statement, lookup_statements
from tracer.search.query import SerialQuery
from tracer.search.scope import search_serials

# (query, the lookups it makes)
QUERIES = [
    (SerialQuery("exact", "GLK123456"), 1),
    (SerialQuery("fuzzy", "GLK123456"), 6),  # equality, skeleton, prefix and suffix ranges, swaps, digits
    (SerialQuery("fuzzy", "KXR4T"), 4),  # five characters: ranges for six-character serials, too few digits
    (SerialQuery("partial", "K123"), 3),  # each normalised serial, and the characters as a whole serial
    (SerialQuery("partial", "GLK?23*"), 2),  # a ? in it: never a whole serial by itself
    (SerialQuery("partial", "*3456"), 3),
    (SerialQuery("partial", "N?Y6?96"), 1),  # scattered: the position grams of both serials
    (SerialQuery("partial", "1?3?5?7?"), 1),
]


def _sql(statement) -> str:
    dialect = db.session.get_bind().dialect
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def plan(statement, parameters=None) -> str:
    """The plan of a statement (or of SQL text sent with ``parameters``)."""
    connection = db.session.connection()
    sql = statement if isinstance(statement, str) else _sql(statement)
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters or ()).all()
        return "\n".join(row[-1] for row in rows)
    connection.execute(text("SET LOCAL enable_seqscan = off"))
    rows = connection.exec_driver_sql("EXPLAIN " + sql, parameters or {}).all()
    return "\n".join(row[0] for row in rows)


def uses_an_index(found: str, dialect: str) -> bool:
    """Whether the plan reads firearms through indexes only (no scan of the table or of a
    whole index; a full-text table through a LIKE or MATCH constraint handed to it)."""
    lines = found.splitlines()
    if dialect == "sqlite":
        scans_firearms = any(re.match(r"SCAN (firearms|firearm_serials_fts\w*)\b", line)
                             and not re.search(r":[LM]", line) for line in lines)
        return not scans_firearms and any("SEARCH firearms" in line for line in lines)
    return "Seq Scan on firearms" not in found and any("Index" in line and "firearms" in line for line in lines)


@pytest.mark.parametrize("query,count", QUERIES, ids=[f"{q.mode}-{q.text}" for q, _count in QUERIES])
@pytest.mark.parametrize("manufacturer_ids", [None, {1}], ids=["all makers", "one maker"])
def test_every_lookup_uses_an_index(ctx, query, count, manufacturer_ids):
    dialect = db.session.get_bind().dialect.name
    statements = lookup_statements(query, dialect, manufacturer_ids, exclude_firearm_id=7)
    assert len(statements) == count
    for statement in statements:
        found = plan(statement)
        assert uses_an_index(found, dialect), f"{_sql(statement)}\n{found}"


@pytest.mark.parametrize("query,count", QUERIES, ids=[f"{q.mode}-{q.text}" for q, _count in QUERIES])
def test_the_statement_issued_uses_indexes_only(ctx, query, count):
    """The lookups go to the database as one statement (UNION ALL); its plan too."""
    dialect = db.session.get_bind().dialect.name
    statement = lookup_statement(query, dialect, {1}, exclude_firearm_id=7, limit=20)
    found = plan(statement)
    assert uses_an_index(found, dialect), f"{_sql(statement)}\n{found}"
    assert found.count("firearms") >= count


def test_the_fuzzy_lookups_cover_skeleton_digits_and_both_ranges(ctx):
    sql = "\n".join(map(_sql, lookup_statements(SerialQuery("fuzzy", "GLK123456"), "sqlite")))
    assert "serial_skeleton = '61K123456'" in sql
    assert "serial_skeleton >= '61K12'" in sql and "serial_skeleton < '61K13'" in sql
    assert "serial_skeleton_reversed >= '6543'" in sql and "serial_skeleton_reversed < '6544'" in sql
    assert "serial_digits = '123456'" in sql
    # The swaps the ranges leave out (n = 9, h = 5, j = k = 2): across j, the middle and n - k.
    assert "serial_skeleton IN ('6K1123456', '61K132456', '61K123546')" in sql


def test_a_scattered_pattern_looks_up_its_position_grams(ctx):
    """A plan shows a trigram index read, not whether the pattern handed to it holds any
    trigram (N_Y6_96 holds none: the index would be read whole). The lookup hands the
    full-text index the pattern's position grams instead, and checks the pattern itself
    on the rows they give."""
    dialect = db.session.get_bind().dialect.name
    (statement,) = lookup_statements(SerialQuery("partial", "N?Y6?96"), dialect)
    sql = _sql(statement)
    grams = "g7x0xny a7x2xy6 g7x3x69 a7x5x96"
    if dialect == "sqlite":
        assert f"firearm_serials_fts_grams MATCH '{grams}'" in sql
    else:
        assert f"@@ CAST('{grams.replace(' ', ' & ')}' AS TSQUERY)" in sql
    assert "LIKE 'N_Y6_96'" in sql


def test_the_check_can_fail(ctx):
    """A substring search on a column with no trigram index is a full scan, and is seen as one;
    so is a read of a full-text table without a constraint it answers."""
    dialect = db.session.get_bind().dialect.name
    unindexed = select(Firearm.id).where(Firearm.model.like("%K123%"))
    assert not uses_an_index(plan(unindexed), dialect)
    if dialect == "sqlite":
        from tracer.search.lookups import GRAMS_FTS

        whole = select(Firearm.id).where(Firearm.id.in_(select(GRAMS_FTS.c.rowid)))
        assert not uses_an_index(plan(whole), dialect)
    by_text = select(Firearm.id).where(Firearm.serial_normalized.like("%K123%"))
    if dialect == "sqlite":  # SQLite's ordinary indexes cannot answer a substring either
        assert not uses_an_index(plan(by_text), dialect)


@pytest.mark.parametrize("mode,typed", [("exact", "GLK-123456"), ("partial", "K123"), ("fuzzy", "6LK123457"),
                                        ("partial", "G?K?2?4?6"), ("fuzzy", "GLK124356")])
def test_every_statement_a_search_sends_uses_indexes(ctx, reference_data, mode, typed):
    """What the page and the API run (``search_serials``, for a state user: a scope with a
    subquery), statement by statement, as sent to the database."""
    factories.seizure(factories.case("FGE-SON"), firearms=[factories.firearm_values(serial_number="GLK123456")])
    user = factories.user("analyst", factories.agency("FGE-JAL"))
    connection = db.session.connection()
    sent = []

    def capture(_connection, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", capture)
    try:
        found = search_serials(user, typed, mode)
    finally:
        event.remove(connection, "before_cursor_execute", capture)
    assert found.restricted and not found.hits  # both statements ran: the lookups and the details
    searches = [(sql, parameters) for sql, parameters in sent if "firearms" in sql]
    assert len(searches) == 2
    for sql, parameters in searches:
        found_plan = plan(sql, parameters)
        assert uses_an_index(found_plan, connection.dialect.name), f"{sql}\n{found_plan}"
