"""The SQL of the serial search: which index answers which part of a query.

- exact: equality on ``serial_normalized`` or ``restored_serial_normalized`` (btree);
- fuzzy: the same equality, equality of the look-alike skeleton, equality of the digits
  (letters ignored), and the one-edit lookups. One insertion, deletion or substitution
  leaves the first half or the second half of a serial untouched, so a serial one true
  edit away from the query (look-alikes aside) starts with the first half of the query's
  skeleton or ends with its second half: a prefix range on ``serial_skeleton`` and one on
  ``serial_skeleton_reversed`` find every such serial. Each range is read from its index
  alone (key and id), with the length and one more condition every such serial meets,
  and rows are fetched only for the ids that pass. A swap of two neighbours touches two
  positions: it leaves a half untouched too, unless it straddles the middle, and meets a
  range's further condition, unless it straddles that condition's boundary
  (``_one_edit_lookups``). Those three swaps are three serials, looked up by equality of
  the skeleton (``_straddling_swaps``);
- partial: ``LIKE`` on both normalised serials, answered by trigram indexes (pg_trgm GIN
  on PostgreSQL, the FTS5 table ``firearm_serials_fts`` on SQLite), the shortest serials
  first among at most ``PARTIAL_READ`` matches read; and the pattern's characters as a
  whole serial, by equality;
- partial, scattered (``N?Y6?96``: four known characters or more, never three in a row,
  no ``*``): a trigram index finds nothing to look up in ``N_Y6_96``, and a btree on the
  serial answers only a known start or end (here one character). But a pattern of ``?``
  without ``*`` fixes the serial's length and the position of every known character. So
  each firearm carries the position grams of its serials (``serials.position_grams``):
  words that say "length n, character c at position i", and, far more selective, the
  same for two neighbours and for two characters one apart. The serials that hold every
  gram of the pattern (``serials.pattern_grams``: its known pairs, and its lone known
  characters) are the ones the pattern matches, and "holds all these words" is what a
  full-text index answers by intersecting short lists: ``serial_positions @@ tsquery``
  on PostgreSQL (GIN on a tsvector), ``MATCH`` on the FTS5 table
  ``firearm_serials_fts_grams`` on SQLite. Why not a trigram index on an encoding of the
  positions: three characters hold a length, a position and one character at most, and
  the lists of single characters are long (a digit at one position of one length: a
  tenth of those serials); pairs are a hundredth (on the bench's million firearms, p95
  6 ms with single characters as trigrams, under 1 ms with pairs). Why not a key per pair
  of positions at any distance: a serial's length squared. Three grams per character keep
  the key linear in the length; a pattern whose known characters all stand three or more
  apart (A??B??C??D) is answered by its single characters, more slowly.
  Rows read are bounded by ``PARTIAL_READ``; the pattern itself is checked on the rows the
  index gives (the grams of an engraved and a restored serial may mix). A pattern with
  ``*`` has no fixed length: without three known characters in a row it is refused
  (``search.query``).

The lookups of a query go to the database as one statement (UNION ALL). Statements are
built once per shape of query (mode, which lookups apply, filters) with bound parameters,
and reused: a search spends its time in the database, not in building SQL.
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import (Boolean, Integer, String, and_, bindparam, cast, column, func, literal, or_, select, table,
                        text, union_all)
from sqlalchemy.dialects.postgresql import TSQUERY

from tracer.core.bulk_write import after_bulk_insert
from tracer.firearms.models import Firearm
from tracer.firearms.serials import lookalike_skeleton, pattern_grams
from tracer.search.query import SerialQuery, is_lookalike_run
from tracer.search.ranking import MIN_DIGITS, ONE_EDIT_MIN_LENGTH, digits_of

# Rows one lookup may hand to the ranking. Every lookup is narrow (equality, half a serial of
# six characters or more, three known characters in a row), so this bounds a pathological
# register, not an ordinary search.
CANDIDATES_PER_LOOKUP = 2000
# Matches of a partial pattern read before ranking (see ``_parts``).
PARTIAL_READ = 500

# SQLite's trigram index of the two normalised serials (see the migration); its rowid is the firearm id.
SERIAL_FTS = table("firearm_serials_fts", column("rowid"), column("serial_normalized"),
                   column("restored_serial_normalized"))
# SQLite's word index of the position grams (``serial_positions``); its rowid is the firearm id.
GRAMS_FTS = table("firearm_serials_fts_grams", column("rowid"), column("firearm_serials_fts_grams"))
SERIALS = ("serial_normalized", "restored_serial_normalized")
# What the two indexes' insert triggers write, for the firearms of a bulk insert (they skip those).
_INDEX_INSERTED = (
    text("INSERT INTO firearm_serials_fts(rowid, serial_normalized, restored_serial_normalized) "
         "SELECT id, serial_normalized, restored_serial_normalized FROM firearms WHERE id BETWEEN :first AND :last"),
    text("INSERT INTO firearm_serials_fts_grams(rowid, serial_positions) "
         "SELECT id, serial_positions FROM firearms WHERE id BETWEEN :first AND :last"),
)


@after_bulk_insert("firearms")
def _index_inserted(connection, first: int, last: int) -> None:
    """On SQLite, index the serials of the firearms ``first`` to ``last`` (ids) of a bulk insert."""
    for statement in _INDEX_INSERTED:
        connection.execute(statement, {"first": first, "last": last})


def _param(name: str, integer: bool = False):
    return bindparam(name, type_=Integer() if integer else String())


def _next_prefix(prefix: str) -> str:
    """The first string after every string that starts with ``prefix`` (byte order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _like_pattern(query: SerialQuery) -> str:
    """The LIKE pattern of a partial query: a pattern with wildcards covers the whole
    serial, plain text is looked for anywhere in it. ``query.text`` holds only A-Z, 0-9,
    ? and * (``parse_serial_query``), so no character of the query is a LIKE wildcard."""
    if not query.has_wildcards:
        return f"%{query.text}%"
    return query.text.replace("?", "_").replace("*", "%")


def _grams_query(query: SerialQuery, dialect: str) -> str:
    """The position grams every serial matching a scattered pattern holds, as the full-text
    query that asks for all of them. Grams are made of a-z and 0-9 only: no operator."""
    return (" " if dialect == "sqlite" else " & ").join(pattern_grams(query.text))


def _one_edit_ranges(skeleton: str) -> tuple[str, str, int, int] | None:
    """(prefix, suffix, shortest, longest): every serial of six characters or more within one
    edit of ``skeleton`` has a length in that range and starts with the prefix or ends with
    the suffix.

    Let the edit be at position p of the query and h = ceil(n / 2). When p >= h the first h
    characters are untouched; otherwise everything after p is, which holds the last n - h
    characters. A five-character query reaches six-character serials only, by an
    insertion, which keeps the characters from p on: the last n - h + 1.
    """
    n = len(skeleton)
    half = (n + 1) // 2
    if n >= ONE_EDIT_MIN_LENGTH:
        return skeleton[:half], skeleton[half:], n - 1, n + 1
    if n == ONE_EDIT_MIN_LENGTH - 1:
        return skeleton[:half], skeleton[half - 1:], n + 1, n + 1
    return None


def _swapped(skeleton: str, position: int) -> str:
    """``skeleton`` with the characters at ``position`` and ``position + 1`` swapped."""
    if not 0 <= position < len(skeleton) - 1:
        return skeleton
    return skeleton[:position] + skeleton[position + 1] + skeleton[position] + skeleton[position + 2:]


def _straddling_swaps(skeleton: str, half: int, k: int, j: int) -> dict[str, str]:
    """The swaps of two neighbours that the one-edit ranges leave out, as whole skeletons.

    A swap at p (of p and p + 1) leaves the first h characters untouched when p >= h, and
    the last n - h when p + 1 < h: only p = h - 1 is in neither range. In the prefix range,
    the last k characters are untouched when p + 1 < n - k, the first n - k when p >= n - k:
    only p = n - k - 1 meets neither further condition. In the suffix range, the first j
    are untouched when p >= j, everything from j on when p + 1 < j: only p = j - 1.
    """
    n = len(skeleton)
    return {"swap_middle": _swapped(skeleton, half - 1), "swap_end": _swapped(skeleton, n - k - 1),
            "swap_start": _swapped(skeleton, j - 1)}


def _shape(query: SerialQuery) -> tuple:
    """What decides the statement's form: the mode and, for fuzzy, which lookups apply."""
    if query.mode == "partial":
        return ("partial", "?" not in query.text, query.scattered)
    if query.mode != "fuzzy":
        return (query.mode,)
    if is_lookalike_run(query.text):
        return ("fuzzy", False, False, False)
    digits = digits_of(query.text)
    # A swap keeps the length: below six characters it reaches no serial a true edit must find.
    return ("fuzzy", _one_edit_ranges(lookalike_skeleton(query.text)) is not None,
            len(digits) >= MIN_DIGITS and not is_lookalike_run(digits), len(query.text) >= ONE_EDIT_MIN_LENGTH)


def lookup_params(query: SerialQuery, manufacturer_ids=None, exclude_firearm_id=None, limit=50,
                  dialect: str = "sqlite") -> dict:
    """The values of the statement's parameters for ``query`` on ``dialect``."""
    values: dict = {"makers": sorted(manufacturer_ids or ()), "exclude": exclude_firearm_id, "limit": limit}
    if query.mode == "partial":
        values.update(pattern=_like_pattern(query), q=query.text.replace("*", ""))
        if query.scattered:
            values.update(grams=_grams_query(query, dialect))
        return values
    text = query.text
    skeleton = lookalike_skeleton(text)
    values.update(q=text, skeleton=skeleton, digits=digits_of(text))
    ranges = _one_edit_ranges(skeleton)
    if ranges:
        prefix, suffix, shortest, longest = ranges
        n, half = len(skeleton), len(prefix)
        # Each range checks its half; the other half is split so that both alternatives of
        # the extra condition check about as many characters.
        k, j = max(1, (n - half) // 2), max(1, half // 2)
        values.update(_straddling_swaps(skeleton, half, k, j))
        values.update(prefix_low=prefix, prefix_high=_next_prefix(prefix), suffix_low=suffix[::-1],
                      suffix_high=_next_prefix(suffix[::-1]), shortest=shortest, longest=longest,
                      k=k, n_minus_k=n - k, end=skeleton[n - k:], head=skeleton[:n - k],
                      j=j, n_minus_j=n - j, start_reversed=skeleton[:j][::-1], tail_reversed=skeleton[j:][::-1])
    return values


def _filtered(statement, makers: bool, exclude: bool):
    if makers:
        # "+ 0" keeps the planners on the serial indexes: a maker holds a large share of the
        # register, a serial key a handful of rows.
        statement = statement.where((Firearm.manufacturer_id + 0).in_(bindparam("makers", expanding=True, type_=Integer())))
    if exclude:
        statement = statement.where(Firearm.id != bindparam("exclude", type_=Integer))
    return statement


def _ends_with(key, length_name: str, value_name: str):
    """``key`` ends with the value of the parameter ``value_name``, ``length_name`` characters."""
    length = _param(length_name, True)
    return func.substr(key, func.length(key) - length + 1, length) == _param(value_name)


def _starts_with(key, length_name: str, value_name: str):
    return func.substr(key, 1, _param(length_name, True)) == _param(value_name)


def _one_edit_lookups() -> list[tuple]:
    """The two one-edit range lookups, each with the length the serial must have and a further
    condition every such serial meets, so that few of the index entries read become rows.

    The prefix range holds the serials whose edit is at or after the middle (h). With the
    edit before the last k characters, those are untouched; otherwise all but the last k
    are. The suffix range holds the serials whose edit is before the middle: with the edit
    at or after j, the first j characters are untouched; otherwise everything from j on
    is. k and j split what the range leaves unchecked in two (``lookup_params``). A swap
    touches two neighbours, p and p + 1: the same holds for it unless the two stand on
    either side of one of these boundaries (h, n - k, j), three serials that a lookup of
    their own finds (``_straddling_swaps``).
    """
    key, reversed_key = Firearm.serial_skeleton, Firearm.serial_skeleton_reversed
    near = [func.length(key).between(_param("shortest", True), _param("longest", True)) for key in
            (key, reversed_key)]
    prefix = (key >= _param("prefix_low"), key < _param("prefix_high"), near[0],
              or_(_ends_with(key, "k", "end"), _starts_with(key, "n_minus_k", "head")))
    # On the reversed key, "starts with q[:j]" is "ends with q[:j] reversed", and so on.
    suffix = (reversed_key >= _param("suffix_low"), reversed_key < _param("suffix_high"), near[1],
              or_(_ends_with(reversed_key, "j", "start_reversed"),
                  _starts_with(reversed_key, "n_minus_j", "tail_reversed")))
    return [prefix, suffix]


def _fuzzy_lookups(ranges: bool, digits: bool, swaps: bool) -> list[tuple[tuple, bool]]:
    """The fuzzy lookups as (conditions, whether it is a one-edit range)."""
    lookups = [((_same_serial(),), False), ((Firearm.serial_skeleton == _param("skeleton"),), False)]
    if ranges:
        lookups += [(conditions, True) for conditions in _one_edit_lookups()]
    if swaps:
        swapped = [_param(name) for name in ("swap_start", "swap_middle", "swap_end")]
        lookups.append(((Firearm.serial_skeleton.in_(swapped),), False))
    if digits:
        lookups.append(((Firearm.serial_digits == _param("digits"),), False))
    return lookups


def _same_serial():
    return or_(Firearm.serial_normalized == _param("q"), Firearm.restored_serial_normalized == _param("q"))


@lru_cache(maxsize=64)
def _parts(shape: tuple, dialect: str, makers: bool, exclude: bool) -> tuple:
    base = _filtered(select(Firearm.id, Firearm.serial_normalized, Firearm.restored_serial_normalized),
                     makers, exclude)
    if shape[0] == "partial" and shape[2]:
        return (_scattered(base, dialect),)
    if shape[0] == "partial":
        parts = []
        for name in SERIALS:
            serial = getattr(Firearm, name)
            if dialect == "sqlite":
                matching = select(SERIAL_FTS.c.rowid).where(SERIAL_FTS.c[name].like(_param("pattern")))
                statement = base.where(Firearm.id.in_(matching))
            else:
                statement = base.where(serial.like(_param("pattern")))
            # A partial match scores the share of the serial the pattern knows: the shortest
            # serials (newest first among equals, as the ranking does) are the best. A
            # fragment found in thousands of serials is not read whole: the best among the
            # first PARTIAL_READ found are answered.
            read = statement.add_columns(func.length(serial).label("length")).limit(PARTIAL_READ).subquery()
            parts.append(select(read.c.id, read.c.serial_normalized, read.c.restored_serial_normalized)
                         .order_by(read.c.length, read.c.id.desc()).limit(_param("limit", True)))
        if shape[1]:
            # The pattern's characters as a whole serial, the best partial match there is,
            # are looked up by equality: never left out by that bound.
            parts.append(base.where(_same_serial()).limit(CANDIDATES_PER_LOOKUP))
        return tuple(parts)
    if shape[0] == "exact":
        return (base.where(_same_serial()).limit(CANDIDATES_PER_LOOKUP),)
    parts = []
    for conditions, ranged in _fuzzy_lookups(*shape[1:]):
        if ranged:
            parts.append(base.where(Firearm.id.in_(select(Firearm.id).where(*conditions))))
        else:
            parts.append(base.where(*conditions))
    return tuple(part.limit(CANDIDATES_PER_LOOKUP) for part in parts)


def _scattered(base, dialect: str):
    """The lookup of a scattered pattern: its position grams, then the pattern itself on the
    rows they give (the pattern's length is fixed: no shortest first to choose)."""
    if dialect == "sqlite":
        grams = Firearm.id.in_(select(GRAMS_FTS.c.rowid).where(
            GRAMS_FTS.c.firearm_serials_fts_grams.op("MATCH", return_type=Boolean)(_param("grams"))))
    else:
        grams = Firearm.serial_positions.op("@@", return_type=Boolean)(cast(_param("grams"), TSQUERY))
    # The pattern is checked on the rows the grams give, never looked up itself: the
    # planner would read the serials' trigram indexes for it too (N_Y6_96 gives them a
    # trigram or two of its start, thousands of rows) and intersect. No index holds COALESCE.
    pattern = or_(*(func.coalesce(getattr(Firearm, name), "").like(_param("pattern")) for name in SERIALS))
    read = base.where(grams, pattern).limit(PARTIAL_READ).subquery()
    return select(read.c.id, read.c.serial_normalized, read.c.restored_serial_normalized).order_by(
        read.c.id.desc()).limit(_param("limit", True))


@lru_cache(maxsize=64)
def _combined(shape: tuple, dialect: str, makers: bool, exclude: bool):
    parts = _parts(shape, dialect, makers, exclude)
    if len(parts) == 1:
        return parts[0]
    return union_all(*(select(*part.subquery().c) for part in parts))


def lookup_key(query: SerialQuery, dialect: str, manufacturer_ids=None, exclude_firearm_id=None) -> tuple:
    """What the statement of ``lookup`` depends on besides its parameter values."""
    return _shape(query), dialect, manufacturer_ids is not None, exclude_firearm_id is not None


def lookup(query: SerialQuery, dialect: str, manufacturer_ids=None, exclude_firearm_id=None, limit: int = 50):
    """(statement, parameters): every lookup of ``query`` as one SELECT of (id, serial_normalized,
    restored_serial_normalized). ``limit`` is the number of matches wanted (partial lookups
    read no more)."""
    statement = _combined(*lookup_key(query, dialect, manufacturer_ids, exclude_firearm_id))
    return statement, lookup_params(query, manufacturer_ids, exclude_firearm_id, limit, dialect)


def lookup_statements(query: SerialQuery, dialect: str, manufacturer_ids=None, exclude_firearm_id=None,
                      limit: int = 50) -> list:
    """Each lookup on its own, with the query's values bound (to read its plan)."""
    values = lookup_params(query, manufacturer_ids, exclude_firearm_id, limit, dialect)
    parts = _parts(_shape(query), dialect, manufacturer_ids is not None, exclude_firearm_id is not None)
    return [_bound(part, values) for part in parts]


def lookup_statement(query: SerialQuery, dialect: str, manufacturer_ids=None, exclude_firearm_id=None,
                     limit: int = 50):
    """The statement a search issues, with the query's values bound."""
    statement, values = lookup(query, dialect, manufacturer_ids, exclude_firearm_id, limit)
    return _bound(statement, values)


def _bound(statement, values: dict):
    names = {param.key for param in _bind_params(statement)}
    return statement.params({name: value for name, value in values.items() if name in names})


def _bind_params(statement):
    from sqlalchemy.sql import visitors

    return [element for element in visitors.iterate(statement) if getattr(element, "_is_bind_parameter", False)]


def matching_condition(query: SerialQuery):
    """The whole matching of ``query`` as one condition on firearms, with its values, whatever
    reads it: what a sequential scan of the table evaluates to find the same candidates."""
    shape = _shape(query)
    if shape[0] == "partial":
        pattern = literal(_like_pattern(query))
        return or_(*(getattr(Firearm, name).like(pattern) for name in SERIALS))
    condition = _same_serial() if shape[0] == "exact" else or_(
        *(and_(*conditions) for conditions, _ranged in _fuzzy_lookups(*shape[1:])))
    return _bound(select(Firearm.id).where(condition), lookup_params(query)).whereclause
