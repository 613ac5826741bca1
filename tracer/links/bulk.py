"""Possible same firearm for firearms written in bulk (the CSV import, the demo data).

Asking the serial search once per imported row would cost a few queries per row;
an import writes thousands of rows a second. Instead, after each batch is
written, a few joins find the candidates of the whole batch on the search keys
the firearms already carry (``serial_search_keys``), each answered by an index:

- the look-alike skeleton (exact and look-alike serials);
- the digits alone (letters ignored);
- with ``near``, one true edit: two serials one insertion, deletion or substitution
  apart share either their first half or their second half, so the candidates are
  those whose skeleton starts with the new skeleton's first half (a range of the
  skeleton index) or ends with its second half (a range of the reversed-skeleton
  index). Two neighbours swapped share a half too, and meet the range's further
  condition, except three swaps: of the first two characters, of the two either side
  of the middle, of the last two (``_lookups``); those three serials are looked up by
  equality of the skeleton.

The candidates are then ranked by the search's own rule (``rank_fuzzy``) and
judged on maker, model and caliber as one recorded firearm is (``pair_score``).

An import runs every lookup after each batch it writes. The equalities cost the same
whatever the size of the register; the one-edit ranges hold more serials the larger it
is, but on PostgreSQL each is a short walk of an index led by the maker (only that maker's
serials are in the range: measured with 1,000,000 firearms recorded, 40 to 90 ms per 500
new firearms for all five lookups), so an imported firearm is linked as one recorded
through the form or the API is (``links.detect_links``). ``flask tracing detect-links`` runs them again over firearms
already recorded (a re-check, after a change of the rules).
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from typing import Iterable

from sqlalchemy import Integer, String, and_, cast, func, literal, or_, select, text, true
from sqlalchemy.orm import aliased

from tracer.core.value_lists import among, among_parameter
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.links.detect import Identity, _best, _identities, _pair, pair_score, record_links
from tracer.search.ranking import MIN_DIGITS, ONE_EDIT_MIN_LENGTH, best, rank_fuzzy, within_one_edit

CHUNK = 500
# Candidates one lookup may give one firearm: a serial shared by more firearms of one maker
# is a placeholder ("000000"), not an identity (the serial search bounds its lookups alike).
CANDIDATES_PER_LOOKUP = 200
# Above every character of a search key (A-Z, 0-9): the end of a prefix range.
RANGE_END = "~"


def _first(column, count=1):
    return func.substr(column, 1, count, type_=String)


def _last(column):
    return func.substr(column, func.length(column), 1, type_=String)


def _swapped(column, position):
    """``column`` with its characters at ``position`` and ``position + 1`` (from 1) swapped."""
    return (func.substr(column, 1, position - 1, type_=String) + func.substr(column, position + 1, 1, type_=String)
            + func.substr(column, position, 1, type_=String) + func.substr(column, position + 2, type_=String))


def _new_keys(wanted):
    """The search keys of the new firearms (those of the condition ``wanted``), and the parts of
    them the lookups compare."""
    length = func.length(Firearm.serial_skeleton)
    # Whole halves on both databases (PostgreSQL's floor division gives a float).
    half = cast((length + 1) // 2, Integer)
    return (select(Firearm.id.label("id"), func.coalesce(Firearm.manufacturer_id, 0).label("maker"),
                   Firearm.serial_skeleton.label("skeleton"), Firearm.serial_digits.label("digits"),
                   length.label("length"),
                   _first(Firearm.serial_skeleton, half).label("head"),
                   _first(Firearm.serial_skeleton_reversed, cast(length // 2, Integer)).label("tail"),
                   _first(Firearm.serial_skeleton, length - 1).label("but_last"),
                   _first(Firearm.serial_skeleton_reversed, length - 1).label("but_first"),
                   _first(Firearm.serial_skeleton).label("first"),
                   _first(Firearm.serial_skeleton_reversed).label("last"),
                   _swapped(Firearm.serial_skeleton, 1).label("swap_first"),
                   _swapped(Firearm.serial_skeleton, half).label("swap_middle"),
                   _swapped(Firearm.serial_skeleton, length - 1).label("swap_last"))
            .where(wanted, Firearm.serial_skeleton.is_not(None)).subquery("new"))


def _lookups(new, other) -> list[tuple]:
    """(condition, index column) of each lookup: the candidates of one new firearm. Each
    condition reads the index column alone, so an index holding it answers the lookup."""
    skeleton, reversed_ = other.serial_skeleton, other.serial_skeleton_reversed
    near = new.c.length >= ONE_EDIT_MIN_LENGTH - 1
    # One edit in the second half leaves the last character alike unless the edit is the last
    # character; then everything before it is alike. The same, mirrored, for the first half.
    # A swap of p and p + 1 (from 0, h = ceil(n / 2)) leaves the first h alike when p >= h,
    # and the last n - h when p + 1 < h; in the second half it keeps the last character
    # unless p = n - 2, in the first half the first unless p = 0. The swaps at 0, h - 1
    # and n - 2 are the last lookup's.
    return [
        (skeleton == new.c.skeleton, skeleton),
        (and_(other.serial_digits == new.c.digits, func.length(new.c.digits) >= MIN_DIGITS), other.serial_digits),
        (and_(near, skeleton >= new.c.head, skeleton < new.c.head + literal(RANGE_END),
              func.abs(func.length(skeleton) - new.c.length) <= 1,
              or_(_last(skeleton) == new.c.last, _first(skeleton, new.c.length - 1) == new.c.but_last)),
         skeleton),
        (and_(near, reversed_ >= new.c.tail, reversed_ < new.c.tail + literal(RANGE_END),
              func.abs(func.length(reversed_) - new.c.length) <= 1,
              or_(_last(reversed_) == new.c.first,
                  _first(reversed_, new.c.length - 1) == new.c.but_first)),
         reversed_),
        (and_(new.c.length >= ONE_EDIT_MIN_LENGTH,
              skeleton.in_([new.c.swap_first, new.c.swap_middle, new.c.swap_last])), skeleton),
    ]


@lru_cache(maxsize=None)
def _statement(lookup: int, dialect: str):
    """The statement of one lookup for the firearms of the list parameter ``ids``: built
    once, so that each chunk finds it compiled (building it anew cost as much as running it)."""
    new, other = _new_keys(among_parameter(Firearm.id, "ids", dialect)), aliased(Firearm)
    condition, indexed = _lookups(new, other)[lookup]
    condition = and_(condition, other.id != new.c.id)
    if dialect == "postgresql":
        # One index scan per new firearm, whatever the planner believes of a table that an
        # import is filling (its statistics lag behind): a LATERAL lookup ordered by the
        # index and limited is answered by walking that index. The maker is compared as the
        # indexes led by it hold it (``ix_firearms_maker_serial_skeleton``, and reversed), so
        # that the range walked holds the serials of that maker only.
        condition = and_(condition, func.coalesce(other.manufacturer_id, 0) == new.c.maker)
        candidates = (select(other.id.label("other_id"), indexed.label("key")).where(condition)
                      .order_by(indexed).limit(CANDIDATES_PER_LOOKUP).lateral())
        return select(new.c.id, new.c.skeleton, candidates.c.other_id, candidates.c.key).select_from(new).join(
            candidates, true())
    # SQLite answers the lookup from the index alone (its entries hold the row id); the maker
    # is compared afterwards, on the few candidates the keys let through.
    return select(new.c.id, new.c.skeleton, other.id, indexed).select_from(new).join(other, condition)


@contextmanager
def _planned_for_lookups(dialect: str):
    """On PostgreSQL, no just-in-time compilation for the lookups: their estimated cost (a
    table an import is filling) makes the planner compile them, which takes longer than the
    lookups themselves. Set once for all the chunks of a batch (three statements less
    per chunk); the transaction's setting comes back afterwards."""
    if dialect != "postgresql":
        yield
        return
    previous = db.session.scalar(text("SELECT current_setting('jit')"))
    db.session.execute(text("SELECT set_config('jit', 'off', true)"))
    try:
        yield
    finally:
        db.session.execute(text("SELECT set_config('jit', :value, true)"), {"value": previous})


def _candidate_pairs(ids: list[int], near: bool) -> set[tuple[int, int]]:
    """(new id, candidate id) pairs whose search keys match (or, with ``near``, are one edit apart)."""
    dialect = db.session.get_bind().dialect.name
    pairs: set[tuple[int, int]] = set()
    found = [(lookup, row) for lookup in range(5 if near else 2)
             for row in db.session.execute(_statement(lookup, dialect), {"ids": ids})]
    for lookup, (new_id, skeleton, other_id, key) in found:
        if lookup >= 2:
            # A range holds many serials that share half of this one: keep those one edit away
            # (a swapped serial is, unless it is too short to count).
            other_skeleton = key[::-1] if lookup == 3 else key
            if max(len(skeleton), len(other_skeleton)) < ONE_EDIT_MIN_LENGTH \
                    or not within_one_edit(skeleton, other_skeleton):
                continue
        pairs.add((new_id, other_id))
    return pairs


def _ranked(new: Identity, other: Identity):
    return best(*(rank_fuzzy(a, b) for a in new.serials for b in other.serials))


def detect_links_bulk(firearm_ids: Iterable[int], events: list | None = None, near: bool = False,
                      actor=None) -> int:
    """Link the firearms ``firearm_ids`` to every recorded firearm whose identity matches or
    nearly matches theirs — each other included — on exact, look-alike and letters-ignored
    serials, and with ``near`` on one-edit serials too. The ``firearm_link.detect`` events are
    appended to ``events`` as (action, fields), or recorded now for ``actor`` when ``events``
    is None. Returns how many links were created."""
    ids = list(firearm_ids)
    created = 0
    with _planned_for_lookups(db.session.get_bind().dialect.name):
        for start in range(0, len(ids), CHUNK):
            created += _detect_chunk(ids[start:start + CHUNK], events, near, actor)
    return created


def _detect_chunk(chunk: list[int], events: list | None, near: bool, actor) -> int:
    """``detect_links_bulk`` for at most ``CHUNK`` firearms."""
    pairs = _candidate_pairs(chunk, near)
    if not pairs:
        return 0
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
    if not found:
        return 0
    cases = dict(db.session.execute(select(Firearm.id, Firearm.case_id).where(
        among(Firearm.id, {newer for newer, _older in found}))).all())
    return len(record_links(found, cases, actor=actor, events=events))


def link_recorded_firearms(recorded_since=None, on_batch=None, statement=None) -> int:
    """Run every lookup, one true edit included, for the firearms recorded since
    ``recorded_since`` (UTC; all by default) or those of ``statement`` (a ``SELECT`` of
    ``Firearm``): the pass that completes what imports leave out. Audited (source ``cli`` from
    the command line); ``on_batch`` is called after each batch (the command commits there)."""
    statement = select(Firearm) if statement is None else statement
    if recorded_since is not None:
        statement = statement.where(Firearm.created_at >= recorded_since)
    ids_of = statement.with_only_columns(Firearm.id).order_by(Firearm.id)
    created, last_id = 0, 0
    while ids := list(db.session.scalars(ids_of.where(Firearm.id > last_id).limit(CHUNK * 2))):
        created += detect_links_bulk(ids, near=True)
        last_id = ids[-1]
        if on_batch is not None:
            on_batch()
    return created
