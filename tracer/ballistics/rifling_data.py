"""The rifling table shipped with Tracer (``data/rifling_specs.csv``), written into a database.

Plain data and SQL Core only, no models: the migration that creates the table
fills it with the same function that ``flask reference load-rifling`` runs later
to add what a release ships. Columns of the file: ``manufacturer`` and
``caliber`` (names of the shipped reference lists), ``model``, ``lands`` (empty
for polygonal rifling), ``polygonal`` (yes/no), ``twist`` (left/right),
``land_width_mm`` and ``groove_width_mm`` (empty where no width is published),
``source`` (a code explained in ``data/SOURCES.md``).

Adding is idempotent: a row whose maker, model and caliber are already in the
table is left as it is (administrators may have corrected it), nothing is
deleted, and a row whose caliber the reference list does not know is skipped.
"""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tracer.firearms.reference_keys import fold_key

DATA = Path(__file__).parent / "data" / "rifling_specs.csv"

# The tables as this module reads and writes them (columns it needs only).
manufacturers = sa.table("manufacturers", sa.column("id", sa.Integer), sa.column("name", sa.String))
manufacturer_aliases = sa.table("manufacturer_aliases", sa.column("manufacturer_id", sa.Integer),
                                sa.column("key", sa.String))
calibers = sa.table("calibers", sa.column("id", sa.Integer), sa.column("name", sa.String))
caliber_aliases = sa.table("caliber_aliases", sa.column("caliber_id", sa.Integer), sa.column("key", sa.String))
rifling_specs = sa.table(
    "rifling_specs", sa.column("id", sa.Integer), sa.column("manufacturer_id", sa.Integer),
    sa.column("manufacturer_text", sa.String), sa.column("model", sa.String), sa.column("caliber_id", sa.Integer),
    sa.column("lands", sa.Integer), sa.column("polygonal", sa.Boolean), sa.column("twist", sa.String),
    sa.column("land_width_mm", sa.Float), sa.column("groove_width_mm", sa.Float), sa.column("source", sa.String),
    sa.column("active", sa.Boolean), sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)))


def _width(text: str) -> float | None:
    return float(text) if text.strip() else None


@lru_cache(maxsize=1)
def shipped_specs() -> tuple[dict[str, Any], ...]:
    """The rows of ``data/rifling_specs.csv``, typed."""
    with DATA.open(encoding="utf-8", newline="") as handle:
        return tuple({
            "manufacturer": row["manufacturer"].strip(), "model": row["model"].strip(),
            "caliber": row["caliber"].strip(), "lands": int(row["lands"]) if row["lands"].strip() else None,
            "polygonal": row["polygonal"].strip() == "yes", "twist": row["twist"].strip(),
            "land_width_mm": _width(row["land_width_mm"]), "groove_width_mm": _width(row["groove_width_mm"]),
            "source": row["source"].strip(),
        } for row in csv.DictReader(handle))


def _resolver(connection, owners, aliases, owner_column: str):
    by_name = {name.casefold(): id_ for id_, name in connection.execute(sa.select(owners.c.id, owners.c.name))}
    keys = dict(connection.execute(sa.select(aliases.c.key, aliases.c[owner_column])).all())
    return lambda text: by_name.get(text.casefold()) or keys.get(fold_key(text))


def add_missing_specs(connection, now) -> dict[str, int]:
    """Insert the shipped rows the table does not hold yet (by maker, model and caliber).

    Returns ``created`` and ``skipped`` (rows whose caliber is unknown to the database)."""
    if connection.dialect.name == "sqlite":  # as UTCDateTime stores it there: UTC without a zone
        now = now.replace(tzinfo=None)
    maker_of = _resolver(connection, manufacturers, manufacturer_aliases, "manufacturer_id")
    caliber_of = _resolver(connection, calibers, caliber_aliases, "caliber_id")
    present = set(connection.execute(sa.select(rifling_specs.c.manufacturer_text, rifling_specs.c.model,
                                               rifling_specs.c.caliber_id)).all())
    rows, skipped = [], 0
    for entry in shipped_specs():
        caliber_id = caliber_of(entry["caliber"])
        if caliber_id is None:
            skipped += 1
            continue
        key = (entry["manufacturer"], entry["model"], caliber_id)
        if key in present:
            continue
        present.add(key)
        rows.append({"manufacturer_id": maker_of(entry["manufacturer"]), "manufacturer_text": entry["manufacturer"],
                     "model": entry["model"], "caliber_id": caliber_id, "lands": entry["lands"],
                     "polygonal": entry["polygonal"], "twist": entry["twist"],
                     "land_width_mm": entry["land_width_mm"], "groove_width_mm": entry["groove_width_mm"],
                     "source": entry["source"], "active": True, "created_at": now, "updated_at": now})
    if rows:
        connection.execute(sa.insert(rifling_specs), rows)
    return {"created": len(rows), "skipped": skipped}
