"""Leads between ballistic items: recorded one at a time (an IBIS correlation list is written a
batch at a time by ``tracer.ballistics.ibis_writer``, to the same rules) and decided by examiners
on the AFTE range. Items are read through ``tracer.ballistics.services``
(the user's scope); writing functions validate, flush and audit, and the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import select, update

from tracer.audit.services import record
from tracer.auth.models import User
from tracer.ballistics.disclosure import tell_other_agencies
from tracer.ballistics.models import CONCLUSIONS, LINK_SOURCES, STATUS_AFTER, BallisticItem, BallisticLink
from tracer.ballistics.scope import EXAMINERS, visible_items
from tracer.ballistics.services import NOTES_MAX, ensure_examiner
from tracer.core.errors import Conflict, Forbidden, ValidationFailed
from tracer.core.models import utcnow
from tracer.core.translation import gettext as _
from tracer.core.validation import Checker
from tracer.extensions import db

REASON_MAX = 2000
LEAD_CREATED = "ballistic_link.create"
DECIDED = "ballistic_link.decide"


# --- leads ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadRow:
    """One lead to write: two items, and IBIS's rank and score when it comes from a correlation list."""

    item_a: BallisticItem
    item_b: BallisticItem
    rank: int | None = None
    score: float | None = None
    notes: str | None = None


def _calibers_differ(a: BallisticItem, b: BallisticItem) -> bool:
    return a.caliber_id is not None and b.caliber_id is not None and a.caliber_id != b.caliber_id


def _new_lead(user: User, row: LeadRow, source: str) -> BallisticLink:
    first, second = sorted((row.item_a, row.item_b), key=lambda item: item.id)
    link = BallisticLink(item_a_id=first.id, item_b_id=second.id, agency_a_id=first.agency_id,
                         agency_b_id=second.agency_id, status="lead", source=source, ibis_rank=row.rank,
                         ibis_score=row.score, caliber_mismatch=_calibers_differ(first, second), notes=row.notes,
                         created_by_id=user.id, created_at=utcnow(), version=1)
    db.session.add(link)
    return link


def _check_lead(check: Checker, row: LeadRow, source: str) -> None:
    if source not in LINK_SOURCES:
        raise ValueError(f"unknown lead source {source!r}")
    if row.item_a.id == row.item_b.id:
        check.error("item_b", _("A lead joins two different items."))
    if row.rank is not None and (isinstance(row.rank, bool) or not isinstance(row.rank, int) or row.rank < 1):
        check.error("rank", _("Enter a whole number from 1."))


def create_lead(user: User, item_a: BallisticItem, item_b: BallisticItem, source: str = "manual",
                notes: Any = None, rank: int | None = None, score: float | None = None) -> BallisticLink:
    """Record a lead between two items ``user`` can see (fetched through the scope).

    A lead from an item to itself, or a second lead between the same two items, is refused;
    items of different calibers may be joined, and the lead is flagged. Examiners only."""
    ensure_examiner(user)
    check = Checker()
    clean_notes = check.text("notes", notes, NOTES_MAX, multiline=True)
    row = LeadRow(item_a, item_b, rank, score, clean_notes)
    _check_lead(check, row, source)
    check.raise_if_errors()
    first, second = sorted((item_a.id, item_b.id))
    if db.session.scalar(select(BallisticLink.id).where(BallisticLink.item_a_id == first,
                                                        BallisticLink.item_b_id == second)):
        check.error("item_b", _("These two items are already joined by a lead or a hit."))
        check.raise_if_errors()
    link = _new_lead(user, row, source)
    db.session.flush()
    _audit_lead(user, link, item_a)
    return link


def _audit_lead(user: User, link: BallisticLink, item: BallisticItem) -> None:
    record(LEAD_CREATED, actor=user, object_type="ballistic_link", object_id=link.id, case_id=item.case_id,
           details={"item_a": link.item_a_id, "item_b": link.item_b_id, "source": link.source,
                    "rank": link.ibis_rank, "score": link.ibis_score, "caliber_mismatch": link.caliber_mismatch})


# --- deciding ---------------------------------------------------------------------------------------------


def may_decide(user: User, link: BallisticLink, visible: Iterable[int] | None = None) -> bool:
    """An examiner who may see both items decides; a lead across states, a federal examiner only.
    ``visible``: the ids of the items ``user`` may see, when already read (``link_sides``)."""
    if user.role not in EXAMINERS or not user.active:
        return False
    seen = set(visible) if visible is not None else visible_items(user, (link.item_a, link.item_b))
    if not {link.item_a_id, link.item_b_id} <= seen:
        return False
    return not crosses_states(link) or user.agency.level == "federal"


def crosses_states(link: BallisticLink) -> bool:
    states = {link.item_a.state_code, link.item_b.state_code}
    return len(states - {None}) > 1


def _decision(link: BallisticLink) -> dict[str, Any]:
    return {"status": link.status, "conclusion": link.conclusion, "examiner_id": link.examiner_id,
            "decided_at": link.decided_at.isoformat() if link.decided_at else None}


def decide(user: User, link: BallisticLink, conclusion: Any, notes: Any = None, reason: Any = None,
           expected_version: Any = None) -> BallisticLink:
    """Record an examiner's conclusion on the AFTE range for ``link`` (seen through the scope).

    ``identification`` confirms the hit, ``elimination`` excludes it, ``inconclusive`` and
    ``unsuitable`` leave a lead (``unsuitable`` flagged). ``expected_version`` is the version
    the examiner saw: of two examiners deciding at once, one wins and the other gets a
    ``Conflict``. Confirming a confirmed hit is refused; undoing one needs a reason. Audited
    with the old and new values; a hit with another agency's case tells that agency."""
    if not may_decide(user, link):
        if user.role in EXAMINERS and crosses_states(link) and user.agency.level != "federal":
            raise Forbidden(_("This lead joins items of two states: a federal examiner decides it."))
        raise Forbidden(_("Only an examiner who may see both items decides this lead."))
    check = Checker()
    chosen = check.choice("conclusion", conclusion, CONCLUSIONS, required=True)
    clean_notes = check.text("notes", notes, NOTES_MAX, multiline=True)
    clean_reason = check.text("reason", reason, REASON_MAX, multiline=True)
    check.raise_if_errors()
    if isinstance(expected_version, bool) or not isinstance(expected_version, int) \
            or expected_version != link.version:
        raise _stale(link)
    status = STATUS_AFTER[chosen]
    if link.status == "confirmed" and status == "confirmed":
        raise Conflict(_("This hit is already confirmed."), {"status": link.status, "version": link.version})
    if link.status == "confirmed" and not clean_reason:
        message = _("Give the reason for undoing a confirmed hit.")
        raise ValidationFailed(message, {"reason": [message]})
    old = _decision(link)
    # One decision wins: the row changes only if nobody decided since the examiner read it.
    result = db.session.execute(
        update(BallisticLink)
        .where(BallisticLink.id == link.id, BallisticLink.version == expected_version,
               BallisticLink.status == link.status)
        .values(status=status, conclusion=chosen, examiner_id=user.id, decided_at=utcnow(),
                decision_notes=clean_notes, reason=clean_reason, version=BallisticLink.version + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(link)
        raise _stale(link)
    db.session.refresh(link)
    record(DECIDED, actor=user, object_type="ballistic_link", object_id=link.id, case_id=link.item_a.case_id,
           details={"old": old, "new": _decision(link), "examiner": user.username, "reason": clean_reason,
                    "notes": clean_notes})
    if link.status == "confirmed" and link.agency_a_id != link.agency_b_id:
        tell_other_agencies(link)
    return link


def _stale(link: BallisticLink) -> Conflict:
    return Conflict(_("Another examiner decided this lead while you were looking at it. Review the decision "
                      "now recorded."), {"status": link.status, "version": link.version})
