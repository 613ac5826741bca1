"""Analysts assigned to a case.

The lead officer, or a supervisor of the owning agency (or a federal supervisor),
assigns analysts who may see the case: analysts of the owning agency, of the
agencies of its state, of the assigner's own agency, or of an agency the case is
shared with. Assigned analysts find the case on their home page. Assigning and
removing are audited.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import joinedload, load_only

from tracer.audit.services import record
from tracer.auth.models import Agency, User
from tracer.cases.models import Case, CaseAssignment, CaseShare
from tracer.cases.sharing import may_share
from tracer.core.database import MAX_ROW_ID
from tracer.core.errors import Forbidden, NotFound, ValidationFailed
from tracer.core.translation import gettext as _
from tracer.extensions import db

CANDIDATES_MAX = 200


def may_assign(user: User, case: Case) -> bool:
    """Whoever may share the case (its lead officer, its supervisors) assigns its analysts."""
    return may_share(user, case)


# An assignment shows the analyst's name and agency.
ASSIGNED_ANALYST = joinedload(CaseAssignment.analyst).options(
    load_only(User.id, User.username, User.full_name, User.agency_id), joinedload(User.agency))


def assigned(case: Case) -> list[CaseAssignment]:
    """The analysts assigned to ``case``, in the order they were assigned (their names and agencies)."""
    return list(db.session.scalars(select(CaseAssignment).where(CaseAssignment.case_id == case.id)
                                   .options(ASSIGNED_ANALYST).order_by(CaseAssignment.id)))


def assignable_analysts(user: User, case: Case) -> list[User]:
    """Active analysts who may see ``case`` and are not assigned yet (at most ``CANDIDATES_MAX``)."""
    owner = case.owner_agency
    agencies = select(Agency.id).where(or_(
        Agency.id.in_((owner.id, user.agency_id)),
        Agency.state_code == owner.state_code if owner.state_code else Agency.id == owner.id,
        Agency.id.in_(select(CaseShare.agency_id).where(CaseShare.case_id == case.id,
                                                        CaseShare.revoked_at.is_(None)))))
    taken = select(CaseAssignment.analyst_id).where(CaseAssignment.case_id == case.id)
    return list(db.session.scalars(
        select(User).where(User.role == "analyst", User.active.is_(True), User.agency_id.in_(agencies),
                           User.id.not_in(taken)).order_by(User.full_name, User.id).limit(CANDIDATES_MAX)))


def assign(user: User, case: Case, analyst_id: Any) -> CaseAssignment:
    """Assign the analyst ``analyst_id`` to ``case``; ``ValidationFailed`` naming ``analyst_id``
    when they are not an analyst who may see the case, or are assigned already."""
    if not may_assign(user, case):
        raise Forbidden(_("Only the lead officer or a supervisor of the agency that owns this case may assign "
                          "analysts."))
    valid = isinstance(analyst_id, int) and not isinstance(analyst_id, bool) and 0 < analyst_id <= MAX_ROW_ID
    if not valid or analyst_id not in {analyst.id for analyst in assignable_analysts(user, case)}:
        raise ValidationFailed(_("Please correct the marked fields."), {"analyst_id": [
            _("Choose an analyst from the list: an active analyst who may see this case and is not assigned yet.")]})
    assignment = CaseAssignment(case_id=case.id, analyst_id=analyst_id, assigned_by_id=user.id)
    db.session.add(assignment)
    db.session.flush()
    record("case.assign", object_type="case_assignment", object_id=assignment.id, case_id=case.id, actor=user,
           details={"analyst_id": analyst_id, "analyst": assignment.analyst.username})
    return assignment


def unassign(user: User, case: Case, assignment_id: int) -> None:
    """Remove an analyst's assignment to ``case``; ``NotFound`` when it is not one of the case's."""
    assignment = db.session.scalar(select(CaseAssignment).where(CaseAssignment.id == assignment_id,
                                                                CaseAssignment.case_id == case.id))
    if assignment is None:
        raise NotFound(_("Not found."))
    if not may_assign(user, case):
        raise Forbidden(_("Only the lead officer or a supervisor of the agency that owns this case may assign "
                          "analysts."))
    details = {"analyst_id": assignment.analyst_id, "analyst": assignment.analyst.username}
    db.session.execute(delete(CaseAssignment).where(CaseAssignment.id == assignment.id))
    db.session.expunge(assignment)
    record("case.unassign", object_type="case_assignment", object_id=assignment_id, case_id=case.id, actor=user,
           details=details)
