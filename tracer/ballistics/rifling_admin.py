"""Administrators keep the rifling table: list, add, correct and retire rows, each audited.

A row is never deleted: a retired row stays (candidates already shown to an
examiner named it) and is no longer offered; it may be brought back.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.exc import IntegrityError

from tracer.audit.services import record
from tracer.ballistics.rifling import MAX_WIDTH_MM, POLYGONAL, field_number, field_text
from tracer.ballistics.rifling_data import add_missing_specs
from tracer.ballistics.rifling_models import MAX_LANDS, MIN_LANDS, TWISTS, RiflingSpec
from tracer.core.changes import apply_changes
from tracer.core.errors import ValidationFailed
from tracer.core.pagination import by
from tracer.core.text import forbidden_character
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms.reference import resolve_caliber, resolve_manufacturer

LISTING_KEYS = (by(RiflingSpec.manufacturer_text), by(RiflingSpec.model), by(RiflingSpec.id))
# The fields written to the audit trail, in this order.
AUDITED = ("manufacturer_text", "manufacturer_id", "model", "caliber_id", "lands", "polygonal", "twist",
           "land_width_mm", "groove_width_mm", "source")


def spec_listing(query: str = "") -> Select:
    """Rows whose maker or model holds ``query``, for a walk by maker, model and id."""
    statement = select(RiflingSpec)
    query = (query or "").strip()
    if query and forbidden_character(query) is not None:
        return statement.where(false())
    if query:
        statement = statement.where(or_(RiflingSpec.manufacturer_text.icontains(query, autoescape=True),
                                        RiflingSpec.model.icontains(query, autoescape=True)))
    return statement


def _required_text(fields: dict, values: Mapping[str, Any], name: str, max_length: int) -> str:
    text = field_text(values, name)
    if not text:
        fields[name] = [_("This field is required.")]
    elif len(text) > max_length:
        fields[name] = [_("At most %(max)d characters.", max=max_length)]
    elif forbidden_character(text) is not None:
        fields[name] = [_("Contains an invisible or control character.")]
    return text


def _checked(values: Mapping[str, Any]) -> dict[str, Any]:
    """The row's values from a form or the API, or ``ValidationFailed`` naming each bad field."""
    fields: dict[str, list[str]] = {}
    maker_text = _required_text(fields, values, "manufacturer", 120)
    model = _required_text(fields, values, "model", 120)
    caliber_text = _required_text(fields, values, "caliber", 60)
    caliber = resolve_caliber(caliber_text) if "caliber" not in fields else None
    if "caliber" not in fields and caliber is None:
        fields["caliber"] = [_("Unknown caliber: write a caliber of the reference list (e.g. 9mm, .38 Special).")]
    lands_text = field_text(values, "lands").casefold()
    polygonal = lands_text == POLYGONAL or bool(values.get("polygonal"))
    lands = None
    if not polygonal:
        try:
            lands = int(lands_text)
        except ValueError:
            lands = None
        if lands is None or not MIN_LANDS <= lands <= MAX_LANDS:
            fields["lands"] = [_("Write a number of lands from %(low)d to %(high)d, or “polygonal”.",
                                 low=MIN_LANDS, high=MAX_LANDS)]
    twist = field_text(values, "twist")
    if twist not in TWISTS:
        fields["twist"] = [_("Choose left or right.")]
    width_message = _("Write a width in millimetres, greater than 0 and at most %(max)d.", max=int(MAX_WIDTH_MM))
    land_width = field_number(fields, values, "land_width_mm", 0, MAX_WIDTH_MM, width_message)
    groove_width = field_number(fields, values, "groove_width_mm", 0, MAX_WIDTH_MM, width_message)
    source = _required_text(fields, values, "source", 40)
    if fields:
        raise ValidationFailed(_("Please correct the marked fields."), fields)
    maker = resolve_manufacturer(maker_text)
    return {"manufacturer_text": maker.name if maker else maker_text, "manufacturer_id": maker.id if maker else None,
            "model": model, "caliber_id": caliber.id, "lands": lands, "polygonal": polygonal, "twist": twist,
            "land_width_mm": None if land_width is None else round(land_width, 2),
            "groove_width_mm": None if groove_width is None else round(groove_width, 2), "source": source}


def _flush_or_fail() -> None:
    """Flush; a row that repeats another's maker, model and caliber is a field error."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ValidationFailed(_("Please correct the marked fields."), {
            "model": [_("The table already holds this model of this maker in this caliber.")]}) from None


def _duplicate(clean: dict[str, Any], spec: RiflingSpec | None = None) -> None:
    found = db.session.scalar(select(RiflingSpec.id).where(
        RiflingSpec.manufacturer_text == clean["manufacturer_text"], RiflingSpec.model == clean["model"],
        RiflingSpec.caliber_id == clean["caliber_id"]))
    if found is not None and (spec is None or found != spec.id):
        raise ValidationFailed(_("Please correct the marked fields."), {
            "model": [_("The table already holds this model of this maker in this caliber.")]})


def create_spec(values: Mapping[str, Any]) -> RiflingSpec:
    """Add a row (maker, model, caliber, lands or polygonal, twist, widths, source); audited."""
    clean = _checked(values)
    _duplicate(clean)
    spec = RiflingSpec(**clean, active=True)
    db.session.add(spec)
    _flush_or_fail()
    record("rifling_spec.create", object_type="rifling_spec", object_id=spec.id, details={"new": clean})
    return spec


def update_spec(spec: RiflingSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    """Correct a row; the audit event holds the old and new values of what changed.
    Returns the new values (empty when nothing changed, and nothing is audited then)."""
    clean = _checked(values)
    _duplicate(clean, spec)
    old, new = apply_changes(spec, clean)
    if new:
        _flush_or_fail()
        record("rifling_spec.update", object_type="rifling_spec", object_id=spec.id,
               details={"old": old, "new": new})
    return new


def set_spec_active(spec: RiflingSpec, active: bool) -> None:
    """Retire a row (no longer a candidate) or bring it back; audited when it changes."""
    if spec.active == active:
        return
    spec.active = active
    db.session.flush()
    record("rifling_spec.restore" if active else "rifling_spec.retire", object_type="rifling_spec",
           object_id=spec.id, details={"old": {"active": not active}, "new": {"active": active}})


def load_shipped_specs() -> dict[str, int]:
    """Add the shipped rows the table lacks (see ``rifling_data``); audited when any is added."""
    counts = add_missing_specs(db.session.connection(), datetime.now(timezone.utc))
    if counts["created"]:
        record("rifling_spec.load", object_type="reference", details=counts)
    counts["total"] = db.session.scalar(select(func.count()).select_from(RiflingSpec)) or 0
    return counts
