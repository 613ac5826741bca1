"""Which audit events a reader may see.

- an auditor reads the whole trail of their agency — events by its users or
  about its cases — or of every agency when their agency is federal, details
  included;
- an administrator reads account, permission and reference events only (see
  ``labels.ACCOUNT_ACTIONS``), never case, seizure, firearm, search, trace or
  link events, whose details hold serials, titles and queries;
- nobody else reads the trail.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, column, false, or_, select, table, true

from tracer.audit.labels import ACCOUNT_ACTIONS
from tracer.audit.models import AuditEvent

# The owning agency of a case, read by table name: the trail sits below the rooms it records.
_cases = table("cases", column("id"), column("owner_agency_id"))


def readable_events(user) -> ColumnElement[bool]:
    """A SQL condition on ``AuditEvent``: the events ``user`` may read."""
    if not user.active:
        return false()
    if user.role == "admin":
        return AuditEvent.action.in_(sorted(ACCOUNT_ACTIONS))
    if user.role != "auditor":
        return false()
    if user.agency.level == "federal":
        return true()
    own_cases = select(_cases.c.id).where(_cases.c.owner_agency_id == user.agency_id)
    return or_(AuditEvent.agency_id == user.agency_id, AuditEvent.case_id.in_(own_cases))
