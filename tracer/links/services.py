"""Possible-same-firearm links as users see them: who sees which link, what they see of
the other firearm, the officer's notice after saving a seizure, and the analyst's decision.

A link is visible to a user when at least one of its two firearms is in the
user's scope; an out-of-scope link answers 404 like any record. The side that
is out of scope is shown as a restricted hit (SPEC §2, deconfliction): that a
match exists, its kind, the owning agency and its contact, nothing else — and
every time it is shown, an audit event says so.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dataclass_field, replace
from typing import Any

from sqlalchemy import Select, case, false, or_, select
from sqlalchemy.orm import aliased, selectinload

from tracer.audit.services import record
from tracer.auth.models import Agency, User
from tracer.auth.scope import case_scope
from tracer.core.changes import stale_as_conflict
from tracer.core.errors import Conflict, Forbidden, NotFound
from tracer.core.models import utcnow
from tracer.core.pagination import KeysetPage, by, keyset_page
from tracer.core.translation import gettext as _
from tracer.core.validation import Checker
from tracer.deconfliction.services import KIND_ORDER, AgencyContact, HiddenMatch, budget_spent, disclose
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.links.models import LINK_MATCHES, FirearmLink

# Roles that confirm or dismiss links (linking is analysis; SPEC §2).
DECIDERS = frozenset({"analyst", "supervisor"})
DECISIONS = ("confirmed", "dismissed")
# The status shown beside a restricted side when another agency decided the link.
HIDDEN_DECISION = "decided"
NOTE_MAX = 2000
DECIDED = "firearm_link.decide"


# --- who sees which link ------------------------------------------------------------------------------


# What a list of links shows of each: both firearms with their cases, and who decided.
# Read for all the links at once, not link by link.
_SHOWN = (selectinload(FirearmLink.firearm).selectinload(Firearm.case),
          selectinload(FirearmLink.other_firearm).selectinload(Firearm.case),
          selectinload(FirearmLink.decided_by))


def link_query(user: User) -> Select:
    """``SELECT`` of the links ``user`` may see: at least one of the two firearms in scope."""
    if user.role == "admin" or not user.active:
        return select(FirearmLink).where(false())
    newer, older = aliased(Firearm), aliased(Firearm)
    return (select(FirearmLink).options(*_SHOWN)
            .join(newer, newer.id == FirearmLink.firearm_id)
            .join(older, older.id == FirearmLink.other_firearm_id)
            .where(or_(case_scope(user, newer.agency_id, newer.case_id),
                       case_scope(user, older.agency_id, older.case_id))))


def get_link(user: User, link_id: int) -> FirearmLink:
    """The link if ``user`` may see it; ``NotFound`` otherwise (absent or out of scope alike)."""
    link = db.session.scalar(link_query(user).where(FirearmLink.id == link_id))
    if link is None:
        raise NotFound(_("Link not found."))
    visible = in_scope_ids(user, {link.firearm_id, link.other_firearm_id})
    if len(visible) == 1:
        # Seen from one side only: just the link that stands for its group of restricted
        # matches opens, so trying ids does not count another agency's records.
        this = link.firearm if link.firearm_id in visible else link.other_firearm
        shown = {view.link.id for view in describe_links(user, list(db.session.scalars(firearm_links(this))),
                                                          this.id)}
        if link.id not in shown:
            raise NotFound(_("Link not found."))
    return link


def _surest_first():
    """Links ordered by the kind of serial match, surest first: never by score, which weighs
    model and caliber, so that where a restricted link stands hints at nothing hidden."""
    return case({kind: index for index, kind in enumerate(LINK_MATCHES)}, value=FirearmLink.match)


def open_links(user: User, match: str | None = None) -> Select:
    """The possible links ``user`` may see, surest first, newest first among equals: the
    analysts' work list."""
    statement = link_query(user).where(FirearmLink.status == "possible")
    if match:
        statement = statement.where(FirearmLink.match == match)
    return statement.order_by(_surest_first(), FirearmLink.detected_at.desc(), FirearmLink.id.desc())


# Each kind of match walks ix_firearm_links_status_match_detected_at_id newest first; the kinds
# follow one another, surest first, as parts of one list.
OPEN_LINKS_ORDER = (by(FirearmLink.detected_at, descending=True), by(FirearmLink.id, descending=True))


def list_open_links(user: User, match: str | None = None, page: Any = 1, per_page: Any = 25,
                    cursor: Any = None) -> KeysetPage:
    """One step of ``open_links``: page ``page`` of the first pages, or the step ``cursor`` names."""
    kinds = [match] if match else list(LINK_MATCHES)
    parts = [link_query(user).where(FirearmLink.status == "possible", FirearmLink.match == kind) for kind in kinds]
    return keyset_page(parts, OPEN_LINKS_ORDER, cursor, per_page, page=page,
                       list_name=f"open-links.{match}" if match else "open-links")


def firearm_links(firearm: Firearm) -> Select:
    """The links of ``firearm`` (already fetched through the user's scope), both directions:
    open ones first, then surest first."""
    undecided = case((FirearmLink.status == "possible", 0), else_=1)
    return (select(FirearmLink).options(*_SHOWN)
            .where(or_(FirearmLink.firearm_id == firearm.id, FirearmLink.other_firearm_id == firearm.id))
            .order_by(undecided, _surest_first(), FirearmLink.id))


def in_scope_ids(user: User, firearm_ids) -> set[int]:
    """Which of ``firearm_ids`` ``user`` may see."""
    ids = set(firearm_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(Firearm.id).where(Firearm.id.in_(ids),
                                                           case_scope(user, Firearm.agency_id,
                                                                      Firearm.case_id))))


# --- what is shown of each side -----------------------------------------------------------------------


@dataclass(frozen=True)
class LinkView:
    """One link seen from one of its firearms (``this``, in scope): the other firearm in
    full when the reader may see it, otherwise only its agency (``restricted``)."""

    link: FirearmLink
    this: Firearm
    other: Firearm | None
    agency: AgencyContact | None
    # Further links of ``this`` to records of the same agency, matching the same way, that a
    # restricted view stands for without showing them.
    hidden: list[FirearmLink] = dataclass_field(default_factory=list)
    # The deconfliction reference of a restricted view, once disclosed (``disclose_views``).
    reference: str | None = None

    @property
    def restricted(self) -> bool:
        return self.other is None

    # Beside a restricted side, who decided and why are shown only when someone of the reader's
    # own agency decided: a note written by someone who could see both sides may describe the other.
    decision_shown: bool = True

    @property
    def decision_note(self) -> str | None:
        return self.link.decision_note if self.decision_shown else None

    @property
    def status(self) -> str:
        """The status as the reader sees it: beside a restricted side, a decision another agency
        took (having seen what the reader may not) shows only that it was taken, ``decided``."""
        return self.link.status if self.decision_shown else HIDDEN_DECISION

    @property
    def decided_by(self):
        return self.link.decided_by if self.decision_shown else None

    @property
    def other_id(self) -> int:
        return self.link.other_firearm_id if self.link.firearm_id == self.this.id else self.link.firearm_id


def _sides(link: FirearmLink, focus_id: int | None, visible: set[int]) -> tuple[Firearm, Firearm]:
    """(this, other): the focused firearm first; otherwise the side in scope, the newer record
    when both are."""
    newer, older = link.firearm, link.other_firearm
    if focus_id == older.id or (focus_id is None and newer.id not in visible):
        return older, newer
    return newer, older


def describe_links(user: User, links: list[FirearmLink], focus_id: int | None = None) -> list[LinkView]:
    """How ``user`` sees each of ``links``, in their order. Restricted sides are grouped as the
    serial search groups restricted hits: one view per firearm, owning agency and kind of
    match (the first of ``links``, so an open one when callers list open links first), so
    that the reader does not learn how many records another agency holds. Not audited:
    ``audit_restricted`` records what is shown."""
    visible = in_scope_ids(user, {i for link in links for i in (link.firearm_id, link.other_firearm_id)})
    views: list[LinkView] = []
    groups: dict[tuple[int, int, str], LinkView] = {}
    for link in links:
        this, other = _sides(link, focus_id, visible)
        if other.id in visible:
            views.append(LinkView(link, this, other, None))
            continue
        key = (this.id, other.agency_id, link.match)
        if key in groups:
            groups[key].hidden.append(link)
            continue
        view = groups[key] = LinkView(link, this, None, AgencyContact.of(db.session.get(Agency, other.agency_id)),
                                      decision_shown=link.decided_by is None
                                      or link.decided_by.agency_id == user.agency_id)
        views.append(view)
    return views


class ShownLinks(list):
    """The link views a reader is shown, and whether their disclosure budget is spent (then
    the page says that matches with other agencies' records are withheld, and whom to call)."""

    limit_reached: bool = False
    # Whether anything was disclosed or withheld: then notices and audit events await the commit.
    disclosed: bool = False


def _other_agency_id(view: LinkView) -> int:
    link = view.link
    return (link.firearm if link.firearm_id == view.other_id else link.other_firearm).agency_id


def disclose_views(user: User, views: list[LinkView], shown_in: str, channel: str = "link") -> ShownLinks:
    """The views of ``views`` that ``user`` is shown: the links whose two firearms they may see,
    in their order, then each restricted view that the disclosure service lets through, with
    its reference (one disclosure per firearm, agency and kind; shown again, a view keeps its
    reference and costs nothing). Restricted views come after the others, by kind and agency,
    never by score: their place must not hint at the hidden record's model or caliber."""
    shown = ShownLinks(view for view in views if not view.restricted)
    by_firearm: dict[int, list[LinkView]] = {}
    for view in views:
        if view.restricted:
            by_firearm.setdefault(view.this.id, []).append(view)
    for this_id, restricted in by_firearm.items():
        this = restricted[0].this
        links = [link for view in restricted for link in (view.link, *view.hidden)]
        matches = [HiddenMatch(link.firearm_id if link.firearm_id != this_id else link.other_firearm_id,
                               _other_agency_id(view), link.match)
                   for view in restricted for link in (view.link, *view.hidden)]
        shown.disclosed = True
        disclosed = disclose(user, channel, matches, subject=f"firearm:{this_id}", case_id=this.case_id,
                             details={"shown_in": shown_in, "from_firearm": this_id,
                                      "links": [link.id for link in links]})
        references = {(item.agency.acronym, item.match): item.reference for item in disclosed.shown}
        for view in sorted(restricted, key=lambda v: (KIND_ORDER[v.link.match], v.agency.acronym)):
            reference = references.get((view.agency.acronym, view.link.match))
            if reference:
                shown.append(replace(view, reference=reference))
    shown.limit_reached = budget_spent(user)
    return shown


def link_views(user: User, links: list[FirearmLink], shown_in: str, focus_id: int | None = None,
               channel: str = "link") -> ShownLinks:
    """``describe_links``, with the restricted views disclosed (``disclose_views``)."""
    return disclose_views(user, describe_links(user, links, focus_id), shown_in, channel)


# --- the analyst's decision ---------------------------------------------------------------------------


def _stale(link: FirearmLink, hidden: bool = False) -> Conflict:
    return Conflict(_("Someone else decided this link while you were reading it. Review the decision saved "
                      "now, then decide again."),
                    {"version": link.version, "status": HIDDEN_DECISION if hidden else link.status})


def decision_hidden(user: User, link: FirearmLink) -> bool:
    """Whether ``user`` sees one side of ``link`` only and another agency decided it: then neither
    the decision nor anything that answers differently with it is shown (SPEC §2)."""
    if link.decided_by_id is None or link.decided_by.agency_id == user.agency_id:
        return False
    return len(in_scope_ids(user, {link.firearm_id, link.other_firearm_id})) < 2


def decide_link(user: User, link: FirearmLink, values: dict[str, Any]) -> FirearmLink:
    """Confirm or dismiss ``link`` (already fetched through ``user``'s scope).

    ``values``: ``status`` (confirmed | dismissed), ``version`` (the version read; a stale
    one raises ``Conflict``), ``note``. Reversing a decision — dismissing a confirmed link,
    or confirming a dismissed one — needs a note saying why. Audited with the old and new status.
    """
    if user.role not in DECIDERS:
        raise Forbidden(_("Only analysts and supervisors confirm or dismiss links."))
    hidden = decision_hidden(user, link)
    version = values.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version != link.version:
        raise _stale(link, hidden)
    check = Checker()
    status = check.choice("status", values.get("status"), DECISIONS, required=True)
    note = check.text("note", values.get("note"), NOTE_MAX, multiline=True)
    if hidden:
        # Whatever the hidden decision was, deciding again takes a note, and says nothing of it.
        if status and not note and "note" not in check.errors:
            check.error("note", _("Say why: a note is required to change a decision taken by another agency."))
    elif status and status == link.status:
        check.error("status", _("This link is already %(status)s.", status=_status_word(status)))
    elif status and link.status != "possible" and not note and "note" not in check.errors:
        check.error("note", _("Say why: a note is required to dismiss a confirmed link.")
                    if link.status == "confirmed" else _("Say why: a note is required to confirm a dismissed link."))
    check.raise_if_errors()
    old = {"status": link.status, "decision_note": link.decision_note}
    link.status, link.decision_note = status, note
    # By id, then read back: ``user`` may be the request's current_user proxy, which a relation must not keep.
    link.decided_by_id, link.decided_at = user.id, utcnow()
    with stale_as_conflict(link, lambda stale: _stale(stale, hidden)):
        db.session.flush()
    db.session.expire(link, ["decided_by"])
    record(DECIDED, actor=user, object_type="firearm_link", object_id=link.id, case_id=link.firearm.case_id,
           details={"old": old, "new": {"status": status, "decision_note": note},
                    "firearm_id": link.firearm_id, "other_firearm_id": link.other_firearm_id})
    return link


def _status_word(status: str) -> str:
    return _("confirmed") if status == "confirmed" else _("dismissed")
