"""Why two cases are linked: one small SQL producer per kind of link (SPEC §7 names).

Each producer answers two questions, both in SQL:

- ``neighbours(among)``: the links of the cases ``among`` picks (a condition on a case id column,
  so that the statement is built once and run for any list of cases), one row per piece of
  evidence —
  ``case_id``, ``other_case_id``, ``other_agency_id``, ``this_ref``, ``other_ref`` (the ids of
  the records behind the link, of the producer's ``evidence`` type), and ``other_firearm_id``
  and ``other_item_id`` (what the owning agency's notice names, when another agency's case
  is disclosed). Indexed lookups from the given cases: a case's neighbourhood costs what
  its links cost, not what the tables hold.
- ``members()``: for the connected groups over everything, rows ``key``, ``case_id``,
  ``agency_id``: cases that share a key are linked. Set-based: the keys held by more than one
  case are found by one GROUP BY … HAVING count(DISTINCT case_id) > 1, then their cases
  (a dealer's licence, which nearly always several cases hold, is read straight).

A new kind is one more producer.
"""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Select, String, and_, cast, func, literal, null, select, union_all
from sqlalchemy.orm import aliased

from tracer.ballistics.models import BallisticItem, BallisticLink
from tracer.firearms.models import Firearm
from tracer.links.models import FirearmLink
from tracer.people.models import CasePerson, Person
from tracer.tracing.models import TraceRequest

# The kinds, in the order a reader sees them (SPEC §7).
KINDS = ("same_firearm", "same_dealer", "same_purchaser", "multiple_sale", "ballistic_hit")
# A serial this short is a placeholder ("SN", "0") rather than an identity.
SERIAL_MIN = 3


@dataclass(frozen=True)
class Producer:
    """The links of one kind: how a case's neighbours are found, and the group keys."""

    kind: str
    # What ``this_ref`` and ``other_ref`` name: "firearm", "trace_request" or "ballistic_item".
    evidence: str
    neighbours: Callable[[Callable[[Any], Any]], Select]
    members: Callable[[], list[Select]]


def _key(prefix: str, *parts):
    """A group key in SQL: ``prefix`` and ``parts`` as text, joined by colons (``||`` on both databases)."""
    key = literal(prefix, String)
    for part in parts:
        key = key.op("||")(literal(":", String)).op("||")(cast(part, String))
    return key


def _model_key(column):
    """The model as compared: upper case, spaces and hyphens left out ("G17 Gen 4" = "g17-gen4")."""
    return func.upper(func.replace(func.replace(func.coalesce(column, ""), " ", ""), "-", ""))


# --- same_firearm: the same identity in both cases, or a confirmed possible-same-firearm link ----------

def _same_identity(this, other):
    """Manufacturer + model + caliber + normalised serial (SPEC §3): the same reference maker and
    serial (ix_firearms_identity), and the same caliber and model."""
    return and_(other.manufacturer_id == this.manufacturer_id, other.serial_normalized == this.serial_normalized,
                func.coalesce(other.caliber_id, 0) == func.coalesce(this.caliber_id, 0),
                _model_key(other.model) == _model_key(this.model), other.case_id != this.case_id)


def _has_identity(firearm):
    return and_(firearm.manufacturer_id.is_not(None), firearm.serial_normalized.is_not(None),
                func.length(firearm.serial_normalized) >= SERIAL_MIN)


def _same_firearm_neighbours(among) -> Select:
    this, other = aliased(Firearm), aliased(Firearm)
    by_identity = (select(this.case_id, other.case_id.label("other_case_id"), other.agency_id.label("other_agency_id"),
                          this.id.label("this_ref"), other.id.label("other_ref"),
                          other.id.label("other_firearm_id"), cast(null(), Integer).label("other_item_id"))
                   .join(other, _same_identity(this, other))
                   .where(among(this.case_id), _has_identity(this)))
    sides = []
    for near, far in ((FirearmLink.firearm_id, FirearmLink.other_firearm_id),
                      (FirearmLink.other_firearm_id, FirearmLink.firearm_id)):
        this, other = aliased(Firearm), aliased(Firearm)
        sides.append(select(this.case_id, other.case_id.label("other_case_id"),
                            other.agency_id.label("other_agency_id"), this.id.label("this_ref"),
                            other.id.label("other_ref"), other.id.label("other_firearm_id"),
                            cast(null(), Integer).label("other_item_id"))
                     .select_from(this).join(FirearmLink, near == this.id).join(other, other.id == far)
                     .where(among(this.case_id), FirearmLink.status == "confirmed",
                            other.case_id != this.case_id))
    return union_all(by_identity, *sides)


def _same_firearm_members() -> list[Select]:
    # Two passes: the maker and serial pairs held by more than one firearm, grouped along
    # ix_firearms_identity (no sort of the table); then, for those few pairs only, the whole
    # identity. A key held by one case only joins nothing.
    shared = (select(Firearm.manufacturer_id.label("k0"), Firearm.serial_normalized.label("k1"))
              .where(Firearm.manufacturer_id.is_not(None), Firearm.serial_normalized.is_not(None))
              .group_by(Firearm.manufacturer_id, Firearm.serial_normalized)
              .having(func.count() > 1).subquery())
    keyed = aliased(Firearm)
    key = _key("i", keyed.manufacturer_id, keyed.serial_normalized, func.coalesce(keyed.caliber_id, 0),
               _model_key(keyed.model))
    by_identity = (select(key.label("key"), keyed.case_id, keyed.agency_id)
                   .join(shared, and_(keyed.manufacturer_id == shared.c.k0, keyed.serial_normalized == shared.c.k1))
                   .where(func.length(keyed.serial_normalized) >= SERIAL_MIN).distinct())
    confirmed = []
    for column in (FirearmLink.firearm_id, FirearmLink.other_firearm_id):
        side = aliased(Firearm)
        confirmed.append(select(_key("l", FirearmLink.id).label("key"), side.case_id, side.agency_id)
                         .join(side, side.id == column).where(FirearmLink.status == "confirmed"))
    return [by_identity, *confirmed]


# --- same_dealer and multiple_sale: completed traces naming the same licence -------------------------

def _traced():
    return and_(TraceRequest.status == "completed", TraceRequest.ffl_license.is_not(None),
                TraceRequest.ffl_license != "")


def _trace_neighbours(among, same_sale: bool) -> Select:
    this, other = aliased(TraceRequest), aliased(TraceRequest)
    joined = and_(other.ffl_license == this.ffl_license, other.case_id != this.case_id, other.status == "completed")
    where = [among(this.case_id), this.status == "completed", this.ffl_license.is_not(None),
             this.ffl_license != ""]
    if same_sale:
        joined = and_(joined, other.purchase_date == this.purchase_date, other.multiple_sale.is_(True))
        where += [this.multiple_sale.is_(True), this.purchase_date.is_not(None)]
    return (select(this.case_id, other.case_id.label("other_case_id"), other.agency_id.label("other_agency_id"),
                   this.id.label("this_ref"), other.id.label("other_ref"),
                   other.firearm_id.label("other_firearm_id"), cast(null(), Integer).label("other_item_id"))
            .join(other, joined).where(*where))


def _dealer_members() -> list[Select]:
    # Nearly every licence of the trace results is held by several cases (a dealer sells to
    # many buyers), so a GROUP BY … HAVING first would sort the table to drop almost nothing:
    # the licences are read straight from the traces, and the connected groups keep one
    # entry per licence, not per trace.
    return [select(_key("d", TraceRequest.ffl_license).label("key"), TraceRequest.case_id, TraceRequest.agency_id)
            .where(_traced())]


def _sale_members() -> list[Select]:
    where = [_traced(), TraceRequest.multiple_sale.is_(True), TraceRequest.purchase_date.is_not(None)]
    shared = (select(TraceRequest.ffl_license.label("k0"), TraceRequest.purchase_date.label("k1")).where(*where)
              .group_by(TraceRequest.ffl_license, TraceRequest.purchase_date)
              .having(func.count(TraceRequest.case_id.distinct()) > 1).subquery())
    keyed = aliased(TraceRequest)
    return [select(_key("s", shared.c.k0, shared.c.k1).label("key"), keyed.case_id, keyed.agency_id)
            .join(shared, and_(keyed.ffl_license == shared.c.k0, keyed.purchase_date == shared.c.k1))
            .where(keyed.status == "completed", keyed.multiple_sale.is_(True)).distinct()]


# --- ballistic_hit: a confirmed ballistic link between items of the two cases --------------------------

def _ballistic_neighbours(among) -> Select:
    sides = []
    for near, far in ((BallisticLink.item_a_id, BallisticLink.item_b_id),
                      (BallisticLink.item_b_id, BallisticLink.item_a_id)):
        this, other = aliased(BallisticItem), aliased(BallisticItem)
        sides.append(select(this.case_id, other.case_id.label("other_case_id"),
                            other.agency_id.label("other_agency_id"), this.id.label("this_ref"),
                            other.id.label("other_ref"), cast(null(), Integer).label("other_firearm_id"),
                            other.id.label("other_item_id"))
                     .select_from(this).join(BallisticLink, near == this.id).join(other, other.id == far)
                     .where(among(this.case_id), BallisticLink.status == "confirmed",
                            other.case_id != this.case_id))
    return union_all(*sides)


def _ballistic_members() -> list[Select]:
    found = []
    for column in (BallisticLink.item_a_id, BallisticLink.item_b_id):
        side = aliased(BallisticItem)
        found.append(select(_key("b", BallisticLink.id).label("key"), side.case_id, side.agency_id)
                     .join(side, side.id == column).where(BallisticLink.status == "confirmed"))
    return found


# --- same_purchaser: one person (after merges) as purchaser or possessor in both cases ------------------

PERSON_ROLES = ("purchaser", "possessor")


def _purchaser_neighbours(among) -> Select:
    this, other = aliased(CasePerson), aliased(CasePerson)
    person, same = aliased(Person), aliased(Person)
    # Merged records share ``canonical_id`` (ix_people_canonical_id): one person after merges.
    return (select(this.case_id, other.case_id.label("other_case_id"), other.agency_id.label("other_agency_id"),
                   person.id.label("this_ref"), same.id.label("other_ref"), cast(null(), Integer).label("other_firearm_id"),
                   cast(null(), Integer).label("other_item_id"))
            .select_from(this).join(person, person.id == this.person_id)
            .join(same, same.canonical_id == person.canonical_id)
            .join(other, and_(other.person_id == same.id, other.case_id != this.case_id, other.role.in_(PERSON_ROLES)))
            .where(among(this.case_id), this.role.in_(PERSON_ROLES), person.canonical_id.is_not(None)))


def _purchaser_members() -> list[Select]:
    shared = (select(Person.canonical_id.label("k0")).join(CasePerson, CasePerson.person_id == Person.id)
              .where(CasePerson.role.in_(PERSON_ROLES), Person.canonical_id.is_not(None))
              .group_by(Person.canonical_id).having(func.count(CasePerson.case_id.distinct()) > 1).subquery())
    return [select(_key("p", shared.c.k0).label("key"), CasePerson.case_id, CasePerson.agency_id)
            .join(Person, Person.id == CasePerson.person_id).join(shared, shared.c.k0 == Person.canonical_id)
            .where(CasePerson.role.in_(PERSON_ROLES)).distinct()]


PRODUCERS: tuple[Producer, ...] = (
    Producer("same_firearm", "firearm", _same_firearm_neighbours, _same_firearm_members),
    Producer("same_dealer", "trace_request", lambda among: _trace_neighbours(among, False),
             _dealer_members),
    Producer("same_purchaser", "person", _purchaser_neighbours, _purchaser_members),
    # multiple_sale: both traces flagged as a multiple sale by the same licence on the same purchase
    # date. A dealer reports the sale of two or more handguns to one buyer within five business days
    # on one ATF Form 3310.4; the trace results carry the licence, the purchase date and the flag,
    # not the form's number, so one licence and one purchase date stand for one report.
    Producer("multiple_sale", "trace_request", lambda among: _trace_neighbours(among, True),
             _sale_members),
    Producer("ballistic_hit", "ballistic_item", _ballistic_neighbours, _ballistic_members),
)


def producers(kinds: Collection[str] | None = None) -> list[Producer]:
    """The producers of ``kinds`` (every kind when None), in the order of ``KINDS``."""
    return [producer for producer in PRODUCERS if not kinds or producer.kind in kinds]

