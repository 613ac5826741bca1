"""Which agencies' records a user may see: the one rule behind every scoped query.

- federal users see every agency's records;
- state users see the records of the agencies of their state;
- US users see the records of their own office (and, through sharing, more);
- administrators and auditors see no case content by virtue of their role (an
  auditor reads the audit trail, on its own page).

Domain queries add ``agency_scope(user, Model.owner_agency_id)`` to their
WHERE clause, so an out-of-scope record is simply not found (404). Records that
belong to a case add ``case_scope(user, agency column, case column)`` instead:
the agency rule, or a case shared with the user's agency (``case_shares``, not
revoked), so a shared case's seizures, firearms, trace requests and ballistic
items are seen wherever the case is.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, Select, column, false, or_, select, table, true
from sqlalchemy.sql.elements import False_, True_

from tracer.auth.models import Agency, User
from tracer.core.errors import Forbidden
from tracer.core.translation import gettext as _
from tracer.extensions import db


def sees_every_agency(user: User) -> bool:
    """Whether every agency is within ``user``'s scope (an active federal user, not an
    administrator or auditor)."""
    return user.active and user.role not in ("admin", "auditor") and user.agency.level == "federal"


def agency_scope(user: User, agency_id_column) -> ColumnElement[bool]:
    """A SQL condition: the agency in ``agency_id_column`` is within ``user``'s scope."""
    if user.role in ("admin", "auditor") or not user.active:
        return false()
    agency = user.agency
    if sees_every_agency(user):
        return true()
    if agency.level == "state" and agency.state_code:
        return agency_id_column.in_(select(Agency.id).where(Agency.state_code == agency.state_code))
    return agency_id_column == agency.id


# Read by table name: the shares belong to the cases room, above this one.
_shares = table("case_shares", column("case_id"), column("agency_id"), column("revoked_at"))


def shared_case_ids(user: User) -> Select:
    """``SELECT`` of the ids of the cases shared with ``user``'s agency and not revoked."""
    return select(_shares.c.case_id).where(_shares.c.agency_id == user.agency_id, _shares.c.revoked_at.is_(None))


def has_shared_cases(user: User) -> bool:
    """Whether any case is shared with ``user``'s agency now."""
    return db.session.scalar(shared_case_ids(user).limit(1)) is not None


def case_scope(user: User, agency_id_column, case_id_column) -> ColumnElement[bool]:
    """A SQL condition: a record of the case in ``case_id_column``, owned by the agency in
    ``agency_id_column``, is within ``user``'s scope — by the agency rule, or because the
    case is shared with the user's agency."""
    base = agency_scope(user, agency_id_column)
    if isinstance(base, (True_, False_)):
        return base  # a federal user sees everything already; an administrator nothing
    # Most agencies have nothing shared with them: their lists keep walking the agency rule's
    # indexes alone. One indexed look-up (ix_case_shares_agency_id_case_id) tells.
    if not has_shared_cases(user):
        return base
    return or_(base, case_id_column.in_(shared_case_ids(user)))


# --- administration --------------------------------------------------------------------------------------
# An administrator manages the accounts and agencies within their reach: a federal administrator
# every agency, a state administrator the state agencies of their own state (US offices hold
# liaisons only). Out of reach is not found (404), like records out of scope, so that no
# administrator can widen their own scope through an account they make or a password they reset.


def within_reach(admin: User, level: str | None, state_code: str | None) -> bool:
    """Whether an agency of this level and state is within the administrator's reach."""
    own = admin.agency
    return own.level == "federal" or (level == "state" and state_code is not None and state_code == own.state_code)


def keeps_national_lists(user: User) -> bool:
    """Whether ``user`` keeps the national reference lists (makers, calibers, rifling): a
    federal administrator. They serve every agency, so a state administrator reads them only."""
    return user.is_authenticated and user.role == "admin" and user.agency.level == "federal"


def ensure_keeps_national_lists(user: User) -> None:
    """Refuse (403, with the reason) a change of a national reference list by anyone else."""
    if not keeps_national_lists(user):
        raise Forbidden(_("The national reference lists are kept by the federal administrators: ask them "
                          "to add or correct an entry."))


def managed_agency_scope(admin: User, agency_id_column) -> ColumnElement[bool]:
    """A SQL condition: the agency in ``agency_id_column`` is within the administrator's reach."""
    own = admin.agency
    if own.level == "federal":
        return true()
    return agency_id_column.in_(select(Agency.id).where(Agency.level == "state", Agency.state_code == own.state_code))
