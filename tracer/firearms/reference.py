"""Reference makers and calibers: how what officers write is matched to one row.

Every way of writing a maker or caliber is an alias row whose ``key`` is the
folded text (``fold_key``): accents, case, spaces and punctuation ignored, and
"&", "and", "y", "und" dropped, so "Smith & Wesson", "SMITH AND WESSON" and
"smith y wesson" are one key. The canonical name is an alias too. A key names
one row only (a unique index), so resolving text is one indexed lookup.

The shipped lists live in ``data/*.json`` and are loaded by
``load_reference_data`` (``flask reference load``, ``flask seed-demo``);
administrators add makers, calibers and aliases through the services below.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from sqlalchemy import false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from tracer.audit.services import record
from tracer.core.errors import ValidationFailed
from tracer.core.text import forbidden_character
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms.models import FIREARM_TYPES, Caliber, CaliberAlias, Manufacturer, ManufacturerAlias
from tracer.firearms.reference_keys import fold_key, tokens
from tracer.geo.countries import resolve_country

# Types every caliber fits: a receiver or frame, or an unusual weapon, says nothing about the cartridge.
ANY_CALIBER_TYPES = frozenset({"receiver_frame", "other"})
# The types a caliber declares, in the order forms show them.
CHAMBERED_TYPES = tuple(t for t in FIREARM_TYPES if t not in ANY_CALIBER_TYPES)

# Words written before a caliber that do not name it: "calibre 12", "cal. .38".
_CALIBER_PREFIXES = frozenset({"calibre", "caliber", "calibro", "cal"})
_CALIBER_WORDS = {"milimetros": "mm", "milimetro": "mm", "mms": "mm"}


def _caliber_keys(text: str) -> list[str]:
    """Keys to try for a caliber as written, best first ("Calibre 9 milímetros" → "9mm", "9")."""
    words = [_CALIBER_WORDS.get(w, w) for w in tokens(text)]
    while len(words) > 1 and words[0] in _CALIBER_PREFIXES:
        words = words[1:]
    key = "".join(words)
    keys = [key, fold_key(text)]
    # "7.62x39mm" is also written "7.62x39", and the other way round; a bare number
    # keeps its unit ("12mm" is not 12 gauge).
    bare = key[:-2] if key.endswith("mm") else None
    keys.append(bare if bare and not bare.isdigit() else (None if bare else key + "mm"))
    return [k for i, k in enumerate(keys) if k and k not in keys[:i]]


# --- lookups -------------------------------------------------------------------------------------------


def resolve_manufacturer(text: str | None) -> Manufacturer | None:
    """The maker ``text`` names (canonical name or any alias), or None."""
    key = fold_key(text or "")
    if not key or forbidden_character(text) is not None:
        return None
    found = db.session.scalar(select(Manufacturer).join(ManufacturerAlias).where(ManufacturerAlias.key == key))
    if found is None:  # a row created without its alias keys
        found = db.session.scalar(select(Manufacturer).where(func.lower(Manufacturer.name) == text.strip().lower()))
    return found


def resolve_caliber(text: str | None) -> Caliber | None:
    """The caliber ``text`` names (canonical name or any alias), or None."""
    keys = _caliber_keys(text or "")
    if not keys or forbidden_character(text) is not None:
        return None
    rows = db.session.execute(select(CaliberAlias.key, Caliber).join(CaliberAlias.caliber)
                              .where(CaliberAlias.key.in_(keys))).all()
    by_key = {key: caliber for key, caliber in rows}
    for key in keys:
        if key in by_key:
            return by_key[key]
    return db.session.scalar(select(Caliber).where(func.lower(Caliber.name) == text.strip().lower()))


def caliber_fits(caliber: Caliber, firearm_type: str) -> bool:
    """Whether a firearm of ``firearm_type`` can be chambered in ``caliber``."""
    if firearm_type in ANY_CALIBER_TYPES:
        return True
    return firearm_type in (caliber.firearm_types or ())


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def serial_fits_manufacturer(manufacturer: Manufacturer, normalized_serial: str) -> bool | None:
    """Whether a normalised serial has one of the maker's known shapes; None when
    no shape is known (most makers), so nothing can be said."""
    patterns = [p for p in map(_compiled, manufacturer.serial_patterns or ()) if p is not None]
    if not patterns:
        return None
    return any(p.fullmatch(normalized_serial or "") for p in patterns)


def _suggest(owner, alias, owner_id, prefix: str, limit: int, key: str | None) -> list:
    """Rows of ``owner`` whose alias keys start with ``key`` (exact first, then shortest),
    then those containing it, then those whose name starts with ``prefix``."""
    limit = max(1, min(int(limit), 50))
    if not key or forbidden_character(prefix) is not None:
        return []
    ranked: list[int] = []
    starts = db.session.execute(
        select(alias.key, owner_id).join(owner).where(alias.key.startswith(key, autoescape=True), owner.active)
        .order_by(func.length(alias.key), alias.key).limit(limit * 8)).all()
    ranked += [oid for k, oid in sorted(starts, key=lambda row: row[0] != key)]
    if len(key) >= 3:
        inside = db.session.execute(
            select(owner_id).join(owner).where(alias.key.contains(key, autoescape=True), owner.active)
            .order_by(func.length(alias.key), alias.key).limit(limit * 8)).scalars()
        ranked += list(inside)
    named = db.session.scalars(select(owner.id).where(owner.name.istartswith(prefix.strip(), autoescape=True),
                                                      owner.active).order_by(owner.name).limit(limit))
    ranked += list(named)
    ids = list(dict.fromkeys(ranked))[:limit]
    rows = {row.id: row for row in db.session.scalars(select(owner).where(owner.id.in_(ids)))} if ids else {}
    return [rows[i] for i in ids if i in rows]


def suggest_manufacturers(prefix: str, limit: int = 10) -> list[Manufacturer]:
    """Makers whose name or an alias starts with (or, from 3 characters, contains) ``prefix``."""
    return _suggest(Manufacturer, ManufacturerAlias, ManufacturerAlias.manufacturer_id, prefix or "", limit,
                    fold_key(prefix or ""))


def suggest_calibers(prefix: str, limit: int = 10) -> list[Caliber]:
    """Calibers whose name or an alias starts with (or, from 3 characters, contains) ``prefix``."""
    keys = _caliber_keys(prefix or "")
    return _suggest(Caliber, CaliberAlias, CaliberAlias.caliber_id, prefix or "", limit, keys[0] if keys else None)


def _listing(owner, alias, owner_id, query: str):
    statement = select(owner).options(selectinload(owner.aliases)).order_by(owner.name)
    query = (query or "").strip()
    if query and forbidden_character(query) is not None:
        return statement.where(false())  # no stored name holds such characters
    key = fold_key(query)
    if query:
        statement = statement.where(or_(owner.name.icontains(query, autoescape=True),
                                        owner.id.in_(select(owner_id).where(alias.key.contains(key, autoescape=True)))
                                        if key else false()))
    return statement


def manufacturer_listing(query: str = ""):
    """Makers whose name or an alias holds ``query`` (folded), by name, aliases loaded."""
    return _listing(Manufacturer, ManufacturerAlias, ManufacturerAlias.manufacturer_id, query)


def caliber_listing(query: str = ""):
    """Calibers whose name or an alias holds ``query`` (folded), by name, aliases loaded."""
    return _listing(Caliber, CaliberAlias, CaliberAlias.caliber_id, query)


# --- administrators' changes --------------------------------------------------------------------------


def _fail(fields: dict[str, list[str]]) -> None:
    if fields:
        raise ValidationFailed(_("Please correct the marked fields."), fields)


def _text_problem(value: str, max_length: int) -> str | None:
    if not value:
        return _("This field is required.")
    if len(value) > max_length:
        return _("At most %(max)d characters.", max=max_length)
    if forbidden_character(value) is not None:
        return _("Contains an invisible or control character.")
    if not fold_key(value):
        return _("Write at least one letter or digit.")
    return None


def _alias_lines(value: Any) -> list[str]:
    lines = value.splitlines() if isinstance(value, str) else list(value or ())
    return list(dict.fromkeys(line.strip() for line in lines if line and line.strip()))


def _taken(alias_model, owner_attr: str, key: str):
    """The row that already uses ``key``, or None."""
    found = db.session.scalar(select(alias_model).where(alias_model.key == key))
    return getattr(found, owner_attr) if found is not None else None


def _check_aliases(fields, field: str, names: list[str], alias_model, owner_attr: str, max_length: int,
                   owner=None) -> list[tuple[str, str]]:
    """(alias, key) pairs to add; problems go to ``fields[field]``."""
    pairs: list[tuple[str, str]] = []
    for name in names:
        problem = _text_problem(name, max_length)
        key = fold_key(name)
        holder = _taken(alias_model, owner_attr, key) if not problem else None
        if problem:
            fields.setdefault(field, []).append(f"{name[:40]}: {problem}")
        elif holder is not None and holder is not owner:
            fields.setdefault(field, []).append(
                _("“%(alias)s” already names %(name)s.", alias=name, name=holder.name))
        elif holder is None and all(key != k for _, k in pairs):
            pairs.append((name, key))
    return pairs


def _flush_or_fail(field: str) -> None:
    """Flush; a concurrent request that took the same key turns into a field error."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ValidationFailed(_("Please correct the marked fields."),
                               {field: [_("Someone else has just added this name; reload the page.")]}) from None


def create_manufacturer(values: dict[str, Any]) -> Manufacturer:
    """Add a maker with its country and aliases (``aliases``: a list, or one per line)."""
    fields: dict[str, list[str]] = {}
    name = (values.get("name") or "").strip()
    problem = _text_problem(name, 120)
    if problem:
        fields["name"] = [problem]
    country_text = (values.get("country_code") or "").strip()
    country = resolve_country(country_text) if country_text else None
    if country_text and country is None:
        fields["country_code"] = [_("Unknown country: choose one from the list.")]
    pairs = [] if problem else _check_aliases(fields, "name", [name], ManufacturerAlias, "manufacturer", 120)
    pairs += _check_aliases(fields, "aliases", [a for a in _alias_lines(values.get("aliases")) if a != name],
                            ManufacturerAlias, "manufacturer", 120)
    _fail(fields)
    maker = Manufacturer(name=name, country_code=country, active=True)
    maker.aliases = [ManufacturerAlias(alias=alias, key=key) for alias, key in dict(pairs).items()]
    db.session.add(maker)
    _flush_or_fail("name")
    record("manufacturer.create", object_type="manufacturer", object_id=maker.id,
           details={"new": {"name": name, "country_code": country, "aliases": [a.alias for a in maker.aliases]}})
    return maker


def add_manufacturer_alias(manufacturer: Manufacturer, alias: str) -> ManufacturerAlias:
    """Another way ``manufacturer`` is written; its key may name no other maker."""
    fields: dict[str, list[str]] = {}
    text = (alias or "").strip()
    pairs = _check_aliases(fields, "alias", [text], ManufacturerAlias, "manufacturer", 120, owner=manufacturer)
    if not fields and not pairs:
        fields["alias"] = [_("%(name)s is already known by this name.", name=manufacturer.name)]
    _fail(fields)
    row = ManufacturerAlias(manufacturer=manufacturer, alias=text, key=pairs[0][1])
    db.session.add(row)
    _flush_or_fail("alias")
    record("manufacturer.alias_add", object_type="manufacturer", object_id=manufacturer.id,
           details={"new": {"alias": text}})
    return row


def create_caliber(values: dict[str, Any]) -> Caliber:
    """Add a caliber with the firearm types chambered in it and its aliases."""
    fields: dict[str, list[str]] = {}
    name = (values.get("name") or "").strip()
    problem = _text_problem(name, 60)
    if problem:
        fields["name"] = [problem]
    types = list(dict.fromkeys(values.get("firearm_types") or ()))
    if not types:
        fields["firearm_types"] = [_("Choose at least one type of firearm.")]
    elif any(t not in CHAMBERED_TYPES for t in types):
        fields["firearm_types"] = [_("Choose types from the list.")]
    pairs = [] if problem else _check_aliases(fields, "name", [name], CaliberAlias, "caliber", 60)
    pairs += _check_aliases(fields, "aliases", [a for a in _alias_lines(values.get("aliases")) if a != name],
                            CaliberAlias, "caliber", 60)
    _fail(fields)
    types = [t for t in CHAMBERED_TYPES if t in types]
    caliber = Caliber(name=name, firearm_types=types, active=True)
    caliber.aliases = [CaliberAlias(alias=alias, key=key) for alias, key in dict(pairs).items()]
    db.session.add(caliber)
    _flush_or_fail("name")
    record("caliber.create", object_type="caliber", object_id=caliber.id,
           details={"new": {"name": name, "firearm_types": types, "aliases": [a.alias for a in caliber.aliases]}})
    return caliber


def add_caliber_alias(caliber: Caliber, alias: str) -> CaliberAlias:
    """Another way ``caliber`` is written; its key may name no other caliber."""
    fields: dict[str, list[str]] = {}
    text = (alias or "").strip()
    pairs = _check_aliases(fields, "alias", [text], CaliberAlias, "caliber", 60, owner=caliber)
    if not fields and not pairs:
        fields["alias"] = [_("%(name)s is already known by this name.", name=caliber.name)]
    _fail(fields)
    row = CaliberAlias(caliber=caliber, alias=text, key=pairs[0][1])
    db.session.add(row)
    _flush_or_fail("alias")
    record("caliber.alias_add", object_type="caliber", object_id=caliber.id, details={"new": {"alias": text}})
    return row


def load_reference_data() -> dict[str, int]:
    """Load the shipped makers and calibers (``data/*.json``); see ``reference_data``."""
    from tracer.firearms.reference_data import load_shipped_lists

    return load_shipped_lists()
