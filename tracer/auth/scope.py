"""Which agencies' records a user may see: the one rule behind every scoped query.

- federal users see every agency's records;
- state users see the records of the agencies of their state;
- US users see the records of their own office (and, through sharing, more);
- administrators and auditors see no case content by virtue of their role (an
  auditor reads the audit trail, on its own page).

Domain queries add ``agency_scope(user, Model.owner_agency_id)`` to their
WHERE clause, so an out-of-scope record is simply not found (404).
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, false, select, true

from tracer.auth.models import Agency, User


def agency_scope(user: User, agency_id_column) -> ColumnElement[bool]:
    """A SQL condition: the agency in ``agency_id_column`` is within ``user``'s scope."""
    if user.role in ("admin", "auditor") or not user.active:
        return false()
    agency = user.agency
    if agency.level == "federal":
        return true()
    if agency.level == "state" and agency.state_code:
        return agency_id_column.in_(select(Agency.id).where(Agency.state_code == agency.state_code))
    return agency_id_column == agency.id
