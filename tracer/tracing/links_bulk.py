"""Possible same firearm for firearms written in bulk (the CSV import, the demo data).

Asking the serial search once per imported row would cost a few queries per row;
an import writes thousands of rows a second. Instead, after each batch is
written, a handful of joins find the candidates of the whole batch on the
search keys the firearms already carry (``serial_search_keys``), each join
answered by an index:

- the look-alike skeleton (exact and look-alike serials);
- the digits alone (letters ignored);
- one true edit: two serials one edit apart share either their first half or
  their second half, so the candidates are those whose skeleton starts with the
  new skeleton's first half (a range of the skeleton index) or ends with its
  second half (a range of the reversed-skeleton index).

The candidates are then ranked by the search's own rule (``rank_fuzzy``) and
judged on maker, model and caliber as one recorded firearm is (``pair_score``).
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import Integer, String, and_, cast, func, literal, or_, select, true
from sqlalchemy.orm import aliased

from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.tracing.links import Identity, _best, _identities, _pair, pair_score, record_links
from tracer.tracing.search_ranking import MIN_DIGITS, ONE_EDIT_MIN_LENGTH, best, rank_fuzzy, within_one_edit

CHUNK = 500
# Candidates one lookup may give one firearm: a serial shared by more firearms of one maker
# is a placeholder ("000000"), not an identity (the serial search bounds its lookups alike).
CANDIDATES_PER_LOOKUP = 200
# Above every character of a search key (A-Z, 0-9): the end of a prefix range.
RANGE_END = "~"


def _first(column, count=1):
    return func.substr(column, 1, count, type_=String)


def _new_keys(ids: list[int]):
    """The search keys of the new firearms, and the parts of them the lookups compare."""
    length = func.length(Firearm.serial_skeleton)
    return (select(Firearm.id.label("id"), func.coalesce(Firearm.manufacturer_id, 0).label("maker"),
                   Firearm.serial_skeleton.label("skeleton"), Firearm.serial_digits.label("digits"),
                   length.label("length"),
                   # Whole halves on both databases (PostgreSQL's floor division gives a float).
                   _first(Firearm.serial_skeleton, cast((length + 1) // 2, Integer)).label("head"),
                   _first(Firearm.serial_skeleton_reversed, cast(length // 2, Integer)).label("tail"),
                   _first(Firearm.serial_skeleton, length - 1).label("but_last"),
                   _first(Firearm.serial_skeleton_reversed, length - 1).label("but_first"),
                   _first(Firearm.serial_skeleton).label("first"),
                   _first(Firearm.serial_skeleton_reversed).label("last"))
            .where(Firearm.id.in_(ids), Firearm.serial_skeleton.is_not(None)).subquery("new"))


def _lookups(new, other) -> list[tuple]:
    """(condition, index column) of each lookup: the candidates of one new firearm."""
    close_length = func.abs(func.length(other.serial_skeleton) - new.c.length) <= 1
    # One edit in the second half leaves the last character alike unless the edit is the last
    # character; then everything before it is alike. The same, mirrored, for the first half.
    same_end = or_(_first(other.serial_skeleton_reversed) == new.c.last,
                   _first(other.serial_skeleton, new.c.length - 1) == new.c.but_last)
    same_start = or_(_first(other.serial_skeleton) == new.c.first,
                     _first(other.serial_skeleton_reversed, new.c.length - 1) == new.c.but_first)
    near = new.c.length >= ONE_EDIT_MIN_LENGTH - 1
    return [
        (other.serial_skeleton == new.c.skeleton, other.serial_skeleton),
        (and_(other.serial_digits == new.c.digits, func.length(new.c.digits) >= MIN_DIGITS), other.serial_digits),
        (and_(near, other.serial_skeleton >= new.c.head, other.serial_skeleton < new.c.head + literal(RANGE_END),
              close_length, same_end), other.serial_skeleton),
        (and_(near, other.serial_skeleton_reversed >= new.c.tail,
              other.serial_skeleton_reversed < new.c.tail + literal(RANGE_END), close_length, same_start),
         other.serial_skeleton_reversed),
    ]


def _statement(ids: list[int], lookup: int, dialect: str):
    new, other = _new_keys(ids), aliased(Firearm)
    condition, indexed = _lookups(new, other)[lookup]
    # The maker compared as an expression no index answers, so that each lookup walks the
    # search-key index it is meant for, never every firearm of a maker.
    condition = and_(condition, other.id != new.c.id, func.coalesce(other.manufacturer_id, 0) == new.c.maker)
    found = (other.id.label("other_id"), other.serial_skeleton.label("other_skeleton"),
             other.serial_digits.label("other_digits"))
    if dialect == "postgresql":
        # One index scan per new firearm, whatever the planner believes of a table that an
        # import is filling (its statistics lag behind): a LATERAL lookup ordered by the
        # index and limited is answered by walking that index.
        candidates = select(*found).where(condition).order_by(indexed).limit(CANDIDATES_PER_LOOKUP).lateral()
        return select(new.c.id, new.c.skeleton, new.c.digits, candidates.c.other_id, candidates.c.other_skeleton,
                      candidates.c.other_digits).select_from(new).join(candidates, true())
    return select(new.c.id, new.c.skeleton, new.c.digits, *found).select_from(new).join(other, condition)


def _candidate_pairs(ids: list[int]) -> set[tuple[int, int]]:
    """(new id, candidate id) pairs whose search keys match or are one edit apart."""
    dialect = db.session.get_bind().dialect.name
    pairs: set[tuple[int, int]] = set()
    for lookup in range(4):
        for new_id, skeleton, digits, other_id, other_skeleton, other_digits in db.session.execute(
                _statement(ids, lookup, dialect)):
            # The keys' own verdict first: most candidates of a range are no match at all.
            if skeleton == other_skeleton or (digits and digits == other_digits and len(digits) >= MIN_DIGITS) \
                    or (max(len(skeleton), len(other_skeleton)) >= ONE_EDIT_MIN_LENGTH
                        and within_one_edit(skeleton, other_skeleton)):
                pairs.add((new_id, other_id))
    return pairs


def _ranked(new: Identity, other: Identity):
    return best(*(rank_fuzzy(a, b) for a in new.serials for b in other.serials))


def detect_links_bulk(firearm_ids: Iterable[int], events: list) -> int:
    """Link the firearms ``firearm_ids`` (just written) to every recorded firearm whose identity
    matches or nearly matches theirs — each other included. The ``firearm_link.detect`` events
    are appended to ``events`` as (action, fields). Returns how many links were created."""
    ids = list(firearm_ids)
    created = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        pairs = _candidate_pairs(chunk)
        if not pairs:
            continue
        known = _identities({i for pair in pairs for i in pair})
        found: dict[tuple[int, int], tuple[str, float]] = {}
        for new_id, other_id in pairs:
            new, other = known[new_id], known[other_id]
            if not new.comparable or not other.comparable:
                continue
            ranked = _ranked(new, other)
            score = pair_score(new, other, ranked.match) if ranked else None
            if score is not None:
                _best(found, _pair(new_id, other_id), ranked.match, score)
        if found:
            cases = dict(db.session.execute(select(Firearm.id, Firearm.case_id).where(
                Firearm.id.in_({newer for newer, _older in found}))).all())
            created += len(record_links(found, cases, events=events))
    return created
