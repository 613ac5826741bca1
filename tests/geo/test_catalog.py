"""The shipped place catalogues: Mexican states and municipalities, localities, US states and cities."""
from __future__ import annotations

import pytest

from tracer.geo.catalog import (
    Municipality, mx_place, municipalities, municipality_choices, municipality_name, resolve_municipality,
    resolve_state, resolve_us_state, state_choices, state_name, states, us_city, us_state_name, us_states,
)


@pytest.mark.parametrize("written, code", [
    ("26", "26"), ("6", "06"), ("06", "06"), ("sonora", "26"), ("SONORA", "26"), (" Sonora ", "26"),
    ("Estado de México", "15"), ("estado de mexico", "15"), ("mexico", "15"), ("México", "15"), ("Edomex", "15"),
    ("CDMX", "09"), ("Ciudad de Mexico", "09"), ("Ciudad de México", "09"), ("Distrito Federal", "09"),
    ("Michoacan", "16"), ("Michoacán de Ocampo", "16"), ("Coahuila", "05"), ("Coahuila de Zaragoza", "05"),
    ("Veracruz", "30"), ("Veracruz de Ignacio de la Llave", "30"), ("Nuevo Leon", "19"), ("NL", "19"),
    ("MX-SON", "26"), ("mx-cmx", "09"), ("Son.", "26"), ("CHIH", "08"), ("Q. Roo", "23"), ("QROO", "23"),
    ("BCS", "03"), ("Baja California", "02"), ("San Luis Potosi", "24"), ("Yucatan", "31"),
])
def test_resolve_state(written, code):
    assert resolve_state(written) == code


@pytest.mark.parametrize("written", ["", "  ", None, "0", "33", "99", "123", "Texas", "Narnia", "MX-XXX", "x" * 500,
                                     "Sonora\u200b"])
def test_unknown_states(written):
    assert resolve_state(written) is None


def test_every_state_resolves_from_its_own_names():
    assert len(states()) == 32
    for state in states().values():
        for text in (state.code, state.name, state.short_name, state.abbreviation, state.iso_code):
            assert resolve_state(text) == state.code, text
    assert state_name("26") == "Sonora" and state_name("99") == "" and state_name(None) == ""
    assert state_choices()[0] == ("01", "01 — Aguascalientes")


def test_municipalities_of_a_state():
    oaxaca = municipalities("20")
    assert len(oaxaca) == 570
    assert len(municipalities("21")) == 217 and len(municipalities("30")) == 212
    assert sum(len(municipalities(code)) for code in states()) == 2478
    assert all(isinstance(m, Municipality) and m.state_code == "20" for m in oaxaca)
    assert municipalities("Oaxaca") == oaxaca
    assert municipalities("99") == () and municipalities(None) == ()


@pytest.mark.parametrize("state, written, code, name", [
    ("26", "030", "030", "Hermosillo"), ("26", "30", "030", "Hermosillo"), ("26", "hermosillo", "030", "Hermosillo"),
    ("26", "Nogales", "043", "Nogales"), ("26", "Heroica Nogales", "043", "Nogales"),
    ("25", "Culiacán", "006", "Culiacán"), ("25", "CULIACAN", "006", "Culiacán"),
    ("25", "Culiacán Rosales", "006", "Culiacán"), ("08", "Juárez", "037", "Juárez"), ("08", "juarez", "037", "Juárez"),
    ("02", "Tijuana", "004", "Tijuana"), ("28", "Reynosa", "032", "Reynosa"), ("Sonora", "26030", "030", "Hermosillo"),
    ("09", "Coyoacán", "003", "Coyoacán"), ("09", "cuauhtemoc", "015", "Cuauhtémoc"),
    ("24", "Villa de Pozos", "059", "Villa de Pozos"),
])
def test_resolve_municipality(state, written, code, name):
    found = resolve_municipality(state, written)
    assert found is not None and (found.code, found.name) == (code, name)


@pytest.mark.parametrize("state, written", [
    ("26", "Tijuana"),  # in another state
    ("26", "999"), ("26", ""), ("26", None), ("99", "001"), (None, "Hermosillo"), ("26", "x" * 500),
    ("26", "0300"),
])
def test_unknown_municipalities(state, written):
    assert resolve_municipality(state, written) is None


def test_municipality_points_and_names():
    tijuana = resolve_municipality("02", "004")
    assert (tijuana.latitude, tijuana.longitude) == (32.53246, -117.01891)
    assert tijuana.cvegeo == "02004" and tijuana.seat_name == "Tijuana" and tijuana.population > 1_000_000
    assert resolve_municipality("24", "059").population is None  # created after the 2020 census
    assert municipality_name("26", "043") == "Nogales" and municipality_name("26", "999") == ""


def test_municipality_choices_sorted_by_name():
    choices = municipality_choices("09")
    assert len(choices) == 16
    assert choices[0] == ("010", "Álvaro Obregón")  # accents do not push a name to the end
    names = [name for _, name in municipality_choices("26")]
    assert names.index("Agua Prieta") < names.index("Hermosillo") < names.index("Nogales")
    assert municipality_choices("99") == []


def test_mexican_localities():
    rosarito = mx_place("02", "Rosarito")
    assert rosarito is not None and rosarito.state == "02"
    assert mx_place("Baja California", "rosarito") == rosarito
    assert mx_place(None, "Tijuana").state == "02"
    assert mx_place("26", "Tijuana") is None and mx_place("02", "") is None


@pytest.mark.parametrize("written, code", [
    ("TX", "TX"), ("tx", "TX"), ("Texas", "TX"), ("TEXAS", "TX"), ("Arizona", "AZ"), ("New Mexico", "NM"),
    ("Nuevo México", "NM"), ("nuevo mexico", "NM"), ("California", "CA"), ("Carolina del Norte", "NC"),
    ("District of Columbia", "DC"), ("Washington D.C.", "DC"), ("US-TX", "TX"), ("Luisiana", "LA"),
])
def test_resolve_us_state(written, code):
    assert resolve_us_state(written) == code


@pytest.mark.parametrize("written", ["", None, "XX", "Sonora", "Texass", "x" * 300])
def test_unknown_us_states(written):
    assert resolve_us_state(written) is None


def test_us_states_and_cities():
    assert len(us_states()) == 51 and us_state_name("az") == "Arizona" and us_state_name("ZZ") == ""
    houston = us_city("TX", "Houston")
    assert houston is not None and houston.state == "TX" and houston.population > 2_000_000
    assert us_city("Texas", "houston") == houston
    assert us_city("AZ", "Phoenix").latitude == pytest.approx(33.45, abs=0.1)
    assert us_city("MO", "Saint Louis") == us_city("MO", "St. Louis")
    assert us_city("TX", "Phoenix") is None and us_city("XX", "Houston") is None and us_city("TX", "") is None
    # Of two places with one name in a state, the most populous.
    assert us_city("TX", "El Paso").population > 600_000
