"""Deconfliction notices on the JSON API (SPEC §7 ``GET /api/v1/deconfliction``)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import jsonify, request
from flask_login import current_user
from pydantic import BaseModel, Field

from tracer.api.openapi import operation
from tracer.api.views import bp
from tracer.deconfliction.models import CHANNELS, MATCHES, DeconflictionNotice
from tracer.deconfliction.notices import READERS, list_notices


class Contact(BaseModel):
    name: str | None
    phone: str | None
    email: str | None


class OtherAgency(BaseModel):
    name: str
    acronym: str
    contact: Contact


class NoticeOut(BaseModel):
    reference: str = Field(description="DC-YYYY-NNNNNN, quoted by both agencies")
    created_at: datetime
    match: Literal[MATCHES]  # type: ignore[valid-type]
    channel: Literal[CHANNELS]  # type: ignore[valid-type]
    withheld: bool = Field(description="True when the user's disclosure budget was spent: nothing was said, "
                                       "and this notice is an alert")
    agency: OtherAgency = Field(description="The other agency: who was told (incoming) or who holds the "
                                            "record (outgoing)")
    firearm_id: int | None = Field(None, description="Incoming only: our firearm that matched")
    firearm_ids: list[int] | None = Field(None, description="Incoming only: all our firearms in this notice")
    ballistic_item_id: int | None = Field(None, description="Incoming only, channel ballistic: our ballistic "
                                                            "evidence item that matched")
    told_user: str | None = Field(None, description="Outgoing only: which of our users was told")


class NoticeList(BaseModel):
    items: list[NoticeOut]
    direction: Literal["incoming", "outgoing"]
    per_page: int
    next: str | None = Field(description="Cursor of the next page, or null")
    total: int
    total_estimated: bool


def agency_json(agency) -> dict:
    return {"name": agency.name, "acronym": agency.acronym,
            "contact": {"name": agency.contact_name, "phone": agency.contact_phone, "email": agency.contact_email}}


def notice_json(notice: DeconflictionNotice, direction: str) -> dict:
    item = {"reference": notice.reference, "created_at": notice.created_at.isoformat(), "match": notice.match,
            "channel": notice.channel, "withheld": notice.withheld}
    if direction == "incoming":
        item.update(agency=agency_json(notice.told_agency), firearm_id=notice.firearm_id,
                    firearm_ids=list(notice.firearm_ids or []), ballistic_item_id=notice.ballistic_item_id)
    else:
        item.update(agency=agency_json(notice.owner_agency), told_user=notice.told_user.username)
    return item


@operation(bp, "/deconfliction", "GET", allow=READERS, response=NoticeList, errors=(403, 422),
           summary="The caller's agency's deconfliction notices: incoming (another agency matched one of our "
                   "records) or outgoing (our users were told of another agency's record); officers and "
                   "liaison officers read only what they were told",
           query={"direction": "incoming or outgoing (default incoming for analysts and supervisors, "
                               "outgoing otherwise)",
                  "cursor": "The ``next`` of the previous page", "per_page": "1 to 100 (default 25)",
                  "reference": "A deconfliction reference (DC-YYYY-NNNNNN)",
                  "alerts": "1: only notices withheld past a disclosure budget"})
def list_deconfliction():
    direction = request.args.get("direction") or ("incoming" if current_user.role in ("analyst", "supervisor")
                                                  else "outgoing")
    page = list_notices(current_user, direction, request.args.get("cursor"), request.args.get("per_page", 25),
                        request.args.get("reference"), request.args.get("alerts") == "1")
    return jsonify({"items": [notice_json(notice, direction) for notice in page.items], "direction": direction,
                    "per_page": page.per_page, "next": page.next, "total": page.total,
                    "total_estimated": page.total_estimated})
