"""Countries of manufacture: ISO 3166-1 alpha-2 codes named in the user's language.

Names come from the CLDR data that ships with Babel (``Locale.territories``),
restricted to the ISO 3166-1 country codes: CLDR also names regions ("001"),
groupings (EU, EZ, UN), codes reserved for other uses (AC, CP, DG, EA, IC, TA,
CQ) and private-use codes (QO, XA, XB, XK, ZZ), none of which is a country.
"""
from __future__ import annotations

from functools import lru_cache

from babel import Locale

from tracer.core.text import forbidden_character
from tracer.geo.names import fold_name

NOT_COUNTRIES = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"})
NAME_LOCALES = ("es", "en")

# How officers and forms commonly write some countries, beyond the CLDR names.
EXTRA_NAMES = {
    "US": ("USA", "EEUU", "EE. UU.", "EUA", "E.U.A.", "Estados Unidos de América", "United States of America",
           "U.S.", "U.S.A.", "Norteamérica"),
    "MX": ("MEX", "Estados Unidos Mexicanos", "República Mexicana"),
    "GB": ("UK", "United Kingdom of Great Britain", "Great Britain", "England", "Inglaterra", "Gran Bretaña"),
    "CZ": ("Czech Republic", "República Checa", "Czechoslovakia", "Checoslovaquia"),
    "TR": ("Turkey", "Turkiye"),
    "RU": ("Russian Federation", "Federación de Rusia", "URSS", "USSR", "Unión Soviética", "Soviet Union"),
    "KR": ("Korea", "Republic of Korea", "Corea", "República de Corea"),
    "KP": ("North Korea", "Corea del Norte"),
    "DE": ("Germany", "West Germany", "Alemania Occidental"),
    "NL": ("Holland", "Holanda"),
    "MK": ("Macedonia",),
    "CN": ("People's Republic of China", "República Popular China"),
    "TW": ("Republic of China",),
    "CI": ("Ivory Coast", "Costa de Marfil"),
    "BR": ("Brasil",),
    "PH": ("Filipinas",),
    "BA": ("Bosnia",),
    "AE": ("UAE", "EAU"),
}


@lru_cache(maxsize=4)
def _names(locale: str) -> dict[str, str]:
    territories = Locale.parse(locale).territories
    return {code: name for code, name in territories.items()
            if len(code) == 2 and code.isalpha() and code.isupper() and code not in NOT_COUNTRIES}


def country_codes() -> frozenset[str]:
    return frozenset(_names("en"))


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, extra in EXTRA_NAMES.items():
        for name in extra:
            index.setdefault(fold_name(name), code)
    for locale in NAME_LOCALES:
        for code, name in _names(locale).items():
            index.setdefault(fold_name(name), code)
    return index


def resolve_country(text: str | None) -> str | None:
    """The ISO code ``text`` names: the code itself, or the English or Spanish name
    (accents and case ignored; "USA", "EEUU", "EE. UU." and the like too)."""
    value = (text or "").strip()
    if not value or len(value) > 100 or forbidden_character(value) is not None:
        return None
    if len(value) == 2 and value.upper() in country_codes():
        return value.upper()
    return _index().get(fold_name(value))


def _locale_name(locale) -> str:
    language = str(locale or "es").split("_")[0].split("-")[0]
    return language if language in NAME_LOCALES else "en"


def country_name(code: str | None, locale="es") -> str:
    """The country's name in ``locale`` ("MX" → "México"); an unknown code is shown as is."""
    if not code:
        return ""
    return _names(_locale_name(locale)).get(code.upper(), code)


def country_choices(locale="es") -> list[tuple[str, str]]:
    """(code, name) of every country, sorted by name as a reader of ``locale`` expects."""
    names = _names(_locale_name(locale))
    return sorted(names.items(), key=lambda item: (fold_name(item[1]), item[0]))
