"""People on the JSON API (SPEC §7), through the same services and the same personal-data rule as
the pages: analysts and supervisors read (every read audited), officers record possessors and
associates without reading them back (403 on reads), out-of-scope answers 404."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from flask import jsonify, request, url_for
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field

from tracer.api.openapi import operation
from tracer.api.parsing import parse_json
from tracer.api.views import bp
from tracer.cases.services import get_case
from tracer.core.errors import Forbidden
from tracer.core.pagination import PAGING_QUERY, ListPage, by, keyset_page, list_fields
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.people import access, duplicates, services
from tracer.people.checks import PERSON_FIELDS, editable_values
from tracer.people.models import CASE_ROLES, ID_KINDS, SEXES, CasePerson, Person

readers = tuple(sorted(access.PERSONAL_DATA_ROLES))
recorders = tuple(sorted(access.RECORDERS))
mergers = tuple(sorted(access.MERGERS))
ROLE_ORDER = (by(CasePerson.case_id), by(CasePerson.id))


class PersonFieldsIn(BaseModel):
    """A person's values as sent; checked by the same rules as the web form."""

    model_config = ConfigDict(extra="forbid")
    last_names: str | None = Field(None, description="Required when creating a person")
    first_names: str | None = None
    alias: str | None = None
    birth_date: str | None = Field(None, description="YYYY-MM-DD; not in the future, not before 1900")
    sex: Literal[SEXES] | None = None  # type: ignore[valid-type]
    curp: str | None = Field(None, description="Mexican CURP: 18 characters, check digit verified")
    id_kind: Literal[ID_KINDS] | None = Field(None, description="Foreign identification")  # type: ignore[valid-type]
    id_number: str | None = Field(None, description="4 to 20 letters and digits")
    id_country: str | None = Field(None, description="ISO 3166-1 code of the issuing country")
    id_region: str | None = Field(None, description="Issuing US state (TX, AZ…) when the US issued it")
    street: str | None = None
    locality: str | None = None
    region: str | None = Field(None, description="State or region; a US state code when the country is US")
    country: str | None = Field(None, description="ISO 3166-1 code")
    postal_code: str | None = None


class CasePersonIn(PersonFieldsIn):
    role: Literal[CASE_ROLES] = Field(description="possessor or associate (officers); purchaser too for "  # type: ignore[valid-type]
                                                  "analysts and supervisors")
    person_id: int | None = Field(None, description="An existing person to attach instead of the fields "
                                                    "(analysts and supervisors)")
    firearm_id: int | None = Field(None, description="A firearm of the case")
    seizure_id: int | None = Field(None, description="A seizure of the case")
    notes: str | None = None


class PersonPatch(PersonFieldsIn):
    version: int = Field(description="The version read; a stale version answers 409 with the stored values")


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    into: int = Field(description="The person kept; this one is merged into it (both records are kept)")
    reason: str = Field(description="Why they are the same person")


class PersonOut(BaseModel):
    id: int
    last_names: str
    first_names: str | None
    alias: str | None
    birth_date: str | None
    sex: str
    curp: str | None
    id_kind: str | None
    id_number: str | None
    id_country: str | None
    id_region: str | None
    street: str | None
    locality: str | None
    region: str | None
    country: str | None
    postal_code: str | None
    agency: str
    merged_into_id: int | None
    canonical_id: int
    version: int
    created_at: datetime
    url: str


class CasePersonOut(BaseModel):
    id: int
    case_id: int
    role: str
    firearm_id: int | None
    seizure_id: int | None
    trace_request_id: int | None
    notes: str | None
    person: PersonOut | None = Field(None, description="Null for a reader who may not see personal data")
    restricted: bool


class CasePeopleList(ListPage):
    items: list[CasePersonOut]


def person_json(person: Person) -> dict[str, Any]:
    return {**editable_values(person), "id": person.id, "agency": person.agency.acronym,
            "merged_into_id": person.merged_into_id, "canonical_id": person.canonical_id,
            "version": person.version, "created_at": person.created_at.isoformat(),
            "url": url_for("people.detail", person_id=person.id)}


def case_person_json(row: CasePerson, with_person: bool = True) -> dict[str, Any]:
    return {"id": row.id, "case_id": row.case_id, "role": row.role, "firearm_id": row.firearm_id,
            "seizure_id": row.seizure_id, "trace_request_id": row.trace_request_id,
            "notes": row.notes if with_person else None,
            "person": person_json(row.person) if with_person else None, "restricted": not with_person}


@operation(bp, "/cases/<int:case_id>/people", "GET", allow=readers, response=CasePeopleList, errors=(403, 404),
           summary="The people of a case and their roles (analysts and supervisors; every read audited)",
           query=PAGING_QUERY)
def list_case_people(case_id: int):
    case = get_case(current_user, case_id)
    if not access.may_read_personal_data(current_user, case.id):
        raise Forbidden(_("Your role does not allow reading people."))
    page = keyset_page(services.case_people_statement(case.id), ROLE_ORDER, request.args.get("cursor"),
                       request.args.get("per_page", 25), page=request.args.get("page"), list_name="api.case-people")
    if page.items:
        access.audit_read(current_user, "api.list_case_people", object_type="case", object_id=case.id,
                          case_id=case.id, person_ids=[row.person_id for row in page.items])
    db.session.commit()
    return jsonify({"items": [case_person_json(row) for row in page.items], **list_fields(page)})


@operation(bp, "/cases/<int:case_id>/people", "POST", allow=recorders, body=CasePersonIn, response=CasePersonOut,
           status=201, errors=(403, 404, 422),
           summary="Record a person's role in a case: a new person, or an existing one by person_id; officers "
                   "record possessors and associates and get back no personal data")
def create_case_person(case_id: int):
    case = get_case(current_user, case_id)
    body = parse_json(CasePersonIn, multiline=("notes",))
    values = body.model_dump()
    row = services.record_person(case, body.role, values, current_user, firearm_id=body.firearm_id,
                                 seizure_id=body.seizure_id)
    db.session.commit()
    response = jsonify(case_person_json(row, with_person=current_user.role in access.PERSONAL_DATA_ROLES))
    response.status_code = 201
    return response


@operation(bp, "/people/<int:person_id>", "GET", allow=readers, response=PersonOut, errors=(403, 404),
           summary="A person (analysts and supervisors who may see one of their cases; the read is audited)")
def get_person(person_id: int):
    person = services.get_person(current_user, person_id)
    access.audit_read(current_user, "api.get_person", object_type="person", object_id=person.id,
                      person_ids=[person.id])
    db.session.commit()
    return jsonify(person_json(person))


@operation(bp, "/people/<int:person_id>", "PATCH", allow=readers, body=PersonPatch, response=PersonOut,
           errors=(403, 404, 409, 422),
           summary="Correct a person; fields left out keep their values; a stale version answers 409 with the "
                   "stored values")
def update_person(person_id: int):
    person = services.get_person(current_user, person_id)
    body = parse_json(PersonPatch)
    sent = body.model_dump(exclude_unset=True)
    values = {**editable_values(person), **{name: sent[name] for name in PERSON_FIELDS if name in sent}}
    services.update_person(current_user, person, values, body.version)
    db.session.commit()
    return jsonify(person_json(person))


@operation(bp, "/people/<int:person_id>/merge", "POST", allow=mergers, body=MergeIn, response=PersonOut,
           errors=(403, 404, 422),
           summary="Merge this person into another (analysts): both records are kept, the decision is audited; "
                   "answers the person kept")
def merge_person(person_id: int):
    merged = services.get_person(current_user, person_id)
    body = parse_json(MergeIn, multiline=("reason",))
    kept = services.get_person(current_user, body.into)
    duplicates.merge_people(current_user, kept, merged, body.reason)
    db.session.commit()
    return jsonify(person_json(kept))
