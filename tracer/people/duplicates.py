"""Likely duplicates and the analysts' decisions on them: merge (both records kept, audited) or
"not the same person" (the pair leaves the queue).

A reader sees a pair only when they may read both people (``services.person_query``'s rule: the
records of agencies in their scope, and the people of the cases they may see, shared ones included):
a pair never tells anyone of a person they could not read. Merging changes the records themselves,
so it stays with the analysts whose agency scope covers every record it changes: a case shared with
another agency lets that agency's analysts read its people and say "not the same person", never join
them to another record.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, false, not_, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import False_, True_

from tracer.audit.services import record
from tracer.auth.models import User
from tracer.auth.scope import agency_scope, has_shared_cases
from tracer.core.errors import Forbidden, NotFound, ValidationFailed
from tracer.core.models import utcnow
from tracer.core.pagination import KeysetPage, by, keyset_page
from tracer.core.translation import gettext as _
from tracer.core.validation import Checker
from tracer.extensions import db
from tracer.people import access, services
from tracer.people.matching import detect_duplicates
from tracer.people.models import Person, PersonDuplicate, PersonMerge

REASON_MAX = 2000
QUEUE_ORDER = (by(PersonDuplicate.created_at), by(PersonDuplicate.id))
MERGED = "person.merge"
DISTINCT = "person_duplicate.distinct"


def ensure_merger(user: User) -> None:
    if user.role not in access.MERGERS or not user.active:
        raise Forbidden(_("Only analysts decide likely duplicates."))


def pair_query(user: User) -> Select:
    """``SELECT`` of the pairs ``user`` may see: analysts and supervisors who may read both people."""
    if not access.may_read_people(user):
        return select(PersonDuplicate).where(false())
    side_a = agency_scope(user, PersonDuplicate.agency_a_id)
    side_b = agency_scope(user, PersonDuplicate.agency_b_id)
    # Most agencies have nothing shared with them: their queue keeps walking the agency rule alone
    # (ix_person_duplicates_status_created_at_id); a federal user reads every record already.
    if isinstance(side_a, (True_, False_)) or not has_shared_cases(user):
        return select(PersonDuplicate).where(side_a, side_b)
    return select(PersonDuplicate).where(
        or_(side_a, services.in_visible_case(user, PersonDuplicate.person_a_id)),
        or_(side_b, services.in_visible_case(user, PersonDuplicate.person_b_id)))


def open_pairs(user: User) -> Select:
    """The pairs waiting for a decision that ``user`` may see (the queue, the home card)."""
    return pair_query(user).where(PersonDuplicate.status == "open")


def duplicate_queue(user: User, cursor: Any = None, page: Any = None, per_page: Any = 25) -> KeysetPage:
    """The analysts' queue: open pairs oldest first, walked along ix_person_duplicates_status_created_at_id."""
    statement = open_pairs(user).options(selectinload(PersonDuplicate.person_a), selectinload(PersonDuplicate.person_b))
    return keyset_page(statement, QUEUE_ORDER, cursor, per_page, page=page, list_name="people.duplicates")


def get_pair(user: User, pair_id: int) -> PersonDuplicate:
    pair = db.session.scalar(pair_query(user).where(PersonDuplicate.id == pair_id))
    if pair is None:
        raise NotFound(_("Not found."))
    return pair


@dataclass
class Likely:
    pair: PersonDuplicate
    other: Person


def likely_duplicates(user: User, person: Person) -> list[Likely]:
    """The records that look like ``person`` and wait for a decision, as ``user`` may see them."""
    pairs = db.session.scalars(open_pairs(user).where(
        or_(PersonDuplicate.person_a_id == person.id, PersonDuplicate.person_b_id == person.id))
        .order_by(PersonDuplicate.created_at, PersonDuplicate.id))
    return [Likely(pair, pair.other(person.id)) for pair in pairs]


def merge_history(person: Person) -> list[PersonMerge]:
    """The merges that joined records into ``person``'s family, oldest first."""
    family = select(Person.id).where(Person.canonical_id == person.canonical_id)
    return list(db.session.scalars(select(PersonMerge).where(
        or_(PersonMerge.kept_id.in_(family), PersonMerge.merged_id.in_(family)))
        .order_by(PersonMerge.decided_at, PersonMerge.id)))


def merge_refusal(user: User, first: Person, second: Person, merged: Person | None = None) -> str | None:
    """Why ``user`` may not merge ``first`` and ``second`` (both read through their scope), or ``None``.

    A merge rewrites records: the merged one points at the one kept and every record of its family
    takes the kept record's root. That decision belongs to the agencies that recorded them, so each
    record must be owned by an agency in ``user``'s agency scope; reading a person through a shared
    case is not enough. When the record to be merged (``merged``) is known, every record of its
    family counts too."""
    records = Person.id.in_((first.id, second.id))
    if merged is not None:
        records = or_(records, Person.canonical_id == merged.canonical_id)
    outside = db.session.scalar(select(Person.id).where(records, not_(agency_scope(user, Person.agency_id))).limit(1))
    if outside is None:
        return None
    return _("One of these records (or one already merged with them) was recorded by an agency outside your "
             "scope: ask an analyst of that agency or a federal analyst to merge them.")


def _pair_between(first: Person, second: Person) -> PersonDuplicate | None:
    low, high = sorted((first.id, second.id))
    return db.session.scalar(select(PersonDuplicate).where(PersonDuplicate.person_a_id == low,
                                                           PersonDuplicate.person_b_id == high))


def merge_people(user: User, keep: Person, merge: Person, reason: Any) -> PersonMerge:
    """Record that ``merge`` is the same person as ``keep`` (both read through ``user``'s scope).

    Both records are kept: ``merge`` points at ``keep`` and every record of its family takes
    ``keep``'s root as ``canonical_id``. The decision (who, when, why) is a ``PersonMerge`` row and
    an audit event holding ids only. The other pairs ``merge`` was waiting in pass to ``keep``.
    ``Forbidden`` when a record it changes belongs to an agency outside ``user``'s agency scope
    (``merge_refusal``); ``ValidationFailed`` for a merge with oneself, a record already merged, or
    no reason."""
    ensure_merger(user)
    refusal = merge_refusal(user, keep, merge, merged=merge)
    if refusal is not None:
        raise Forbidden(refusal)
    check = Checker()
    text = check.text("reason", reason, REASON_MAX, required=True, multiline=True)
    if keep.id == merge.id:
        check.error("into", _("A person cannot be merged with themselves."))
    elif keep.canonical_id == merge.canonical_id:
        check.error("into", _("These records are already one person."))
    elif keep.merged or merge.merged:
        check.error("into", _("One of these records was already merged into another: merge the record kept."))
    check.raise_if_errors()
    decided = utcnow()
    merge.merged_into_id = keep.id
    for member in db.session.scalars(select(Person).where(Person.canonical_id == merge.canonical_id)):
        member.canonical_id = keep.canonical_id
    decision = PersonMerge(kept_id=keep.id, merged_id=merge.id, reason=text, decided_by_id=user.id, decided_at=decided)
    db.session.add(decision)
    pair = _pair_between(keep, merge)
    if pair is not None:
        pair.status, pair.decided_by_id, pair.decided_at = "merged", user.id, decided
    waiting = list(db.session.scalars(select(PersonDuplicate).where(
        PersonDuplicate.status == "open",
        or_(PersonDuplicate.person_a_id == merge.id, PersonDuplicate.person_b_id == merge.id))))
    db.session.flush()
    for other_pair in waiting:
        other_pair.status, other_pair.decided_by_id, other_pair.decided_at = "merged", user.id, decided
        other = other_pair.other(merge.id)
        if other.canonical_id != keep.canonical_id and _pair_between(keep, other) is None:
            low, high = sorted((keep, other), key=lambda p: p.id)
            db.session.add(PersonDuplicate(person_a_id=low.id, person_b_id=high.id, agency_a_id=low.agency_id,
                                           agency_b_id=high.agency_id, kind=other_pair.kind))
    db.session.flush()
    detect_duplicates(keep)
    record(MERGED, object_type="person", object_id=keep.id, actor=user,
           details={"kept_id": keep.id, "merged_id": merge.id, "merge_id": decision.id,
                    "pair_id": pair.id if pair is not None else None})
    return decision


def mark_distinct(user: User, pair: PersonDuplicate) -> PersonDuplicate:
    """Record that the two records of ``pair`` are different people: the pair leaves the queue."""
    ensure_merger(user)
    if pair.status != "open":
        message = _("This pair was already decided.")
        raise ValidationFailed(message, {"pair": [message]})
    pair.status, pair.decided_by_id, pair.decided_at = "distinct", user.id, utcnow()
    db.session.flush()
    record(DISTINCT, object_type="person_duplicate", object_id=pair.id, actor=user,
           details={"person_a_id": pair.person_a_id, "person_b_id": pair.person_b_id})
    return pair
