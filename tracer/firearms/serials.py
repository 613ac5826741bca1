"""Serial numbers: the one normalised form every search and comparison uses.

A serial is stored as written and as its normalised form: Unicode NFKC, upper
case, ASCII letters and digits only, the letter O as the digit 0 (officers and
stamping machines confuse them; a search must not). Input that could make two
different serials look alike on screen — invisible marks, bidirectional
controls, a Cyrillic А in place of a Latin A — is refused with a message, never
quietly "cleaned", so what the officer sees is what is stored.
"""
from __future__ import annotations

import unicodedata

from wtforms.validators import ValidationError

from tracer.core.errors import ValidationFailed
from tracer.core.text import describe_character, forbidden_character
from tracer.core.translation import gettext as _

MAX_INPUT_LENGTH = 200
MAX_LENGTH = 64

# Separators officers type or copy between groups of a serial; all are dropped.
# The dashes and the degree/ordinal signs come from word processors ("N° 123").
SEPARATORS = frozenset(" -./_#,:;()[]{}'\"+\\|=~\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00b0\u00ba\u00aa")

# Characters a person (or an OCR engine) takes for one another on a stamped
# serial. The fuzzy search makes a substitution inside a group cheap.
LOOKALIKE_GROUPS: tuple[frozenset[str], ...] = (
    frozenset("0ODQ"),
    frozenset("1IL7"),
    frozenset("2Z"),
    frozenset("5S"),
    frozenset("6G"),
    frozenset("8B"),
    frozenset("UV"),
)


# Each look-alike group written as its representative (the digit, or U for {U V}).
LOOKALIKE_REPRESENTATIVE = {char: min(group) for group in LOOKALIKE_GROUPS for char in group}
_SKELETON_TABLE = str.maketrans(LOOKALIKE_REPRESENTATIVE)


def lookalike_skeleton(normalized: str) -> str:
    """A normalised serial with every look-alike written as its group's representative:
    two serials that differ only by look-alikes have the same skeleton."""
    return normalized.translate(_SKELETON_TABLE)


# The position grams (the key ``serial_positions``): words that say where a character stands
# in a serial of a given length, for patterns of scattered known characters (N?Y6?96). For a
# serial of length n: "u{n}x{i}x{c}" for each character c at position i (from 0),
# "a{n}x{i}x{c}{d}" for each two neighbours, "g{n}x{i}x{c}{d}" for each two characters one
# apart (c at i, d at i + 2). Lower case, letters and digits only: words a full-text index
# keeps as they are.


def position_grams(normalized: str) -> list[str]:
    """The position grams of a normalised serial, in order of position."""
    n, chars = len(normalized), normalized.lower()
    grams = []
    for i, char in enumerate(chars):
        grams.append(f"u{n}x{i}x{char}")
        if i + 1 < n:
            grams.append(f"a{n}x{i}x{char}{chars[i + 1]}")
        if i + 2 < n:
            grams.append(f"g{n}x{i}x{char}{chars[i + 2]}")
    return grams


def pattern_grams(pattern: str) -> list[str]:
    """The position grams every serial matching ``pattern`` holds: a normalised pattern with
    ``?`` for each unknown character and no ``*`` (its length is the serial's). Each known
    character is in a gram of two when it has a known neighbour or a known character one
    apart (far fewer serials hold a given pair than a given character), alone otherwise."""
    n, chars = len(pattern), pattern.lower()
    known = {i for i, char in enumerate(chars) if char != "?"}
    grams, covered = [], set()
    for i in sorted(known):
        for tag, j in (("a", i + 1), ("g", i + 2)):
            if j in known:
                grams.append(f"{tag}{n}x{i}x{chars[i]}{chars[j]}")
                covered |= {i, j}
    grams += [f"u{n}x{i}x{chars[i]}" for i in sorted(known - covered)]
    return grams


def serial_search_keys(serial_normalized: str | None, restored_normalized: str | None) -> dict[str, str | None]:
    """The search keys stored on a firearm (columns of the same names), from one serial:
    the restored serial when there is one, since it is the firearm's real number and the
    visible one is then a partly legible remnant; otherwise the serial as engraved.

    - ``serial_skeleton``: ``lookalike_skeleton`` of that serial (look-alike search, and the
      prefix ranges of the one-edit search);
    - ``serial_skeleton_reversed``: the skeleton read backwards (suffix ranges of the
      one-edit search as prefix ranges of an ordinary index);
    - ``serial_digits``: its digits alone (the letters-ignored search), None without digits;
    - ``serial_positions``: the position grams (``position_grams``) of both normalised
      serials, the engraved one and the restored one, separated by spaces: the partial
      search on scattered known characters (``N?Y6?96``), whose pattern fixes the length
      and every known character's position, looks its grams up in a full-text index.

    Exact and partial searches read ``serial_normalized`` and ``restored_serial_normalized``
    themselves, so a remnant still matches them.
    """
    grams = [gram for serial in dict.fromkeys((serial_normalized, restored_normalized)) if serial
             for gram in position_grams(serial)]
    positions = " ".join(dict.fromkeys(grams)) or None
    source = restored_normalized or serial_normalized
    if not source:
        return {"serial_skeleton": None, "serial_skeleton_reversed": None, "serial_digits": None,
                "serial_positions": positions}
    skeleton = lookalike_skeleton(source)
    digits = "".join(char for char in source if char.isdigit())
    return {"serial_skeleton": skeleton, "serial_skeleton_reversed": skeleton[::-1], "serial_digits": digits or None,
            "serial_positions": positions}


class SerialRejected(ValidationFailed):
    """A serial number that cannot be stored as given; ``message`` says why."""

    def __init__(self, message: str, field: str = "serial_number"):
        super().__init__(message, {field: [message]})


def serial_problem(text: str) -> str | None:
    """The translated reason ``text`` cannot be a serial number, or None."""
    try:
        normalize_serial(text)
    except SerialRejected as rejected:
        return rejected.message
    return None


def normalize_serial(text: str) -> str:
    """The normalised form of a serial number as written (SPEC §4).

    Raises ``SerialRejected`` naming the problem instead of dropping or
    replacing anything but separators.
    """
    if not isinstance(text, str):
        raise SerialRejected(_("The serial number must be text."))
    if len(text) > MAX_INPUT_LENGTH:
        raise SerialRejected(_("The serial number is too long (at most %(max)d characters).", max=MAX_LENGTH))
    bad = forbidden_character(text)
    if bad is not None:
        raise SerialRejected(_("The serial number contains an invisible or control character (%(char)s). "
                               "Retype it without copying from another document.",
                               char=describe_character(bad)))
    folded = unicodedata.normalize("NFKC", text)
    kept = []
    for char in folded:
        if char.isascii() and char.isalnum():
            kept.append(char.upper())
        elif char in SEPARATORS or char.isspace():
            continue
        else:
            raise SerialRejected(_rejection(char))
    serial = "".join(kept).replace("O", "0")
    if not serial:
        raise SerialRejected(_("The serial number holds no letters or digits."))
    if len(serial) > MAX_LENGTH:
        raise SerialRejected(_("The serial number is too long (at most %(max)d characters).", max=MAX_LENGTH))
    return serial


def _rejection(char: str) -> str:
    described = describe_character(char)
    category = unicodedata.category(char)
    if category.startswith("L"):
        if "LATIN" in unicodedata.name(char, ""):
            return _("The serial number contains a letter with an accent or mark (%(char)s); "
                     "serial numbers use the letters A to Z only.", char=described)
        return _("The serial number contains a letter that is not from the Latin alphabet (%(char)s). "
                 "It may look like a Latin letter: retype it with the keyboard.", char=described)
    if category == "Nd":
        return _("The serial number contains a digit from another writing system (%(char)s); "
                 "use the digits 0 to 9.", char=described)
    return _("The serial number contains a character that is not a letter, a digit or a separator (%(char)s).",
             char=described)


class ValidSerial:
    """WTForms validator: the field must normalise as a serial number."""

    def __call__(self, form, field):
        if field.data:
            problem = serial_problem(field.data)
            if problem:
                raise ValidationError(problem)
