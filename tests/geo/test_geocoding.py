"""Geocoding through geopy: the shipped gazetteer, and Nominatim with its fallback.

No test reaches the network: Nominatim's ``geocode`` is replaced in every test.
"""
from __future__ import annotations

import pytest
from geopy.exc import (
    GeocoderQuotaExceeded, GeocoderRateLimited, GeocoderServiceError, GeocoderTimedOut, GeocoderUnavailable,
)
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from tracer.geo.geocoding import (
    GeocodeResult, OfflineGeocoder, distance_km, geocode_place, geocode_us_city, geocoder_for,
)

NOGALES = (31.32590, -110.94579)
TIJUANA = (32.53246, -117.01891)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Nominatim answers what a test tells it to; by default it fails like a closed network."""
    calls = []
    answer = {"value": GeocoderUnavailable("no network in tests")}

    def fake_geocode(self, query, **kwargs):
        calls.append((query, kwargs))
        if isinstance(answer["value"], Exception):
            raise answer["value"]
        return answer["value"]

    monkeypatch.setattr(Nominatim, "geocode", fake_geocode)

    class Control:
        def answer(self, value):
            answer["value"] = value

        @property
        def calls(self):
            return calls

    return Control()


@pytest.fixture
def nominatim():
    return geocoder_for({"GEOCODER": "nominatim"})


# --- choosing the geocoder ------------------------------------------------------------------------------


def test_offline_is_the_default():
    assert isinstance(geocoder_for({}), OfflineGeocoder)
    assert isinstance(geocoder_for({"GEOCODER": "offline"}), OfflineGeocoder)
    assert isinstance(geocoder_for(None), OfflineGeocoder)
    assert isinstance(geocoder_for({"GEOCODER": "something-else"}), OfflineGeocoder)


def test_nominatim_is_configured_with_a_user_agent_and_a_timeout():
    geocoder = geocoder_for({"GEOCODER": "Nominatim"})
    assert isinstance(geocoder, Nominatim)
    assert geocoder.headers["User-Agent"] == "tracer" and geocoder.timeout == 5
    assert isinstance(geocoder_for({"TRACER_GEOCODER": "nominatim"}), Nominatim)


# --- the offline geocoder ---------------------------------------------------------------------------------


def test_the_offline_geocoder_is_a_geopy_geocoder_answering_locations():
    geocoder = OfflineGeocoder()
    assert isinstance(geocoder, Geocoder)
    found = geocoder.geocode("Heroica Nogales, Sonora, México")
    assert isinstance(found, Location)
    assert (found.latitude, found.longitude) == NOGALES
    assert "Sonora" in found.address and found.raw["source"] == "gazetteer"
    both = geocoder.geocode("Nogales, Sonora", exactly_one=False, timeout=1)
    assert isinstance(both, list) and both[0].point == found.point


@pytest.mark.parametrize("query, expected", [
    ("Tijuana", (32.5027, -117.00371)),  # a locality alone: the most populous of that name
    ("Tijuana, Baja California", TIJUANA),  # a municipality seat: INEGI's point
    ("Culiacán, Sinaloa, Mexico", (24.80881, -107.39376)),
    ({"city": "Reynosa", "state": "Tamaulipas", "country": "México"}, (26.09235, -98.27813)),
    ({"county": "Juárez", "state": "08"}, (31.74647, -106.48502)),
    ("El Paso, TX, USA", None),
    ("Phoenix, Arizona", None),
])
def test_offline_answers(query, expected):
    found = OfflineGeocoder().geocode(query)
    assert found is not None
    if expected:
        assert (found.latitude, found.longitude) == pytest.approx(expected)


def test_offline_us_cities():
    found = OfflineGeocoder().geocode("El Paso, TX, USA")
    assert found.raw["state"] == "TX" and found.latitude == pytest.approx(31.76, abs=0.05)
    assert OfflineGeocoder().geocode({"city": "Houston", "state": "Texas", "country": "US"}).raw["state"] == "TX"


@pytest.mark.parametrize("query", ["", "Narnia", "Nowhere, Sonora", "Houston, Sonora", "Paris, France",
                                   "Atlantis, TX, USA", {"state": "Mordor"}])
def test_offline_unknown_places(query):
    assert OfflineGeocoder().geocode(query) is None


# --- geocode_place ---------------------------------------------------------------------------------------


def test_a_municipality_resolves_to_its_seat():
    result = geocode_place("26", "043", geocoder=OfflineGeocoder())
    assert result == GeocodeResult(*NOGALES, "gazetteer", "municipality")


def test_a_locality_resolves_to_its_point_and_falls_back_to_the_seat():
    rosarito = geocode_place("02", locality="Rosarito")
    assert rosarito.source == "gazetteer" and rosarito.precision == "locality"
    assert 32.3 < rosarito.latitude < 32.4
    seat = geocode_place("02", "004", locality="Colonia que no existe")
    assert (seat.latitude, seat.longitude, seat.precision) == (*TIJUANA, "municipality")
    assert geocode_place("02", "004", locality="Tijuana").precision == "municipality"


def test_a_state_alone_resolves_to_its_capital():
    result = geocode_place("Sonora")
    assert result.precision == "state" and result.source == "gazetteer"
    assert (result.latitude, result.longitude) == (29.0749, -110.95853)  # Hermosillo


def test_an_unknown_state_has_no_point():
    assert geocode_place("99", "001") is None
    assert geocode_place("") is None


def test_nominatim_answers_when_it_works(no_network, nominatim):
    no_network.answer(Location("Calle Obregón, Nogales", (31.3301, -110.9402), {}))
    result = geocode_place("26", "043", address="Calle Obregón 100", geocoder=nominatim)
    assert result == GeocodeResult(31.3301, -110.9402, "geocoded", "address")
    query, options = no_network.calls[-1]
    assert query["state"] == "Sonora" and query["county"] == "Nogales" and query["street"] == "Calle Obregón 100"
    assert options["country_codes"] == "mx" and options["timeout"] == 5


@pytest.mark.parametrize("failure", [
    GeocoderTimedOut("timed out"), GeocoderUnavailable("503"), GeocoderRateLimited("429", retry_after=60),
    GeocoderQuotaExceeded("quota"), GeocoderServiceError("500"),
])
def test_any_nominatim_failure_falls_back_to_the_gazetteer(no_network, nominatim, failure):
    no_network.answer(failure)
    result = geocode_place("26", "043", locality="Heroica Nogales", geocoder=nominatim)
    assert result == GeocodeResult(*NOGALES, "gazetteer", "municipality")
    assert no_network.calls, "Nominatim was asked first"


def test_nothing_found_or_a_point_outside_the_state_falls_back(no_network, nominatim):
    no_network.answer(None)
    assert geocode_place("26", "043", geocoder=nominatim).source == "gazetteer"
    no_network.answer(Location("Nogales, Arizona", (31.3404, -110.9343), {}))  # across the border
    assert geocode_place("26", "043", geocoder=nominatim) == GeocodeResult(*NOGALES, "gazetteer", "municipality")


def test_the_application_configuration_picks_the_geocoder(app, monkeypatch, no_network):
    monkeypatch.setitem(app.config, "GEOCODER", "nominatim")
    no_network.answer(GeocoderTimedOut("slow"))
    with app.app_context():
        result = geocode_place("08", "037")
    assert result.source == "gazetteer" and (result.latitude, result.longitude) == (31.74647, -106.48502)
    assert len(no_network.calls) == 1
    monkeypatch.setitem(app.config, "GEOCODER", "offline")
    with app.app_context():
        geocode_place("08", "037")
    assert len(no_network.calls) == 1, "offline never asks Nominatim"


# --- US cities and distances -----------------------------------------------------------------------------------


def test_us_cities_offline_and_with_nominatim(no_network, nominatim):
    laredo = geocode_us_city("TX", "Laredo")
    assert laredo.source == "gazetteer" and laredo.latitude == pytest.approx(27.506, abs=0.01)
    assert geocode_us_city("Texas", "laredo", geocoder=nominatim) == laredo  # Nominatim failed: gazetteer
    no_network.answer(Location("Laredo, Webb County, Texas", (27.53, -99.49), {}))
    assert geocode_us_city("TX", "Laredo", geocoder=nominatim) == GeocodeResult(27.53, -99.49, "geocoded", "city")
    assert no_network.calls[-1][1]["country_codes"] == "us"


def test_unknown_us_cities():
    assert geocode_us_city("TX", "Atlantis") is None
    assert geocode_us_city("XX", "Laredo") is None
    assert geocode_us_city("TX", "") is None


def test_geodesic_distances():
    assert distance_km(TIJUANA, NOGALES) == pytest.approx(589.6, abs=0.5)
    assert distance_km(NOGALES, TIJUANA) == pytest.approx(distance_km(TIJUANA, NOGALES))
    assert distance_km(TIJUANA, TIJUANA) == 0
    assert distance_km([31.74647, -106.48502], (31.7587, -106.4869)) < 2  # Juárez to El Paso
