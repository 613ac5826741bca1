"""The makers and calibers shipped with Tracer, loaded into the database.

``data/manufacturers.json`` and ``data/calibers.json`` are read by
``reference_keys.shipped`` (their fields are described there). Serial patterns
are regular expressions on the normalised serial, where the letter O is already
the digit 0; receivers, frames and "other" fit every caliber in code.

A fresh database gets the lists from its migrations (``db upgrade``); this
loader (``flask reference load``) brings them up to date when a release ships
new entries. Loading is an idempotent upsert: missing rows and aliases are
created, values administrators set are kept, nothing is deleted. A key already
naming another row is left with it and counted as a conflict.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, insert, select

from tracer.audit.services import record
from tracer.extensions import db
from tracer.firearms.models import Caliber, CaliberAlias, Manufacturer, ManufacturerAlias
from tracer.firearms.reference_keys import fold_key, shipped

__all__ = ["load_shipped_lists", "shipped"]


def _existing_keys(alias_model, owner_column) -> dict[str, int]:
    return dict(db.session.execute(select(alias_model.key, owner_column)).all())


def _add_aliases(owner, owner_column: str, names: list[str], keys: dict[str, int],
                 counts: Counter, label: str) -> list[dict[str, Any]]:
    """The alias rows ``owner`` still lacks (as values for one bulk insert)."""
    rows = []
    for text in names:
        key = fold_key(text)
        if not key:
            continue
        holder = keys.get(key)
        if holder is None:
            rows.append({owner_column: owner.id, "alias": text, "key": key})
            keys[key] = owner.id
            counts[f"{label}_aliases_created"] += 1
        elif holder != owner.id:
            counts["conflicts"] += 1
    return rows


def _insert(alias_model, rows: list[dict[str, Any]], owners) -> None:
    if rows:
        db.session.execute(insert(alias_model), rows)
        for owner in owners:  # their alias collections, if loaded, are stale now
            db.session.expire(owner, ["aliases"])


def _find(model, name: str, by_name: dict, keys: dict[str, int]):
    found = by_name.get(name.casefold())
    if found is None and fold_key(name) in keys:  # an administrator added it under another spelling
        found = db.session.get(model, keys[fold_key(name)])
    return found


def _load_manufacturers(counts: Counter) -> None:
    by_name = {m.name.casefold(): m for m in db.session.scalars(select(Manufacturer))}
    keys = _existing_keys(ManufacturerAlias, ManufacturerAlias.manufacturer_id)
    rows = []
    for entry in shipped("manufacturers"):
        maker = _find(Manufacturer, entry["name"], by_name, keys)
        if maker is None:
            maker = Manufacturer(name=entry["name"], country_code=entry.get("country"),
                                 serial_patterns=entry.get("serial_patterns"), active=True)
            db.session.add(maker)
            by_name[maker.name.casefold()] = maker
            counts["manufacturers_created"] += 1
        else:
            if maker.country_code is None and entry.get("country"):
                maker.country_code = entry["country"]
            # Patterns are maintained only here (no page edits them): the shipped list wins.
            if entry.get("serial_patterns") and maker.serial_patterns != entry["serial_patterns"]:
                maker.serial_patterns = entry["serial_patterns"]
        rows.append((maker, entry))
    db.session.flush()
    new = [row for maker, entry in rows
           for row in _add_aliases(maker, "manufacturer_id", [entry["name"], *entry.get("aliases", ())],
                                   keys, counts, "manufacturer")]
    _insert(ManufacturerAlias, new, [maker for maker, _ in rows])


def _load_calibers(counts: Counter) -> None:
    by_name = {c.name.casefold(): c for c in db.session.scalars(select(Caliber))}
    keys = _existing_keys(CaliberAlias, CaliberAlias.caliber_id)
    rows = []
    for entry in shipped("calibers"):
        caliber = _find(Caliber, entry["name"], by_name, keys)
        if caliber is None:
            caliber = Caliber(name=entry["name"], firearm_types=list(entry["firearm_types"]), active=True)
            db.session.add(caliber)
            by_name[caliber.name.casefold()] = caliber
            counts["calibers_created"] += 1
        else:
            missing = [t for t in entry["firearm_types"] if t not in (caliber.firearm_types or [])]
            if missing:  # types are only ever added: an administrator's additions stay
                caliber.firearm_types = [*(caliber.firearm_types or []), *missing]
        rows.append((caliber, entry))
    db.session.flush()
    new = [row for caliber, entry in rows
           for row in _add_aliases(caliber, "caliber_id", [entry["name"], *entry.get("aliases", ())],
                                   keys, counts, "caliber")]
    _insert(CaliberAlias, new, [caliber for caliber, _ in rows])


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def load_shipped_lists() -> dict[str, int]:
    """Upsert the shipped makers, calibers and aliases; the caller commits.

    Returns the totals now in the database and what this run created.
    """
    counts: Counter = Counter()
    _load_manufacturers(counts)
    _load_calibers(counts)
    db.session.flush()
    created = {name: counts[name] for name in ("manufacturers_created", "manufacturer_aliases_created",
                                               "calibers_created", "caliber_aliases_created")}
    if any(created.values()):
        record("reference.load", object_type="reference", details={**created, "conflicts": counts["conflicts"]})
    return {
        "manufacturers": _count(Manufacturer),
        "manufacturer_aliases": _count(ManufacturerAlias),
        "calibers": _count(Caliber),
        "caliber_aliases": _count(CaliberAlias),
        **created,
        "conflicts": counts["conflicts"],
    }
