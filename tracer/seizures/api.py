"""Seizures on the JSON API: record one with its firearms, read one."""
from __future__ import annotations

from typing import Any, Literal

from flask import jsonify, url_for
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field

from tracer.api.openapi import documented, operation
from tracer.api.parsing import parse_json
from tracer.api.views import bp
from tracer.cases.services import get_case
from tracer.core.errors import NotFound, ValidationFailed
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms.api import FirearmFields, FirearmOut, api_validation, dotted, firearm_json
from tracer.geo.catalog import resolve_municipality, state_name
from tracer.seizures import services
from tracer.seizures.models import COORDINATE_SOURCES, Seizure

case_workers = ("officer", "analyst", "supervisor")


class SeizureIn(BaseModel):
    """A seizure and its firearms. Validation messages (422) are keyed by field; those of a
    firearm are keyed ``firearms.<index>.<field>`` (index from 0, in the order sent), for
    example ``firearms.2.serial_number``."""

    model_config = ConfigDict(extra="forbid")

    case_id: int = Field(ge=1, le=2**31 - 1, description="A case the caller may add to")
    seized_on: str = Field(description="YYYY-MM-DD, not in the future", **documented(
        pattern="^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))
    seized_time: str | None = Field(default=None, description="HH:MM, local time",
                                    **documented(pattern="^([01][0-9]|2[0-3]):[0-5][0-9]$"))
    agency: str | None = Field(default=None, description="Seizing agency's acronym; the caller's by default. "
                                                         "A state caller may name its own agency or a federal "
                                                         "one; a federal caller any Mexican agency")
    seizure_ref: str | None = Field(default=None, description="The caller's agency's own reference for the "
                                                              "seizure, unique within that agency (as in imports)")
    state: str = Field(description="INEGI code (01 to 32) or name; the pattern states the codes",
                       **documented(pattern="^(0[1-9]|[12][0-9]|3[0-2])$"))
    municipality: str | None = Field(default=None, description="INEGI code (3 digits) or name, within the state")
    locality: str | None = None
    address: str | None = None
    latitude: float | None = Field(default=None, description="WGS84; both or neither; geocoded when absent")
    longitude: float | None = None
    coordinate_source: Literal[COORDINATE_SOURCES] | None = Field(  # type: ignore[valid-type]
        default=None, description="How the coordinates were obtained; gps by default")
    circumstances: str | None = None
    operation_name: str | None = None
    crime_category: str | None = None
    magazines_count: int | None = Field(default=None, ge=0)
    cartridges_count: int | None = Field(default=None, ge=0)
    firearms: list[FirearmFields] = Field(
        default_factory=list, max_length=services.MAX_FIREARMS,
        description="The firearms seized. Errors about one are keyed firearms.<index>.<field>.")


class SeizureOut(BaseModel):
    id: int
    case_id: int
    case_reference: str
    agency: str
    seizure_ref: str | None
    seized_on: str
    seized_time: str | None
    state: str
    state_name: str
    municipality: str | None
    municipality_name: str | None
    locality: str | None
    address: str | None
    latitude: float | None
    longitude: float | None
    coordinate_source: str | None
    coordinates_outside_state: bool
    circumstances: str | None
    operation_name: str | None
    crime_category: str | None
    magazines_count: int
    cartridges_count: int
    version: int
    url: str
    firearms: list[FirearmOut] = Field(description="In the order they were sent")


class SeizureCreated(SeizureOut):
    warnings: dict[str, list[str]] = Field(description="Accepted but flagged values (unknown manufacturer, "
                                                       "coordinates outside the state), keyed like errors")


def seizure_json(seizure: Seizure) -> dict[str, Any]:
    municipality = (resolve_municipality(seizure.state_code, seizure.municipality_code)
                    if seizure.municipality_code else None)
    return {
        "id": seizure.id, "case_id": seizure.case_id, "case_reference": seizure.case.reference,
        "agency": seizure.agency.acronym, "seizure_ref": seizure.seizure_ref,
        "seized_on": seizure.seized_on.isoformat(),
        "seized_time": seizure.seized_time.strftime("%H:%M") if seizure.seized_time else None,
        "state": seizure.state_code, "state_name": state_name(seizure.state_code),
        "municipality": seizure.municipality_code, "municipality_name": municipality.name if municipality else None,
        "locality": seizure.locality, "address": seizure.address, "latitude": seizure.latitude,
        "longitude": seizure.longitude, "coordinate_source": seizure.coordinate_source,
        "coordinates_outside_state": bool(seizure.coordinates_outside_state),
        "circumstances": seizure.circumstances, "operation_name": seizure.operation_name,
        "crime_category": seizure.crime_category, "magazines_count": seizure.magazines_count or 0,
        "cartridges_count": seizure.cartridges_count or 0, "version": seizure.version,
        "url": url_for("seizures.detail", seizure_id=seizure.id),
        "firearms": [firearm_json(f) for f in seizure.firearms],
    }


@operation(bp, "/seizures", "POST", allow=case_workers, response=SeizureCreated, body=SeizureIn, status=201,
           errors=(404,), summary="Record a seizure with its firearms in a case the caller may add to")
def create_seizure():
    body = parse_json(SeizureIn, multiline=("circumstances",))
    values = body.model_dump(exclude={"firearms", "case_id"})
    firearms = [row.model_dump() for row in body.firearms]
    try:
        case = get_case(current_user, body.case_id)
    except NotFound:
        raise NotFound(_("Case not found."), {"case_id": [_("Case not found.")]}) from None
    try:
        seizure, warnings = services.create_seizure(current_user, case, values, firearms)
    except ValidationFailed as failure:
        raise api_validation(failure) from None
    db.session.commit()
    response = jsonify({**seizure_json(seizure), "warnings": dotted(warnings)})
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_seizure", seizure_id=seizure.id)
    return response


@operation(bp, "/seizures/<int:seizure_id>", "GET", allow=case_workers, response=SeizureOut, errors=(404,),
           summary="A seizure and its firearms")
def get_seizure(seizure_id: int):
    return jsonify(seizure_json(services.get_seizure(current_user, seizure_id)))
