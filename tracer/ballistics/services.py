"""Rules for ballistic evidence items, and reading the links between them (``tracer.ballistics.leads``
records and decides those).

Pages, the JSON API and the IBIS import call these functions: one set of rules, one
audit trail. Every read goes through ``item_query`` or ``link_query`` (the user's
scope); writing functions validate, flush and audit, and the caller commits.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, or_, select

from tracer.audit.services import record
from tracer.auth.models import User
from tracer.ballistics.models import (BREECH_FACE_CLASSES, EJECTOR_MARKS, FIRING_PIN_SHAPES, ITEM_KINDS, JACKETS,
                                      RECOVERED_KINDS, TWISTS, BallisticItem, BallisticLink, Scene)
from tracer.ballistics.scope import EXAMINERS, READERS, item_scope, shared_items
from tracer.cases.models import Case
from tracer.core.errors import Conflict, Forbidden, NotFound
from tracer.auth.scope import agency_scope
from tracer.core.translation import gettext as _
from tracer.core.validation import Checker
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.firearms.reference import resolve_caliber
from tracer.seizures.models import Seizure

ITEM_FIELDS = ("kind", "case_id", "seizure_id", "scene_id", "firearm_id", "caliber", "headstamp", "firing_pin_shape",
               "breech_face_class", "ejector_mark", "lands", "polygonal", "twist", "land_width_mm",
               "groove_width_mm", "weight_grains", "jacket", "lab_number", "ibis_ref", "notes")
# Kinds that carry each family of class characteristics.
BREECH_KINDS = ("cartridge_case", "test_fire")
RIFLING_KINDS = ("bullet", "test_fire")
MAX_WIDTH_MM = 10
NOTES_MAX = 4000
CREATED = "ballistic_item.create"
UPDATED = "ballistic_item.update"


# --- reading ----------------------------------------------------------------------------------------------


def item_query(user: User) -> Select:
    """``SELECT`` of the ballistic items ``user`` may see: those of cases in scope."""
    return select(BallisticItem).where(item_scope(user))


def get_item(user: User, item_id: int) -> BallisticItem:
    """The item if ``user`` may see it; ``NotFound`` otherwise (absent or out of scope alike)."""
    item = db.session.scalar(item_query(user).where(BallisticItem.id == item_id))
    if item is None:
        raise NotFound(_("Ballistic item not found."))
    return item


def link_query(user: User) -> Select:
    """``SELECT`` of the links ``user`` may see: at least one of the two items in scope (the
    rule of ``item_query``)."""
    if user.role not in READERS:
        return select(BallisticLink).where(false())
    by_agency = or_(agency_scope(user, BallisticLink.agency_a_id), agency_scope(user, BallisticLink.agency_b_id))
    # Most agencies have nothing shared with them: the agency columns kept on the link alone
    # decide, and the examiners' queue walks its index.
    shared = shared_items(user)
    if shared is None:
        return select(BallisticLink).where(by_agency)
    return select(BallisticLink).where(or_(by_agency, BallisticLink.item_a_id.in_(shared),
                                           BallisticLink.item_b_id.in_(shared)))


def get_link(user: User, link_id: int) -> BallisticLink:
    link = db.session.scalar(link_query(user).where(BallisticLink.id == link_id))
    if link is None:
        raise NotFound(_("Lead not found."))
    return link


def item_links(item: BallisticItem) -> Select:
    """The links of ``item`` (already fetched through the user's scope), leads first, oldest first."""
    return (select(BallisticLink)
            .where(or_(BallisticLink.item_a_id == item.id, BallisticLink.item_b_id == item.id))
            .order_by(BallisticLink.status != "lead", BallisticLink.created_at, BallisticLink.id))


# --- recording items --------------------------------------------------------------------------------------


def ensure_examiner(user: User) -> None:
    if user.role not in EXAMINERS or not user.active:
        raise Forbidden(_("Only examiners (analysts) record ballistic evidence and decide leads."))


def _in_case(check: Checker, field: str, model, value: Any, case: Case):
    """The seizure or scene ``value`` names, when it belongs to ``case``."""
    row_id = check.integer(field, value, 1, 2**31 - 1)
    if row_id is None:
        return None
    row = db.session.get(model, row_id)
    if row is None or row.case_id != case.id:
        check.error(field, _("Choose a seizure or scene of this case."))
        return None
    return row


def _width(check: Checker, field: str, value: Any) -> float | None:
    width = check.decimal(field, value, -1000, 1000)
    if width is None:
        return None
    if not 0 < width < MAX_WIDTH_MM:
        check.error(field, _("A width is more than 0 and less than %(max)d mm.", max=MAX_WIDTH_MM))
        return None
    return round(width, 2)


def check_item(user: User, case: Case | None, values: dict[str, Any],
               firearm: Firearm | None = None) -> tuple[dict[str, Any], Checker]:
    """Validate an item's raw values for ``case`` (a test fire's case is its firearm's).
    ``firearm`` is the firearm already fetched through the user's scope, or None."""
    check = Checker()
    clean: dict[str, Any] = {}
    kind = check.choice("kind", values.get("kind"), ITEM_KINDS, required=True)
    clean["kind"] = kind
    clean["seizure_id"] = clean["scene_id"] = clean["firearm_id"] = None
    if kind == "test_fire":
        if firearm is None:
            check.error("firearm_id", _("A test fire is fired from a seized firearm: choose the firearm."))
        elif case is not None and firearm.case_id != case.id:
            check.error("firearm_id", _("Choose a firearm of this case."))
        else:
            clean["firearm_id"] = firearm.id
        for field in ("seizure_id", "scene_id"):
            if values.get(field) not in (None, ""):
                check.error(field, _("A test fire comes from its firearm, not from a seizure or a scene."))
    elif kind in RECOVERED_KINDS and case is not None:
        if firearm is not None or values.get("firearm_id") not in (None, ""):
            check.error("firearm_id", _("Only a test fire names the firearm it was fired from."))
        seizure = _in_case(check, "seizure_id", Seizure, values.get("seizure_id"), case)
        scene = _in_case(check, "scene_id", Scene, values.get("scene_id"), case)
        given = [v for v in (values.get("seizure_id"), values.get("scene_id")) if v not in (None, "")]
        if not given:
            check.error("scene_id", _("Say where the item was recovered: a scene or a seizure of this case."))
        elif len(given) == 2:
            check.error("scene_id", _("Choose a scene or a seizure, not both."))
        clean["seizure_id"] = seizure.id if seizure else None
        clean["scene_id"] = scene.id if scene else None

    caliber_text = check.text("caliber", values.get("caliber"), 60, required=True)
    caliber = resolve_caliber(caliber_text) if caliber_text else None
    if caliber_text and caliber is None:
        check.error("caliber", _("Unknown caliber: choose one of the list."))
    clean["caliber_id"] = caliber.id if caliber else None
    clean["caliber_text"] = caliber_text
    clean["headstamp"] = check.text("headstamp", values.get("headstamp"), 80)

    breech = {"firing_pin_shape": FIRING_PIN_SHAPES, "breech_face_class": BREECH_FACE_CLASSES,
              "ejector_mark": EJECTOR_MARKS}
    for field, allowed in breech.items():
        clean[field] = check.choice(field, values.get(field), allowed)
        if clean[field] and kind and kind not in BREECH_KINDS:
            check.error(field, _("Only cartridge cases and test fires carry breech marks."))
    polygonal = check.flag("polygonal", values.get("polygonal"))
    lands = check.integer("lands", values.get("lands"), 1, 20)
    if polygonal and values.get("lands") not in (None, ""):
        check.error("lands", _("Polygonal rifling has no land count: leave it empty."))
        lands = None
    clean.update(polygonal=polygonal, lands=lands)
    clean["twist"] = check.choice("twist", values.get("twist"), TWISTS)
    clean["land_width_mm"] = _width(check, "land_width_mm", values.get("land_width_mm"))
    clean["groove_width_mm"] = _width(check, "groove_width_mm", values.get("groove_width_mm"))
    weight = check.decimal("weight_grains", values.get("weight_grains"), 1, 1000)
    clean["weight_grains"] = round(weight, 1) if weight is not None else None
    clean["jacket"] = check.choice("jacket", values.get("jacket"), JACKETS)
    if kind and kind not in RIFLING_KINDS:
        for field in ("lands", "twist", "land_width_mm", "groove_width_mm", "weight_grains", "jacket"):
            if values.get(field) not in (None, ""):
                check.error(field, _("Only bullets and test fires carry rifling, weight and jacket."))
        if polygonal:
            check.error("polygonal", _("Only bullets and test fires carry rifling, weight and jacket."))
    clean["lab_number"] = check.text("lab_number", values.get("lab_number"), 80)
    clean["ibis_ref"] = check.text("ibis_ref", values.get("ibis_ref"), 80)
    clean["notes"] = check.text("notes", values.get("notes"), NOTES_MAX, multiline=True)
    return clean, check


def _ibis_ref_taken(ibis_ref: str, item_id: int | None = None) -> bool:
    statement = select(BallisticItem.id).where(BallisticItem.ibis_ref == ibis_ref)
    if item_id is not None:
        statement = statement.where(BallisticItem.id != item_id)
    return db.session.scalar(statement.limit(1)) is not None


def _state_of(clean: dict[str, Any], firearm: Firearm | None) -> str | None:
    if clean.get("scene_id"):
        return db.session.get(Scene, clean["scene_id"]).state_code
    if clean.get("seizure_id"):
        return db.session.get(Seizure, clean["seizure_id"]).state_code
    if firearm is not None and firearm.seizure is not None:
        return firearm.seizure.state_code
    return None


def create_item(user: User, case: Case | None, values: dict[str, Any], firearm: Firearm | None = None
                ) -> BallisticItem:
    """Record a ballistic item in ``case`` (already fetched through the user's scope; a test
    fire's case is that of ``firearm``, also fetched through the scope). Examiners only."""
    ensure_examiner(user)
    if case is None and firearm is not None:
        case = firearm.case
    clean, check = check_item(user, case, values, firearm)
    if case is None:
        check.error("case_id", _("Choose a case."))
    if clean.get("ibis_ref") and _ibis_ref_taken(clean["ibis_ref"]):
        check.error("ibis_ref", _("This IBIS acquisition reference is already recorded."))
    check.raise_if_errors()
    item = BallisticItem(case_id=case.id, agency_id=case.owner_agency_id, state_code=_state_of(clean, firearm),
                         created_by_id=user.id, **clean)
    db.session.add(item)
    db.session.flush()
    record(CREATED, actor=user, object_type="ballistic_item", object_id=item.id, case_id=case.id,
           details={name: value for name, value in clean.items() if value not in (None, False)})
    return item


def editable_values(item: BallisticItem) -> dict[str, Any]:
    """The item as the raw values a form or the API shows and sends back."""
    return {"kind": item.kind, "seizure_id": item.seizure_id, "scene_id": item.scene_id,
            "firearm_id": item.firearm_id, "caliber": item.caliber_name or None, "headstamp": item.headstamp,
            "firing_pin_shape": item.firing_pin_shape, "breech_face_class": item.breech_face_class,
            "ejector_mark": item.ejector_mark, "lands": item.lands, "polygonal": bool(item.polygonal),
            "twist": item.twist, "land_width_mm": item.land_width_mm, "groove_width_mm": item.groove_width_mm,
            "weight_grains": item.weight_grains, "jacket": item.jacket, "lab_number": item.lab_number,
            "ibis_ref": item.ibis_ref, "notes": item.notes}


def update_item(user: User, item: BallisticItem, values: dict[str, Any], version: Any) -> BallisticItem:
    """Correct an item ``user`` can see; its kind, case and origin stay. Examiners only;
    a stale ``version`` raises ``Conflict``; old and new values are audited."""
    ensure_examiner(user)
    if isinstance(version, bool) or not isinstance(version, int) or version != item.version:
        raise Conflict(_("Someone else changed this item while you were editing it. Review the values saved "
                         "now, then save again."), {"version": item.version})
    current = editable_values(item)
    merged = {**current, **{name: value for name, value in values.items() if name in current},
              "kind": item.kind, "seizure_id": item.seizure_id, "scene_id": item.scene_id}
    clean, check = check_item(user, item.case, merged, item.firearm)
    if clean.get("ibis_ref") and clean["ibis_ref"] != item.ibis_ref and _ibis_ref_taken(clean["ibis_ref"], item.id):
        check.error("ibis_ref", _("This IBIS acquisition reference is already recorded."))
    check.raise_if_errors()
    old, new = {}, {}
    for name, value in clean.items():
        if getattr(item, name) != value:
            old[name], new[name] = getattr(item, name), value
            setattr(item, name, value)
    if new:
        db.session.flush()
        record(UPDATED, actor=user, object_type="ballistic_item", object_id=item.id, case_id=item.case_id,
               details={"old": old, "new": new})
    return item
