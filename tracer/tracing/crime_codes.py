"""NCIC crime codes of a trace request and the crime categories users pick (Form 3312.1).

The codes ship in ``data/ncic_crime_codes.csv`` (see ``data/SOURCES.md``). A user
picks a crime category in their language — the seizure's list of categories —
and the request takes that category's default code, which the user may change.
"""
from __future__ import annotations

import csv
import unicodedata
from functools import lru_cache
from pathlib import Path

from flask_babel import force_locale, get_locale

from tracer.firearms.labels import CRIME_CATEGORIES

DATA = Path(__file__).parent / "data" / "ncic_crime_codes.csv"

# Category code -> (its label, shared with the seizure's list, and the default NCIC code).
_ILLEGAL_POSSESSION, _TRAFFICKING, _DRUGS, _ORGANISED, _HOMICIDE, _KIDNAPPING, _EXTORTION, _ROBBERY, _FUEL, \
    _FLAGRANTE = CRIME_CATEGORIES
CRIME_CATEGORY_CODES = {
    "illegal_possession": (_ILLEGAL_POSSESSION, "5212"),
    "firearms_trafficking": (_TRAFFICKING, "5899"),
    "drug_trafficking": (_DRUGS, "3599"),
    "organised_crime": (_ORGANISED, "5299"),
    "homicide": (_HOMICIDE, "0999"),
    "kidnapping": (_KIDNAPPING, "1099"),
    "extortion": (_EXTORTION, "2199"),
    "robbery": (_ROBBERY, "1299"),
    "fuel_theft": (_FUEL, "2399"),
    "in_flagrante": (_FLAGRANTE, "5202"),
}
CRIME_CATEGORY_LABELS = {code: label for code, (label, _ncic) in CRIME_CATEGORY_CODES.items()}
# A firearm recovered in Mexico without a stated crime was at least held illegally.
DEFAULT_CATEGORY = "illegal_possession"


@lru_cache(maxsize=1)
def ncic_codes() -> dict[str, dict[str, str]]:
    """The shipped codes: ``{"5212": {"en": "Possession of weapon", "es": "Posesión de arma"}, …}``."""
    with DATA.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: {"en": row["title_en"], "es": row["title_es"]} for row in csv.DictReader(handle)}


def ncic_title(code: str | None, locale: str | None = None) -> str:
    """The title of an NCIC code in ``locale`` (the reader's language by default); empty when unknown."""
    titles = ncic_codes().get(code or "")
    if titles is None:
        return ""
    return titles.get(locale or str(get_locale() or "es")) or titles["en"]


def ncic_label(code: str | None, locale: str | None = None) -> str:
    """``5212 · Posesión de arma``: the code and its title, as forms and prints show it."""
    title = ncic_title(code, locale)
    return f"{code} · {title}" if title else (code or "")


def default_ncic_code(category: str | None) -> str | None:
    """The NCIC code a crime category starts with."""
    entry = CRIME_CATEGORY_CODES.get(category or "")
    return entry[1] if entry else None


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


@lru_cache(maxsize=1)
def _category_index() -> dict[str, str]:
    """Each category's label in Spanish and English, plain, to its code (the catalogs do not change
    while the application runs)."""
    index: dict[str, str] = {}
    for language in ("en", "es"):
        with force_locale(language):
            for code, (label, _ncic) in CRIME_CATEGORY_CODES.items():
                index[_plain(str(label))] = code
    return index


def category_of_seizure(written: str | None) -> str | None:
    """The category code of a seizure's crime category as written (in Spanish or English, accents
    and case ignored); None when it names none of the list."""
    wanted = _plain(written or "")
    return _category_index().get(wanted) if wanted else None
