"""Rows written in bulk get their ids in the order given, with their values and defaults as an
INSERT writes them; a column is compared with a list of any length. On SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy import select

from tracer.core.bulk_write import VALUES_ROWS, insert_numbered
from tracer.core.value_lists import among
from tracer.extensions import db
from tracer.firearms.models import Manufacturer

TABLE = Manufacturer.__table__


def _makers(count: int, start: int = 0) -> list[dict]:
    return [{"name": f"Fabricante {n:04d}", "country_code": "MX" if n % 2 else None,
             "serial_patterns": [f"^{n}[A-Z]"] if n % 3 == 0 else None} for n in range(start, start + count)]


def test_rows_written_in_bulk_get_their_ids_in_the_order_given(ctx):
    earlier = insert_numbered(TABLE, _makers(3))
    rows = _makers(2 * VALUES_ROWS + 77, start=3)  # several statements on SQLite, of different sizes
    ids = insert_numbered(TABLE, rows)

    assert len(set(ids)) == len(rows) and min(ids) > max(earlier)
    written = {maker.id: maker for maker in db.session.scalars(select(Manufacturer).where(among(Manufacturer.id, ids)))}
    assert [written[i].name for i in ids] == [row["name"] for row in rows]
    assert [(written[i].country_code, written[i].serial_patterns) for i in ids] == \
        [(row["country_code"], row["serial_patterns"]) for row in rows]
    assert all(written[i].active for i in ids)  # the column's default, as an INSERT gives it


def test_a_column_among_a_list_finds_exactly_its_values(ctx):
    ids = insert_numbered(TABLE, _makers(5))

    def names(condition) -> list[str]:
        return sorted(db.session.scalars(select(Manufacturer.name).where(condition)))

    assert names(among(Manufacturer.id, ids[1:3])) == ["Fabricante 0001", "Fabricante 0002"]
    assert names(among(Manufacturer.name, ["Fabricante 0004", "Fabricante 9999"])) == ["Fabricante 0004"]
    assert names(among(Manufacturer.id, [])) == []
