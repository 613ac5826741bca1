"""Why a stored serial answers a query, and how well: the ranking of the fuzzy search.

The distance is an edit distance in which substituting one look-alike for another
(SPEC §4 groups: 0 O D Q, 1 I L 7, …) costs less than any true edit (insert,
delete, substitute, or two neighbouring characters swapped: the commonest typing
slip, KSB02613X for KSB20613X, is one edit, not two substitutions; the distance is
the optimal string alignment one, a restricted Damerau–Levenshtein distance in which
no character is edited after a swap), however many look-alikes there are: costs are compared as
(true edits, look-alike substitutions), true edits first. So a serial that differs
only by look-alikes always ranks above one that needs a true edit, and among
serials needing as many true edits, fewer look-alike mistakes rank higher.

Scores: exact 1.0; look-alikes only 0.80–0.95 (fewer look-alike mistakes
higher), always above any true edit; one true edit (a swap of two neighbours
included) 0.60–0.75 (fewer look-alike
mistakes beside it higher); letters ignored 0.72 for one letter, less for each
further letter; partial, the share of the serial the pattern knows.
"""
from __future__ import annotations

from typing import NamedTuple

from tracer.firearms.serials import LOOKALIKE_REPRESENTATIVE, lookalike_skeleton

KINDS = ("exact", "lookalike", "edit", "letters_ignored", "partial")
# A single true edit is looked for on serials of this many characters or more.
ONE_EDIT_MIN_LENGTH = 6
# Digits a serial must keep for "letters ignored" to say anything (369J257 → 369257).
MIN_DIGITS = 5
_BANDS = {"lookalike": (0.95, 0.80), "edit": (0.75, 0.60), "letters_ignored": (0.72, 0.40)}
_STEP = {"lookalike": 0.03, "edit": 0.03, "letters_ignored": 0.06}


class Ranked(NamedTuple):
    match: str
    score: float


class Cost(NamedTuple):
    true_edits: int
    lookalikes: int


# Costs in one integer, true edits first: a true edit outweighs any number of look-alike
# substitutions a serial of at most 64 characters can hold.
_TRUE, _LOOKALIKE = 1000, 1


def _cost(a: str, b: str, group) -> int:
    """What writing ``a`` where ``b`` stands costs: nothing, a look-alike, or a true edit."""
    if a == b:
        return 0
    return _LOOKALIKE if group(a, a) == group(b, b) else _TRUE


def weighted_distance(query: str, serial: str) -> Cost:
    """The cheapest way to turn ``query`` into ``serial``, true edits first. Two neighbouring
    characters swapped are one true edit, plus a look-alike for each of the two that is a
    look-alike of the character it lands on rather than that character."""
    group = LOOKALIKE_REPRESENTATIVE.get
    before, previous = None, list(range(0, (len(serial) + 1) * _TRUE, _TRUE))
    for i, a in enumerate(query, 1):
        current = [i * _TRUE]
        for j, b in enumerate(serial, 1):
            best_cost = min(previous[j - 1] + _cost(a, b, group), previous[j] + _TRUE, current[j - 1] + _TRUE)
            if i > 1 and j > 1 and a != b:
                crossed = _cost(a, serial[j - 2], group) + _cost(query[i - 2], b, group)
                if crossed < _TRUE:  # query[i-2:i] is serial[j-2:j] swapped (look-alikes aside)
                    best_cost = min(best_cost, before[j - 2] + _TRUE + crossed)
            current.append(best_cost)
        before, previous = previous, current
    return Cost(*divmod(previous[-1], _TRUE))


def within_one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by at most one insertion, deletion or substitution, or by
    two neighbouring characters swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    for x, y in zip(a, b):
        if x != y:
            break
        i += 1
    return a[i + 1:] == b[i + 1:] or a[i + 1:] == b[i:] or a[i:] == b[i + 1:] or neighbours_swapped(a, b)


def neighbours_swapped(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with two neighbouring, different characters swapped."""
    if len(a) != len(b):
        return False
    differing = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    return len(differing) == 2 and differing[1] == differing[0] + 1 and a[differing[0]] == b[differing[1]] \
        and a[differing[1]] == b[differing[0]]


def digits_of(serial: str) -> str:
    return "".join(char for char in serial if char.isdigit())


def _banded(kind: str, steps: int) -> Ranked:
    top, floor = _BANDS[kind]
    return Ranked(kind, round(max(floor, top - _STEP[kind] * max(steps, 0)), 3))


def rank_fuzzy(query: str, serial: str | None) -> Ranked | None:
    """How ``serial`` (normalised) answers the fuzzy ``query`` (normalised), or None."""
    if not serial:
        return None
    if serial == query:
        return Ranked("exact", 1.0)
    skeleton, wanted = lookalike_skeleton(serial), lookalike_skeleton(query)
    if skeleton == wanted:
        return _banded("lookalike", sum(a != b for a, b in zip(query, serial)) - 1)
    long_enough = max(len(query), len(serial)) >= ONE_EDIT_MIN_LENGTH
    # Two neighbours swapped are one true edit, whatever they are (KSB20613X, KBS20613X).
    if long_enough and neighbours_swapped(skeleton, wanted):
        return _banded("edit", weighted_distance(query, serial).lookalikes)
    # Same digits: the serials differ in their letters only, the more telling explanation
    # even when that is a single edit (369J257 for 369257).
    digits = digits_of(query)
    if len(digits) >= MIN_DIGITS and digits == digits_of(serial):
        return _banded("letters_ignored", weighted_distance(query, serial).true_edits - 1)
    if long_enough and within_one_edit(skeleton, wanted):
        return _banded("edit", weighted_distance(query, serial).lookalikes)
    return None


def rank_partial(pattern: str, serial: str) -> Ranked:
    """A serial the partial ``pattern`` matched: exact when it is the whole serial, else
    the share of the serial the pattern knows."""
    known = sum(char not in "?*" for char in pattern)
    if pattern == serial:
        return Ranked("exact", 1.0)
    return Ranked("partial", round(min(0.99, known / max(len(serial), 1)), 3))


def best(*ranked: Ranked | None) -> Ranked | None:
    """The better of several answers (a firearm's serial and its restored serial)."""
    found = [r for r in ranked if r is not None]
    return max(found, key=lambda r: r.score) if found else None
