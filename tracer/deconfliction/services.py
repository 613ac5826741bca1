"""The one disclosure service (STYLE rule 12) and the notices each agency reads.

``disclose`` is asked by every channel with the matches it found outside the
reader's scope. It groups them by owning agency and kind of match — so the reader
never learns how many records another agency holds — and for each group either
tells (a ``Disclosure``: the kind, the agency and its contact, a reference) or,
past the reader's budget, withholds. Either way a notice is written for the owning
agency and the event is audited, in the caller's transaction.

Whether a group is disclosed depends on the matches the channel found, which a
channel computes from what the user typed (serial and maker) only: nothing else of
the hidden record reaches this module but its id, its agency and the kind of match.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, NamedTuple

from sqlalchemy import select

from tracer.audit.services import record
from tracer.auth.models import Agency, User
from tracer.deconfliction.budget import budget
from tracer.deconfliction.models import CHANNELS, MATCHES, DeconflictionNotice
from tracer.extensions import db

DISCLOSED = "deconfliction.disclose"
SHOWN_AGAIN = "deconfliction.show_again"
WITHHELD = "deconfliction.withhold"
# Kinds in the order a reader sees them: the surest first.
KIND_ORDER = {kind: index for index, kind in enumerate(MATCHES)}


class HiddenMatch(NamedTuple):
    """A record outside the reader's scope that matches: what a channel hands over. The
    record is a firearm, or (channel ``ballistic``) a ballistic evidence item."""

    firearm_id: int | None
    agency_id: int
    match: str
    ballistic_item_id: int | None = None


@dataclass(frozen=True)
class AgencyContact:
    """The owning agency of a restricted record, as every restricted answer gives it."""

    name: str
    acronym: str
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None

    @classmethod
    def of(cls, agency) -> "AgencyContact":
        return cls(agency.name, agency.acronym, agency.contact_name, agency.contact_phone, agency.contact_email)

    @property
    def contact(self) -> str:
        return " · ".join(part for part in (self.contact_name, self.contact_phone, self.contact_email) if part)


@dataclass(frozen=True)
class Disclosure:
    """What the reader is told of one group: a match exists, its kind, whom to call, and the reference."""

    match: str
    agency: AgencyContact
    reference: str
    firearm_ids: tuple[int, ...] = field(repr=False, default=())  # for the caller's own bookkeeping, never shown


@dataclass
class Disclosed:
    """The answer of ``disclose``: the groups told, and whether the budget is now spent
    (then the reader is told that further matches are withheld and whom to call)."""

    shown: list[Disclosure] = field(default_factory=list)
    limit_reached: bool = False


def _groups(matches: Iterable[HiddenMatch]) -> tuple[dict[tuple[int, str], list[int]],
                                                     dict[tuple[int, str], list[int]]]:
    """The firearm ids, and the ballistic item ids, of each group (owning agency, kind)."""
    groups: dict[tuple[int, str], list[int]] = {}
    items: dict[tuple[int, str], list[int]] = {}
    for found in matches:
        if found.match not in KIND_ORDER:
            raise ValueError(f"unknown match kind {found.match!r}")
        ids = groups.setdefault((found.agency_id, found.match), [])
        if found.firearm_id is not None and found.firearm_id not in ids:
            ids.append(found.firearm_id)
        item_ids = items.setdefault((found.agency_id, found.match), [])
        if found.ballistic_item_id is not None and found.ballistic_item_id not in item_ids:
            item_ids.append(found.ballistic_item_id)
    return groups, items


def _earlier(user: User, keys: list[str]) -> tuple[dict[str, DeconflictionNotice], set[str]]:
    """For ``keys``: the notices already told to the user's agency, and the keys already
    withheld from this user (alerted once, not at every page view)."""
    if not keys:
        return {}, set()
    rows = db.session.scalars(select(DeconflictionNotice).where(
        DeconflictionNotice.told_agency_id == user.agency_id, DeconflictionNotice.subject_key.in_(keys))
        .order_by(DeconflictionNotice.id))
    told: dict[str, DeconflictionNotice] = {}
    withheld: set[str] = set()
    for notice in rows:
        if not notice.withheld:
            told.setdefault(notice.subject_key, notice)
        elif notice.told_user_id == user.id:
            withheld.add(notice.subject_key)
    return told, withheld


def disclose(user: User, channel: str, matches: Iterable[HiddenMatch], subject: str | None = None,
             details: dict | None = None, case_id: int | None = None) -> Disclosed:
    """Tell ``user`` of ``matches`` (records outside their scope) found through ``channel``.

    One disclosure per owning agency and kind of match. With ``subject`` (what is being
    disclosed, e.g. ``firearm:12`` for the links of firearm 12), a group already told to
    the user's agency is shown again with its reference and costs nothing. Otherwise each
    group spends one unit of the user's budget; past it the group is withheld. Every group
    writes a notice and an audit event (``details`` adds the channel's own context). The
    caller commits.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    groups, item_groups = _groups(matches)
    answer = Disclosed()
    if groups:
        owners = {agency.id: agency for agency in db.session.scalars(
            select(Agency).where(Agency.id.in_({agency_id for agency_id, _kind in groups})))}
        keys = {group: f"{subject}:{group[0]}:{group[1]}" if subject else None for group in groups}
        told, withheld = _earlier(user, [key for key in keys.values() if key])
        for group in sorted(groups, key=lambda g: (KIND_ORDER[g[1]], owners[g[0]].acronym)):
            agency_id, kind = group
            firearm_ids = groups[group]
            item_ids = item_groups[group]
            contact = AgencyContact.of(owners[agency_id])
            earlier = told.get(keys[group]) if keys[group] else None
            if earlier is not None:
                # The owner learns of every record of theirs the group now stands for.
                added = [firearm_id for firearm_id in firearm_ids if firearm_id not in (earlier.firearm_ids or [])]
                if added:
                    earlier.firearm_ids = [*(earlier.firearm_ids or []), *added]
                record(SHOWN_AGAIN, actor=user, object_type="deconfliction_notice", object_id=earlier.id,
                       case_id=case_id, details={**(details or {}), "channel": channel, "match": kind,
                                                 "agency": contact.acronym, "reference": earlier.reference,
                                                 "firearm_ids": firearm_ids})
                answer.shown.append(Disclosure(kind, contact, earlier.reference, tuple(firearm_ids)))
                continue
            allowed = budget().take(user.id)
            if not allowed and keys[group] in withheld:
                continue  # withheld from this user before: the owner and the supervisors know already
            notice = DeconflictionNotice(channel=channel, match=kind, owner_agency_id=agency_id,
                                         firearm_id=firearm_ids[0] if firearm_ids else None,
                                         firearm_ids=firearm_ids, ballistic_item_id=item_ids[0] if item_ids else None,
                                         told_user_id=user.id, told_agency_id=user.agency_id,
                                         subject_key=keys[group], withheld=not allowed)
            db.session.add(notice)
            db.session.flush()
            record(DISCLOSED if allowed else WITHHELD, actor=user, object_type="deconfliction_notice",
                   object_id=notice.id, case_id=case_id,
                   details={**(details or {}), "channel": channel, "match": kind, "agency": contact.acronym,
                            "reference": notice.reference, "firearm_ids": firearm_ids,
                            **({"ballistic_item_ids": item_ids} if item_ids else {})})
            if allowed:
                answer.shown.append(Disclosure(kind, contact, notice.reference, tuple(firearm_ids)))
    # Said whenever the budget is spent, match or not, so that the message itself tells nothing.
    answer.limit_reached = budget().spent(user.id)
    return answer


def budget_spent(user: User) -> bool:
    """Whether ``user`` has no restricted disclosure left this hour."""
    return budget().spent(user.id)
