"""The sections of a case report, each one function of the case giving plain data.

A section holds codes and raw values (ISO dates, status codes, counts), never text in a
language: the page and the PDF render them in the reader's language, and the same case gives
the same content whoever reads it, so that its SHA-256 identifies a version of the report.
Personal data is kept under the key ``personal`` so that a rendering can withhold it.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, or_, select

from tracer.audit.models import AuditEvent
from tracer.auth.models import Agency
from tracer.ballistics.models import BallisticItem, BallisticLink, Scene
from tracer.cases.models import Case
from tracer.extensions import db
from tracer.firearms.models import CustodyEvent, Firearm
from tracer.people.services import case_people_statement
from tracer.reports.linked_cases import linked_cases_section
from tracer.seizures.models import Seizure
from tracer.tracing.models import SHORT_TIME_TO_CRIME_DAYS, TraceRequest

# The review history shows at most this many status changes (oldest first).
HISTORY_LIMIT = 200


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def agency_section(case: Case) -> dict[str, Any]:
    """The owning agency: the header of every page."""
    agency: Agency = case.owner_agency
    return {"name": agency.name, "acronym": agency.acronym, "level": agency.level,
            "ori": getattr(agency, "ori", None)}


def case_section(case: Case) -> dict[str, Any]:
    """The case's facts."""
    lead = case.lead_officer
    return {"id": case.id, "reference": case.reference, "title": case.title, "summary": case.summary,
            "status": case.status, "priority": case.priority,
            "lead_officer": lead.full_name if lead is not None else None,
            "carpeta_number": case.carpeta_number, "closure_outcome": case.closure_outcome,
            "opened_at": _iso(case.created_at), "closed_at": _iso(case.closed_at)}


def _place(record) -> dict[str, Any]:
    return {"state_code": record.state_code, "municipality_code": record.municipality_code,
            "locality": record.locality, "address": record.address,
            "latitude": record.latitude, "longitude": record.longitude,
            "coordinate_source": record.coordinate_source}


def seizures_section(case: Case) -> list[dict[str, Any]]:
    """The case's seizures, in the order they happened, with where and what was seized."""
    seizures = db.session.scalars(select(Seizure).where(Seizure.case_id == case.id)
                                  .order_by(Seizure.seized_on, Seizure.id))
    counts = dict(db.session.execute(select(Firearm.seizure_id, func.count(Firearm.id))
                                     .where(Firearm.case_id == case.id).group_by(Firearm.seizure_id)).all())
    return [{"id": seizure.id, "seizure_ref": seizure.seizure_ref, "seized_on": _iso(seizure.seized_on),
             "seized_time": seizure.seized_time.strftime("%H:%M") if seizure.seized_time else None,
             "agency": seizure.agency.acronym, **_place(seizure),
             "operation_name": seizure.operation_name, "crime_category": seizure.crime_category,
             "magazines": seizure.magazines_count, "cartridges": seizure.cartridges_count,
             "firearms": counts.get(seizure.id, 0)} for seizure in seizures]


def scenes_section(case: Case) -> list[dict[str, Any]]:
    """The shooting scenes of the case."""
    scenes = db.session.scalars(select(Scene).where(Scene.case_id == case.id).order_by(Scene.occurred_on, Scene.id))
    return [{"id": scene.id, "occurred_on": _iso(scene.occurred_on), **_place(scene),
             "crime_category": scene.crime_category} for scene in scenes]


def _custody(column, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per firearm or item: how many custody entries, the first one and where it is now."""
    if not ids:
        return {}
    chains: dict[int, list[CustodyEvent]] = defaultdict(list)
    for entry in db.session.scalars(select(CustodyEvent).where(column.in_(ids))
                                    .order_by(CustodyEvent.occurred_at, CustodyEvent.id)):
        chains[getattr(entry, column.key)].append(entry)
    summary = {}
    for owner_id, chain in chains.items():
        last = chain[-1]
        summary[owner_id] = {"entries": len(chain), "first_at": _iso(chain[0].occurred_at),
                             "last_event": last.event, "last_at": _iso(last.occurred_at),
                             "holder": last.received_by_institution or last.received_by_name,
                             "place": last.place, "seal_number": last.seal_number}
    return summary


def _trace(trace: TraceRequest | None) -> dict[str, Any] | None:
    if trace is None:
        return None
    days = trace.time_to_crime_days
    return {"id": trace.id, "trace_number": trace.trace_number, "status": trace.status,
            "addressed_to": trace.addressed_to.acronym, "outcome": trace.outcome,
            "no_trace_reason": trace.no_trace_reason, "ffl_name": trace.ffl_name, "ffl_license": trace.ffl_license,
            "ffl_city": trace.ffl_city, "ffl_state": trace.ffl_state,
            "origin_latitude": trace.origin_latitude, "origin_longitude": trace.origin_longitude,
            "purchase_date": _iso(trace.purchase_date), "multiple_sale": trace.multiple_sale,
            "time_to_crime_days": days, "short_time_to_crime": days is not None and days < SHORT_TIME_TO_CRIME_DAYS,
            "personal": {"purchaser_name": trace.purchaser_name} if trace.purchaser_name else None}


def firearms_section(case: Case) -> list[dict[str, Any]]:
    """The firearms of the case with their trace results (time to crime, short marked) and custody."""
    firearms = list(db.session.scalars(select(Firearm).where(Firearm.case_id == case.id).order_by(Firearm.id)))
    ids = [firearm.id for firearm in firearms]
    traces = {trace.firearm_id: trace for trace in db.session.scalars(
        select(TraceRequest).where(TraceRequest.firearm_id.in_(ids)))} if ids else {}
    custody = _custody(CustodyEvent.firearm_id, ids)
    return [{"id": firearm.id, "seizure_id": firearm.seizure_id, "firearm_type": firearm.firearm_type,
             "manufacturer": firearm.manufacturer.name if firearm.manufacturer else firearm.manufacturer_text,
             "model": firearm.model,
             "caliber": firearm.caliber.name if firearm.caliber else firearm.caliber_text,
             "serial_number": firearm.serial_number, "serial_status": firearm.serial_status,
             "restored_serial": firearm.restored_serial, "importer": firearm.importer,
             "country_code": firearm.country_code, "converted_to_automatic": firearm.converted_to_automatic,
             "custody_status": firearm.custody_status, "custody": custody.get(firearm.id),
             "trace": _trace(traces.get(firearm.id))} for firearm in firearms]


def ballistics_section(case: Case) -> dict[str, Any]:
    """The ballistic items of the case, their custody, and the confirmed hits that join them to other items."""
    items = list(db.session.scalars(select(BallisticItem).where(BallisticItem.case_id == case.id)
                                    .order_by(BallisticItem.id)))
    ids = [item.id for item in items]
    custody = _custody(CustodyEvent.ballistic_item_id, ids)
    hits = []
    if ids:
        links = db.session.scalars(select(BallisticLink).where(
            BallisticLink.status == "confirmed",
            or_(BallisticLink.item_a_id.in_(ids), BallisticLink.item_b_id.in_(ids))).order_by(BallisticLink.id))
        for link in links:
            ours, other = (link.item_a, link.item_b) if link.item_a_id in ids else (link.item_b, link.item_a)
            same_agency = other.case.owner_agency_id == case.owner_agency_id
            # Another agency's case is named only by its agency: its reference is theirs to give.
            hits.append({"id": link.id, "item_id": ours.id, "other_item_kind": other.kind,
                         "other_case": other.case.reference if same_agency else None,
                         "other_agency": other.case.owner_agency.acronym, "conclusion": link.conclusion,
                         "decided_at": _iso(link.decided_at)})
    return {"items": [{"id": item.id, "kind": item.kind, "caliber": item.caliber_name,
                       "headstamp": item.headstamp, "lab_number": item.lab_number, "ibis_ref": item.ibis_ref,
                       "seizure_id": item.seizure_id, "scene_id": item.scene_id, "firearm_id": item.firearm_id,
                       "custody": custody.get(item.id)} for item in items],
            "hits": hits}


def people_section(case: Case) -> list[dict[str, Any]]:
    """The people of the case and their roles; who they are (personal data) under ``personal``."""
    rows = db.session.scalars(case_people_statement(case.id))
    return [{"person_id": row.person_id, "role": row.role, "firearm_id": row.firearm_id,
             "seizure_id": row.seizure_id, "trace_request_id": row.trace_request_id,
             "personal": {"name": row.person.full_name, "alias": row.person.alias,
                          "birth_date": _iso(row.person.birth_date), "curp": row.person.curp,
                          "id_kind": row.person.id_kind, "id_number": row.person.id_number,
                          "locality": row.person.locality, "region": row.person.region,
                          "country": row.person.country}} for row in rows]


def _detail(details: dict[str, Any], *names: str):
    return next((details[name] for name in names if details.get(name) not in (None, "")), None)


def history_section(case: Case) -> list[dict[str, Any]]:
    """The review history: every status change the audit trail holds for the case (``case.*``
    events that name a status), oldest first, whatever action code the workflow gave them."""
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action.like("case.%"),
                                 AuditEvent.outcome == "success")
        .order_by(AuditEvent.id).limit(HISTORY_LIMIT * 5))
    history = []
    for event in events:
        details = event.details or {}
        to_status = _detail(details, "to_status", "to")
        if to_status is None and event.action in ("case.create", "case.update"):
            continue
        history.append({"at": _iso(event.occurred_at), "action": event.action, "user": event.username,
                        "from_status": _detail(details, "from_status", "from"), "to_status": to_status,
                        "comment": _detail(details, "comment")})
    return history[:HISTORY_LIMIT]


# The report, section by section, in the order it is printed: a room that adds to the report adds
# one function here.
SECTIONS = (
    ("agency", agency_section),
    ("case", case_section),
    ("seizures", seizures_section),
    ("scenes", scenes_section),
    ("firearms", firearms_section),
    ("ballistics", ballistics_section),
    ("linked_cases", linked_cases_section),
    ("people", people_section),
    ("history", history_section),
)
