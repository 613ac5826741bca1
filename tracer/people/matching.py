"""Finding the records that look like one person: the same normalised name and date of birth, the
same CURP, or the same foreign identification (kind, number and issuing country). Each lookup is
one indexed equality; the pairs found wait in ``person_duplicates`` for an analyst."""
from __future__ import annotations

from sqlalchemy import and_, or_, select

from tracer.extensions import db
from tracer.people.models import Person, PersonDuplicate


def match_conditions(person: Person) -> list[tuple[str, object]]:
    """(kind, SQL condition) for each way another record may match ``person``."""
    found = []
    if person.curp:
        found.append(("curp", Person.curp == person.curp))
    if person.id_kind and person.id_number and person.id_country:
        found.append(("identification", and_(Person.id_kind == person.id_kind, Person.id_number == person.id_number,
                                             Person.id_country == person.id_country)))
    if person.birth_date is not None:
        found.append(("name_dob", and_(Person.name_key == person.name_key, Person.birth_date == person.birth_date)))
    return found


def matching_people(person: Person) -> dict[int, tuple[Person, str]]:
    """The other current records (not merged away, not in ``person``'s own merge family) that match
    ``person``, each with the strongest kind of match (CURP, then identification, then name and date)."""
    found: dict[int, tuple[Person, str]] = {}
    for kind, condition in match_conditions(person):
        others = db.session.scalars(select(Person).where(condition, Person.id != person.id,
                                                         Person.merged_into_id.is_(None),
                                                         Person.canonical_id != person.canonical_id).limit(50))
        for other in others:
            found.setdefault(other.id, (other, kind))
    return found


def detect_duplicates(person: Person) -> list[PersonDuplicate]:
    """Queue, once per pair, each current record that looks like ``person``; returns the new pairs.
    A pair already decided (merged or different people) is not asked again."""
    if person.merged_into_id is not None:
        return []
    created = []
    for other, kind in matching_people(person).values():
        first, second = sorted((person, other), key=lambda p: p.id)
        known = db.session.scalar(select(PersonDuplicate.id).where(
            PersonDuplicate.person_a_id == first.id, PersonDuplicate.person_b_id == second.id))
        if known is not None:
            continue
        pair = PersonDuplicate(person_a_id=first.id, person_b_id=second.id, agency_a_id=first.agency_id,
                               agency_b_id=second.agency_id, kind=kind)
        db.session.add(pair)
        created.append(pair)
    if created:
        db.session.flush()
    return created


def pairs_of(person_ids) -> object:
    """SQL: the pairs naming any of ``person_ids`` (a list or a subquery)."""
    return or_(PersonDuplicate.person_a_id.in_(person_ids), PersonDuplicate.person_b_id.in_(person_ids))
