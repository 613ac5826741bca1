"""What a trace request says beyond the firearm, as Form 3312.1 asks for it.

The requesting agency's case number, the requester's name, badge and contact,
the justification of an urgent request, the crime (category and NCIC code), an
optional project code, the recovery date and address, and the reason for the
trace. A draft keeps whatever was entered, each value checked for its shape
(``check_details``); a request is sent only when complete (``missing_details``),
each missing item named in the user's language.
"""
from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email

from tracer.core.changes import apply_changes
from tracer.core.errors import ValidationFailed
from tracer.core.time import local_today
from tracer.core.translation import gettext as _
from tracer.core.validation import Checker
from tracer.geo.catalog import municipality_name, state_name
from tracer.tracing.crime_codes import (CRIME_CATEGORY_CODES, DEFAULT_CATEGORY, category_of_seizure,
                                        default_ncic_code, ncic_codes)
from tracer.tracing.models import TRACE_REASONS, TraceRequest
from tracer.tracing.phones import requester_phone

# In the order of the form.
DETAIL_FIELDS = ("agency_case_number", "requester_name", "requester_badge", "requester_phone", "requester_email",
                 "urgent_justification", "crime_category", "ncic_code", "project_code", "recovery_date",
                 "recovery_address", "trace_reason", "trace_reason_text")
TEXT_LIMITS = {"agency_case_number": 80, "requester_name": 200, "requester_badge": 40, "project_code": 40,
               "recovery_address": 300, "trace_reason_text": 300}
JUSTIFICATION_MAX = 2000


def default_details(user, firearm) -> dict[str, Any]:
    """A new request's details: the case's carpeta number (its reference when it has none), the
    signed-in requester (with their agency's contact line), the seizure's crime category, date and place."""
    seizure, case = firearm.seizure, firearm.case
    category = category_of_seizure(seizure.crime_category) or DEFAULT_CATEGORY
    place = [seizure.address, seizure.locality, municipality_name(seizure.state_code, seizure.municipality_code),
             state_name(seizure.state_code)]
    return {
        "agency_case_number": case.carpeta_number or case.reference,
        "requester_name": user.full_name,
        "requester_badge": None,
        # The official's own e-mail; the agency's contact line until they give their own.
        "requester_phone": requester_phone(Checker(), "requester_phone", user.agency.contact_phone),
        "requester_email": user.email or user.agency.contact_email,
        "urgent_justification": None,
        "crime_category": category,
        "ncic_code": default_ncic_code(category),
        "project_code": None,
        "recovery_date": seizure.seized_on,
        "recovery_address": ", ".join(part for part in place if part)[:300] or None,
        "trace_reason": "investigation",
        "trace_reason_text": None,
    }


def _email(check: Checker, value: Any) -> str | None:
    written = check.text("requester_email", value, 254)
    if written is None:
        return None
    try:
        return validate_email(written, check_deliverability=False).normalized
    except EmailNotValidError:
        check.error("requester_email", _("Not an e-mail address: write it as name@institution.gob.mx."))
        return None


def check_details(values: dict[str, Any], check: Checker) -> dict[str, Any]:
    """The clean details of ``values`` (only the keys present), each checked for its shape; errors
    go to ``check`` naming the field. Completeness is ``missing_details``'s business."""
    clean: dict[str, Any] = {}
    for name in values:
        if name in TEXT_LIMITS:
            clean[name] = check.text(name, values[name], TEXT_LIMITS[name])
    if "urgent_justification" in values:
        clean["urgent_justification"] = check.text("urgent_justification", values["urgent_justification"],
                                                   JUSTIFICATION_MAX, multiline=True)
    if "requester_phone" in values:
        clean["requester_phone"] = requester_phone(check, "requester_phone", values["requester_phone"])
    if "requester_email" in values:
        clean["requester_email"] = _email(check, values["requester_email"])
    if "crime_category" in values:
        clean["crime_category"] = check.choice("crime_category", values["crime_category"], CRIME_CATEGORY_CODES)
    if "ncic_code" in values:
        code = check.text("ncic_code", values["ncic_code"], 4)
        if code is not None and code not in ncic_codes():
            check.error("ncic_code", _("Not an NCIC crime code of the list: choose one, such as 5212 "
                                       "(possession of weapon)."))
            code = None
        if code is None and "ncic_code" not in check.errors and clean.get("crime_category"):
            code = default_ncic_code(clean["crime_category"])  # the category's code when none is chosen
        clean["ncic_code"] = code
    if "recovery_date" in values:
        clean["recovery_date"] = check.day("recovery_date", values["recovery_date"], not_after=local_today())
    if "trace_reason" in values:
        clean["trace_reason"] = check.choice("trace_reason", values["trace_reason"], TRACE_REASONS)
    return clean


class IncompleteRequest(ValidationFailed):
    """A request refused at submission because the form lacks what a trace needs; ``details``
    (the API's) also carry the ``missing`` list of fields."""

    def __init__(self, missing: dict[str, list[str]]):
        super().__init__(_("The trace request was not sent: complete the request form first."), missing)
        self.details = {**missing, "missing": list(missing)}


def checked_details(values: dict[str, Any] | None, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """``base`` (the defaults or the stored details) with the given ``values`` checked over it;
    ``ValidationFailed`` naming each field in the wrong shape, nothing written."""
    check = Checker()
    clean = check_details({k: v for k, v in (values or {}).items() if k in DETAIL_FIELDS}, check)
    check.raise_if_errors()
    return {**(base or {}), **clean}


apply_details = apply_changes  # the checked details set on a request: (old, new) of what changed


def ensure_complete(trace: TraceRequest) -> None:
    """``IncompleteRequest`` unless the request holds everything the form needs to be sent."""
    missing = missing_details(trace)
    if missing:
        raise IncompleteRequest(missing)


def missing_details(trace: TraceRequest) -> dict[str, list[str]]:
    """What a request still needs before it is sent, by field, in the user's language."""
    missing: dict[str, list[str]] = {}

    def need(name: str, message: str) -> None:
        missing.setdefault(name, []).append(message)

    if not trace.agency_case_number:
        need("agency_case_number", _("The requesting agency's case number is missing."))
    if not trace.requester_name:
        need("requester_name", _("The requester's name is missing."))
    if not trace.requester_phone and not trace.requester_email:
        need("requester_phone", _("Give the requester's telephone or e-mail: the partner office calls back."))
    if trace.priority == "urgent" and not trace.urgent_justification:
        need("urgent_justification", _("An urgent request says why it is urgent: write the justification."))
    if not trace.ncic_code:
        need("ncic_code", _("The NCIC crime code is missing."))
    if not trace.recovery_date:
        need("recovery_date", _("The recovery date is missing."))
    if not trace.recovery_address:
        need("recovery_address", _("The recovery address is missing."))
    if not trace.trace_reason:
        need("trace_reason", _("The reason for the trace is missing."))
    elif trace.trace_reason == "other" and not trace.trace_reason_text:
        need("trace_reason_text", _("Say what the other reason for the trace is."))
    return missing


def details_of(trace: TraceRequest) -> dict[str, Any]:
    """The stored details, as the API and the form send them back."""
    values = {name: getattr(trace, name) for name in DETAIL_FIELDS}
    values["recovery_date"] = trace.recovery_date.isoformat() if trace.recovery_date else None
    return values
