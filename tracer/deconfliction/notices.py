"""Which notices a user reads: their agency's incoming and outgoing, or their own.

Analysts and supervisors read every notice about their agency's records (incoming)
and every disclosure made to their agency's users (outgoing); officers and liaison
officers read what they themselves were told. Lists walk the notices by id
(``keyset_page``), never counting a large table.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, select
from sqlalchemy.orm import selectinload

from tracer.auth.models import User
from tracer.core.errors import Forbidden, ValidationFailed
from tracer.core.pagination import KeysetPage, keyset_page
from tracer.core.translation import gettext as _
from tracer.deconfliction.models import DeconflictionNotice, parse_reference

DIRECTIONS = ("incoming", "outgoing")
# Roles that read their agency's notices; every other role reads only what it was told.
AGENCY_READERS = frozenset({"analyst", "supervisor"})
READERS = ("officer", "analyst", "supervisor", "liaison")


def directions_for(user: User) -> tuple[str, ...]:
    return DIRECTIONS if user.role in AGENCY_READERS else ("outgoing",)


def notice_query(user: User, direction: str) -> Select:
    """``SELECT`` of the notices ``user`` reads in ``direction``."""
    if direction not in DIRECTIONS:
        raise ValidationFailed(_("Choose incoming or outgoing."),
                               {"direction": [_("Choose incoming or outgoing.")]})
    if direction not in directions_for(user):
        raise Forbidden(_("Your role reads only the notices of what you were told."))
    statement = select(DeconflictionNotice).options(
        selectinload(DeconflictionNotice.owner_agency), selectinload(DeconflictionNotice.told_agency),
        selectinload(DeconflictionNotice.told_user))
    if not user.active or user.role not in READERS:
        return statement.where(false())
    if direction == "incoming":
        return statement.where(DeconflictionNotice.owner_agency_id == user.agency_id)
    if user.role in AGENCY_READERS:
        return statement.where(DeconflictionNotice.told_agency_id == user.agency_id)
    return statement.where(DeconflictionNotice.told_user_id == user.id)


def list_notices(user: User, direction: str, cursor: Any = None, per_page: Any = 25,
                 reference: str | None = None, alerts_only: bool = False) -> KeysetPage:
    """A page of ``user``'s notices in ``direction``, newest first; ``reference`` finds one
    by the reference quoted on the phone; ``alerts_only`` keeps the withheld ones."""
    statement = notice_query(user, direction)
    if reference and reference.strip():
        notice_id = parse_reference(reference)
        if notice_id is None:
            message = _("A deconfliction reference looks like DC-2026-000123.")
            raise ValidationFailed(message, {"reference": [message]})
        statement = statement.where(DeconflictionNotice.id == notice_id)
    if alerts_only:
        statement = statement.where(DeconflictionNotice.withheld.is_(True))
    page = keyset_page(statement, DeconflictionNotice.id, cursor, per_page, list_name=f"deconfliction.{direction}")
    if reference and reference.strip():
        # The year is part of the reference: DC-2025-000123 does not name notice 123 of 2026.
        page.items = [notice for notice in page.items if notice.reference == reference.strip().upper()]
        page.total = len(page.items)
    return page
