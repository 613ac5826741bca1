"""Ballistic items and links on the JSON API (SPEC §7), through the same services as the pages."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from flask import jsonify, request, url_for
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field, model_validator

from tracer.api.openapi import documented, operation
from tracer.api.parsing import parse_json
from tracer.api.views import bp
from tracer.ballistics import leads, services
from tracer.ballistics.disclosure import link_sides
from tracer.ballistics.models import (BREECH_FACE_CLASSES, CONCLUSIONS, EJECTOR_MARKS, FIRING_PIN_SHAPES, ITEM_KINDS,
                                      JACKETS, LINK_SOURCES, LINK_STATUSES, STATUS_AFTER, BallisticItem, BallisticLink)
from tracer.cases.services import get_case
from tracer.core.database import MAX_ROW_ID
from tracer.core.errors import NotFound, ValidationFailed
from tracer.core.pagination import PAGING_QUERY, ListPage, by, keyset_page, list_fields
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms.services import get_firearm

readers = tuple(sorted(services.READERS))
examiners = tuple(sorted(services.EXAMINERS))
# Newest first: ix_ballistic_items_case_id_id within a case, the primary key otherwise.
ITEM_ORDER = (by(BallisticItem.id, descending=True),)
LINK_ORDER = (by(BallisticLink.created_at, descending=True), by(BallisticLink.id, descending=True))


# --- schemas ----------------------------------------------------------------------------------------------


class ItemIn(BaseModel):
    """A ballistic item as sent; values are checked by the same rules as the web form."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal[ITEM_KINDS]  # type: ignore[valid-type]
    case_id: int | None = Field(None, description="Required for cartridge cases and bullets; a test fire's case "
                                                  "is its firearm's")
    seizure_id: int | None = Field(None, description="Cartridge cases and bullets: the seizure of the case where "
                                                     "the item was recovered (or scene_id)")
    scene_id: int | None = Field(None, description="Cartridge cases and bullets: the scene of the case where the "
                                                   "item was recovered (or seizure_id)")
    firearm_id: int | None = Field(None, description="Test fires only, required: the seized firearm that fired it")
    caliber: str = Field(min_length=1, max_length=60,
                         description="Canonical name or any alias of the caliber reference list")
    headstamp: str | None = Field(None, max_length=80)
    firing_pin_shape: str | None = Field(None, description="Cartridge cases and test fires",
                                         **documented(enum=[*FIRING_PIN_SHAPES, None]))
    breech_face_class: str | None = Field(None, description="Cartridge cases and test fires",
                                          **documented(enum=[*BREECH_FACE_CLASSES, None]))
    ejector_mark: str | None = Field(None, description="Cartridge cases and test fires",
                                     **documented(enum=[*EJECTOR_MARKS, None]))
    lands: int | None = Field(None, description="Bullets and test fires: lands (grooves are as many); "
                                                "empty for polygonal rifling", **documented(minimum=1, maximum=20))
    polygonal: bool | None = Field(None, description="Polygonal rifling: no land count then")
    twist: Literal["left", "right"] | None = None
    land_width_mm: float | None = Field(None, description="Two decimals kept",
                                        **documented(exclusiveMinimum=0, exclusiveMaximum=services.MAX_WIDTH_MM))
    groove_width_mm: float | None = Field(None, description="Two decimals kept",
                                          **documented(exclusiveMinimum=0, exclusiveMaximum=services.MAX_WIDTH_MM))
    weight_grains: float | None = Field(None, description="Bullet weight in grains",
                                        **documented(minimum=1, maximum=1000))
    jacket: str | None = Field(None, **documented(enum=[*JACKETS, None]))
    lab_number: str | None = Field(None, max_length=80)
    ibis_ref: str | None = Field(None, max_length=80, description="IBIS acquisition reference, unique")
    notes: str | None = Field(None, max_length=services.NOTES_MAX)


class ItemOut(BaseModel):
    id: int
    kind: str
    case_id: int
    seizure_id: int | None
    scene_id: int | None
    firearm_id: int | None
    caliber: str | None
    headstamp: str | None
    firing_pin_shape: str | None
    breech_face_class: str | None
    ejector_mark: str | None
    lands: int | None
    polygonal: bool
    twist: str | None
    land_width_mm: float | None
    groove_width_mm: float | None
    weight_grains: float | None
    jacket: str | None
    lab_number: str | None
    ibis_ref: str | None
    notes: str | None
    custody_status: str
    version: int
    created_at: datetime
    url: str


class ItemList(ListPage):
    items: list[ItemOut]


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_a: int = Field(description="An item's id")
    item_b: int = Field(description="Another item's id")
    source: Literal[LINK_SOURCES] = "manual"  # type: ignore[valid-type]
    notes: str | None = None


class LinkPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["confirmed", "excluded"] | None = Field(
        None, description="confirmed (an identification) or excluded (an elimination); or send a conclusion")
    conclusion: Literal[CONCLUSIONS] | None = Field(  # type: ignore[valid-type]
        None, description="The AFTE conclusion: identification (confirmed), inconclusive (stays a lead), "
                          "elimination (excluded), unsuitable (stays a lead, flagged)")
    notes: str | None = None
    reason: str | None = Field(None, description="Required to exclude (or otherwise undo) a confirmed hit")
    version: int = Field(description="The version read; a stale version answers 409")

    @model_validator(mode="after")
    def _one_decision(self):
        if self.status is None and self.conclusion is None:
            raise ValueError("status or conclusion")
        return self


class DisclosedAgencyOut(BaseModel):
    name: str
    acronym: str
    contact: dict[str, str | None]


class BallisticLinkOut(BaseModel):
    """A link the caller sees both items of, or (``restricted``) a lead or hit with another agency's
    item: then only the kind of match, the agency and the deconfliction reference."""

    restricted: bool
    id: int | None = None
    item_a: int | None = None
    item_b: int | None = None
    status: Literal[LINK_STATUSES] | None = None  # type: ignore[valid-type]
    conclusion: str | None = None
    source: str | None = None
    ibis_rank: int | None = None
    ibis_score: float | None = None
    caliber_mismatch: bool | None = None
    unsuitable: bool | None = None
    notes: str | None = None
    examiner: str | None = None
    decided_at: datetime | None = None
    decision_notes: str | None = None
    reason: str | None = None
    created_at: datetime | None = None
    version: int | None = None
    match: Literal["ballistic_hit", "ballistic_lead"] | None = None
    agency: DisclosedAgencyOut | None = None
    reference: str | None = None


class BallisticLinkList(ListPage):
    items: list[BallisticLinkOut]


# --- JSON shapes ------------------------------------------------------------------------------------------


def item_json(item: BallisticItem) -> dict[str, Any]:
    return {"id": item.id, "kind": item.kind, "case_id": item.case_id, "seizure_id": item.seizure_id,
            "scene_id": item.scene_id, "firearm_id": item.firearm_id, "caliber": item.caliber_name or None,
            **{name: getattr(item, name) for name in (
                "headstamp", "firing_pin_shape", "breech_face_class", "ejector_mark", "lands", "twist",
                "land_width_mm", "groove_width_mm", "weight_grains", "jacket", "lab_number", "ibis_ref", "notes",
                "custody_status", "version")},
            "polygonal": bool(item.polygonal), "created_at": item.created_at.isoformat(),
            "url": url_for("ballistics.item", item_id=item.id)}


def link_json(link: BallisticLink) -> dict[str, Any]:
    return {"restricted": False, "id": link.id, "item_a": link.item_a_id, "item_b": link.item_b_id,
            "status": link.status, "conclusion": link.conclusion, "source": link.source,
            "ibis_rank": link.ibis_rank, "ibis_score": link.ibis_score, "caliber_mismatch": link.caliber_mismatch,
            "unsuitable": link.unsuitable, "notes": link.notes,
            "examiner": link.examiner.username if link.examiner else None,
            "decided_at": link.decided_at.isoformat() if link.decided_at else None,
            "decision_notes": link.decision_notes, "reason": link.reason,
            "created_at": link.created_at.isoformat(), "version": link.version}


def side_json(side) -> dict[str, Any]:
    if not side.restricted:
        return link_json(side.link)
    return {"restricted": True, "match": side.kind, "reference": side.reference,
            "agency": {"name": side.agency.name, "acronym": side.agency.acronym,
                       "contact": {"name": side.agency.contact_name, "phone": side.agency.contact_phone,
                                   "email": side.agency.contact_email}}}


def _id_arg(name: str) -> int | None:
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 10 or int(text) > MAX_ROW_ID:  # past any row: the database refuses it
        message = _("Enter a whole number.")
        raise ValidationFailed(message, {name: [message]})
    return int(text)


# --- items ------------------------------------------------------------------------------------------------


@operation(bp, "/ballistics/items", "GET", allow=readers, response=ItemList, errors=(422,),
           summary="The ballistic items the caller may see, newest first",
           query={"case_id": "Only the items of this case",
                  "kind": ("One of: " + ", ".join(ITEM_KINDS), {"type": "string", "enum": list(ITEM_KINDS)}),
                  "ibis_ref": "The item with this IBIS acquisition reference", **PAGING_QUERY})
def list_ballistic_items():
    statement = services.item_query(current_user)
    case_id = _id_arg("case_id")
    if case_id is not None:
        statement = statement.where(BallisticItem.case_id == case_id)
    kind = request.args.get("kind")
    if kind:
        if kind not in ITEM_KINDS:
            message = _("Not one of the allowed values: %(values)s.", values=", ".join(ITEM_KINDS))
            raise ValidationFailed(message, {"kind": [message]})
        statement = statement.where(BallisticItem.kind == kind)
    if request.args.get("ibis_ref"):
        statement = statement.where(BallisticItem.ibis_ref == request.args["ibis_ref"].strip()[:80])
    page = keyset_page(statement, ITEM_ORDER, request.args.get("cursor"), request.args.get("per_page", 25),
                       page=request.args.get("page"), list_name="api.ballistic-items")
    return jsonify({"items": [item_json(item) for item in page.items], **list_fields(page)})


@operation(bp, "/ballistics/items/<int:item_id>", "GET", allow=readers, response=ItemOut, errors=(404,),
           summary="A ballistic item")
def get_ballistic_item(item_id: int):
    return jsonify(item_json(services.get_item(current_user, item_id)))


@operation(bp, "/ballistics/items", "POST", allow=examiners, body=ItemIn, response=ItemOut, status=201,
           errors=(403, 404, 422), summary="Record a ballistic item (examiners)")
def create_ballistic_item():
    body = parse_json(ItemIn, multiline=("notes",))
    values = body.model_dump()
    firearm = get_firearm(current_user, body.firearm_id) if body.firearm_id is not None else None
    case = get_case(current_user, body.case_id) if body.case_id is not None else None
    item = services.create_item(current_user, case, values, firearm=firearm)
    db.session.commit()
    response = jsonify(item_json(item))
    response.status_code = 201
    response.headers["Location"] = url_for("ballistics.item", item_id=item.id)
    return response


# --- links ------------------------------------------------------------------------------------------------


@operation(bp, "/ballistics/links", "GET", allow=readers, response=BallisticLinkList, errors=(422,),
           summary="Leads and hits the caller may see, newest first; links to another agency's item are "
                   "restricted entries",
           query={"item_id": "Only the links of this item",
                  "status": ("One of: " + ", ".join(LINK_STATUSES), {"type": "string", "enum": list(LINK_STATUSES)}),
                  **PAGING_QUERY})
def list_ballistic_links():
    statement = services.link_query(current_user)
    item_id = _id_arg("item_id")
    focus = None
    if item_id is not None:
        item = services.get_item(current_user, item_id)
        focus = {item.id}
        statement = statement.where((BallisticLink.item_a_id == item.id) | (BallisticLink.item_b_id == item.id))
    status = request.args.get("status")
    if status:
        if status not in LINK_STATUSES:
            message = _("Not one of the allowed values: %(values)s.", values=", ".join(LINK_STATUSES))
            raise ValidationFailed(message, {"status": [message]})
        statement = statement.where(BallisticLink.status == status)
    page = keyset_page(statement, LINK_ORDER, request.args.get("cursor"), request.args.get("per_page", 25),
                       page=request.args.get("page"), list_name="api.ballistic-links")
    sides = link_sides(current_user, page.items, "api", focus)
    if sides.disclosed:
        db.session.commit()
    return jsonify({"items": [side_json(side) for side in sides], **list_fields(page)})


@operation(bp, "/ballistics/links", "POST", allow=examiners, body=LinkIn, response=BallisticLinkOut, status=201,
           errors=(403, 404, 422), summary="Record a lead between two items the examiner may see (created as lead)")
def create_ballistic_link():
    body = parse_json(LinkIn, multiline=("notes",))
    item_a = services.get_item(current_user, body.item_a)
    item_b = services.get_item(current_user, body.item_b)
    link = leads.create_lead(current_user, item_a, item_b, body.source, body.notes)
    db.session.commit()
    response = jsonify(link_json(link))
    response.status_code = 201
    response.headers["Location"] = url_for("ballistics.lead", link_id=link.id)
    return response


@operation(bp, "/ballistics/links/<int:link_id>", "PATCH", allow=examiners, body=LinkPatch, response=BallisticLinkOut,
           errors=(403, 404, 409, 422),
           summary="The examiner's decision: status confirmed or excluded, or an AFTE conclusion; a reason "
                   "undoes a confirmed hit; the version read (409 when another examiner decided first)")
def decide_ballistic_link(link_id: int):
    link = services.get_link(current_user, link_id)
    body = parse_json(LinkPatch, multiline=("notes", "reason"))
    conclusion = body.conclusion or {"confirmed": "identification", "excluded": "elimination"}[body.status]
    if body.status and body.conclusion and STATUS_AFTER[body.conclusion] != body.status:
        message = _("This conclusion does not give this status.")
        raise ValidationFailed(message, {"status": [message]})
    leads.decide(current_user, link, conclusion, body.notes, body.reason, expected_version=body.version)
    db.session.commit()
    return jsonify(link_json(link))


@operation(bp, "/ballistics/links/<int:link_id>", "GET", allow=readers, response=BallisticLinkOut, errors=(404,),
           summary="A lead or hit: in full when the caller may see both items, restricted otherwise")
def get_ballistic_link(link_id: int):
    link = services.get_link(current_user, link_id)
    sides = link_sides(current_user, [link], "api")
    if sides.disclosed:
        db.session.commit()
    if not sides:
        raise NotFound(_("Lead not found."))
    return jsonify(side_json(sides[0]))

