"""The shipped reference lists and the folded key names are compared by.

Plain data and text only — no database models — so that the migration that
fills a fresh database and the ``flask reference load`` command read the same
lists and fold names the same way.

``data/manufacturers.json``: ``name`` (canonical), ``country`` (ISO 3166-1
alpha-2), ``aliases`` (how officers write it) and, for a few makers whose
numbering is well documented, ``serial_patterns``. ``data/calibers.json``:
``name``, ``aliases`` and ``firearm_types``.
"""
from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"

CONJUNCTIONS = frozenset({"and", "y", "und"})
# Letters NFKD does not decompose into a base letter and a mark.
_TRANSLITERATE = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ı": "i",
                                "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "×": "x"})
_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=2)
def shipped(name: str) -> tuple[dict[str, Any], ...]:
    """The entries of ``data/<name>.json`` (``manufacturers`` or ``calibers``)."""
    with open(DATA / f"{name}.json", encoding="utf-8") as handle:
        return tuple(json.load(handle))


def tokens(text: str) -> list[str]:
    """The words of a name, without accents or case ("&" is "and", "+" a space)."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_TRANSLITERATE))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _WORD.findall(bare.replace("&", " and ").replace("+", " "))


def fold_key(text: str) -> str:
    """The comparison key of a name: "Smith & Wesson" → "smithwesson", "7.62 x 39" → "762x39"."""
    words = tokens(text)
    kept = [w for w in words if w not in CONJUNCTIONS]
    return "".join(kept or words)
