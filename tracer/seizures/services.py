"""Rules for recording a seizure and the firearms seized in it.

The web form, the JSON API and the CSV import all go through ``check_seizure``
and ``create_seizure``: one set of rules, one audit trail.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracer.audit.services import record
from tracer.auth.models import Agency
from tracer.auth.scope import case_scope
from tracer.auth.services import agency_by_acronym
from tracer.core.panels import read_record
from tracer.core.time import local_today
from tracer.core.translation import gettext as _
from tracer.core.validation import Checker
from tracer.extensions import db
from tracer.firearms.services import add_firearm, check_firearm
from tracer.geo.catalog import resolve_municipality, resolve_state
from tracer.geo.geocoding import geocode_place
from tracer.geo.shapes import in_mexico, point_in_state
from tracer.seizures.models import COORDINATE_SOURCES, Seizure
from tracer.seizures.signals import seizure_recorded

MAX_FIREARMS = 500


def seizure_query(user):
    """Seizures the user may see: those of cases owned by agencies in scope, or shared with theirs."""
    from tracer.cases.models import Case

    return select(Seizure).join(Seizure.case).where(case_scope(user, Case.owner_agency_id, Seizure.case_id))


def get_seizure(user, seizure_id: int, *, page: bool = False) -> Seizure:
    """The seizure if ``user`` may see its case; ``NotFound`` otherwise. For its ``page``, what the
    seizure holds of each of the page's sections is asked in the same statement (``read_record``)."""
    from tracer.core.errors import NotFound

    statement = seizure_query(user).where(Seizure.id == seizure_id)
    seizure = read_record("seizure", statement, Seizure.id) if page else db.session.scalar(statement)
    if seizure is None:
        raise NotFound(_("Not found."))
    return seizure


def may_record_for(user, agency: Agency | None) -> bool:
    """Whether ``user`` may record a seizure seized by ``agency`` (SPEC §2, seizing agency).

    A seizure is recorded for the user's own agency; a federal user may record it for
    any Mexican agency, federal or state; a state user for their own agency or a federal
    one acting with it, never for another agency of any state. Never for a ``us`` agency,
    nor for an inactive one. The form's choices, the API and the import all ask here.
    """
    if agency is None or not agency.active or agency.level == "us":
        return False
    own = user.agency
    if agency.id == own.id:
        return True
    if own.level == "federal":
        return agency.level in ("federal", "state")
    if own.level == "state":
        return agency.level == "federal"
    return False


def seizing_agencies_for(user) -> list[Agency]:
    """The agencies ``user`` may record a seizure for, their own first, then by level and acronym."""
    candidates = db.session.scalars(select(Agency).where(Agency.active.is_(True), Agency.level != "us")
                                    .order_by(Agency.level, Agency.acronym))
    allowed = [agency for agency in candidates if may_record_for(user, agency)]
    return sorted(allowed, key=lambda agency: agency.id != user.agency_id)


def check_seizing_agency(check: Checker, user, agency: Agency) -> bool:
    """Put an error on the ``agency`` field unless ``user`` may record a seizure for ``agency``."""
    if may_record_for(user, agency):
        return True
    if user.agency.level == "federal":
        message = _("You may not record a seizure for %(acronym)s: choose your own agency or another Mexican "
                    "agency.", acronym=agency.acronym)
    elif user.agency.level == "state":
        message = _("You may not record a seizure for %(acronym)s: choose your own agency or a federal agency "
                    "acting with it.", acronym=agency.acronym)
    else:
        message = _("Seizures are recorded by Mexican agencies.")
    check.error("agency", message)
    return False


def _agency(check: Checker, user, acronym: Any, find_agency=None) -> Agency | None:
    """The seizing agency named by ``acronym`` (the user's own when empty), if the user may record for it."""
    text = check.text("agency", acronym, 32)
    if "agency" in check.errors:
        return None
    if not text:
        agency = user.agency
    else:
        agency = (agency_by_acronym if find_agency is None else find_agency)(text)
        if agency is None or not agency.active:
            check.error("agency", _("Unknown agency: use its acronym, for example %(example)s.",
                                    example=user.agency.acronym))
            return None
    return agency if check_seizing_agency(check, user, agency) else None


def check_place(check: Checker, values: dict[str, Any], geocode=None) -> dict[str, Any]:
    """State, municipality and coordinates: checked against the INEGI catalogue,
    geocoded when no coordinates were given, flagged when outside the state.
    ``geocode`` is ``geocode_place`` (a bulk import passes one that remembers places)."""
    geocode = geocode_place if geocode is None else geocode
    clean: dict[str, Any] = {}
    state_text = check.text("state", values.get("state"), 60, required=True)
    state = resolve_state(state_text) if state_text else None
    if state_text and state is None:
        check.error("state", _("Unknown state: use the INEGI code (01 to 32) or the name."))
    clean["state_code"] = state
    municipality_text = check.text("municipality", values.get("municipality"), 120)
    clean["municipality_code"] = None
    if municipality_text and state:
        municipality = resolve_municipality(state, municipality_text)
        if municipality is None:
            check.error("municipality", _("This municipality is not in the chosen state."))
        else:
            clean["municipality_code"] = municipality.code
    clean["locality"] = check.text("locality", values.get("locality"), 160)
    clean["address"] = check.text("address", values.get("address"), 300)
    latitude = check.decimal("latitude", values.get("latitude"), -90, 90)
    longitude = check.decimal("longitude", values.get("longitude"), -180, 180)
    given = [v for v in (values.get("latitude"), values.get("longitude")) if v not in (None, "")]
    if len(given) == 1:
        check.error("longitude" if values.get("latitude") not in (None, "") else "latitude",
                    _("Give both latitude and longitude, or neither."))
    clean.update(latitude=None, longitude=None, coordinate_source=None, coordinates_outside_state=False)
    if latitude is not None and longitude is not None:
        # A point inside the stated state is inside Mexico: one outline test instead of two.
        inside_state = bool(state) and point_in_state(latitude, longitude, state)
        if not inside_state and not in_mexico(latitude, longitude):
            check.error("latitude", _("These coordinates are outside Mexico. Check the order and the signs "
                                      "(longitude is negative in Mexico)."))
            return clean
        source = check.choice("coordinate_source", values.get("coordinate_source") or "gps", COORDINATE_SOURCES)
        clean.update(latitude=latitude, longitude=longitude, coordinate_source=source)
        if state and not inside_state:
            clean["coordinates_outside_state"] = True
            check.warn("latitude", _("These coordinates fall outside the chosen state; the record is flagged."))
    elif state and not given and not check.errors:
        found = geocode(state, clean["municipality_code"], clean["locality"], clean["address"])
        if found is not None:
            clean.update(latitude=found.latitude, longitude=found.longitude, coordinate_source=found.source)
    return clean


def check_seizure(user, values: dict[str, Any], find_agency=None,
                  geocode=None, place=None) -> tuple[dict[str, Any], Checker]:
    """Validate a seizure's own fields (not its firearms). ``find_agency`` turns an
    acronym into an agency, ``geocode`` a place into a point and ``place`` checks the
    place (``check_place``, called as it is; a bulk import passes ones that remember
    their answers)."""
    check = Checker()
    clean: dict[str, Any] = {}
    clean["seized_on"] = check.day("seized_on", values.get("seized_on"), required=True, not_after=local_today())
    clean["seized_time"] = check.clock("seized_time", values.get("seized_time"))
    agency = _agency(check, user, values.get("agency"), find_agency)
    clean["agency_id"] = agency.id if agency else None
    clean.update(check_place(check, values, geocode) if place is None else place(check, values))
    clean["circumstances"] = check.text("circumstances", values.get("circumstances"), 5000, multiline=True)
    clean["operation_name"] = check.text("operation_name", values.get("operation_name"), 160)
    clean["crime_category"] = check.text("crime_category", values.get("crime_category"), 80)
    clean["magazines_count"] = check.integer("magazines_count", values.get("magazines_count"), default=0)
    clean["cartridges_count"] = check.integer("cartridges_count", values.get("cartridges_count"), default=0)
    clean["seizure_ref"] = check.text("seizure_ref", values.get("seizure_ref"), 80)
    return clean, check


def reference_in_use(user, seizure_ref: str) -> bool:
    """Whether ``user``'s agency has already recorded a seizure under ``seizure_ref``. A
    reference belongs to the agency that records it: another agency's are never looked at,
    so the answer says nothing about them (SPEC §2)."""
    return db.session.scalar(select(Seizure.id).where(Seizure.recorded_by_agency_id == user.agency_id,
                                                      Seizure.seizure_ref == seizure_ref)) is not None


def _reference_taken(seizure_ref: str) -> str:
    return _("Your agency has already recorded seizure %(ref)s: choose another reference, or leave it empty.",
             ref=seizure_ref)


def check_firearms(rows: list[dict[str, Any]], check: Checker) -> list[dict[str, Any]]:
    if len(rows) > MAX_FIREARMS:
        check.error("firearms", _("At most %(n)d firearms per seizure.", n=MAX_FIREARMS))
        return []
    cleaned = []
    for index, row in enumerate(rows):
        clean, row_check = check_firearm(row if isinstance(row, dict) else {}, prefix=f"firearms-{index}-")
        check.merge(row_check)
        cleaned.append(clean)
    return cleaned


def create_seizure(user, case, values: dict[str, Any],
                   firearms: list[dict[str, Any]]) -> tuple[Seizure, dict[str, list[str]]]:
    """Record a seizure with its firearms in ``case`` (already fetched through the
    user's scope). Everything is checked first; nothing is written on error.
    Returns the seizure and the warnings to show (unknown maker, flagged place…)."""
    from tracer.cases.services import ensure_may_edit

    ensure_may_edit(user, case)  # adding a seizure changes the case
    clean, check = check_seizure(user, values)
    firearm_rows = check_firearms(firearms, check)
    reference = clean["seizure_ref"]
    if reference and "seizure_ref" not in check.errors and reference_in_use(user, reference):
        check.error("seizure_ref", _reference_taken(reference))
    check.raise_if_errors()
    seizure = Seizure(case_id=case.id, created_by_id=user.id, recorded_by_agency_id=user.agency_id, **clean)
    seizure.case = case
    try:
        with db.session.begin_nested():  # a reference taken meanwhile by a colleague is refused, not a 500
            db.session.add(seizure)
            db.session.flush()
    except IntegrityError:
        if not reference:
            raise
        check.error("seizure_ref", _reference_taken(reference))
        check.raise_if_errors()
    created = [add_firearm(seizure, row, actor=user) for row in firearm_rows]
    record("seizure.create", object_type="seizure", object_id=seizure.id, case_id=case.id,
           details={"new": _auditable(clean), "firearms": [f.id for f in created]})
    for firearm in created:
        record("firearm.create", object_type="firearm", object_id=firearm.id, case_id=case.id,
               details={"new": _auditable(_firearm_values(firearm))})
    # A firearm recorded before, perhaps in another agency's case: the officer is told now.
    for _receiver, warnings in seizure_recorded.send(user, firearms=created):
        for key, notices in warnings.items():
            check.warnings.setdefault(key, []).extend(notices)
    return seizure, check.warnings


def _firearm_values(firearm) -> dict[str, Any]:
    return {name: getattr(firearm, name) for name in (
        "firearm_type", "manufacturer_id", "manufacturer_text", "model", "caliber_id", "caliber_text",
        "serial_number", "serial_status", "restored_serial", "importer", "country_code",
        "converted_to_automatic", "external_id")}


def _auditable(values: dict[str, Any]) -> dict[str, Any]:
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value)
            for key, value in values.items() if value not in (None, "", False)}
