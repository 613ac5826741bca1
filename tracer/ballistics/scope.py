"""Who works with ballistics, and which agencies' records a user may see of a lead's two sides."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import select

from tracer.auth.models import Agency, User
from tracer.auth.scope import agency_scope
from tracer.extensions import db

# Examiners: the analysts record items, draw leads and decide them (SPEC §2).
EXAMINERS = frozenset({"analyst"})
# Who reads items, leads and hits of the cases in their scope.
READERS = frozenset({"officer", "analyst", "supervisor"})


def visible_agencies(user: User, agency_ids: Iterable[int]) -> set[int]:
    """Which of ``agency_ids`` are in ``user``'s scope."""
    ids = {agency_id for agency_id in agency_ids if agency_id is not None}
    if not ids or user.role not in READERS:
        return set()
    return set(db.session.scalars(select(Agency.id).where(Agency.id.in_(ids), agency_scope(user, Agency.id))))
