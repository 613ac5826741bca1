"""Countries of manufacture: ISO 3166-1 codes named in Spanish and English."""
from __future__ import annotations

import pytest

from tracer.geo.countries import country_choices, country_codes, country_name, resolve_country


def test_only_iso_3166_1_country_codes():
    codes = country_codes()
    assert len(codes) == 249  # the officially assigned alpha-2 codes
    assert {"MX", "US", "AT", "CN", "RU", "BR", "TR", "RS", "CZ", "BG", "KR", "IL", "PH", "SS", "CW"} <= codes
    assert not codes & {"EU", "EZ", "UN", "ZZ", "QO", "XK", "XA", "XB", "AC", "CP", "DG", "EA", "IC", "TA"}
    assert all(len(code) == 2 and code.isalpha() and code.isupper() for code in codes)


@pytest.mark.parametrize("written, code", [
    ("US", "US"), ("us", "US"), ("USA", "US"), ("EEUU", "US"), ("EE. UU.", "US"), ("EE.UU.", "US"),
    ("Estados Unidos", "US"), ("estados unidos de america", "US"), ("United States", "US"),
    ("MX", "MX"), ("México", "MX"), ("mexico", "MX"), ("Mexico", "MX"),
    ("Austria", "AT"), ("Alemania", "DE"), ("Germany", "DE"), ("Italia", "IT"), ("Bélgica", "BE"), ("belgica", "BE"),
    ("China", "CN"), ("Rusia", "RU"), ("Russia", "RU"), ("Turquía", "TR"), ("Turkey", "TR"), ("Türkiye", "TR"),
    ("República Checa", "CZ"), ("Czechia", "CZ"), ("Chequia", "CZ"), ("Brasil", "BR"), ("Brazil", "BR"),
    ("Corea del Sur", "KR"), ("South Korea", "KR"), ("Serbia", "RS"), ("Bulgaria", "BG"), ("Filipinas", "PH"),
    ("Reino Unido", "GB"), ("UK", "GB"), ("Israel", "IL"), ("Croacia", "HR"), ("España", "ES"), ("espana", "ES"),
])
def test_resolve_country(written, code):
    assert resolve_country(written) == code


@pytest.mark.parametrize("written", ["", None, "EU", "ZZ", "XK", "UN", "Narnia", "Europa", "x" * 300, "Méx\u200bico"])
def test_unknown_countries(written):
    assert resolve_country(written) is None


def test_names_in_the_users_language():
    assert country_name("MX", "es") == "México" and country_name("MX", "en") == "Mexico"
    assert country_name("us", "es") == "Estados Unidos" and country_name("DE", "en") == "Germany"
    assert country_name("DE", "es_MX") == "Alemania" and country_name("DE", "fr") == "Germany"
    assert country_name(None) == "" and country_name("") == "" and country_name("YU") == "YU"


def test_choices_sorted_by_name_in_the_language():
    spanish = country_choices("es")
    assert len(spanish) == 249
    names = [name for _, name in spanish]
    assert names.index("Alemania") < names.index("Austria") < names.index("Estados Unidos") < names.index("México")
    assert names.index("Islandia") < names.index("Israel")  # accents ignored when sorting
    english = dict(country_choices("en"))
    assert english["US"] == "United States" and dict(spanish)["US"] == "Estados Unidos"
