"""Serial-number search on the JSON API (SPEC §7): the same service and audit as the page."""
from __future__ import annotations

from typing import Literal, Union

from flask import jsonify, request, url_for
from flask_login import current_user
from pydantic import BaseModel, Field

from tracer.api.openapi import operation
from tracer.core.translation import gettext as _
from tracer.firearms.serials import MAX_LENGTH
from tracer.api.views import bp
from tracer.core.errors import ValidationFailed
from tracer.extensions import db
from tracer.search.scope import DEFAULT_LIMIT, MAX_USER_LIMIT, RestrictedHit, SerialHit, search_serials
from tracer.search.views import SEARCHERS

MATCHES = Literal["exact", "lookalike", "edit", "letters_ignored", "partial"]


class HitOut(BaseModel):
    firearm_id: int
    serial_number: str | None = Field(description="As engraved")
    restored_serial: str | None = Field(description="As restored, when the serial was obliterated")
    manufacturer: str | None
    model: str | None
    caliber: str | None
    case_id: int
    case_reference: str
    match: MATCHES = Field(description="Why it matched")
    score: float = Field(description="1.0 is exact; higher is better")
    restricted: Literal[False]
    url: str
    case_url: str


class AgencyContact(BaseModel):
    name: str | None
    phone: str | None
    email: str | None


class RestrictedAgency(BaseModel):
    name: str
    acronym: str
    contact: AgencyContact


class RestrictedHitOut(BaseModel):
    """A matching record outside the caller's scope: the kind of match and whom to contact, nothing else.
    One entry per owning agency and kind of match, however many records it stands for."""

    restricted: Literal[True]
    match: MATCHES
    agency: RestrictedAgency
    reference: str = Field(description="The deconfliction reference (DC-YYYY-NNNNNN) both agencies quote")


class SerialSearchOut(BaseModel):
    items: list[Union[HitOut, RestrictedHitOut]] = Field(
        description="Hits in the caller's scope, best first (at most limit), then restricted hits")
    mode: str
    query: str = Field(description="The query as normalised")
    page: int = Field(description="Always 1: the search answers its best matches, not pages")
    per_page: int = Field(description="The limit applied to hits in scope")
    total: int = Field(description="Number of items answered")
    restricted_withheld: bool = Field(description="True when the caller's disclosure budget is spent: matches "
                                                  "outside the caller's scope are withheld")


def hit_json(hit: SerialHit) -> dict:
    return {"firearm_id": hit.firearm_id, "serial_number": hit.serial_number,
            "restored_serial": hit.restored_serial, "manufacturer": hit.manufacturer, "model": hit.model,
            "caliber": hit.caliber, "case_id": hit.case_id, "case_reference": hit.case_reference,
            "match": hit.match, "score": hit.score, "restricted": False,
            "url": url_for("firearms.detail", firearm_id=hit.firearm_id),
            "case_url": url_for("cases.detail", case_id=hit.case_id)}


def restricted_agency_json(name, acronym, contact_name, contact_phone, contact_email) -> dict:
    """The owning agency of a record outside the caller's scope, as every restricted answer gives it."""
    return {"name": name, "acronym": acronym,
            "contact": {"name": contact_name, "phone": contact_phone, "email": contact_email}}


def restricted_json(hit: RestrictedHit) -> dict:
    return {"restricted": True, "match": hit.match, "agency": restricted_agency_json(
        hit.agency_name, hit.agency_acronym, hit.contact_name, hit.contact_phone, hit.contact_email),
        "reference": hit.reference}


@operation(bp, "/search/serial", "GET", allow=SEARCHERS, response=SerialSearchOut, errors=(422,),
           summary="Search serial numbers (exact, partial with ? and *, fuzzy); other agencies' records "
                   "answer as restricted hits",
           query={"q": ("The serial or part of it (required); ? and * in partial mode",
                        {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH,
                         "pattern": "^[0-9A-Za-z -]*[0-9A-Za-z]{4}[0-9A-Za-z -]*$"}, True),
                  "mode": "exact, partial or fuzzy (default fuzzy)",
                  "manufacturer": "Canonical name or any alias of the maker",
                  "limit": (f"Hits in scope to answer, 1 to {MAX_USER_LIMIT} (default {DEFAULT_LIMIT}); "
                           "a larger value answers 422", {"type": "integer", "minimum": 1, "maximum": MAX_USER_LIMIT})})
def search_serial():
    q = request.args.get("q", "")
    if not q.strip():
        message = _("Enter a serial number or part of one.")
        raise ValidationFailed(message, {"q": [message]})
    found = search_serials(current_user, q, request.args.get("mode"), request.args.get("manufacturer"),
                           request.args.get("limit", DEFAULT_LIMIT))
    db.session.commit()  # the search and its restricted hits are audited
    items = [hit_json(hit) for hit in found.hits] + [restricted_json(hit) for hit in found.restricted]
    return jsonify({"items": items, "mode": found.query.mode, "query": found.query.text, "page": 1,
                    "per_page": found.limit, "total": len(items), "restricted_withheld": found.withheld})
