"""Which audit events a reader may see.

- an auditor reads the whole trail of their agency — events by its users or
  about its cases — or of every agency when their agency is federal, details
  included;
- an administrator reads account, permission and reference events only (see
  ``labels.ACCOUNT_ACTIONS``), never case, seizure, firearm, search, trace or
  link events, whose details hold serials, titles and queries; a state
  administrator only those of the agencies within their reach (the state
  agencies of their state: ``auth.scope.managed_agency_scope``) and of their
  accounts, and the changes to the national reference lists;
- nobody else reads the trail.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, String, and_, cast, column, false, or_, select, table, true

from tracer.audit.labels import ACCOUNT_ACTIONS
from tracer.audit.models import AuditEvent

# Read by table name: the trail sits below the rooms it records.
_cases = table("cases", column("id"), column("owner_agency_id"))
_agencies = table("agencies", column("id"), column("level"), column("state_code"))
_users = table("users", column("id"), column("agency_id"))
# The national reference lists, which every administrator keeps.
REFERENCE_OBJECTS = ("manufacturer", "caliber", "rifling_spec")


def _administered(user) -> ColumnElement[bool]:
    """The account events of the agencies within a state administrator's reach."""
    within = and_(_agencies.c.level == "state", _agencies.c.state_code == user.agency.state_code)
    reach = select(_agencies.c.id).where(within)
    accounts = select(cast(_users.c.id, String)).where(_users.c.agency_id.in_(reach))
    return or_(AuditEvent.agency_id.in_(reach),
               and_(AuditEvent.object_type == "user", AuditEvent.object_id.in_(accounts)),
               and_(AuditEvent.object_type == "agency", AuditEvent.object_id.in_(
                   select(cast(_agencies.c.id, String)).where(within))),
               AuditEvent.object_type.in_(REFERENCE_OBJECTS))


def readable_events(user) -> ColumnElement[bool]:
    """A SQL condition on ``AuditEvent``: the events ``user`` may read."""
    if not user.active:
        return false()
    if user.role == "admin":
        account_events = AuditEvent.action.in_(sorted(ACCOUNT_ACTIONS))
        return account_events if user.agency.level == "federal" else and_(account_events, _administered(user))
    if user.role != "auditor":
        return false()
    if user.agency.level == "federal":
        return true()
    own_cases = select(_cases.c.id).where(_cases.c.owner_agency_id == user.agency_id)
    return or_(AuditEvent.agency_id == user.agency_id, AuditEvent.case_id.in_(own_cases))
