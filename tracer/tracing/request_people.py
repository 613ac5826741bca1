"""The possessor and associates of a trace request (Form 3312.1, section 6), as people of the case.

The requester picks people already recorded in the case for the firearm or its seizure, or adds
new ones with the people room's fields and checks (``record_person(..., trace_request_id=...)``).
Everything is checked before anything is written, each error named by its field, and written in
the request's transaction. Reading them back follows the personal-data rule (SPEC §2: analysts
and supervisors who may see the case) and is audited with ids only; others learn how many.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import and_, func, or_, select

from tracer.cases.models import Case
from tracer.core.translation import gettext as _
from tracer.core.validation import Checker
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.people.access import audit_read, may_read_people, may_read_personal_data
from tracer.people.checks import check_person
from tracer.people.models import CasePerson
from tracer.people.services import attach_to_trace_request, record_person
from tracer.tracing.models import TraceRequest

ROLES = ("possessor", "associate")
# The person's fields the request form asks for (the people room's names).
FIELDS = ("last_names", "first_names", "alias", "birth_date", "sex", "street", "locality", "region", "country",
          "postal_code")


def candidates(user, firearm: Firearm) -> list[CasePerson]:
    """Possessors and associates recorded in the case for this firearm, its seizure or the case as a whole,
    not yet named on a trace request; only for readers of personal data (the caller audits the read)."""
    if not may_read_people(user):
        return []
    return list(db.session.scalars(
        select(CasePerson).where(
            CasePerson.case_id == firearm.case_id, CasePerson.role.in_(ROLES), CasePerson.trace_request_id.is_(None),
            or_(CasePerson.firearm_id == firearm.id,
                and_(CasePerson.firearm_id.is_(None),
                     or_(CasePerson.seizure_id.is_(None), CasePerson.seizure_id == firearm.seizure_id))))
        .order_by(CasePerson.case_id, CasePerson.id)))


def check_people(user, firearm: Firearm, entries: list[dict[str, Any]],
                 name: Callable[[int, str], str] = lambda i, field: f"people.{i}.{field}") -> None:
    """Check each entry — ``{"case_person_id"}`` (a person already recorded, from ``candidates``,
    keeping their role) or ``{"role", <person fields>}`` — raising ``ValidationFailed`` with every bad
    field named by ``name(index, field)``. Nothing is written."""
    check = Checker()
    allowed = {row.id for row in candidates(user, firearm)} if any(
        entry.get("case_person_id") not in (None, "") for entry in entries) else set()
    for index, entry in enumerate(entries):
        picked = entry.get("case_person_id")
        if picked not in (None, ""):  # keeps the role recorded in the case
            if not str(picked).isdigit() or int(picked) not in allowed:
                check.error(name(index, "case_person_id"), _("Choose a person recorded in this case."))
            continue
        if entry.get("role") not in ROLES:
            check.error(name(index, "role"), _("Choose the possessor or an associate."))
        _clean, person_check = check_person({field: entry.get(field) for field in FIELDS})
        for field, messages in person_check.errors.items():
            check.errors.setdefault(name(index, field), []).extend(messages)
    check.raise_if_errors()


def add_people(user, trace: TraceRequest, entries: list[dict[str, Any]],
               name: Callable[[int, str], str] = lambda i, field: f"people.{i}.{field}") -> list[CasePerson]:
    """Name the possessor and associates ``entries`` (see ``check_people``) on ``trace``, in the
    caller's transaction; ``ValidationFailed`` and nothing written when one is wrong."""
    check_people(user, trace.firearm, entries, name)
    case = db.session.get(Case, trace.case_id)
    rows = []
    for entry in entries:
        picked = entry.get("case_person_id")
        if picked not in (None, ""):
            rows.append(attach_to_trace_request(user, db.session.get(CasePerson, int(picked)), trace.id))
        else:
            fields = {field: entry.get(field) for field in FIELDS}
            rows.append(record_person(case, entry["role"], fields, user, firearm_id=trace.firearm_id,
                                      trace_request_id=trace.id))
    return rows


@dataclass
class RequestPeople:
    """What a reader is shown of a request's possessor and associates."""

    rows: list[CasePerson]
    count: int
    restricted: bool


def request_people(user, trace: TraceRequest, where: str) -> RequestPeople:
    """The possessor and associates of ``trace`` as ``user`` may see them; showing them records
    ``personal_data.read`` (ids only) in the current transaction, the caller commits."""
    statement = select(CasePerson).where(CasePerson.trace_request_id == trace.id, CasePerson.role.in_(ROLES))
    if not may_read_personal_data(user, trace.case_id):
        count = db.session.scalar(statement.with_only_columns(func.count(func.distinct(CasePerson.person_id))))
        return RequestPeople([], count or 0, restricted=True)
    rows = list(db.session.scalars(statement.order_by(CasePerson.id)))
    if rows:
        audit_read(user, where, object_type="trace_request", object_id=trace.id, case_id=trace.case_id,
                   person_ids=[row.person_id for row in rows])
    return RequestPeople(rows, len({row.person_id for row in rows}), restricted=False)
