"""Possible-same-firearm links on the JSON API: a firearm's links, and the analyst's decision.

The other firearm of a link comes in full when the caller may see it, otherwise as
a restricted entry (the owning agency and its contact only), as serial-search hits do.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from flask import jsonify, request, url_for
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field

from tracer.api.openapi import operation
from tracer.api.parsing import parse_json
from tracer.api.views import bp
from tracer.core.errors import NotFound
from tracer.core.pagination import paginate_list
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms.services import get_firearm
from tracer.links import services
from tracer.links.models import LINK_MATCHES, LINK_STATUSES
from tracer.search.api import RestrictedAgency, restricted_agency_json

case_workers = ("officer", "analyst", "supervisor")
deciders = tuple(sorted(services.DECIDERS))


class LinkedFirearm(BaseModel):
    restricted: bool = Field(description="True when the caller may not see the other firearm: then only "
                                         "``agency`` is given")
    firearm_id: int | None = None
    serial_number: str | None = None
    restored_serial: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    caliber: str | None = None
    case_id: int | None = None
    case_reference: str | None = None
    url: str | None = None
    agency: RestrictedAgency | None = None
    reference: str | None = Field(None, description="Restricted only: the deconfliction reference")


class LinkOut(BaseModel):
    id: int
    firearm_id: int = Field(description="The firearm the link is seen from (one the caller may see)")
    match: Literal[LINK_MATCHES]  # type: ignore[valid-type]
    score: float | None = Field(description="From 0 to 1: the serial's match weighed by model and caliber "
                                            "agreement; null when the other firearm is restricted")
    status: Literal[(*LINK_STATUSES, services.HIDDEN_DECISION)] = Field(  # type: ignore[valid-type]
        description="possible, confirmed or dismissed; beside a restricted side, ``decided`` when another "
                    "agency decided (its decision is not shown)")
    newer_record: bool = Field(description="True when ``firearm_id`` was recorded after the other firearm")
    detected_at: datetime
    decided_at: datetime | None
    decided_by: str | None = Field(description="Username of the analyst who decided")
    decision_note: str | None
    version: int
    other: LinkedFirearm


class LinkList(BaseModel):
    items: list[LinkOut]
    page: int
    per_page: int
    total: int
    restricted_withheld: bool = Field(description="True when the caller's disclosure budget is spent: links to "
                                                  "other agencies' records are withheld")


class LinkDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(description="confirmed or dismissed")
    version: int = Field(description="The version read; a newer stored version answers 409")
    note: str | None = Field(default=None, max_length=services.NOTE_MAX,
                             description="Why; required to dismiss a confirmed link (or confirm a dismissed one)")


def _other_json(view: services.LinkView) -> dict[str, Any]:
    if view.restricted:
        agency = view.agency
        return {"restricted": True, "reference": view.reference, "agency": restricted_agency_json(
            agency.name, agency.acronym, agency.contact_name, agency.contact_phone, agency.contact_email)}
    other = view.other
    return {"restricted": False, "firearm_id": other.id, "serial_number": other.serial_number,
            "restored_serial": other.restored_serial, "manufacturer": other.manufacturer_name or None,
            "model": other.model, "caliber": other.caliber_name or None, "case_id": other.case_id,
            "case_reference": other.case.reference, "url": url_for("firearms.detail", firearm_id=other.id)}


def link_json(view: services.LinkView) -> dict[str, Any]:
    link = view.link
    return LinkOut(
        id=link.id, firearm_id=view.this.id, match=link.match, score=None if view.restricted else link.score,
        status=view.status,
        newer_record=link.firearm_id == view.this.id, detected_at=link.detected_at, decided_at=link.decided_at,
        decided_by=view.decided_by.username if view.decided_by else None, decision_note=view.decision_note,
        version=link.version, other=LinkedFirearm(**_other_json(view)),
    ).model_dump(mode="json")


@operation(bp, "/firearms/<int:firearm_id>/links", "GET", allow=case_workers, response=LinkList, errors=(404,),
           summary="Records that may be this same firearm (both directions), open ones first",
           query={"page": "Page number, from 1", "per_page": "Items per page, at most 100 (default 25)"})
def list_firearm_links(firearm_id: int):
    firearm = get_firearm(current_user, firearm_id)
    # Grouped before paging (a firearm has a handful of links): neither the items nor the total
    # tell how many records another agency holds.
    views = services.link_views(current_user, list(db.session.scalars(services.firearm_links(firearm))), "api",
                                focus_id=firearm.id)
    db.session.commit()  # the restricted sides disclosed, if any
    page = paginate_list(views, request.args.get("page"), request.args.get("per_page", 25))
    return jsonify({"items": [link_json(view) for view in page.items], "page": page.page,
                    "per_page": page.per_page, "total": page.total, "restricted_withheld": views.limit_reached})


@operation(bp, "/links/<int:link_id>", "PATCH", allow=deciders, response=LinkOut, body=LinkDecisionIn,
           errors=(404, 409), summary="Confirm or dismiss a possible same firearm (carries the version read)")
def decide_link(link_id: int):
    link = services.get_link(current_user, link_id)
    body = parse_json(LinkDecisionIn, multiline=("note",))
    services.decide_link(current_user, link, body.model_dump())
    views = services.link_views(current_user, [link], "api")
    db.session.commit()
    if not views:  # withheld: the caller's disclosure budget is spent
        raise NotFound(_("Link not found."))
    return jsonify(link_json(views[0]))
