"""``GET /api/v1/cases/{id}/links`` (SPEC §7): the cases linked to one case, with their kinds.

Roles: officers, analysts and supervisors read the links of the cases in their scope (an
officer coordinates with the agencies whose cases link to theirs); a liaison's scope holds
only cases shared with their office, so any other case answers 404. Linked cases outside the
caller's scope come as restricted entries from the disclosure service, one per owning agency.
"""
from __future__ import annotations

from typing import Any, Literal, Union

from flask import jsonify, request, url_for
from flask_login import current_user
from pydantic import BaseModel, Field

from tracer.api.openapi import operation
from tracer.api.views import bp
from tracer.cases.services import get_case
from tracer.core.pagination import MAX_PER_PAGE, PAGING_QUERY, by, make_cursor, read_cursor
from tracer.extensions import db
from tracer.networks import links
from tracer.networks.producers import KINDS
from tracer.search.api import RestrictedAgency, restricted_agency_json

Kind = Literal[KINDS]  # type: ignore[valid-type]
LIST_NAME = "case-links"
POSITION = (by(None, value=lambda entry: entry["position"]),)


class LinkedCaseOut(BaseModel):
    case_id: int
    case_reference: str
    kinds: list[Kind]
    restricted: Literal[False] = False
    url: str = Field(description="The linked case's page")
    evidence: dict[str, int] = Field(description="How many records of each kind stand behind the link "
                                                 "(firearms, trace results, ballistic items of both cases)")


class RestrictedLinkOut(BaseModel):
    """A linked case of another agency: the kinds of link, whom to call, and the deconfliction reference.
    One entry per owning agency, however many of its cases are linked."""

    restricted: Literal[True] = True
    kinds: list[Kind]
    agency: RestrictedAgency
    reference: str = Field(description="The deconfliction reference (DC-YYYY-NNNNNN) of the first kind")
    references: dict[str, str] = Field(description="The deconfliction reference of each kind")


class CaseLinksOut(BaseModel):
    items: list[Union[LinkedCaseOut, RestrictedLinkOut]]
    per_page: int
    next: str | None = Field(description="Cursor of the next page, or null at the end")
    total: int
    total_estimated: bool = False
    restricted_withheld: bool = Field(description="True when the caller's disclosure budget is spent: links to "
                                                  "other agencies' cases are withheld")
    truncated: bool = Field(description=f"True when more cases are linked than one answer holds ({links.NODE_LIMIT}): "
                                        "the list holds those found first")


def entry_json(node: links.Node, edge: links.Edge) -> dict[str, Any]:
    if node.restricted:
        agency = node.agency
        return {"restricted": True, "kinds": node.kinds, "reference": node.reference, "references": node.references,
                "agency": restricted_agency_json(agency.name, agency.acronym, agency.contact_name,
                                                 agency.contact_phone, agency.contact_email)}
    return {"case_id": node.case.id, "case_reference": node.case.reference, "kinds": edge.kinds, "restricted": False,
            "url": url_for("cases.detail", case_id=node.case.id), "evidence": dict(edge.counts)}


def _per_page() -> int:
    value = request.args.get("per_page", "25")
    return max(1, min(MAX_PER_PAGE, int(value))) if value.isdigit() else 25


@operation(bp, "/cases/<int:case_id>/links", "GET", allow=("officer", "analyst", "supervisor", "liaison"),
           response=CaseLinksOut, errors=(400, 404),
           summary="The cases linked to this one and why (same firearm, dealer, multiple sale, ballistic hit)",
           query=PAGING_QUERY)
def case_links(case_id: int):
    case = get_case(current_user, case_id)
    network = links.case_links(current_user, case, "api")
    db.session.commit()  # the restricted entries disclosed, if any
    entries = [{"position": position, **entry_json(node, edge)}
               for position, (node, edge) in enumerate(network.neighbours())]
    per_page, start = _per_page(), 0
    if request.args.get("cursor"):
        (position,), _forward, _part = read_cursor(LIST_NAME, POSITION, request.args["cursor"])
        start = int(position) + 1
    elif request.args.get("page", "").isdigit():
        start = (max(1, int(request.args["page"])) - 1) * per_page
    shown = entries[start:start + per_page]
    following = make_cursor(LIST_NAME, POSITION, shown[-1], True) if start + per_page < len(entries) else None
    return jsonify({"items": [{k: v for k, v in entry.items() if k != "position"} for entry in shown],
                    "per_page": per_page, "next": following, "total": len(entries), "total_estimated": False,
                    "restricted_withheld": network.limit_reached, "truncated": network.truncated})
