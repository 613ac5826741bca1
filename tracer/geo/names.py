"""Place names compared the way people write them: accents, case and punctuation ignored."""
from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+")


def fold_name(text: str | None) -> str:
    """"Estado de México" → "estadodemexico"; "EE. UU." → "eeuu"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _NOT_WORD.sub("", bare)
