"""Who works with ballistics, and which of a lead's two items a user may see.

A lead's side is seen exactly when its item is: the item's agency within the agency rule, or
the item's case shared with the user's agency (``tracer.auth.scope.case_scope``, the rule of
``tracer.ballistics.services.item_query``). A side that is not seen is told only through the
deconfliction disclosure.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import ColumnElement, Select, false, select
from sqlalchemy.sql.elements import False_, True_

from tracer.auth.models import User
from tracer.auth.scope import agency_scope, case_scope, has_shared_cases, sees_every_agency, shared_case_ids
from tracer.ballistics.models import BallisticItem
from tracer.extensions import db

# Examiners: the analysts record items, draw leads and decide them (SPEC §2).
EXAMINERS = frozenset({"analyst"})
# Who reads items, leads and hits of the cases in their scope.
READERS = frozenset({"officer", "analyst", "supervisor"})


def item_scope(user: User) -> ColumnElement[bool]:
    """A SQL condition: the ballistic item is one ``user`` may see, a reader's of a case in scope."""
    if user.role not in READERS:
        return false()
    return case_scope(user, BallisticItem.agency_id, BallisticItem.case_id)


def visible_items(user: User, items: Iterable[BallisticItem]) -> set[int]:
    """The ids of those of ``items`` that ``user`` may see, read in one statement."""
    ids = {item.id for item in items if item is not None}
    if not ids or user.role not in READERS:
        return set()
    if sees_every_agency(user):
        return ids
    return set(db.session.scalars(select(BallisticItem.id).where(BallisticItem.id.in_(ids), item_scope(user))))


def shared_items(user: User) -> Select | None:
    """``SELECT`` of the ids of the items of cases shared with ``user``'s agency (shares not
    revoked), or None when sharing adds nothing to the agency rule: the user sees every agency
    or none, or nothing is shared with their agency."""
    if user.role not in READERS or isinstance(agency_scope(user, BallisticItem.agency_id), (True_, False_)):
        return None
    if not has_shared_cases(user):
        return None
    return select(BallisticItem.id).where(BallisticItem.case_id.in_(shared_case_ids(user)))
