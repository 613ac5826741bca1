"""Rules for ballistic evidence items and the links examiners decide between them.

Pages, the JSON API and the IBIS import call these functions: one set of rules, one
audit trail. Every read goes through ``item_query`` or ``link_query`` (the user's
scope); writing functions validate, flush and audit, and the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, false, or_, select, tuple_, update

from tracer.audit.services import record
from tracer.auth.models import User
from tracer.ballistics.models import (BREECH_FACE_CLASSES, CONCLUSIONS, EJECTOR_MARKS, FIRING_PIN_SHAPES, ITEM_KINDS,
                                      JACKETS, LINK_SOURCES, RECOVERED_KINDS, STATUS_AFTER, TWISTS, BallisticItem,
                                      BallisticLink, Scene)
from tracer.ballistics.disclosure import tell_other_agencies
from tracer.ballistics.scope import EXAMINERS, READERS, visible_agencies
from tracer.cases.models import Case
from tracer.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tracer.core.models import utcnow
from tracer.auth.scope import agency_scope, case_scope
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
REASON_MAX = 2000
CREATED = "ballistic_item.create"
UPDATED = "ballistic_item.update"
LEAD_CREATED = "ballistic_link.create"
DECIDED = "ballistic_link.decide"


# --- reading ----------------------------------------------------------------------------------------------


def item_query(user: User) -> Select:
    """``SELECT`` of the ballistic items ``user`` may see: those of cases in scope."""
    if user.role not in READERS:
        return select(BallisticItem).where(false())
    return select(BallisticItem).where(case_scope(user, BallisticItem.agency_id, BallisticItem.case_id))


def get_item(user: User, item_id: int) -> BallisticItem:
    """The item if ``user`` may see it; ``NotFound`` otherwise (absent or out of scope alike)."""
    item = db.session.scalar(item_query(user).where(BallisticItem.id == item_id))
    if item is None:
        raise NotFound(_("Ballistic item not found."))
    return item


def link_query(user: User) -> Select:
    """``SELECT`` of the links ``user`` may see: at least one of the two items in scope."""
    if user.role not in READERS:
        return select(BallisticLink).where(false())
    return select(BallisticLink).where(or_(agency_scope(user, BallisticLink.agency_a_id),
                                           agency_scope(user, BallisticLink.agency_b_id)))


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


# --- leads ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadRow:
    """One lead of a bulk write (an IBIS correlation list): two items, and IBIS's rank and score."""

    item_a: BallisticItem
    item_b: BallisticItem
    rank: int | None = None
    score: float | None = None
    notes: str | None = None


def _calibers_differ(a: BallisticItem, b: BallisticItem) -> bool:
    return a.caliber_id is not None and b.caliber_id is not None and a.caliber_id != b.caliber_id


def _new_lead(user: User, row: LeadRow, source: str) -> BallisticLink:
    first, second = sorted((row.item_a, row.item_b), key=lambda item: item.id)
    link = BallisticLink(item_a_id=first.id, item_b_id=second.id, agency_a_id=first.agency_id,
                         agency_b_id=second.agency_id, status="lead", source=source, ibis_rank=row.rank,
                         ibis_score=row.score, caliber_mismatch=_calibers_differ(first, second), notes=row.notes,
                         created_by_id=getattr(user, "id", None), created_at=utcnow(), version=1)
    db.session.add(link)
    return link


def _check_lead(check: Checker, row: LeadRow, source: str, prefix: str = "") -> None:
    if source not in LINK_SOURCES:
        raise ValueError(f"unknown lead source {source!r}")
    if row.item_a.id == row.item_b.id:
        check.error(prefix + "item_b", _("A lead joins two different items."))
    if row.rank is not None and (isinstance(row.rank, bool) or not isinstance(row.rank, int) or row.rank < 1):
        check.error(prefix + "rank", _("Enter a whole number from 1."))


def create_lead(user: User, item_a: BallisticItem, item_b: BallisticItem, source: str = "manual",
                notes: Any = None, rank: int | None = None, score: float | None = None) -> BallisticLink:
    """Record a lead between two items ``user`` can see (fetched through the scope).

    A lead from an item to itself, or a second lead between the same two items, is refused;
    items of different calibers may be joined, and the lead is flagged. Examiners only."""
    ensure_examiner(user)
    check = Checker()
    clean_notes = check.text("notes", notes, NOTES_MAX, multiline=True)
    row = LeadRow(item_a, item_b, rank, score, clean_notes)
    _check_lead(check, row, source)
    check.raise_if_errors()
    first, second = sorted((item_a.id, item_b.id))
    if db.session.scalar(select(BallisticLink.id).where(BallisticLink.item_a_id == first,
                                                        BallisticLink.item_b_id == second)):
        check.error("item_b", _("These two items are already joined by a lead or a hit."))
        check.raise_if_errors()
    link = _new_lead(user, row, source)
    db.session.flush()
    _audit_lead(user, link, item_a)
    return link


def _audit_lead(user: User, link: BallisticLink, item: BallisticItem) -> None:
    record(LEAD_CREATED, actor=user, object_type="ballistic_link", object_id=link.id, case_id=item.case_id,
           details={"item_a": link.item_a_id, "item_b": link.item_b_id, "source": link.source,
                    "rank": link.ibis_rank, "score": link.ibis_score, "caliber_mismatch": link.caliber_mismatch})


def create_leads_bulk(user: User | None, rows: list[LeadRow], source: str = "ibis"
                      ) -> tuple[list[BallisticLink], list[LeadRow]]:
    """Write the leads of ``rows`` at once: one query finds the pairs already joined (those
    rows are returned apart, unwritten); a row joining an item to itself raises
    ``ValidationFailed`` naming its row (``rows-<i>-item_b``). Each lead is audited.
    ``user`` is None for a command-line import run by the system."""
    if user is not None:
        ensure_examiner(user)
    check = Checker()
    for index, row in enumerate(rows):
        _check_lead(check, row, source, prefix=f"rows-{index}-")
    check.raise_if_errors()
    pairs = {tuple(sorted((row.item_a.id, row.item_b.id))) for row in rows}
    existing: set[tuple[int, int]] = set()
    pair_list = sorted(pairs)
    for start in range(0, len(pair_list), 500):
        chunk = pair_list[start:start + 500]
        existing.update(db.session.execute(
            select(BallisticLink.item_a_id, BallisticLink.item_b_id)
            .where(tuple_(BallisticLink.item_a_id, BallisticLink.item_b_id).in_(chunk))).tuples())
    created, duplicates = [], []
    for row in rows:
        pair = tuple(sorted((row.item_a.id, row.item_b.id)))
        if pair in existing:
            duplicates.append(row)
            continue
        existing.add(pair)
        created.append((_new_lead(user, row, source), row.item_a))
    db.session.flush()
    for link, item in created:
        _audit_lead(user, link, item)
    return [link for link, _item in created], duplicates


# --- deciding ---------------------------------------------------------------------------------------------


def may_decide(user: User, link: BallisticLink) -> bool:
    """An examiner who may see both items decides; a lead across states, a federal examiner only."""
    if user.role not in EXAMINERS or not user.active:
        return False
    if visible_agencies(user, {link.agency_a_id, link.agency_b_id}) != {link.agency_a_id, link.agency_b_id}:
        return False
    return not crosses_states(link) or user.agency.level == "federal"


def crosses_states(link: BallisticLink) -> bool:
    states = {link.item_a.state_code, link.item_b.state_code}
    return len(states - {None}) > 1


def _decision(link: BallisticLink) -> dict[str, Any]:
    return {"status": link.status, "conclusion": link.conclusion, "examiner_id": link.examiner_id,
            "decided_at": link.decided_at.isoformat() if link.decided_at else None}


def decide(user: User, link: BallisticLink, conclusion: Any, notes: Any = None, reason: Any = None,
           expected_version: Any = None) -> BallisticLink:
    """Record an examiner's conclusion on the AFTE range for ``link`` (seen through the scope).

    ``identification`` confirms the hit, ``elimination`` excludes it, ``inconclusive`` and
    ``unsuitable`` leave a lead (``unsuitable`` flagged). ``expected_version`` is the version
    the examiner saw: of two examiners deciding at once, one wins and the other gets a
    ``Conflict``. Confirming a confirmed hit is refused; undoing one needs a reason. Audited
    with the old and new values; a hit with another agency's case tells that agency."""
    if not may_decide(user, link):
        if user.role in EXAMINERS and crosses_states(link) and user.agency.level != "federal":
            raise Forbidden(_("This lead joins items of two states: a federal examiner decides it."))
        raise Forbidden(_("Only an examiner who may see both items decides this lead."))
    check = Checker()
    chosen = check.choice("conclusion", conclusion, CONCLUSIONS, required=True)
    clean_notes = check.text("notes", notes, NOTES_MAX, multiline=True)
    clean_reason = check.text("reason", reason, REASON_MAX, multiline=True)
    check.raise_if_errors()
    if isinstance(expected_version, bool) or not isinstance(expected_version, int) \
            or expected_version != link.version:
        raise _stale(link)
    status = STATUS_AFTER[chosen]
    if link.status == "confirmed" and status == "confirmed":
        raise Conflict(_("This hit is already confirmed."), {"status": link.status, "version": link.version})
    if link.status == "confirmed" and not clean_reason:
        message = _("Give the reason for undoing a confirmed hit.")
        raise ValidationFailed(message, {"reason": [message]})
    old = _decision(link)
    # One decision wins: the row changes only if nobody decided since the examiner read it.
    result = db.session.execute(
        update(BallisticLink)
        .where(BallisticLink.id == link.id, BallisticLink.version == expected_version,
               BallisticLink.status == link.status)
        .values(status=status, conclusion=chosen, examiner_id=user.id, decided_at=utcnow(),
                decision_notes=clean_notes, reason=clean_reason, version=BallisticLink.version + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(link)
        raise _stale(link)
    db.session.refresh(link)
    record(DECIDED, actor=user, object_type="ballistic_link", object_id=link.id, case_id=link.item_a.case_id,
           details={"old": old, "new": _decision(link), "examiner": user.username, "reason": clean_reason,
                    "notes": clean_notes})
    if link.status == "confirmed" and link.agency_a_id != link.agency_b_id:
        tell_other_agencies(link)
    return link


def _stale(link: BallisticLink) -> Conflict:
    return Conflict(_("Another examiner decided this lead while you were looking at it. Review the decision "
                      "now recorded."), {"status": link.status, "version": link.version})
