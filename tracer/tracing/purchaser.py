"""The first retail purchaser of a trace result as a person of the people room (SPEC §2-3).

The result form, ``PUT /api/v1/trace-requests/{id}/result`` and the results file carry the
purchaser's fields flat, prefixed ``purchaser_`` (``purchaser_last_names``, ``purchaser_birth_date``…);
they are checked with the people room's rules, their errors named by the prefixed field, and
recorded with ``record_person(role="purchaser", trace_request_id=...)`` in the result's transaction.
``trace_requests.purchaser_name`` keeps the name as the result reports it (results recorded
before purchasers were people have only that).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tracer.cases.models import Case
from tracer.core.translation import gettext as _
from tracer.core.validation import Checker
from tracer.extensions import db
from tracer.people.checks import check_person, editable_values
from tracer.people.models import CasePerson, Person
from tracer.people.services import record_person, update_person
from tracer.tracing.models import TraceRequest
from tracer.tracing.personal_data import liaison_rule

PREFIX = "purchaser_"
# The person's fields a trace result reports: name, date of birth, identification, address.
PERSON_FIELDS = ("last_names", "first_names", "birth_date", "curp", "id_kind", "id_number", "id_country",
                 "id_region", "street", "locality", "region", "country", "postal_code")
PURCHASER_FIELDS = tuple(PREFIX + name for name in PERSON_FIELDS)
NAME_MAX = 200


def person_values(values: dict[str, Any]) -> dict[str, Any] | None:
    """The purchaser's raw person values in ``values`` (unprefixed), or None when none is given."""
    fields = {name: values.get(PREFIX + name) for name in PERSON_FIELDS}
    if not any(str(value or "").strip() for value in fields.values()):
        return None
    return fields


def check_purchaser(check: Checker, values: dict[str, Any], clean: dict[str, Any]) -> dict[str, Any] | None:
    """Check the purchaser's person values with the people room's rules, each error under its prefixed
    field in ``check``; the result's ``purchaser_name`` becomes the person's name. Returns the raw
    values to record, or None when the result names no purchaser person."""
    fields = person_values(values)
    if fields is None:
        return None
    person, person_check = check_person(fields)
    for field, messages in person_check.errors.items():
        check.errors.setdefault(PREFIX + field, []).extend(messages)
    if clean.get("outcome") == "no_trace":
        check.error(PREFIX + "last_names", _("A trace without result has no purchase: leave this field empty."))
    name = " ".join(part for part in (person.get("first_names"), person.get("last_names")) if part)
    if name:
        clean["purchaser_name"] = name[:NAME_MAX]
    return fields


def purchaser_row(trace_request: TraceRequest) -> CasePerson | None:
    """The purchaser recorded on ``trace_request`` (the latest, should there be several)."""
    return db.session.scalar(select(CasePerson).where(
        CasePerson.trace_request_id == trace_request.id, CasePerson.role == "purchaser")
        .order_by(CasePerson.id.desc()).limit(1))


def save_purchaser(user, trace_request: TraceRequest, fields: dict[str, Any]) -> CasePerson:
    """Record the purchaser of ``trace_request`` as a person attached to its case and firearm, or
    correct the one recorded; in the caller's transaction, audited by the people room (ids and
    field names only). ``user`` is the liaison officer who works the trace, or an analyst."""
    rule = liaison_rule(trace_request)
    row = purchaser_row(trace_request)
    if row is None:
        case = db.session.get(Case, trace_request.case_id)
        return record_person(case, "purchaser", fields, user, firearm_id=trace_request.firearm_id,
                             trace_request_id=trace_request.id, also=rule)
    person = db.session.get(Person, row.person_id)
    update_person(user, person, {**editable_values(person), **fields}, person.version, also=rule)
    return row


def form_values(person: Person | None) -> dict[str, Any]:
    """The purchaser's stored values as the result form shows them (prefixed)."""
    if person is None:
        return {}
    stored = editable_values(person)
    return {PREFIX + name: stored[name] for name in PERSON_FIELDS if stored.get(name) is not None}
