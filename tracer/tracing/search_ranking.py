"""Why a stored serial answers a query, and how well: the ranking of the fuzzy search.

The distance is an edit distance in which substituting one look-alike for another
(SPEC §4 groups: 0 O D Q, 1 I L 7, …) costs less than any true edit (insert,
delete, substitute), however many look-alikes there are: costs are compared as
(true edits, look-alike substitutions), true edits first. So a serial that differs
only by look-alikes always ranks above one that needs a true edit, and among
serials needing as many true edits, fewer look-alike mistakes rank higher.

Scores: exact 1.0; look-alikes only 0.80–0.95 (fewer look-alike mistakes
higher), always above any true edit; one true edit 0.60–0.75 (fewer look-alike
mistakes beside it higher); letters ignored 0.72 for one letter, less for each
further letter; partial, the share of the serial the pattern knows.
"""
from __future__ import annotations

from typing import NamedTuple

from tracer.firearms.serials import LOOKALIKE_REPRESENTATIVE, lookalike_skeleton

KINDS = ("exact", "lookalike", "one_edit", "letters_ignored", "partial")
# A single true edit is looked for on serials of this many characters or more.
ONE_EDIT_MIN_LENGTH = 6
# Digits a serial must keep for "letters ignored" to say anything (369J257 → 369257).
MIN_DIGITS = 5
_BANDS = {"lookalike": (0.95, 0.80), "one_edit": (0.75, 0.60), "letters_ignored": (0.72, 0.40)}
_STEP = {"lookalike": 0.03, "one_edit": 0.03, "letters_ignored": 0.06}


class Ranked(NamedTuple):
    match: str
    score: float


class Cost(NamedTuple):
    true_edits: int
    lookalikes: int


def _substitution(a: str, b: str) -> Cost:
    if a == b:
        return Cost(0, 0)
    if LOOKALIKE_REPRESENTATIVE.get(a, a) == LOOKALIKE_REPRESENTATIVE.get(b, b):
        return Cost(0, 1)
    return Cost(1, 0)


def weighted_distance(query: str, serial: str) -> Cost:
    """The cheapest way to turn ``query`` into ``serial``, true edits first."""
    previous = [Cost(j, 0) for j in range(len(serial) + 1)]
    for i, a in enumerate(query, 1):
        current = [Cost(i, 0)]
        for j, b in enumerate(serial, 1):
            sub = _substitution(a, b)
            diagonal = previous[j - 1]
            current.append(min(
                Cost(diagonal.true_edits + sub.true_edits, diagonal.lookalikes + sub.lookalikes),
                Cost(previous[j].true_edits + 1, previous[j].lookalikes),
                Cost(current[j - 1].true_edits + 1, current[j - 1].lookalikes),
            ))
        previous = current
    return previous[-1]


def within_one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by at most one insertion, deletion or substitution."""
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    for x, y in zip(a, b):
        if x != y:
            break
        i += 1
    return a[i + 1:] == b[i + 1:] or a[i + 1:] == b[i:] or a[i:] == b[i + 1:]


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
    # Same digits: the serials differ in their letters only, the more telling explanation
    # even when that is a single edit (369J257 for 369257).
    digits = digits_of(query)
    if len(digits) >= MIN_DIGITS and digits == digits_of(serial):
        return _banded("letters_ignored", weighted_distance(query, serial).true_edits - 1)
    if max(len(query), len(serial)) >= ONE_EDIT_MIN_LENGTH and within_one_edit(skeleton, wanted):
        return _banded("one_edit", weighted_distance(query, serial).lookalikes)
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
