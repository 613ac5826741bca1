"""A serial-number query as typed, checked and normalised before it reaches the indexes.

The literal parts of a query follow the serial rules of SPEC §4 (``normalize_serial``):
separators are dropped, the letter O is the digit 0, and anything that cannot be
part of a serial (``%``, a Cyrillic letter, a control character) is refused with a
message naming the field. ``?`` and ``*`` are the partial search's wildcards. What
reaches SQL is therefore made of ``A-Z``, ``0-9``, ``?`` and ``*`` only.

A partial query needs something an index can look up (SPEC §4): three known characters
in a row (a trigram), or, in a pattern without ``*``, at least four known characters
wherever they stand: such a pattern fixes the serial's length and each known character's
position, which the position grams answer (``search.lookups``). With a ``*`` the length
is unknown, so scattered characters alone are refused with a message saying what to add.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


from tracer.core.errors import ValidationFailed
from tracer.core.translation import gettext as _
from tracer.firearms.serials import MAX_LENGTH, SEPARATORS, SerialRejected, lookalike_skeleton, normalize_serial

MODES = ("exact", "partial", "fuzzy")
WILDCARDS = "?*"
# Longest query accepted as typed (separators included); a serial has at most 64 characters.
MAX_QUERY_INPUT = 128
# A partial search needs this many known characters in a row (trigram indexes need three
# characters to narrow anything down)…
MIN_PARTIAL_RUN = 3
# …or, in a pattern without *, this many known characters wherever they stand: fewer match
# a large part of every register.
MIN_SCATTERED_KNOWN = 4
# The fuzzy search compares whole serials: a shorter query is not a serial.
MIN_FUZZY_LENGTH = 3
_RUN = re.compile(r"[A-Z0-9]+")


@dataclass(frozen=True)
class SerialQuery:
    """A checked query: ``text`` is the normalised serial (exact, fuzzy) or the normalised
    pattern with ``?`` and ``*`` (partial)."""

    mode: str
    text: str

    @property
    def known(self) -> str:
        """The known characters, wildcards left out."""
        return "".join(char for char in self.text if char not in WILDCARDS)

    @property
    def has_wildcards(self) -> bool:
        return any(char in WILDCARDS for char in self.text)

    @property
    def scattered(self) -> bool:
        """A partial pattern looked up by the positions of its known characters: no three of
        them in a row, no ``*`` (``parse_serial_query`` accepts no other pattern without a run)."""
        return self.mode == "partial" and "*" not in self.text and longest_run(self.text) < MIN_PARTIAL_RUN


def longest_run(text: str) -> int:
    """The most known characters in a row in ``text``."""
    return max(map(len, _RUN.findall(text)), default=0)


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, {field: [message]})


def check_mode(mode: str | None) -> str:
    """The search mode, ``fuzzy`` when none is given; an unknown one is a field error."""
    mode = (mode or "").strip().lower() or "fuzzy"
    if mode not in MODES:
        raise _fail("mode", _("Unknown search mode: choose exact, partial or fuzzy."))
    return mode


def _normalize_piece(piece: str) -> str:
    """One literal part of a query, normalised; separators alone give ""."""
    if all(char in SEPARATORS or char.isspace() for char in piece):
        return ""
    try:
        return normalize_serial(piece)
    except SerialRejected as rejected:
        raise _fail("q", rejected.message) from None


def _too_few_known() -> str:
    return _("Enter at least %(count)d known characters, or %(run)d in a row; ? and * alone would match "
             "every serial.", count=MIN_SCATTERED_KNOWN, run=MIN_PARTIAL_RUN)


def _partial_problem(text: str, known: str) -> str | None:
    """Why a partial pattern gives no index anything to look up, or None."""
    if longest_run(text) >= MIN_PARTIAL_RUN:
        return None
    if len(known) < MIN_SCATTERED_KNOWN:
        return _too_few_known()
    if "*" in text:
        return _("With * the length of the serial is unknown, so the known characters must include %(run)d in "
                 "a row. Add the characters you can read between them, or write one ? for each unreadable "
                 "character instead of *.", run=MIN_PARTIAL_RUN)
    return None


def is_lookalike_run(known: str) -> bool:
    """Whether ``known`` is one look-alike group repeated (OOOO, 1111, IIII, 7L1I):
    such a query matches a large share of every register."""
    return len(known) > 1 and len(set(lookalike_skeleton(known))) == 1


def parse_serial_query(q: str | None, mode: str | None) -> SerialQuery | None:
    """Check a query as a person typed it; None when it is empty (nothing to search).

    Raises ``ValidationFailed`` with a message on ``q`` or ``mode``.
    """
    mode = check_mode(mode)
    raw = q if isinstance(q, str) else ""
    if len(raw) > MAX_QUERY_INPUT:
        raise _fail("q", _("The query is too long: a serial number has at most %(max)d characters.", max=MAX_LENGTH))
    raw = raw.strip()
    if not raw:
        return None
    pieces = re.split(r"([?*])", raw)
    text = "".join(piece if piece in ("?", "*") else _normalize_piece(piece) for piece in pieces)
    text = re.sub(r"\*+", "*", text)
    known = "".join(char for char in text if char not in WILDCARDS)
    if len(known) > MAX_LENGTH:
        raise _fail("q", _("The query is too long: a serial number has at most %(max)d characters.", max=MAX_LENGTH))
    if not known and text:
        raise _fail("q", _too_few_known())
    if not known:
        raise _fail("q", _("The query holds no letters or digits."))
    if mode != "partial" and len(known) != len(text):
        raise _fail("q", _("? and * are wildcards of the partial search: choose the partial search, "
                           "or remove them."))
    if mode == "partial" and (problem := _partial_problem(text, known)):
        raise _fail("q", problem)
    if mode == "fuzzy" and len(known) < MIN_FUZZY_LENGTH:
        raise _fail("q", _("A fuzzy search needs at least %(count)d characters.", count=MIN_FUZZY_LENGTH))
    if mode != "exact" and is_lookalike_run(known):
        raise _fail("q", _("%(query)s holds only characters that look alike: it would match too many serials. "
                           "Add the other characters you can read, or use the exact search.", query=known))
    return SerialQuery(mode, text)
