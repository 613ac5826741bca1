"""Sharing a case with another agency (SPEC §2).

The lead officer, or a supervisor of the owning agency (or a federal supervisor),
shares a case with an agency that does not already see it: a Mexican agency of
another state, or a US partner office. That agency then sees the case and what
belongs to it (seizures, firearms, trace requests, ballistic items) wherever
those are read, through ``tracer.auth.scope.case_scope``; it does not edit them.
A share is revoked, never deleted; sharing and revoking are audited.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tracer.audit.services import record
from tracer.auth.models import Agency, User
from tracer.cases.models import Case, CaseShare
from tracer.core.database import MAX_ROW_ID
from tracer.core.errors import Forbidden, NotFound, ValidationFailed
from tracer.core.models import utcnow
from tracer.core.translation import gettext as _
from tracer.extensions import db


def may_share(user: User, case: Case) -> bool:
    """The lead officer of the case, or a supervisor of its agency (or a federal supervisor)."""
    if not user.active or user.role not in ("officer", "analyst", "supervisor"):
        return False
    own = case.owner_agency_id == user.agency_id or user.agency.level == "federal"
    return own and (user.id == case.lead_officer_id or user.role == "supervisor")


def _ensure_may_share(user: User, case: Case) -> None:
    if not may_share(user, case):
        raise Forbidden(_("Only the lead officer or a supervisor of the agency that owns this case may share it."))


def sees_already(agency: Agency, case: Case) -> bool:
    """Whether ``agency`` sees ``case`` without a share: its own, its state's, or a federal agency."""
    owner = case.owner_agency
    return (agency.id == owner.id or agency.level == "federal"
            or (agency.level == "state" and agency.state_code is not None and agency.state_code == owner.state_code))


def active_shares(case: Case) -> list[CaseShare]:
    """The agencies ``case`` is shared with now, in the order they were added."""
    return list(db.session.scalars(select(CaseShare).where(CaseShare.case_id == case.id,
                                                           CaseShare.revoked_at.is_(None)).order_by(CaseShare.id)))


def share_candidates(case: Case) -> list[Agency]:
    """The agencies ``case`` may be shared with: active, not seeing it already, not shared with now."""
    shared = {share.agency_id for share in active_shares(case)}
    agencies = db.session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.acronym))
    return [agency for agency in agencies if agency.id not in shared and not sees_already(agency, case)]


def share_case(user: User, case: Case, agency_id: Any) -> CaseShare:
    """Share ``case`` with the agency ``agency_id``. ``ValidationFailed`` naming ``agency_id``
    when it is unknown, already sees the case or already has it shared."""
    _ensure_may_share(user, case)
    agency = None
    if isinstance(agency_id, int) and not isinstance(agency_id, bool) and 0 < agency_id <= MAX_ROW_ID:
        agency = db.session.get(Agency, agency_id)
    problem = None
    if agency is None or not agency.active:
        problem = _("Choose an agency from the list.")
    elif sees_already(agency, case):
        problem = _("This agency already sees the case.")
    elif any(share.agency_id == agency.id for share in active_shares(case)):
        problem = _("The case is already shared with this agency.")
    if problem:
        raise ValidationFailed(_("Please correct the marked fields."), {"agency_id": [problem]})
    share = CaseShare(case_id=case.id, agency_id=agency.id, shared_by_id=user.id)
    db.session.add(share)
    db.session.flush()
    record("case.share", object_type="case_share", object_id=share.id, case_id=case.id, actor=user,
           details={"agency_id": agency.id, "agency": agency.acronym})
    return share


def revoke_share(user: User, case: Case, share_id: int) -> CaseShare:
    """Stop sharing ``case`` through the share ``share_id``; ``NotFound`` when it is not one of its active shares."""
    share = db.session.scalar(select(CaseShare).where(CaseShare.id == share_id, CaseShare.case_id == case.id,
                                                      CaseShare.revoked_at.is_(None)))
    if share is None:
        raise NotFound(_("Not found."))
    _ensure_may_share(user, case)
    share.revoked_at, share.revoked_by_id = utcnow(), user.id
    db.session.flush()
    record("case.share_revoke", object_type="case_share", object_id=share.id, case_id=case.id, actor=user,
           details={"agency_id": share.agency_id, "agency": share.agency.acronym})
    return share
