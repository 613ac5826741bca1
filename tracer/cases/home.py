"""The case work on a home page: for supervisors the cases waiting for review, with how long
the oldest has waited; for officers the open cases they lead, and a new seizure to record."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from tracer.auth.models import User
from tracer.cases.models import Case, CaseAssignment
from tracer.cases.services import case_query
from tracer.core.i18n import format_days
from tracer.core.models import utcnow
from tracer.core.translation import gettext as _
from tracer.core.worklist import counted, work_card
from tracer.extensions import db


def _oldest(statement) -> str | None:
    oldest = db.session.scalar(statement.with_only_columns(func.min(Case.submitted_at)).order_by(None))
    if oldest is None:
        return None
    return _("the oldest has waited %(age)s", age=format_days((utcnow() - oldest).days))


def case_work(user: User) -> str | None:
    if user.role == "supervisor" and user.agency.level != "us":
        waiting = case_query(user).where(Case.status == "in_review")
        return work_card(_("Case review"), [
            counted(_("cases waiting for your review"), url_for("cases.review"), waiting,
                    note=_oldest(waiting))])
    if user.role == "officer":
        mine = case_query(user).where(Case.lead_officer_id == user.id, Case.status.in_(("open", "investigating")))
        return work_card(_("Your cases"), [
            counted(_("open cases you lead"), url_for("cases.index", status="open"), mine),
        ], intro=_("A new seizure starts from its case, or from “New seizure”."))
    return None


def assigned_work(user: User) -> str | None:
    """For analysts: the cases they are assigned to that are not closed."""
    if user.role != "analyst":
        return None
    mine = case_query(user).where(
        Case.id.in_(select(CaseAssignment.case_id).where(CaseAssignment.analyst_id == user.id)),
        Case.status != "closed")
    return work_card(_("Assigned to me"), [
        counted(_("cases you are assigned to"), url_for("cases.index", assigned="me"), mine)])
