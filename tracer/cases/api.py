"""Cases on the JSON API: list, open, read and edit, through the same services as the pages."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from flask import jsonify, request, url_for
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field

from tracer.api.openapi import documented, operation
from tracer.api.parsing import parse_json
from tracer.api.views import bp
from tracer.cases import case_lists, services, workflow
from tracer.cases.models import Case
from tracer.core.errors import ValidationFailed
from tracer.core.pagination import PAGING_QUERY, ListPage, list_fields
from tracer.core.translation import gettext as _
from tracer.extensions import db

readers = ("officer", "analyst", "supervisor", "liaison")
writers = tuple(sorted(services.CASE_WRITERS))

Status = Literal["open", "investigating", "in_review", "approved", "closed"]
Priority = Literal["low", "normal", "high", "urgent"]


class AgencyRef(BaseModel):
    id: int
    acronym: str
    name: str


class UserRef(BaseModel):
    id: int
    username: str
    full_name: str


class CaseOut(BaseModel):
    id: int
    reference: str
    title: str
    summary: str | None
    status: Status
    priority: Priority
    owner_agency: AgencyRef
    lead_officer: UserRef | None
    carpeta_number: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class CaseList(ListPage):
    items: list[CaseOut]


# ``summary`` may hold line breaks, which parse_json's check of one-line text would
# refuse: it is left out of the dump that check reads, and the service checks it,
# line breaks allowed.
class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    title: str = Field(max_length=services.TITLE_MAX, **documented(pattern=r"\S"))
    summary: str | None = Field(default=None, max_length=services.SUMMARY_MAX, exclude=True)
    priority: Priority = "normal"
    carpeta_number: str | None = Field(default=None, max_length=services.CARPETA_MAX,
                                       **documented(pattern=services.CARPETA_PATTERN.pattern.replace("\\Z", "$")))
    lead_officer_id: int | None = Field(
        default=None, description="Defaults to the caller when an officer; null for none.")


class CaseUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    version: int = Field(description="The version read; a newer stored version answers 409.")
    title: str | None = Field(default=None, max_length=services.TITLE_MAX, **documented(pattern=r"\S"))
    summary: str | None = Field(default=None, max_length=services.SUMMARY_MAX, exclude=True)
    priority: Priority | None = None
    carpeta_number: str | None = Field(default=None, max_length=services.CARPETA_MAX,
                                       **documented(pattern=services.CARPETA_PATTERN.pattern.replace("\\Z", "$")))
    lead_officer_id: int | None = None


def case_json(case: Case) -> dict[str, Any]:
    agency, lead = case.owner_agency, case.lead_officer
    return CaseOut(
        id=case.id, reference=case.reference, title=case.title, summary=case.summary, status=case.status,
        priority=case.priority, carpeta_number=case.carpeta_number, version=case.version,
        created_at=case.created_at, updated_at=case.updated_at,
        owner_agency=AgencyRef(id=agency.id, acronym=agency.acronym, name=agency.name),
        lead_officer=UserRef(id=lead.id, username=lead.username, full_name=lead.full_name) if lead else None,
    ).model_dump(mode="json")


def _sent(body: BaseModel) -> dict[str, Any]:
    """The fields the caller sent (a PATCH changes only those)."""
    return {name: getattr(body, name) for name in body.model_fields_set}


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LIST_QUERY = {
    "q": "Text in the reference, title or carpeta de investigación number (literal match)",
    "status": ("open, investigating, in_review, approved or closed",
               {"type": "string", "enum": ["open", "investigating", "in_review", "approved", "closed"]}),
    "agency": "Acronym of the owning agency",
    "state": "INEGI code of the owning agency's state",
    "created_from": "Created on or after this day (YYYY-MM-DD)",
    "created_to": "Created on or before this day (YYYY-MM-DD)",
    **PAGING_QUERY,
}


def _list_filters() -> case_lists.CaseFilters:
    fields: dict[str, list[str]] = {}
    days: dict[str, date | None] = {}
    for name in ("created_from", "created_to"):
        raw = request.args.get(name) or ""
        days[name] = None
        if raw:
            try:
                if not ISO_DATE.match(raw):
                    raise ValueError
                days[name] = date.fromisoformat(raw)
            except ValueError:
                fields[name] = [_("Use a date in the form YYYY-MM-DD.")]
    if fields:
        raise ValidationFailed(_("Some fields are not valid."), fields)
    return case_lists.CaseFilters(text=request.args.get("q"), status=request.args.get("status") or None,
                                  agency=request.args.get("agency") or None, state=request.args.get("state") or None,
                                  **days)


@operation(bp, "/cases", "GET", summary="The cases the caller may see, newest first", allow=readers,
           response=CaseList, errors=(400, 422), query=LIST_QUERY)
def list_cases():
    page = case_lists.list_cases(current_user, _list_filters(), request.args.get("page"),
                                 request.args.get("per_page", 25), request.args.get("cursor"))
    return jsonify({"items": [case_json(case) for case in page.items], **list_fields(page)})


@operation(bp, "/cases", "POST", summary="Open a case for the caller's agency", allow=writers,
           response=CaseOut, body=CaseCreate, status=201)
def create_case():
    case = services.create_case(current_user, _sent(parse_json(CaseCreate)))
    db.session.commit()
    response = jsonify(case_json(case))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_case", case_id=case.id)
    return response


@operation(bp, "/cases/<int:case_id>", "GET", summary="A case", allow=readers, response=CaseOut, errors=(404,))
def get_case(case_id: int):
    return jsonify(case_json(services.get_case(current_user, case_id)))


@operation(bp, "/cases/<int:case_id>", "PATCH", summary="Change a case's fields (carries the version read)",
           allow=writers, response=CaseOut, body=CaseUpdate, errors=(404, 409))
def update_case(case_id: int):
    case = services.get_case(current_user, case_id)
    services.ensure_may_edit(current_user, case)
    body = parse_json(CaseUpdate)
    values = _sent(body)
    version = values.pop("version")
    services.update_case(current_user, case, values, version)
    db.session.commit()
    return jsonify(case_json(case))


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    action: Literal["start", "submit", "approve", "return", "close", "reopen"]
    comment: str | None = Field(default=None, max_length=workflow.COMMENT_MAX, description=(
        "The summary of findings (submit, required), the supervisor's comment (approve; return: required "
        "unless sections are given), the closure outcome (close, required) or the reason (reopen, required)."))
    sections: dict[str, str] | None = Field(default=None, description=(
        "Return only: comments on sections of the case, by code: summary, seizures, firearms, traces, "
        "ballistics, people, links, notes."))


@operation(bp, "/cases/<int:case_id>/transition", "POST",
           summary="Move a case through the review workflow (answers the case, with its status and version)",
           allow=writers, response=CaseOut, body=TransitionIn, errors=(403, 404, 409))
def transition_case(case_id: int):
    case = services.get_case(current_user, case_id)
    body = parse_json(TransitionIn, multiline=("comment",))
    workflow.transition(current_user, case, body.action, body.comment, body.sections)
    db.session.commit()
    return jsonify(case_json(case))
