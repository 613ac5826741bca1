"""A trace result as the JSON API sends and answers it (SPEC §7, §8).

``result_json`` is the one place an API answer gets the purchaser: only as
``may_see_purchaser`` allows, and every answer that carries the name records
``personal_data.read`` in the request's transaction (the view commits it).
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tracer.api.openapi import documented
from tracer.people.checks import editable_values
from tracer.people.models import ID_KINDS
from tracer.tracing.ffl import FFL_EXAMPLE, FFL_SHAPE
from tracer.tracing.models import NO_TRACE_REASONS, TRACE_OUTCOMES, TraceRequest
from tracer.tracing.personal_data import shown_purchaser
from tracer.tracing.purchaser import PERSON_FIELDS


class ResultIn(BaseModel):
    """The trace-result fields of SPEC §8 but ``trace_number``. PUT replaces the whole result:
    a field left out is empty, except ``notes``, kept as stored when left out."""

    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(description="One of: " + ", ".join(TRACE_OUTCOMES), **documented(enum=list(TRACE_OUTCOMES)))
    no_trace_reason: str | None = Field(default=None, description="Required exactly when the outcome is no_trace: "
                                        + ", ".join(NO_TRACE_REASONS))
    ffl_name: str | None = Field(default=None, description="The last dealer; required (with licence, city and "
                                 "state) for us_retail")
    ffl_license: str | None = Field(default=None, description=f"ATF licence number {FFL_SHAPE} (e.g. {FFL_EXAMPLE}), "
                                    "with or without hyphens; answered hyphenated")
    ffl_street: str | None = None
    ffl_city: str | None = Field(default=None, description="Geocoded with the state to the US origin point")
    ffl_state: str | None = Field(default=None, description="US state: abbreviation (TX) or name (Texas)")
    ffl_zip: str | None = Field(default=None, description="5 digits or 5+4")
    purchase_date: str | None = Field(default=None, description="YYYY-MM-DD; not after the seizure date, "
                                      "not in the future")
    purchaser_name: str | None = Field(default=None, description="First retail purchaser (personal data)")
    # Read by the result rules (true/false, yes/no); a union type would report a wrong value under
    # "multiple_sale.bool" and "multiple_sale.str" instead of the field's name.
    multiple_sale: Any = Field(default=None, json_schema_extra={"type": ["boolean", "string", "null"]},
                               description="true/false, or yes/no as in the CSV file")
    notes: str | None = Field(default=None, description="Kept as stored when left out")
    partner_trace_number: str | None = Field(default=None, description="The partner's own trace number; kept as "
                                             "stored when left out")
    ffl_phone: str | None = Field(default=None, description="The dealer's US telephone, 10 digits, any formatting; "
                                  "answered as (956) 555-0123; kept as stored when left out")
    importer_name: str | None = Field(default=None, description="For a foreign-made firearm, the importer; named "
                                      "for a US-made firearm it is accepted but flagged (importer_on_us_made); "
                                      "kept as stored when left out")
    importer_license: str | None = Field(default=None, description="The importer's licence number; kept as stored "
                                         "when left out")
    purchaser_last_names: str | None = Field(default=None, description="The purchaser as a person (personal data, "
                                             "SPEC §2): required when any purchaser_* field is given; the "
                                             "purchaser_* fields record or correct the purchaser, kept as stored "
                                             "when all are left out")
    purchaser_first_names: str | None = None
    purchaser_birth_date: str | None = Field(default=None, description="YYYY-MM-DD, not in the future")
    purchaser_curp: str | None = Field(default=None, description="CURP of a Mexican national (check digit checked)")
    purchaser_id_kind: str | None = Field(default=None, description="One of: " + ", ".join(ID_KINDS))
    purchaser_id_number: str | None = None
    purchaser_id_country: str | None = Field(default=None, description="Issuing country, ISO 3166-1 (US)")
    purchaser_id_region: str | None = Field(default=None, description="Issuing US state (TX) of a US identification")
    purchaser_street: str | None = None
    purchaser_locality: str | None = None
    purchaser_region: str | None = None
    purchaser_country: str | None = Field(default=None, description="ISO 3166-1 (US, MX)")
    purchaser_postal_code: str | None = None
    version: int | None = Field(default=None, description="The version read. May be left out for a first result; "
                                "required to correct a recorded one; a stale version answers 409 with the "
                                "values stored now")


class OriginOut(BaseModel):
    latitude: float
    longitude: float
    source: str = Field(description="gazetteer or geocoded")


class TraceResultFields(BaseModel):
    """The result part of a trace request answer (null until a result is recorded). The
    purchaser is personal data and stays out: ``purchaser_recorded`` says whether there is one."""

    outcome: str | None = Field(description="One of: " + ", ".join(TRACE_OUTCOMES))
    no_trace_reason: str | None
    ffl_name: str | None
    ffl_license: str | None = Field(description=f"Hyphenated: {FFL_SHAPE}")
    ffl_street: str | None
    ffl_city: str | None
    ffl_state: str | None = Field(description="USPS code")
    ffl_zip: str | None
    origin: OriginOut | None = Field(description="The US origin point: the dealer's city; null when not placed")
    purchase_date: str | None
    purchaser_recorded: bool = Field(description="Whether the result names a first retail purchaser")
    multiple_sale: bool | None
    time_to_crime_days: int | None = Field(description="Days from the purchase to the seizure")
    short_time_to_crime: bool = Field(description="Under 1,095 days (3 years)")
    result_notes: str | None
    result_at: str | None
    partner_trace_number: str | None = None
    ffl_phone: str | None = None
    importer_name: str | None = None
    importer_license: str | None = None
    result_flags: list[str] = Field(default_factory=list, description="Accepted but doubtful, as codes: "
                                    "importer_on_us_made (an importer named for a US-made firearm)")


class PurchaserPersonOut(BaseModel):
    person_id: int
    last_names: str
    first_names: str | None
    birth_date: str | None
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


class PurchaserOut(BaseModel):
    purchaser_name: str | None = Field(description="Only for analysts and supervisors who may see the case and "
                                       "the liaison officer who works the trace; every answer carrying it is "
                                       "audited")
    purchaser_restricted: bool = Field(description="A purchaser is recorded that the caller may not see")
    purchaser: PurchaserPersonOut | None = Field(default=None, description="The purchaser recorded as a person, "
                                                 "for the same readers as purchaser_name; null otherwise")


def result_fields(trace_request: TraceRequest) -> dict[str, Any]:
    """The result fields of ``trace_request`` (``TraceResultFields``): no personal data."""
    t = trace_request
    origin = None
    if t.origin_latitude is not None and t.origin_longitude is not None:
        origin = {"latitude": t.origin_latitude, "longitude": t.origin_longitude, "source": t.origin_source}
    return {
        "outcome": t.outcome, "no_trace_reason": t.no_trace_reason, "ffl_name": t.ffl_name,
        "ffl_license": t.ffl_license, "ffl_street": t.ffl_street, "ffl_city": t.ffl_city, "ffl_state": t.ffl_state,
        "ffl_zip": t.ffl_zip, "origin": origin,
        "purchase_date": t.purchase_date.isoformat() if t.purchase_date else None,
        "purchaser_recorded": t.purchaser_name is not None, "multiple_sale": t.multiple_sale,
        "time_to_crime_days": t.time_to_crime_days, "short_time_to_crime": t.short_time_to_crime,
        "result_notes": t.result_notes, "result_at": t.result_at.isoformat() if t.result_at else None,
        "partner_trace_number": t.partner_trace_number, "ffl_phone": t.ffl_phone,
        "importer_name": t.importer_name, "importer_license": t.importer_license,
        "result_flags": list(t.result_flags or []),
    }


def purchaser_json(user, trace_request: TraceRequest, where: str = "api") -> dict[str, Any]:
    """``PurchaserOut`` for ``user``: the name as ``shown_purchaser`` allows, its reading audited
    in the current transaction (the view commits it with the answer)."""
    purchaser = shown_purchaser(user, trace_request, where)
    person = None
    if purchaser.person is not None:
        stored = editable_values(purchaser.person)
        person = {"person_id": purchaser.person.id, **{name: stored[name] for name in PERSON_FIELDS}}
    return {"purchaser_name": purchaser.name, "purchaser_restricted": purchaser.restricted, "purchaser": person}
