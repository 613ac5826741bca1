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

from flask_babel import gettext as _
from wtforms.validators import ValidationError

from tracer.core.errors import ValidationFailed
from tracer.core.text import describe_character, forbidden_character

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


# The positional key (``serial_positions``) writes each character of a serial as one
# three-character gram: the serial's length, the character's position (both as one base-36
# digit, so serials of up to 36 characters) and the character itself, lower case (trigram
# indexes fold case). "N3Y6496" is "60n613 62y636644659666" without the space.
POSITION_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
MAX_POSITIONED_LENGTH = len(POSITION_DIGITS)


def position_gram(length: int, position: int, char: str) -> str:
    """The gram of ``char`` at ``position`` (from 0) in a serial of ``length`` characters."""
    return POSITION_DIGITS[length - 1] + POSITION_DIGITS[position] + char.lower()


def positional_grams(normalized: str | None) -> str | None:
    """A normalised serial as its position grams, in order; None when it has none or is
    longer than ``MAX_POSITIONED_LENGTH``."""
    if not normalized or len(normalized) > MAX_POSITIONED_LENGTH:
        return None
    return "".join(position_gram(len(normalized), i, char) for i, char in enumerate(normalized))


def serial_search_keys(serial_normalized: str | None, restored_normalized: str | None) -> dict[str, str | None]:
    """The search keys stored on a firearm (columns of the same names), from one serial:
    the restored serial when there is one, since it is the firearm's real number and the
    visible one is then a partly legible remnant; otherwise the serial as engraved.

    - ``serial_skeleton``: ``lookalike_skeleton`` of that serial (look-alike search, and the
      prefix ranges of the one-edit search);
    - ``serial_skeleton_reversed``: the skeleton read backwards (suffix ranges of the
      one-edit search as prefix ranges of an ordinary index);
    - ``serial_digits``: its digits alone (the letters-ignored search), None without digits;
    - ``serial_positions``: the position grams (``positional_grams``) of both normalised
      serials, the engraved one and the restored one, separated by a space: the partial
      search on scattered known characters (``N?Y6?96``), whose pattern fixes the length
      and every known character's position, looks its grams up in a trigram index.

    Exact and partial searches read ``serial_normalized`` and ``restored_serial_normalized``
    themselves, so a remnant still matches them.
    """
    grams = [positional_grams(serial) for serial in dict.fromkeys((serial_normalized, restored_normalized))]
    positions = " ".join(gram for gram in grams if gram) or None
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
