"""Leads and hits as each reader sees them: the other item in full when it is in the reader's
scope, otherwise a restricted entry given by the disclosure service (SPEC §2): that a hit or
a lead exists, the owning agency and its contact, and the deconfliction reference — no item
id, no case, no caliber, no score.

A restricted entry stands for every link of one item to one agency's records of one kind
(hit or lead), so the reader does not learn how many records the other agency holds.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select

from tracer.auth.models import Agency, User
from tracer.ballistics.models import BallisticItem, BallisticLink
from tracer.ballistics.scope import READERS, visible_items
from tracer.deconfliction.services import AgencyContact, HiddenMatch, budget_spent, disclose
from tracer.extensions import db

CHANNEL = "ballistic"


def match_kind(link: BallisticLink) -> str:
    """The kind of match a restricted entry names: a confirmed hit, or a lead."""
    return "ballistic_hit" if link.status == "confirmed" else "ballistic_lead"


def subject(item: BallisticItem) -> str:
    """What is disclosed: the links of ``item``. Shown again to the same agency, an entry keeps
    its reference and costs no budget."""
    return f"ballistic_item:{item.id}"


@dataclass(frozen=True)
class LinkSide:
    """One link seen from one of its items (``this``, in scope)."""

    link: BallisticLink
    this: BallisticItem
    other: BallisticItem | None
    agency: AgencyContact | None = None
    reference: str | None = None

    @property
    def restricted(self) -> bool:
        return self.other is None

    @property
    def kind(self) -> str:
        return match_kind(self.link)


class ShownSides(list):
    """The sides a reader is shown, and whether their disclosure budget is spent."""

    limit_reached: bool = False
    # The ids of the links' items the reader may see.
    visible: frozenset[int] = frozenset()
    # Whether anything was disclosed or withheld: then notices and audit events await the commit.
    disclosed: bool = False


def link_sides(user: User, links: list[BallisticLink], shown_in: str,
               focus_ids: set[int] | None = None) -> ShownSides:
    """How ``user`` sees each of ``links`` (fetched through their scope), seen from the item
    in ``focus_ids`` (or the item in scope). Restricted sides go through the disclosure
    service, one entry per item, agency and kind; excluded links to records out of scope are
    not matches and are not shown."""
    visible = visible_items(user, {item for link in links for item in (link.item_a, link.item_b)})
    shown = ShownSides()
    shown.visible = frozenset(visible)
    restricted: dict[int, list[tuple[BallisticLink, BallisticItem, BallisticItem]]] = {}
    for link in links:
        this, other = link.item_a, link.item_b
        if (focus_ids and link.item_b_id in focus_ids and link.item_a_id not in focus_ids) or \
                (not focus_ids and link.item_a_id not in visible):
            this, other = other, this
        if this.id not in visible:
            continue
        if other.id in visible:
            shown.append(LinkSide(link, this, other))
        elif link.status != "excluded":
            restricted.setdefault(this.id, []).append((link, this, other))
    for entries in restricted.values():
        this = entries[0][1]
        shown.disclosed = True
        disclosed = disclose(user, CHANNEL, [HiddenMatch(None, other.agency_id, match_kind(link), other.id)
                                             for link, _this, other in entries],
                             subject=subject(this), case_id=this.case_id,
                             details={"shown_in": shown_in, "from_item": this.id,
                                      "links": [link.id for link, _this, _other in entries]})
        references = {(told.agency.acronym, told.match): told for told in disclosed.shown}
        seen: set[tuple[int, str]] = set()
        for link, _this, other in entries:
            key = (other.agency_id, match_kind(link))
            if key in seen:
                continue
            seen.add(key)
            acronym = db.session.get(Agency, other.agency_id).acronym
            told = references.get((acronym, match_kind(link)))
            if told is not None:
                shown.append(replace(LinkSide(link, this, None), agency=told.agency, reference=told.reference))
    shown.limit_reached = budget_spent(user)
    return shown


def _recipient(item: BallisticItem) -> User | None:
    """Who of the item's agency is told of a hit with another agency: the examiner who recorded
    it, or else the agency's first active analyst."""
    recorder = item.created_by
    if recorder is not None and recorder.active and recorder.role in READERS and recorder.agency_id == item.agency_id:
        return recorder
    return db.session.scalar(select(User).where(User.agency_id == item.agency_id, User.role == "analyst",
                                                User.active.is_(True)).order_by(User.id).limit(1))


def tell_other_agencies(link: BallisticLink) -> None:
    """A confirmed hit between cases of two agencies reaches each as a deconfliction notice:
    the examiner who recorded each item is told, restricted, of the other agency's item
    (unless they may see it already)."""
    for this, other in ((link.item_a, link.item_b), (link.item_b, link.item_a)):
        if this.agency_id == other.agency_id:
            continue
        recipient = _recipient(this)
        if recipient is None or visible_items(recipient, (other,)):
            continue
        disclose(recipient, CHANNEL, [HiddenMatch(None, other.agency_id, "ballistic_hit", other.id)],
                 subject=subject(this), case_id=this.case_id,
                 details={"shown_in": "hit_confirmed", "from_item": this.id, "links": [link.id]})
