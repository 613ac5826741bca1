"""Cases: the rules for reading, numbering, opening and editing them.

Every read goes through ``case_query``, so a case outside the user's scope is
simply not found. Writing functions validate, flush and audit; the caller (a
page or an API view) commits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload, lazyload, load_only

from tracer.audit.services import record
from tracer.auth.models import User
from tracer.auth.scope import case_scope
from tracer.cases.models import CASE_PRIORITIES, Case, CaseReferenceCounter
from tracer.core.changes import apply_changes, stale_as_conflict
from tracer.core.database import MAX_ROW_ID
from tracer.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tracer.core.numbering import next_number
from tracer.core.panels import read_record
from tracer.core.text import forbidden_character
from tracer.core.time import local_zone
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.seizures.models import Seizure

# Roles that open and edit cases; liaison officers and administrators do not.
CASE_WRITERS = frozenset({"officer", "analyst", "supervisor"})
# Who may lead a case: any case worker of the owning agency.
LEAD_ROLES = CASE_WRITERS

TITLE_MAX = 200
SUMMARY_MAX = 10_000
CARPETA_MAX = 80
# Carpeta de investigación numbers such as "FED/SON/HMO/0001234/2026" or "CI-FGE-26/123.2026".
CARPETA_PATTERN = re.compile(r"^[A-Za-z0-9ÁÉÍÓÚÜÑáéíóúüñ/\-. ]+\Z")
# The fields a user edits; status belongs to the review workflow.
EDITABLE_FIELDS = ("title", "summary", "priority", "carpeta_number", "lead_officer_id")
# A text search longer than any searched column cannot match.
SEARCH_MAX = TITLE_MAX


# --- reading ----------------------------------------------------------------------------------


def case_query(user: User) -> Select:
    """``SELECT`` of the cases ``user`` may see (their agencies' and those shared with
    their agency): the only way cases are read."""
    return select(Case).where(case_scope(user, Case.owner_agency_id, Case.id))


def get_case(user: User, case_id: int, *, page: bool = False) -> Case:
    """The case ``case_id`` if ``user`` may see it; ``NotFound`` otherwise (absent or out of scope alike).
    For its ``page``, what the case holds of each of the page's sections is asked in the same
    statement (``core.panels.read_record``)."""
    statement = case_query(user).where(Case.id == case_id)
    case = read_record("case", statement, Case.id) if page else db.session.scalar(statement)
    if case is None:
        raise NotFound(_("Case not found."))
    return case


def named_user(relationship, strategy=joinedload):
    """Load the user of ``relationship`` for showing their name (joined, or with ``strategy``):
    the account's other columns and the user's agency are not read."""
    return strategy(relationship).options(load_only(User.id, User.username, User.full_name),
                                          lazyload(User.agency))


def lead_candidates(agency_id: int) -> list[User]:
    """Active case workers of an agency, who may lead its cases."""
    return list(db.session.scalars(
        select(User).where(User.agency_id == agency_id, User.active.is_(True), User.role.in_(LEAD_ROLES))
        .order_by(User.full_name, User.username)))


# --- numbering --------------------------------------------------------------------------------


def next_reference(year: int, session: Session | None = None) -> str:
    """The next case reference of ``year``, ``TR-2026-000123``."""
    return f"TR-{year}-{next_number(CaseReferenceCounter, year, session):06d}"


def current_year() -> int:
    """The year in the zone the users work in: a case opened on 31 December evening belongs to that year."""
    return datetime.now(local_zone()).year


# --- validation -------------------------------------------------------------------------------


def _clean_text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError
    return value.strip() or None


def _field_values(values: dict[str, Any], agency_id: int, fields: dict[str, list[str]],
                  current_lead_id: int | None = None) -> dict[str, Any]:
    """Check the editable fields present in ``values``; return them cleaned."""
    clean: dict[str, Any] = {}

    def problem(name: str, message: str) -> None:
        fields.setdefault(name, []).append(message)

    for name, limit, newlines in (("title", TITLE_MAX, False), ("summary", SUMMARY_MAX, True),
                                  ("carpeta_number", CARPETA_MAX, False)):
        if name not in values:
            continue
        try:
            text = _clean_text(values[name])
        except TypeError:
            problem(name, _("Wrong type of value."))
            continue
        if text is not None and forbidden_character(text, allow_newlines=newlines) is not None:
            problem(name, _("Contains an invisible or control character."))
        elif text is not None and len(text) > limit:
            problem(name, _("At most %(n)d characters.", n=limit))
        elif name == "carpeta_number" and text is not None and not CARPETA_PATTERN.match(text):
            problem(name, _("Use only letters, digits, spaces and the signs / - ."))
        clean[name] = text
    if "title" in values and clean.get("title") is None and "title" not in fields:
        problem("title", _("This field is required."))

    if "priority" in values:
        if values["priority"] not in CASE_PRIORITIES:
            problem("priority", _("Not one of the allowed values: %(values)s.", values=", ".join(CASE_PRIORITIES)))
        clean["priority"] = values["priority"]

    if "lead_officer_id" in values:
        lead_id = values["lead_officer_id"]
        if lead_id is not None and (not isinstance(lead_id, int) or isinstance(lead_id, bool)):
            problem("lead_officer_id", _("Wrong type of value."))
        elif lead_id is not None and lead_id != current_lead_id:
            lead = db.session.get(User, lead_id) if 0 < lead_id <= MAX_ROW_ID else None
            if lead is None or lead.agency_id != agency_id or not lead.active or lead.role not in LEAD_ROLES:
                problem("lead_officer_id", _("The lead officer must be an active officer, analyst or "
                                             "supervisor of the agency that owns the case."))
        clean["lead_officer_id"] = lead_id
    return clean


def _fail(fields: dict[str, list[str]]) -> None:
    if fields:
        raise ValidationFailed(_("Please correct the marked fields."), fields)


def may_edit(user: User, case: Case) -> bool:
    """Case workers of the owning agency, and federal case workers, edit a case they can see."""
    return (user.active and user.role in CASE_WRITERS
            and (case.owner_agency_id == user.agency_id or user.agency.level == "federal"))


def ensure_may_edit(user: User, case: Case) -> None:
    """``Forbidden`` unless ``user`` may edit ``case`` (which they can already see)."""
    if not may_edit(user, case):
        raise Forbidden(_("Only officers, analysts and supervisors of the agency that owns this case "
                          "(or of a federal agency) may edit it."))


# --- writing ----------------------------------------------------------------------------------


def create_case(user: User, values: dict[str, Any]) -> Case:
    """Open a case owned by ``user``'s agency, with the next reference of the year.

    ``values``: ``title`` (required), ``summary``, ``priority`` (default
    ``normal``), ``carpeta_number``, ``lead_officer_id`` (when absent, the
    creator if they are an officer; ``None`` for no lead officer).
    """
    if not user.active or user.role not in CASE_WRITERS:
        raise Forbidden(_("Your role does not allow opening cases."))
    values = dict(values)
    values.setdefault("title", None)
    values.setdefault("priority", "normal")
    if "lead_officer_id" not in values:
        values["lead_officer_id"] = user.id if user.role == "officer" else None
    fields: dict[str, list[str]] = {}
    clean = _field_values({k: v for k, v in values.items() if k in EDITABLE_FIELDS}, user.agency_id, fields)
    _fail(fields)
    case = Case(reference=next_reference(current_year()), status="open", owner_agency_id=user.agency_id,
                created_by_id=user.id, **clean)
    db.session.add(case)
    db.session.flush()
    record("case.create", object_type="case", object_id=case.id, case_id=case.id, actor=user,
           details={"new": {"reference": case.reference, "status": case.status,
                            "owner_agency_id": case.owner_agency_id, **clean}})
    return case


def current_values(case: Case) -> dict[str, Any]:
    """What is stored now, as JSON-ready values: the ``details`` of a conflict."""
    return {
        "title": case.title,
        "summary": case.summary,
        "priority": case.priority,
        "carpeta_number": case.carpeta_number,
        "lead_officer_id": case.lead_officer_id,
        "status": case.status,
        "version": case.version,
        "updated_at": case.updated_at.isoformat() if case.updated_at else None,
    }


def _conflict(case: Case) -> Conflict:
    return Conflict(_("Someone else changed this case while you were editing it. "
                      "Review the values saved now, then save again."),
                    {"version": case.version, "current": current_values(case)})


def update_case(user: User, case: Case, values: dict[str, Any], version: Any) -> Case:
    """Change the editable fields present in ``values`` of a case ``user`` can see.

    ``version`` is the version the user started from; when the case has changed
    since, ``Conflict`` carries the values stored now. Only changed fields are
    written and audited (old and new values).
    """
    ensure_may_edit(user, case)
    if isinstance(version, bool) or not isinstance(version, int) or version != case.version:
        raise _conflict(case)
    fields: dict[str, list[str]] = {}
    if "status" in values:
        fields["status"] = [_("The status changes through the review workflow, not by editing.")]
    clean = _field_values({k: v for k, v in values.items() if k in EDITABLE_FIELDS}, case.owner_agency_id,
                          fields, current_lead_id=case.lead_officer_id)
    _fail(fields)
    old, new = apply_changes(case, clean)
    if not new:
        return case
    with stale_as_conflict(case, _conflict):
        db.session.flush()
    record("case.update", object_type="case", object_id=case.id, case_id=case.id, actor=user,
           details={"old": old, "new": new})
    return case


# --- seizures of a case -----------------------------------------------------------------------


@dataclass
class SeizureLine:
    id: int
    seized_on: date
    state_code: str
    locality: str | None
    firearms: int


def case_seizures(case: Case) -> list[SeizureLine]:
    """The seizures of a case (which the caller may already see), newest first, with their firearm counts."""
    firearms = (select(func.count(Firearm.id)).where(Firearm.seizure_id == Seizure.id)
                .correlate(Seizure).scalar_subquery())
    rows = db.session.execute(
        select(Seizure.id, Seizure.seized_on, Seizure.state_code, Seizure.locality, firearms.label("firearms"))
        .where(Seizure.case_id == case.id).order_by(Seizure.seized_on.desc(), Seizure.id.desc()))
    return [SeizureLine(*row) for row in rows]
