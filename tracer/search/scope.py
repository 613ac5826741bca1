"""The serial search as a user runs it: their scope on top of the unscoped index search.

A hit on a firearm the user may see carries the firearm and its case. A hit on a
firearm outside the user's scope is a restricted hit (SPEC §2, deconfliction): that a
record matches, how it matches, and the owning agency with its contact, nothing else.
Restricted hits go through the disclosure service (``deconfliction.services.disclose``):
grouped by agency and kind of match, so the answer does not tell how many firearms
another agency holds, each with a deconfliction reference, counted against the user's
disclosure budget, audited with the firearms it stands for (the audit trail may know
them, the user does not) and noticed by the owning agency.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.sql.expression import True_

from tracer.audit.services import record
from tracer.auth.scope import case_scope
from tracer.core.errors import ValidationFailed
from tracer.core.translation import gettext as _
from tracer.deconfliction.services import Disclosure, HiddenMatch, disclose
from tracer.firearms.models import Manufacturer
from tracer.firearms.reference import resolve_manufacturer
from tracer.search.details import CASES, matches_with_details
from tracer.search.matches import MAX_LIMIT
from tracer.search.query import SerialQuery, check_mode, parse_serial_query

DEFAULT_LIMIT = 20
MAX_USER_LIMIT = 100
# Matches asked of the unscoped search per hit wanted, to fill ``limit`` hits in scope
# when other agencies' records rank among the best.
CANDIDATES_PER_HIT = 5


@dataclass(frozen=True)
class SerialHit:
    """A matching firearm the user may see."""

    firearm_id: int
    serial_number: str | None
    restored_serial: str | None
    manufacturer: str | None
    model: str | None
    caliber: str | None
    case_id: int
    case_reference: str
    match: str
    score: float
    restricted: bool = False


@dataclass(frozen=True)
class RestrictedHit:
    """Another agency holds a matching record: the kind of match and whom to call."""

    match: str
    agency_name: str
    agency_acronym: str
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    # The deconfliction reference both agencies quote (SPEC §2).
    reference: str | None = None
    restricted: bool = True


@dataclass
class SerialSearch:
    """What a search found; ``query`` is None when nothing was asked (an empty form)."""

    query: SerialQuery | None
    manufacturer: Manufacturer | None = None
    limit: int = DEFAULT_LIMIT
    hits: list[SerialHit] = field(default_factory=list)
    restricted: list[RestrictedHit] = field(default_factory=list)
    # The user's disclosure budget is spent: matches outside their scope are withheld.
    withheld: bool = False


def _check_limit(limit) -> int:
    if limit is None or limit == "":
        return DEFAULT_LIMIT
    try:
        number = int(str(limit).strip())
    except ValueError:
        number = 0
    if isinstance(limit, bool) or not 1 <= number <= MAX_USER_LIMIT:
        raise ValidationFailed(_("Check the search."), {
            "limit": [_("The limit is a whole number from 1 to %(max)d.", max=MAX_USER_LIMIT)]})
    return number


def check_search(q, mode, manufacturer=None, limit=None) -> tuple[SerialQuery | None, Manufacturer | None, int]:
    """Check every field of a search at once: (query or None when empty, maker or None, limit).

    Raises ``ValidationFailed`` naming each field at fault (``q``, ``mode``,
    ``manufacturer``, ``limit``)."""
    errors: dict[str, list[str]] = {}
    query = maker = None
    number = DEFAULT_LIMIT
    try:
        check_mode(mode)
        query = parse_serial_query(q, mode)
    except ValidationFailed as failure:
        errors.update(failure.fields)
    maker_text = manufacturer.strip() if isinstance(manufacturer, str) else ""
    if maker_text:
        maker = resolve_manufacturer(maker_text)
        if maker is None:
            errors["manufacturer"] = [_("Unknown manufacturer: write its name or one of its aliases.")]
    try:
        number = _check_limit(limit)
    except ValidationFailed as failure:
        errors.update(failure.fields)
    if errors:
        raise ValidationFailed(_("Check the search."), errors)
    return query, maker, number


def search_serials(user, q, mode, manufacturer=None, limit=DEFAULT_LIMIT) -> SerialSearch:
    """Search serials for ``user``: in-scope hits (at most ``limit``, best first) and one
    restricted hit per other agency and kind of match. Audits the search and every
    restricted hit in the current transaction (the caller commits).

    An empty ``q`` searches nothing and records nothing. Raises ``ValidationFailed``.
    """
    query, maker, limit = check_search(q, mode, manufacturer, limit)
    found = SerialSearch(query, maker, limit)
    if query is None:
        return found
    scope = case_scope(user, CASES.c.owner_agency_id, CASES.c.id)
    # With every agency in scope no match is restricted: the best ``limit`` are the hits.
    # Otherwise the best matches overall, then the user's share of them: hits in scope
    # further down the ranking are left for a narrower search (more characters, a maker).
    wanted = limit if isinstance(scope, True_) else min(MAX_LIMIT, limit * CANDIDATES_PER_HIT)
    matches, rows = matches_with_details(query, {maker.id} if maker else None, scope, wanted)
    shown = [match for match in matches if rows[match.firearm_id].visible][:limit]
    found.hits = [_hit(rows[match.firearm_id], match) for match in shown]
    hidden = [HiddenMatch(match.firearm_id, rows[match.firearm_id].agency_id, match.match)
              for match in matches if not rows[match.firearm_id].visible]
    if not isinstance(scope, True_):  # a user who sees every agency has nothing to be told of
        # The same search again tells nothing new: it shows the same disclosures, at no cost.
        subject = f"search:{query.mode}:{query.text}:{maker.id if maker else ''}"
        disclosed = disclose(user, "search", hidden, subject=subject, details={
            "mode": query.mode, "query": query.text, "manufacturer": maker.name if maker else None})
        found.restricted = [_restricted(disclosure) for disclosure in disclosed.shown]
        found.withheld = disclosed.limit_reached
    record("search.serial", actor=user, details={
        "mode": query.mode, "query": query.text, "manufacturer": maker.name if maker else None,
        "hits": len(found.hits), "restricted_hits": len(found.restricted)})
    return found


def _hit(row, match) -> SerialHit:
    return SerialHit(firearm_id=row.id, serial_number=row.serial_number, restored_serial=row.restored_serial,
                     manufacturer=row.manufacturer, model=row.model, caliber=row.caliber, case_id=row.case_id,
                     case_reference=row.case_reference, match=match.match, score=match.score)


def _restricted(disclosure: Disclosure) -> RestrictedHit:
    agency = disclosure.agency
    return RestrictedHit(disclosure.match, agency.name, agency.acronym, agency.contact_name, agency.contact_phone,
                         agency.contact_email, disclosure.reference)
