"""What recording or importing firearms tells its user of possible same firearms.

The officer who saves a seizure is warned of each record that may be one of its
firearms: in full when they may see it, as a restricted answer otherwise (through the
disclosure service, like every channel). An import tells its user once per agency and
kind of match for the whole file.
"""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from tracer.auth.models import User
from tracer.auth.scope import case_scope
from tracer.core.translation import gettext as _
from tracer.core.value_lists import among
from tracer.deconfliction.labels import limit_reached_message
from tracer.deconfliction.services import HiddenMatch, disclose
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.links.detect import detect_links
from tracer.links.labels import match_label
from tracer.links.models import FirearmLink
from tracer.links.services import LinkView, in_scope_ids, link_views


def hidden_link_matches(user: User, firearm_ids: list[int]) -> list[HiddenMatch]:
    """The records outside ``user``'s scope that the links of ``firearm_ids`` (just written)
    join them to: what an import tells its user through the disclosure service."""
    if not firearm_ids:
        return []
    newer, older = aliased(Firearm), aliased(Firearm)
    found = []
    for start in range(0, len(firearm_ids), 500):
        chunk = firearm_ids[start:start + 500]
        rows = db.session.execute(
            select(FirearmLink.firearm_id, FirearmLink.other_firearm_id, FirearmLink.match,
                   newer.agency_id, older.agency_id)
            .join(newer, newer.id == FirearmLink.firearm_id).join(older, older.id == FirearmLink.other_firearm_id)
            .where(or_(among(FirearmLink.firearm_id, chunk), among(FirearmLink.other_firearm_id, chunk)),
                   or_(~case_scope(user, newer.agency_id, newer.case_id),
                       ~case_scope(user, older.agency_id, older.case_id))))
        for firearm_id, other_id, match, newer_agency, older_agency in rows:
            if firearm_id in chunk:
                found.append(HiddenMatch(other_id, older_agency, match))
            else:
                found.append(HiddenMatch(firearm_id, newer_agency, match))
    visible = in_scope_ids(user, {match.firearm_id for match in found})
    return [match for match in found if match.firearm_id not in visible]


def import_notices(user: User, matches: list[HiddenMatch]) -> tuple[list[str], str | None]:
    """Disclose what an import's rows matched outside ``user``'s scope: one restricted answer
    per agency and kind for the whole file (which rows, each firearm page tells), and the
    budget message when it is spent. Worded in the user's language."""
    if user is None:
        return [], None
    disclosed = disclose(user, "import", matches)
    lines = [_("Another agency holds records matching firearms of this file (%(match)s): %(agency)s "
               "(%(acronym)s). Contact: %(contact)s. Deconfliction reference: %(reference)s.",
               match=match_label(item.match), agency=item.agency.name, acronym=item.agency.acronym,
               contact=item.agency.contact or "—", reference=item.reference) for item in disclosed.shown]
    return lines, limit_reached_message() if disclosed.limit_reached else None


class LinkNotice(str):
    """A warning that a just-recorded firearm may be one recorded before: plain text (the API
    shows it as is) carrying the other firearm's id when the reader may open it."""

    firearm_id: int | None

    def __new__(cls, text: str, firearm_id: int | None = None) -> "LinkNotice":
        notice = super().__new__(cls, text)
        notice.firearm_id = firearm_id
        return notice


def _describe(firearm: Firearm) -> str:
    parts = [firearm.manufacturer_name, firearm.model or "", firearm.caliber_name]
    return " ".join(part for part in parts if part)


def notice_text(view: LinkView) -> LinkNotice:
    """The warning shown for one link of a firearm just recorded, in the user's language."""
    if view.restricted:
        return LinkNotice(_("Possible same firearm recorded in another case (%(match)s), held by %(agency)s "
                            "(%(acronym)s). Contact: %(contact)s. Deconfliction reference: %(reference)s.",
                            match=match_label(view.link.match), agency=view.agency.name,
                            acronym=view.agency.acronym, contact=view.agency.contact or "—",
                            reference=view.reference))
    other = view.other
    serial = other.serial_number or other.restored_serial or "—"
    if other.case_id == view.this.case_id:
        text = _("Possible same firearm recorded in another seizure of this case: %(firearm)s, serial "
                 "%(serial)s (%(match)s).", firearm=_describe(other), serial=serial,
                 match=match_label(view.link.match))
    else:
        text = _("Possible same firearm recorded in another case: %(firearm)s, serial %(serial)s, case "
                 "%(case)s (%(match)s).", firearm=_describe(other), serial=serial, case=other.case.reference,
                 match=match_label(view.link.match))
    return LinkNotice(text, other.id)


def detect_and_notify(user: User, firearms: list[Firearm], field: str = "serial_number") -> dict[str, list[str]]:
    """Detect the links of firearms just recorded by ``user`` (in the order of the seizure's
    rows) and return the notices as warnings keyed ``firearms-<index>-<field>``."""
    warnings: dict[str, list[str]] = {}
    limit_reached = False
    for index, firearm in enumerate(firearms):
        links = detect_links(firearm, actor=user)
        if links:
            views = link_views(user, links, "seizure_warning", focus_id=firearm.id, channel="recording")
            limit_reached = limit_reached or views.limit_reached
            if views:
                warnings[f"firearms-{index}-{field}"] = [notice_text(view) for view in views]
    if limit_reached:
        warnings.setdefault("deconfliction", []).append(limit_reached_message())
    return warnings
