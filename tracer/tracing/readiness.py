"""Trace readiness: whether a firearm carries the identifiers a trace needs (SPEC §3).

One service answers it for the firearm page, the API, the backlog page and the
CSV export. A *missing* identifier blocks a trace request; a *suspect* one is a
warning shown beside it. Each rule is written once, in Python and in SQL side
by side (``REQUIREMENTS``), so the backlog can count and filter ready firearms
in the database and the firearm page says the same thing row by row.

Missing (blocks):
- manufacturer: neither a reference row nor any text;
- model, caliber, country of manufacture: empty;
- serial number: the serial a trace would carry is empty — the engraved one for
  an intact or altered serial, the restored one for a restored or obliterated
  serial; a privately made firearm (``none``) has nothing to trace;
- importer: empty while the country of manufacture is known and is not the US
  (a foreign-made firearm is traced through its importer). With the country
  unknown the country itself is what is missing.
- type: a firearm always has one. ``other`` is accepted: the trace form has an
  "other" type too, and some firearms (flare pistols converted to fire
  cartridges, combination guns) fit no listed type. It is flagged as suspect so
  that a firearm that does fit a type gets it.

Suspect (warns): a manufacturer or caliber written as text that names no
reference row; a caliber the type is not chambered in; a serial that does not
have the manufacturer's known shape; an altered serial; the type ``other``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable

from flask import current_app, url_for
from flask_babel import force_locale, get_locale
from sqlalchemy import ColumnElement, and_, event, false, func, not_, or_

from tracer.core.translation import gettext as _
from tracer.firearms.models import Firearm
from tracer.firearms.reference import caliber_fits, serial_fits_manufacturer

# The identifiers a trace needs, named as the API and the CSV export name them, in form order.
IDENTIFIERS = ("firearm_type", "manufacturer", "model", "caliber", "serial_number", "country_of_manufacture",
               "importer")
# Serial statuses whose engraved serial is the one traced; those whose restored serial is.
ENGRAVED_SERIAL = ("intact", "altered")
RESTORED_SERIAL = ("restored", "obliterated")
US = "US"


@dataclass(frozen=True)
class Suspect:
    """An identifier present but doubtful, and why (in the user's language)."""

    field: str
    reason: str


@dataclass(frozen=True)
class IdentifierCheck:
    """One identifier as the readiness panel shows it."""

    field: str
    label: str
    value: str
    state: str  # present | missing | suspect | not_needed | depends (the importer, until the country is known)
    reasons: list[str]
    anchor: str


@dataclass
class Readiness:
    """What a trace of one firearm still needs (``missing``) and what to check (``suspect``)."""

    firearm_id: int
    ready: bool
    missing: list[str]
    suspect: list[Suspect]
    reasons: dict[str, str] = field(default_factory=dict)
    checks: list[IdentifierCheck] = field(default_factory=list)

    def fix_url(self, field_name: str) -> str:
        """The firearm edit page, at the field that fixes ``field_name``."""
        anchor = next((c.anchor for c in self.checks if c.field == field_name), field_name)
        return url_for("firearms.edit", firearm_id=self.firearm_id, _anchor=anchor)

    def missing_messages(self) -> dict[str, list[str]]:
        """Each missing identifier and its reason, as a ``ValidationFailed`` carries them."""
        return {name: [self.reasons[name]] for name in self.missing}

    def notes(self) -> str:
        """The suspect items in one line (the CSV export's readiness notes)."""
        return " ".join(item.reason for item in self.suspect)

    def as_json(self) -> dict:
        return {"ready": self.ready, "missing": list(self.missing),
                "suspect": [{"field": item.field, "reason": item.reason} for item in self.suspect]}


# --- the rules, in Python and SQL -------------------------------------------------------------------


def _blank(value: str | None) -> bool:
    # SQL TRIM removes spaces only, so Python does the same and both agree on every value.
    return not (value or "").strip(" ")


def _blank_sql(column) -> ColumnElement[bool]:
    return func.coalesce(func.trim(column), "") == ""


def traced_serial(firearm: Firearm) -> tuple[str | None, str | None]:
    """(as written, normalised) of the serial a trace of ``firearm`` carries."""
    if firearm.serial_status in ENGRAVED_SERIAL:
        return firearm.serial_number, firearm.serial_normalized
    if firearm.serial_status in RESTORED_SERIAL:
        return firearm.restored_serial, firearm.restored_serial_normalized
    return None, None


def _serial_reason(firearm: Firearm) -> str:
    status = firearm.serial_status
    if status == "none":
        return _("A privately made firearm (hechiza) has no serial number: there is nothing to trace.")
    if status == "obliterated":
        return _("The serial number is obliterated: a trace needs the serial restored by the lab "
                 "(chemical restoration). Enter it and set the status to restored.")
    if status == "restored":
        return _("The serial number is marked as restored but the restored serial number is missing.")
    return _("The serial number is missing.")


def _serial_anchor(firearm: Firearm) -> str:
    if firearm.serial_status in RESTORED_SERIAL:
        return "restored_serial"
    return "serial_status" if firearm.serial_status == "none" else "serial_number"


@dataclass(frozen=True)
class Requirement:
    """One identifier a trace needs: when it is missing (Python and SQL) and why."""

    field: str
    is_missing: Callable[[Firearm], bool]
    missing_sql: Callable[[], ColumnElement[bool]]
    reason: Callable[[Firearm], str]


REQUIREMENTS = (
    Requirement("firearm_type",
                lambda f: _blank(f.firearm_type),
                lambda: _blank_sql(Firearm.firearm_type),
                lambda f: _("Choose the type of firearm.")),
    Requirement("manufacturer",
                lambda f: f.manufacturer_id is None and _blank(f.manufacturer_text),
                lambda: and_(Firearm.manufacturer_id.is_(None), _blank_sql(Firearm.manufacturer_text)),
                lambda f: _("The manufacturer (make) is missing: a trace starts from it.")),
    Requirement("model",
                lambda f: _blank(f.model),
                lambda: _blank_sql(Firearm.model),
                lambda f: _("The model is missing.")),
    Requirement("caliber",
                lambda f: f.caliber_id is None and _blank(f.caliber_text),
                lambda: and_(Firearm.caliber_id.is_(None), _blank_sql(Firearm.caliber_text)),
                lambda f: _("The caliber is missing.")),
    Requirement("serial_number",
                lambda f: _blank(traced_serial(f)[1]),
                lambda: or_(Firearm.serial_status.not_in(ENGRAVED_SERIAL + RESTORED_SERIAL),
                            and_(Firearm.serial_status.in_(ENGRAVED_SERIAL), _blank_sql(Firearm.serial_normalized)),
                            and_(Firearm.serial_status.in_(RESTORED_SERIAL),
                                 _blank_sql(Firearm.restored_serial_normalized))),
                _serial_reason),
    Requirement("country_of_manufacture",
                lambda f: _blank(f.country_code),
                lambda: _blank_sql(Firearm.country_code),
                lambda f: _("The country of manufacture is missing.")),
    Requirement("importer",
                lambda f: not _blank(f.country_code) and f.country_code != US and _blank(f.importer),
                lambda: and_(not_(_blank_sql(Firearm.country_code)), Firearm.country_code != US,
                             _blank_sql(Firearm.importer)),
                lambda f: _("The importer is missing: a firearm made outside the United States is traced "
                            "through its importer.")),
)


def ready_clause() -> ColumnElement[bool]:
    """SQL: the firearm (``Firearm`` in the query) carries every identifier a trace needs. Lists
    read the stored ``Firearm.trace_ready`` instead; this twin backfills it and checks it agrees."""
    return not_(or_(false(), *(rule.missing_sql() for rule in REQUIREMENTS)))


# The columns the rules read, for values not (yet) held by a Firearm object (bulk inserts).
RULE_COLUMNS = ("firearm_type", "manufacturer_id", "manufacturer_text", "model", "caliber_id", "caliber_text",
                "serial_status", "serial_number", "serial_normalized", "restored_serial", "restored_serial_normalized",
                "country_code", "importer")


def is_trace_ready(firearm) -> bool:
    """Whether ``firearm`` (a Firearm, or anything with its rule columns as attributes) carries
    every identifier a trace needs: the value stored in ``Firearm.trace_ready``."""
    return not any(rule.is_missing(firearm) for rule in REQUIREMENTS)


def trace_ready_of(values: dict) -> bool:
    """``is_trace_ready`` of a firearm's column values (a row about to be inserted in bulk)."""
    return is_trace_ready(SimpleNamespace(**{name: values.get(name) for name in RULE_COLUMNS}))


@event.listens_for(Firearm, "before_insert")
@event.listens_for(Firearm, "before_update")
def _keep_trace_ready(mapper, connection, firearm: Firearm) -> None:
    # Every ORM write of a firearm passes here, so the stored readiness follows its identifiers;
    # bulk Core inserts call ``trace_ready_of`` themselves.
    firearm.trace_ready = is_trace_ready(firearm)


def missing_clause(field_name: str) -> ColumnElement[bool]:
    """SQL: the identifier ``field_name`` is missing."""
    return next(rule.missing_sql() for rule in REQUIREMENTS if rule.field == field_name)


# --- suspect identifiers ----------------------------------------------------------------------------


def _suspects(firearm: Firearm, missing: set[str]) -> list[Suspect]:
    found: list[Suspect] = []
    if firearm.firearm_type == "other":
        found.append(Suspect("firearm_type", _("The type is “Other”: choose the closest type if one fits. "
                                               "The trace can still be requested.")))
    if firearm.manufacturer_id is None and "manufacturer" not in missing:
        found.append(Suspect("manufacturer", _("“%(name)s” is not in the reference list of manufacturers: "
                                               "check the spelling.", name=firearm.manufacturer_text.strip())))
    if firearm.caliber_id is None and "caliber" not in missing:
        found.append(Suspect("caliber", _("“%(name)s” is not in the reference list of calibers: check the "
                                          "spelling.", name=firearm.caliber_text.strip())))
    if firearm.caliber is not None and firearm.firearm_type and not caliber_fits(firearm.caliber,
                                                                                firearm.firearm_type):
        from tracer.firearms.labels import FIREARM_TYPE_LABELS

        found.append(Suspect("caliber", _("%(caliber)s is not a caliber for this type of firearm (%(type)s): "
                                          "check the caliber and the type.", caliber=firearm.caliber.name,
                                          type=str(FIREARM_TYPE_LABELS.get(firearm.firearm_type, "")).lower())))
    _written, normalized = traced_serial(firearm)
    if firearm.manufacturer is not None and "serial_number" not in missing \
            and serial_fits_manufacturer(firearm.manufacturer, normalized or "") is False:
        found.append(Suspect("serial_number", _("The serial number does not have the shape of %(manufacturer)s "
                                                "serial numbers: check it for misread characters (0/O, 1/I, 5/S).",
                                                manufacturer=firearm.manufacturer.name)))
    if firearm.serial_status == "altered":
        found.append(Suspect("serial_number", _("The serial number is marked as altered: the engraved value may "
                                                "not be the original one.")))
    return found


# --- the service ------------------------------------------------------------------------------------


def _labels() -> dict[str, str]:
    return {"firearm_type": _("Type"), "manufacturer": _("Manufacturer"), "model": _("Model"),
            "caliber": _("Caliber"), "serial_number": _("Serial number"),
            "country_of_manufacture": _("Country of manufacture"), "importer": _("Importer")}


def _shown_values(firearm: Firearm) -> dict[str, str]:
    from tracer.firearms.labels import FIREARM_TYPE_LABELS
    from tracer.geo.countries import country_name

    written, _normalized = traced_serial(firearm)
    country = country_name(firearm.country_code, str(get_locale() or "es")) if firearm.country_code else ""
    return {"firearm_type": str(FIREARM_TYPE_LABELS.get(firearm.firearm_type, firearm.firearm_type or "")),
            "manufacturer": firearm.manufacturer_name, "model": firearm.model or "",
            "caliber": firearm.caliber_name, "serial_number": written or "", "country_of_manufacture": country,
            "importer": firearm.importer or ""}


def trace_readiness(firearm: Firearm) -> Readiness:
    """Whether ``firearm`` may be traced: the identifiers missing (blocking) and suspect (warnings),
    each with its reason in the user's language. The caller has checked the user may see the firearm."""
    reasons = {rule.field: rule.reason(firearm) for rule in REQUIREMENTS if rule.is_missing(firearm)}
    missing = [name for name in IDENTIFIERS if name in reasons]
    suspects = _suspects(firearm, set(missing))
    labels, values = _labels(), _shown_values(firearm)
    anchors = {name: name for name in IDENTIFIERS}
    anchors["serial_number"] = _serial_anchor(firearm)
    checks = []
    for name in IDENTIFIERS:
        doubts = [item.reason for item in suspects if item.field == name]
        if name in reasons:
            state, notes = "missing", [reasons[name]]
        elif doubts:
            state, notes = "suspect", doubts
        elif name == "importer" and firearm.country_code == US and _blank(firearm.importer):
            state, notes = "not_needed", [_("Not needed for a firearm made in the United States.")]
        elif name == "importer" and _blank(firearm.importer):
            state, notes = "depends", [_("Needed when the country of manufacture is not the United States: "
                                         "record the country first.")]
        else:
            state, notes = "present", []
        checks.append(IdentifierCheck(name, labels[name], values[name], state, notes, anchors[name]))
    return Readiness(firearm_id=firearm.id, ready=not missing, missing=missing, suspect=suspects,
                     reasons=reasons, checks=checks)


def readiness_notes(firearm: Firearm) -> dict[str, str]:
    """``Readiness.notes`` in every language of the application, by language code: what a trace
    request keeps beside the identifiers it sends, so that it reads the same however the firearm
    changes later, and its reader — the US office too — sees it in their own language."""
    notes = {}
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            notes[language] = trace_readiness(firearm).notes()
    return notes
