"""Firearms on the JSON API: read and correct a firearm, read and extend its chain of custody."""
from __future__ import annotations

import re
from typing import Any

from flask import jsonify, request, url_for
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from tracer.api.openapi import operation
from tracer.api.parsing import parse_json
from tracer.api.views import bp
from tracer.core.errors import ValidationFailed
from tracer.core.pagination import paginate
from tracer.extensions import db
from tracer.firearms import services
from tracer.firearms.models import CONDITIONS, CUSTODY_EVENTS, FIREARM_TYPES, SERIAL_STATUSES, CustodyEvent, Firearm

case_workers = ("officer", "analyst", "supervisor")
ROW_KEY = re.compile(r"^firearms-(\d+)-(\w+)$")


def dotted(fields: dict[str, list[str]]) -> dict[str, list[str]]:
    """Message keys as the API names them: ``firearms.0.serial_number`` for a firearm row."""
    return {ROW_KEY.sub(r"firearms.\1.\2", key): messages for key, messages in fields.items()}


def api_validation(failure: ValidationFailed) -> ValidationFailed:
    return ValidationFailed(failure.message, dotted(failure.fields))


# --- schemas ---------------------------------------------------------------------------------------


class FirearmFields(BaseModel):
    """The identity of a firearm as sent; values are checked by the same rules as the web form
    (types and statuses in English as listed, or the Spanish words officers use)."""

    model_config = ConfigDict(extra="forbid")

    firearm_type: str | None = Field(default=None, description="One of: " + ", ".join(FIREARM_TYPES))
    manufacturer: str | None = Field(default=None, description="Canonical name or any alias; an unknown "
                                     "manufacturer is kept as written and flagged (a warning, not an error)")
    model: str | None = None
    caliber: str | None = Field(default=None, description="Canonical name or any alias")
    serial_number: str | None = Field(default=None, description="As engraved; required when the status is "
                                      "intact or altered")
    serial_status: str | None = Field(default=None, description="One of: " + ", ".join(SERIAL_STATUSES)
                                      + " (none = privately made); intact by default")
    restored_serial: str | None = Field(default=None, description="Only with serial_status restored")
    importer: str | None = None
    country_of_manufacture: str | None = Field(default=None, description="ISO 3166-1 alpha-2 code or name")
    markings: str | None = None
    condition: str | None = Field(default=None, description="One of: " + ", ".join(CONDITIONS))
    converted_to_automatic: bool | None = None
    notes: str | None = None


class FirearmPatch(FirearmFields):
    version: int = Field(description="The version read; a stale version answers 409 with the stored values")


class FirearmOut(BaseModel):
    id: int
    seizure_id: int
    case_id: int
    firearm_type: str
    manufacturer: str | None = Field(description="Canonical name, or the text as written when unknown")
    manufacturer_as_written: str | None
    manufacturer_known: bool
    model: str | None
    caliber: str | None
    caliber_as_written: str | None
    caliber_known: bool
    serial_number: str | None
    serial_normalized: str | None
    serial_status: str
    restored_serial: str | None
    restored_serial_normalized: str | None
    importer: str | None
    country_of_manufacture: str | None
    markings: str | None
    condition: str | None
    converted_to_automatic: bool
    custody_status: str
    notes: str | None
    version: int
    url: str


class FirearmSaved(FirearmOut):
    warnings: dict[str, list[str]] = Field(description="Accepted but flagged values, by field")


class CustodyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event: str = Field(description="One of: " + ", ".join(CUSTODY_EVENTS))
    occurred_at: str = Field(description="Local (Mexico City) date and time YYYY-MM-DDTHH:MM, or with a UTC offset")
    handed_over_by_name: str | None = None
    handed_over_by_institution: str | None = None
    handed_over_by_rank: str | None = None
    received_by_name: str | None = None
    received_by_institution: str | None = None
    received_by_rank: str | None = None
    place: str | None = None
    packaging: str | None = None
    seal_number: str | None = None
    notes: str | None = None
    corrects_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="The entry this one corrects (same firearm)")


class AttachmentOut(BaseModel):
    id: int
    original_name: str
    content_type: str
    size_bytes: int
    sha256: str


class CustodyOut(BaseModel):
    id: int
    firearm_id: int
    event: str
    occurred_at: str
    handed_over_by_name: str | None
    handed_over_by_institution: str | None
    handed_over_by_rank: str | None
    received_by_name: str | None
    received_by_institution: str | None
    received_by_rank: str | None
    place: str | None
    packaging: str | None
    seal_number: str | None
    notes: str | None
    note_code: str | None
    time_recorded: bool
    corrects_id: int | None
    attachment: AttachmentOut | None
    recorded_at: str


class CustodyList(BaseModel):
    items: list[CustodyOut]
    page: int
    per_page: int
    total: int


# --- JSON shapes ---------------------------------------------------------------------------------


def firearm_json(firearm: Firearm) -> dict[str, Any]:
    return {
        "id": firearm.id, "seizure_id": firearm.seizure_id, "case_id": firearm.case_id,
        "firearm_type": firearm.firearm_type, "manufacturer": firearm.manufacturer_name or None,
        "manufacturer_as_written": firearm.manufacturer_text, "manufacturer_known": firearm.manufacturer_id is not None,
        "model": firearm.model, "caliber": firearm.caliber_name or None, "caliber_as_written": firearm.caliber_text,
        "caliber_known": firearm.caliber_id is not None, "serial_number": firearm.serial_number,
        "serial_normalized": firearm.serial_normalized, "serial_status": firearm.serial_status,
        "restored_serial": firearm.restored_serial, "restored_serial_normalized": firearm.restored_serial_normalized,
        "importer": firearm.importer, "country_of_manufacture": firearm.country_code, "markings": firearm.markings,
        "condition": firearm.condition, "converted_to_automatic": bool(firearm.converted_to_automatic),
        "custody_status": firearm.custody_status, "notes": firearm.notes, "version": firearm.version,
        "url": url_for("firearms.detail", firearm_id=firearm.id),
    }


def custody_json(entry: CustodyEvent) -> dict[str, Any]:
    attachment = entry.attachment
    return {
        "id": entry.id, "firearm_id": entry.firearm_id, "event": entry.event,
        "occurred_at": entry.occurred_at.isoformat(),
        **{name: getattr(entry, name) for name in (
            "handed_over_by_name", "handed_over_by_institution", "handed_over_by_rank", "received_by_name",
            "received_by_institution", "received_by_rank", "place", "packaging", "seal_number", "notes",
            "note_code", "corrects_id")},
        "time_recorded": entry.time_recorded is not False,
        "attachment": None if attachment is None else {
            "id": attachment.id, "original_name": attachment.original_name, "content_type": attachment.content_type,
            "size_bytes": attachment.size_bytes, "sha256": attachment.sha256},
        "recorded_at": entry.recorded_at.isoformat(),
    }


# --- routes ----------------------------------------------------------------------------------------


@operation(bp, "/firearms/<int:firearm_id>", "GET", summary="A firearm", allow=case_workers,
           response=FirearmOut, errors=(404,))
def get_firearm(firearm_id: int):
    return jsonify(firearm_json(services.get_firearm(current_user, firearm_id)))


@operation(bp, "/firearms/<int:firearm_id>", "PATCH", allow=case_workers, response=FirearmSaved,
           body=FirearmPatch, errors=(404, 409),
           summary="Correct a firearm's identity (carries the version read); only the fields sent change")
def update_firearm(firearm_id: int):
    firearm = services.get_firearm(current_user, firearm_id)
    body = parse_json(FirearmPatch, multiline=("markings", "notes"))
    values = body.model_dump(exclude_unset=True)
    version = values.pop("version")
    try:
        firearm, warnings = services.update_firearm(current_user, firearm, values, version)
    except ValidationFailed as failure:
        raise api_validation(failure) from None
    db.session.commit()
    return jsonify({**firearm_json(firearm), "warnings": warnings})


@operation(bp, "/firearms/<int:firearm_id>/custody", "GET", allow=case_workers, response=CustodyList,
           errors=(404,), summary="A firearm's chain of custody, oldest entry first",
           query={"page": "Page number, from 1", "per_page": "Entries per page, at most 100"})
def list_custody(firearm_id: int):
    firearm = services.get_firearm(current_user, firearm_id)
    statement = (select(CustodyEvent).where(CustodyEvent.firearm_id == firearm.id)
                 .order_by(CustodyEvent.occurred_at, CustodyEvent.id))
    page = paginate(statement, request.args.get("page"), request.args.get("per_page", 100))
    return jsonify({"items": [custody_json(e) for e in page.items], "page": page.page,
                    "per_page": page.per_page, "total": page.total})


@operation(bp, "/firearms/<int:firearm_id>/custody", "POST", allow=case_workers, response=CustodyOut,
           body=CustodyIn, status=201, errors=(404,),
           summary="Append an entry to the chain of custody (a correction names the entry it corrects)")
def add_custody(firearm_id: int):
    firearm = services.get_firearm(current_user, firearm_id)
    body = parse_json(CustodyIn, multiline=("notes",))
    entry = services.record_custody_event(current_user, firearm, body.model_dump())
    db.session.commit()
    response = jsonify(custody_json(entry))
    response.status_code = 201
    response.headers["Location"] = url_for("firearms.detail", firearm_id=firearm.id, _anchor=f"entry-{entry.id}")
    return response
