"""Coordinates for places written as names, through geopy.

``TRACER_GEOCODER=offline`` (the default) answers from the gazetteer shipped
with the project (municipality seats, localities, US cities): no network, the
same answer every time. ``nominatim`` asks OpenStreetMap's Nominatim first and
falls back to the gazetteer whenever the service fails (timeout, unavailable,
rate limit), finds nothing, or answers with a point outside the stated state.

``GeocodeResult.source`` says where a point came from, in the terms of the
seizure's coordinate source: ``gazetteer`` or ``geocoded``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

from geopy.distance import geodesic
from geopy.exc import GeopyError
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from tracer.geo import catalog
from tracer.geo.countries import resolve_country
from tracer.geo.names import fold_name

log = logging.getLogger(__name__)

GEOCODERS = ("offline", "nominatim")
NOMINATIM_TIMEOUT = 5


@dataclass(frozen=True)
class GeocodeResult:
    latitude: float
    longitude: float
    source: str  # "gazetteer" or "geocoded"
    # How fine the point is: "address", "locality", "municipality", "city" or "state".
    precision: str = "municipality"


class OfflineGeocoder(Geocoder):
    """A geopy geocoder answering from the shipped gazetteer.

    ``query`` is a string, "Heroica Nogales, Sonora, México" or "El Paso, TX, USA"
    (place first, then state, then country), or a dict with the keys of geopy's
    structured queries: ``city``, ``county`` (municipality), ``state``, ``country``.
    """

    def __init__(self):
        super().__init__(user_agent="tracer")

    def geocode(self, query, *, exactly_one=True, timeout=None):
        found = self._lookup(self._parts(query))
        if found is None:
            return None
        return found if exactly_one else [found]

    @staticmethod
    def _parts(query) -> dict[str, str]:
        if isinstance(query, Mapping):
            return {k: str(v).strip() for k, v in query.items() if v and str(v).strip()}
        words = [p.strip() for p in str(query or "").split(",") if p.strip()]
        parts: dict[str, str] = {}
        if len(words) > 1 and resolve_country(words[-1]) in ("MX", "US"):
            parts["country"] = words.pop()
        if len(words) > 1:
            parts["state"] = words.pop()
        if len(words) > 1:
            parts["county"] = words.pop()
        if words:
            parts["city"] = words[0]
        return parts

    def _lookup(self, parts: dict[str, str]) -> Location | None:
        country = resolve_country(parts["country"]) if parts.get("country") else None
        state_text, place, municipality = parts.get("state"), parts.get("city"), parts.get("county")
        if state_text is None and place and not municipality:
            # One name alone: a state ("Sonora") or a locality anywhere ("Tijuana").
            state = catalog.resolve_state(place) if country in (None, "MX") else None
            if state is not None:
                place = None
            else:
                found = catalog.mx_place(None, place) if country in (None, "MX") else None
                if found is None:
                    return None
                return _location(f"{found.name}, {catalog.state_name(found.state)}, México",
                                 found.latitude, found.longitude, "locality", found.state)
        else:
            state = catalog.resolve_state(state_text) if country in (None, "MX") else None
            us_state = catalog.resolve_us_state(state_text) if country in (None, "US") else None
            if us_state is not None and (state is None or country == "US"):
                city = catalog.us_city(us_state, place or municipality)
                if city is None:
                    return None
                return _location(f"{city.name}, {us_state}, United States", city.latitude, city.longitude,
                                 "city", us_state)
        if state is None:
            return None
        found = gazetteer_point(state, municipality, place, coarse=not (place or municipality))
        if found is None:
            return None
        label, result = found
        return _location(label, result.latitude, result.longitude, result.precision, state)


def _location(address: str, latitude: float, longitude: float, precision: str, state: str) -> Location:
    return Location(address, (latitude, longitude), {"source": "gazetteer", "precision": precision, "state": state})


def gazetteer_point(state_code: str, municipality: str | None = None, locality: str | None = None,
                    coarse: bool = True) -> tuple[str, GeocodeResult] | None:
    """(label, result) from the shipped gazetteer: the locality when known, else the
    municipality's seat, else (when ``coarse``) the state capital."""
    state = catalog.resolve_state(state_code)
    if state is None:
        return None
    state_label = catalog.state_name(state)
    found_municipality = catalog.resolve_municipality(state, municipality) if municipality else None
    if locality:
        named = found_municipality or catalog.resolve_municipality(state, locality)
        if named is not None and fold_name(locality) in (fold_name(named.seat_name), fold_name(named.name)):
            found_municipality = named  # the seat itself: INEGI's point for it is the reference
        else:
            place = catalog.mx_place(state, locality)
            if place is not None:
                return (f"{place.name}, {state_label}, México",
                        GeocodeResult(place.latitude, place.longitude, "gazetteer", "locality"))
    if found_municipality is not None:
        label = found_municipality.seat_name or found_municipality.name
        return (f"{label}, {found_municipality.name}, {state_label}, México",
                GeocodeResult(found_municipality.latitude, found_municipality.longitude, "gazetteer", "municipality"))
    if not coarse:
        return None
    capital = catalog.states()[state]
    return (f"{state_label}, México", GeocodeResult(capital.latitude, capital.longitude, "gazetteer", "state"))


_OFFLINE = OfflineGeocoder()


@lru_cache(maxsize=1)
def _nominatim() -> Nominatim:
    # One client per process: it keeps its HTTP connections open between requests.
    return Nominatim(user_agent="tracer", timeout=NOMINATIM_TIMEOUT)


def geocoder_for(app_config: Mapping[str, Any] | None = None) -> Geocoder:
    """The geocoder the configuration names (``GEOCODER``, from ``TRACER_GEOCODER``)."""
    config = app_config or {}
    name = str(config.get("GEOCODER") or config.get("TRACER_GEOCODER") or "offline").strip().lower()
    if name == "nominatim":
        return _nominatim()
    if name != "offline":
        log.warning("unknown geocoder %r: using the offline gazetteer", name)
    return _OFFLINE


def _configured(geocoder: Geocoder | None) -> Geocoder:
    if geocoder is not None:
        return geocoder
    from flask import current_app, has_app_context

    return geocoder_for(current_app.config) if has_app_context() else _OFFLINE


def _ask(geocoder: Geocoder, query: dict[str, str], country_code: str) -> Location | None:
    """One question to an online geocoder; None on any failure (logged)."""
    options = {"country_codes": country_code} if isinstance(geocoder, Nominatim) else {}
    try:
        return geocoder.geocode(query, exactly_one=True, timeout=NOMINATIM_TIMEOUT, **options)
    except GeopyError as error:
        log.warning("geocoder %s failed (%s); using the gazetteer", type(geocoder).__name__, error)
    except (OSError, ValueError) as error:  # a socket error or a malformed answer that geopy did not wrap
        log.warning("geocoder %s failed (%s); using the gazetteer", type(geocoder).__name__, error)
    return None


def geocode_place(state_code: str, municipality_code: str | None = None, locality: str | None = None,
                  address: str | None = None, geocoder: Geocoder | None = None) -> GeocodeResult | None:
    """A point for a place in Mexico (INEGI state code, municipality code, locality, address).

    Offline: the gazetteer (locality, else the municipality's seat, else the
    state capital). With Nominatim: its answer when it lies in the state,
    else the gazetteer. None only when the state is unknown.
    """
    state = catalog.resolve_state(state_code)
    if state is None:
        return None
    geocoder = _configured(geocoder)
    if not isinstance(geocoder, OfflineGeocoder):
        municipality = catalog.resolve_municipality(state, municipality_code) if municipality_code else None
        query = {"street": address, "city": locality or (municipality.seat_name if municipality else None),
                 "county": municipality.name if municipality else None,
                 "state": catalog.state_name(state), "country": "México"}
        query = {k: v for k, v in query.items() if v}
        found = _ask(geocoder, query, "mx") if len(query) > 2 else None
        if found is not None:
            from tracer.geo.shapes import point_in_state

            if point_in_state(found.latitude, found.longitude, state):
                precision = "address" if address else ("locality" if locality else "municipality")
                return GeocodeResult(found.latitude, found.longitude, "geocoded", precision)
            log.info("geocoder answered outside state %s; using the gazetteer", state)
    point = gazetteer_point(state, municipality_code, locality)
    return point[1] if point else None


def geocode_us_city(state: str, city: str, geocoder: Geocoder | None = None) -> GeocodeResult | None:
    """A point for a US city (state as USPS code or name); None when not found."""
    code = catalog.resolve_us_state(state)
    if code is None or not (city or "").strip():
        return None
    geocoder = _configured(geocoder)
    if not isinstance(geocoder, OfflineGeocoder):
        query = {"city": city.strip(), "state": catalog.us_state_name(code), "country": "United States"}
        found = _ask(geocoder, query, "us")
        if found is not None:
            return GeocodeResult(found.latitude, found.longitude, "geocoded", "city")
    known = catalog.us_city(code, city)
    return GeocodeResult(known.latitude, known.longitude, "gazetteer", "city") if known else None


def distance_km(a, b) -> float:
    """Geodesic distance in kilometres between two (latitude, longitude) points."""
    return geodesic(tuple(a), tuple(b)).km
