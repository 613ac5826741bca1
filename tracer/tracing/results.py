"""Trace results: what the US liaison officer returns for a trace request (SPEC §3, §7, §8).

One set of rules for the form, the API and the CSV import. ``check_result``
turns raw values into clean ones — the dealer's licence number in its ATF
shape, the US state as its abbreviation, the origin point looked up from the
dealer's city, the time to crime from the purchase and seizure dates — and
says what to warn about. ``record_result`` writes them for the liaison officer
of the addressed agency; a result already recorded is corrected the same way,
carrying the version the officer read. The purchaser's name is personal data:
the audit trail records that it was set or changed, never the name itself.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Callable

from sqlalchemy import Select, false, select

from tracer.audit.services import record
from tracer.core.changes import stale_as_conflict
from tracer.core.errors import Conflict, NotFound, ValidationFailed
from tracer.core.i18n import format_local_date
from tracer.core.models import utcnow
from tracer.core.time import local_today
from tracer.core.translation import gettext as _
from tracer.core.validation import Checker
from tracer.extensions import db
from tracer.geo.catalog import resolve_us_state, us_state_name
from tracer.geo.geocoding import GeocodeResult, geocode_us_city
from tracer.tracing.ffl import FFL_EXAMPLE, FFL_SHAPE, normalize_ffl_license, normalize_zip
from tracer.tracing.labels import RESULT_FLAG_LABELS
from tracer.tracing.models import NO_TRACE_REASONS, TRACE_OUTCOMES, TraceRequest
from tracer.tracing.phones import us_phone
from tracer.tracing.purchaser import check_purchaser, save_purchaser
from tracer.tracing.readiness import US
from tracer.tracing.requests import trace_request_query

# The trace-result columns of SPEC §8 but trace_number: the fields of the form, the API and the file.
RESULT_FIELDS = ("outcome", "no_trace_reason", "ffl_name", "ffl_license", "ffl_street", "ffl_city", "ffl_state",
                 "ffl_zip", "purchase_date", "purchaser_name", "multiple_sale")
# Beyond SPEC §8, optional: the partner's trace number, the dealer's phone, the importer of a foreign-made
# firearm. Like ``notes``, each is kept as stored when a file or an API call leaves it out.
EXTRA_RESULT_FIELDS = ("partner_trace_number", "ffl_phone", "importer_name", "importer_license")
# Statuses that take a result: a first result (submitted, or opened by the partner office: in_progress)
# or a correction (completed, no_trace).
WORKABLE_STATUSES = ("submitted", "in_progress", "completed", "no_trace")
# A US retail result names the dealer who made the first retail sale.
DEALER_FIELDS = ("ffl_name", "ffl_license", "ffl_city", "ffl_state")
OUTCOME_WORDS = {"us retail": "us_retail", "us-retail": "us_retail", "us other": "us_other",
                 "us-other": "us_other", "no trace": "no_trace", "no-trace": "no_trace"}
NO_TRACE_REASON_WORDS = {name.replace("_", " "): name for name in NO_TRACE_REASONS}
TEXT_LIMITS = {"ffl_name": 200, "ffl_street": 200, "ffl_city": 120, "purchaser_name": 200,
               "partner_trace_number": 40, "importer_name": 200, "importer_license": 40}
NOTES_MAX = 4000
# Generous: a licence number copied with spaces around its hyphens.
FFL_LICENSE_INPUT_MAX = 40

Geocode = Callable[[str, str], GeocodeResult | None]


# --- who works a request ------------------------------------------------------------------------


def may_record_result(user, trace_request: TraceRequest) -> bool:
    """Only a liaison officer of the agency the request is addressed to enters or corrects its result."""
    return bool(user is not None and user.active and user.role == "liaison"
                and user.agency_id == trace_request.addressed_to_id)


def ensure_may_record(user, trace_request: TraceRequest) -> None:
    """``NotFound`` unless ``user`` may record the result: to anyone else the request does not exist."""
    if not may_record_result(user, trace_request):
        raise NotFound(_("Trace request not found."))


def requests_worked_by(user) -> Select:
    """``SELECT`` of the trace requests whose result ``user`` may record: for a liaison officer,
    those their office sees (addressed to it, never a draft); ``user`` None is the command line,
    which works every request."""
    if user is None:
        return select(TraceRequest)
    if not (user.active and user.role == "liaison"):
        return select(TraceRequest).where(false())
    return trace_request_query(user).where(TraceRequest.addressed_to_id == user.agency_id)


# --- checking -----------------------------------------------------------------------------------


def seizure_date(trace_request: TraceRequest) -> date | None:
    """The date the firearm was seized: time to crime runs up to it, a purchase cannot follow it."""
    seizure = trace_request.firearm.seizure if trace_request.firearm is not None else None
    return seizure.seized_on if seizure is not None else None


def made_in(trace_request: TraceRequest) -> str | None:
    """The firearm's country of manufacture as the request sent it (the firearm's now for a draft)."""
    sent = (trace_request.identifiers or {}).get("country_of_manufacture")
    if sent:
        return sent
    return trace_request.firearm.country_code if trace_request.firearm is not None else None


def _multiple_sale(check: Checker, value: Any) -> bool | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None  # not stated
    return check.flag("multiple_sale", value)


def _licence(check: Checker, value: Any) -> str | None:
    written = check.text("ffl_license", value, FFL_LICENSE_INPUT_MAX)
    if written is None:
        return None
    licence = normalize_ffl_license(written)
    if licence is None:
        check.error("ffl_license", _(
            "Not an ATF licence number: expected %(shape)s (region, district, county, licence type, expiration "
            "year digit and month letter A–M, sequence), for example %(example)s.",
            shape=FFL_SHAPE, example=FFL_EXAMPLE))
    return licence


def _state(check: Checker, value: Any) -> str | None:
    written = check.text("ffl_state", value, 60)
    if written is None:
        return None
    code = resolve_us_state(written)
    if code is None:
        check.error("ffl_state", _("Unknown US state: use its abbreviation (TX) or its name (Texas)."))
    return code


def _zip(check: Checker, value: Any) -> str | None:
    written = check.text("ffl_zip", value, 20)
    if written is None:
        return None
    code = normalize_zip(written)
    if code is None:
        check.error("ffl_zip", _("A ZIP code has 5 digits, or 5 and 4 (78520 or 78520-1234)."))
    return code


def _purchase_date(check: Checker, value: Any, seized_on: date | None) -> date | None:
    bought = check.day("purchase_date", value, not_after=local_today())
    if bought is not None and seized_on is not None and bought > seized_on:
        check.error("purchase_date", _(
            "The purchase date (%(purchase)s) is after the seizure date (%(seizure)s): a firearm is bought "
            "before it is seized.", purchase=format_local_date(bought), seizure=format_local_date(seized_on)))
        return None
    return bought


def _extras(check: Checker, values: dict[str, Any], made_in: str | None) -> dict[str, Any]:
    """The optional result fields given in ``values``, and the flags they raise: an importer named
    for a firearm made in the US is accepted but flagged (``importer_on_us_made``), for the
    analyst to check the country of manufacture or the importer with the partner office."""
    clean: dict[str, Any] = {}
    for name in ("partner_trace_number", "importer_name", "importer_license"):
        if name in values:
            clean[name] = check.text(name, values.get(name), TEXT_LIMITS[name])
    if "ffl_phone" in values:
        clean["ffl_phone"] = us_phone(check, "ffl_phone", values.get("ffl_phone"))
    if "importer_name" in values or "importer_license" in values:
        named = clean.get("importer_name") or clean.get("importer_license")
        flags = ["importer_on_us_made"] if named and made_in == US else []
        for flag in flags:
            check.warn("importer_name", str(RESULT_FLAG_LABELS[flag]))
        clean["result_flags"] = flags or None
    return clean


def check_result_values(values: dict[str, Any], seized_on: date | None, check: Checker,
                        geocode: Geocode | None = None, made_in: str | None = None) -> dict[str, Any]:
    """Check raw result values against the rules, recording errors and warnings in ``check``;
    return the clean values, with the origin point and the time to crime worked out.

    ``values`` holds the fields of ``RESULT_FIELDS`` (missing ones are empty) and
    optionally ``notes`` and the ``EXTRA_RESULT_FIELDS``; ``seized_on`` is the
    firearm's seizure date, ``made_in`` its country of manufacture (ISO code).
    """
    geocode = geocode or geocode_us_city
    clean: dict[str, Any] = {}
    outcome = check.choice("outcome", values.get("outcome"), TRACE_OUTCOMES, required=True, words=OUTCOME_WORDS)
    reason = check.choice("no_trace_reason", values.get("no_trace_reason"), NO_TRACE_REASONS,
                          words=NO_TRACE_REASON_WORDS)
    if outcome == "no_trace" and reason is None and "no_trace_reason" not in check.errors:
        check.error("no_trace_reason", _("Say why the trace found nothing: choose a no-trace reason."))
    if outcome is not None and outcome != "no_trace" and reason is not None:
        check.error("no_trace_reason", _("A no-trace reason is given only when the outcome is “no trace”."))
    clean["outcome"], clean["no_trace_reason"] = outcome, reason

    for name in ("ffl_name", "ffl_street", "ffl_city"):
        clean[name] = check.text(name, values.get(name), TEXT_LIMITS[name])
    clean["ffl_license"] = _licence(check, values.get("ffl_license"))
    clean["ffl_state"] = _state(check, values.get("ffl_state"))
    clean["ffl_zip"] = _zip(check, values.get("ffl_zip"))
    clean["purchase_date"] = _purchase_date(check, values.get("purchase_date"), seized_on)
    clean["purchaser_name"] = check.text("purchaser_name", values.get("purchaser_name"), TEXT_LIMITS["purchaser_name"])
    clean["multiple_sale"] = _multiple_sale(check, values.get("multiple_sale"))
    if "notes" in values:
        clean["result_notes"] = check.text("notes", values.get("notes"), NOTES_MAX, multiline=True)
    clean.update(_extras(check, values, made_in))

    if outcome == "us_retail":
        for name in DEALER_FIELDS:
            if clean[name] is None and name not in check.errors:
                check.error(name, _("A US retail result names the dealer (FFL) who made the first retail sale: "
                                    "this field is required."))
    if outcome == "no_trace":
        for name in ("purchase_date", "purchaser_name"):
            if clean[name] is not None:
                check.error(name, _("A trace without result has no purchase: leave this field empty."))
        if clean["multiple_sale"]:
            check.error("multiple_sale", _("A trace without result has no purchase: leave this field empty."))
        clean["multiple_sale"] = None

    clean.update(_origin(check, clean, geocode))
    bought = clean["purchase_date"]
    clean["time_to_crime_days"] = (seized_on - bought).days if bought is not None and seized_on is not None else None
    return clean


def _origin(check: Checker, clean: dict[str, Any], geocode: Geocode) -> dict[str, Any]:
    """The origin point: the dealer's city, from the gazetteer or the configured geocoder.

    A city the gazetteer does not know leaves the point empty, with a warning:
    a state-wide guess would pass for a city and distort every distance drawn from it.
    """
    city, state = clean["ffl_city"], clean["ffl_state"]
    empty = {"origin_latitude": None, "origin_longitude": None, "origin_source": None}
    if not city or not state:
        return empty
    found = geocode(state, city)
    if found is None:
        check.warn("ffl_city", _(
            "%(city)s (%(state)s) is not in the gazetteer of US cities: the origin point is left unplaced, so no "
            "distance can be measured. Check the spelling of the city.", city=city, state=us_state_name(state)))
        return empty
    return {"origin_latitude": found.latitude, "origin_longitude": found.longitude, "origin_source": found.source}


def check_result(values: dict[str, Any], trace_request: TraceRequest,
                 geocode: Geocode | None = None) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The clean values of a result for ``trace_request`` and the warnings to show beside them;
    raises ``ValidationFailed`` naming each field that breaks a rule."""
    check = Checker()
    clean = check_result_values(values, seizure_date(trace_request), check, geocode, made_in(trace_request))
    check.raise_if_errors()
    return clean, check.warnings


# --- writing ------------------------------------------------------------------------------------


def result_values(trace_request: TraceRequest, with_purchaser: bool = False) -> dict[str, Any]:
    """The stored result as the API and the form send it back. The purchaser's name is left out
    unless asked for: whoever shows it decides whether the reader may see it and audits the read."""
    values = {name: getattr(trace_request, name) for name in RESULT_FIELDS + EXTRA_RESULT_FIELDS
              if name != "purchaser_name"}
    values["purchase_date"] = trace_request.purchase_date.isoformat() if trace_request.purchase_date else None
    values["notes"] = trace_request.result_notes
    if with_purchaser:
        values["purchaser_name"] = trace_request.purchaser_name
    return values


def result_conflict(trace_request: TraceRequest) -> Conflict:
    """A stale version: the values stored now (without the purchaser, see ``result_values``)."""
    return Conflict(_("Someone else changed this trace result while you were editing it. "
                      "Review the values saved now, then save again."),
                    {"version": trace_request.version, "current": result_values(trace_request)})


def is_unchanged(trace_request: TraceRequest, clean: dict[str, Any]) -> bool:
    """The request already holds exactly this result (a file imported twice changes nothing)."""
    return trace_request.status == status_for(clean["outcome"]) and all(
        getattr(trace_request, name) == value for name, value in clean.items())


def status_for(outcome: str) -> str:
    return "no_trace" if outcome == "no_trace" else "completed"


def result_changes(current: Callable[[str], Any], clean: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(old, new) values of the fields that the checked result ``clean`` changes, status included;
    ``current(name)`` reads the stored value."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for name, value in {**clean, "status": status_for(clean["outcome"])}.items():
        stored = current(name)
        if stored != value:
            old[name], new[name] = stored, value
    return old, new


def audit_result(actor, trace_request_id: int, case_id: int, trace_number: str, old: dict[str, Any],
                 new: dict[str, Any], source: str) -> None:
    """Queue ``trace_request.result`` with the old and new values; of the purchaser (personal
    data) only that it was set, changed or removed, never the name."""
    details: dict[str, Any] = {"trace_number": trace_number, "source": source,
                               "old": {k: v for k, v in old.items() if k != "purchaser_name"},
                               "new": {k: v for k, v in new.items() if k != "purchaser_name"}}
    if "purchaser_name" in new:
        details["purchaser_name"] = ("set" if old["purchaser_name"] is None else
                                     "removed" if new["purchaser_name"] is None else "changed")
    record("trace_request.result", object_type="trace_request", object_id=trace_request_id, case_id=case_id,
           actor=actor, details=details)


def apply_result(actor, trace_request: TraceRequest, clean: dict[str, Any], source: str) -> bool:
    """Write checked values (``check_result``) on a request that may take them, set its status,
    who recorded the result and when, and audit the change (old and new values) in the same
    transaction. Returns False, writing nothing, when the request already holds this result."""
    old, new = result_changes(lambda name: getattr(trace_request, name), clean)
    if not new:
        return False
    for name, value in new.items():
        setattr(trace_request, name, value)
    trace_request.result_by_id = getattr(actor, "id", None)
    trace_request.result_at = utcnow()
    db.session.flush()
    audit_result(actor, trace_request.id, trace_request.case_id, trace_request.trace_number, old, new, source)
    return True


def ensure_workable(trace_request: TraceRequest) -> None:
    """A draft has not been sent to the US partner yet: it cannot take a result."""
    if trace_request.status not in WORKABLE_STATUSES:
        message = _("Trace request %(number)s is still a draft: it can take a result once it is submitted.",
                    number=trace_request.trace_number)
        raise ValidationFailed(message, {"status": [message]})


def record_result(user, trace_request: TraceRequest, values: dict[str, Any], version: Any = None,
                  source: str = "form") -> tuple[TraceRequest, dict[str, list[str]]]:
    """Enter or correct the result of ``trace_request`` as ``user``, the liaison officer of the
    addressed agency (anyone else: ``NotFound``).

    ``version`` is the version the officer read. It may be left out for a first
    result; correcting a recorded result requires it, and a stale one raises
    ``Conflict`` with the values stored now. The status becomes ``completed``, or
    ``no_trace`` when that is the outcome. The purchaser's ``purchaser_*`` fields record a
    person of the case (``tracing.purchaser``) in the same transaction. Returns the request
    and the warnings.
    """
    ensure_may_record(user, trace_request)
    ensure_workable(trace_request)
    if version is None and trace_request.outcome is not None:
        raise ValidationFailed(_("Please correct the marked fields."), {"version": [_(
            "This request already has a result: send the version you read, so that a correction never "
            "overwrites a result you have not seen.")]})
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)
                                or version != trace_request.version):
        raise result_conflict(trace_request)
    check = Checker()
    clean = check_result_values(values, seizure_date(trace_request), check, None, made_in(trace_request))
    person = check_purchaser(check, values, clean)
    check.raise_if_errors()
    with stale_as_conflict(trace_request, result_conflict):
        apply_result(user, trace_request, clean, source)
        if person is not None:
            save_purchaser(user, trace_request, person)
    return trace_request, check.warnings
