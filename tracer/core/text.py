"""Checks on free text typed by users.

Text fields refuse control characters and invisible formatting marks (zero-width
and bidirectional controls): they make two different values look identical on
screen and in printed reports, which is how names and numbers get spoofed. The
value is refused with a message, never silently changed.
"""
from __future__ import annotations

import unicodedata

from wtforms.validators import ValidationError

from tracer.core.translation import lazy_gettext as _l

# Bidirectional embedding, override and isolate controls, plus marks.
BIDI_CONTROLS = set("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ZERO_WIDTH = set("\u200b\u200c\u200d\u2060\ufeff\u180e")


def forbidden_character(value: str, allow_newlines: bool = False) -> str | None:
    """Return the first character that may not appear in user text, or None."""
    if value.isprintable():  # fast path: no control, format, private-use or unassigned character
        return None
    for char in value:
        if allow_newlines and char in "\n\r\t":
            continue
        if char in BIDI_CONTROLS or char in ZERO_WIDTH:
            return char
        category = unicodedata.category(char)
        if category in {"Cc", "Cf", "Cs", "Co", "Cn"}:
            return char
    return None


def describe_character(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}".strip()


class CleanText:
    """WTForms validator: refuses control characters and invisible marks."""

    def __init__(self, allow_newlines: bool = False):
        self.allow_newlines = allow_newlines

    def __call__(self, form, field):
        value = field.data
        if not isinstance(value, str):
            return
        bad = forbidden_character(value, self.allow_newlines)
        if bad is not None:
            raise ValidationError(
                _l(
                    "This field contains an invisible or control character (%(char)s). "
                    "Retype it without copying from another document.",
                    char=describe_character(bad),
                )
            )
