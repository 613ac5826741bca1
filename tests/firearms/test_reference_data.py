"""The shipped makers and calibers: what the files hold, and loading them."""
from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import func, select

from tracer.audit.models import AuditEvent
from tracer.extensions import db
from tracer.firearms.models import FIREARM_TYPES, Caliber, CaliberAlias, Manufacturer, ManufacturerAlias
from tracer.firearms.reference import CHAMBERED_TYPES, fold_key, load_reference_data
from tracer.firearms.reference_data import shipped
from tracer.geo.countries import country_codes


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- the files -----------------------------------------------------------------------------------------


def test_at_least_150_manufacturers_with_a_country_and_aliases():
    makers = shipped("manufacturers")
    assert len(makers) >= 150
    names = [m["name"] for m in makers]
    assert len(names) == len(set(names))
    for maker in makers:
        assert set(maker) <= {"name", "country", "aliases", "serial_patterns"}, maker["name"]
        assert maker["country"] in country_codes(), maker["name"]
        assert isinstance(maker["aliases"], list) and all(isinstance(a, str) and a.strip() for a in maker["aliases"])
        assert len(maker["name"]) <= 120 and all(len(a) <= 120 for a in maker["aliases"])


@pytest.mark.parametrize("name", [
    "Smith & Wesson", "Colt", "Glock", "Beretta", "Sturm, Ruger & Co.", "Taurus", "Century Arms", "Norinco",
    "Zastava Arms", "FN Herstal", "Bushmaster Firearms", "DPMS", "Remington Arms", "O.F. Mossberg & Sons",
    "Winchester Repeating Arms", "Sig Sauer", "Springfield Armory", "Heckler & Koch", "Česká zbrojovka",
    "Kel-Tec", "Hi-Point Firearms", "Intratec", "Kalashnikov Concern", "Romarm", "Arsenal AD", "FEG", "Maadi",
    "PTR Industries", "Palmetto State Armory", "Anderson Manufacturing", "Diamondback Firearms", "Kimber",
    "Browning", "Walther", "Bersa", "Llama", "Astra", "Armscor", "Canik", "Sarsılmaz", "Hatsan",
    "Daewoo Precision Industries", "Noveske Rifleworks", "LWRC International", "Daniel Defense",
    "Barrett Firearms", "Savage Arms", "Marlin Firearms", "Henry Repeating Arms", "Rossi", "Charter Arms",
    "Harrington & Richardson", "Mauser", "Steyr Arms", "Tula Arms Plant", "Izhevsk Mechanical Plant",
    "SCCY Industries", "Jimenez Arms", "Lorcin Engineering", "Raven Arms", "Bryco Arms", "Jennings Firearms",
    "Phoenix Arms", "North American Arms", "Cobra Firearms", "Star Bonifacio Echeverría",
])
def test_the_makers_seen_in_mexican_traces_are_shipped(name):
    assert name in {m["name"] for m in shipped("manufacturers")}


def test_at_least_80_calibers_with_the_types_they_fit():
    calibers = shipped("calibers")
    assert len(calibers) >= 80
    assert len({c["name"] for c in calibers}) == len(calibers)
    for caliber in calibers:
        assert caliber["firearm_types"], caliber["name"]
        # Receivers, frames and "other" fit every caliber in code, not in the data.
        assert set(caliber["firearm_types"]) <= set(CHAMBERED_TYPES), caliber["name"]
        assert len(caliber["name"]) <= 60 and all(len(a) <= 60 for a in caliber["aliases"])
    assert set(CHAMBERED_TYPES) | {"receiver_frame", "other"} == set(FIREARM_TYPES)


@pytest.mark.parametrize("kind", ["manufacturers", "calibers"])
def test_no_alias_names_two_rows(kind):
    owners: dict[str, str] = {}
    clashes = []
    for entry in shipped(kind):
        for text in [entry["name"], *entry["aliases"]]:
            key = fold_key(text)
            assert key, f"{text!r} folds to nothing"
            if owners.setdefault(key, entry["name"]) != entry["name"]:
                clashes.append(f"{text!r} ({entry['name']}) vs {owners[key]}")
    assert clashes == []


def test_serial_patterns_compile_and_allow_the_digit_zero_for_the_letter_o():
    with_patterns = [m for m in shipped("manufacturers") if m.get("serial_patterns")]
    assert with_patterns
    for maker in with_patterns:
        for pattern in maker["serial_patterns"]:
            compiled = re.compile(pattern)
            assert "O" not in pattern.replace("[A-Z0]", ""), f"{maker['name']}: normalised serials hold no O"
            assert compiled.pattern.startswith("^") and compiled.pattern.endswith("$")


def test_fire_types_per_caliber_follow_the_cartridge():
    types = {c["name"]: set(c["firearm_types"]) for c in shipped("calibers")}
    assert types["12 gauge"] == {"shotgun"}
    assert types["20 gauge"] == {"shotgun"}
    assert types[".50 BMG"] == {"rifle", "machine_gun"}
    assert {"pistol", "submachine_gun", "rifle", "machine_gun"} <= types["9mm Luger"]
    assert "shotgun" not in types["7.62x39mm"]


# --- loading -----------------------------------------------------------------------------------------------


def test_loading_creates_every_row_and_is_idempotent(reference_data):
    assert reference_data["manufacturers_created"] == len(shipped("manufacturers")) == count(Manufacturer)
    assert reference_data["calibers_created"] == len(shipped("calibers")) == count(Caliber)
    assert reference_data["manufacturer_aliases"] == count(ManufacturerAlias) > 3 * count(Manufacturer)
    assert reference_data["caliber_aliases"] == count(CaliberAlias) > 3 * count(Caliber)
    assert reference_data["conflicts"] == 0
    events = count(AuditEvent)

    again = load_reference_data()
    db.session.commit()
    assert again["manufacturers_created"] == again["calibers_created"] == 0
    assert again["manufacturer_aliases_created"] == again["caliber_aliases_created"] == 0
    assert (count(Manufacturer), count(ManufacturerAlias)) == (again["manufacturers"], again["manufacturer_aliases"])
    assert count(AuditEvent) == events, "a run that changes nothing writes no audit event"


def test_loading_is_audited_once(ctx):
    load_reference_data()
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reference.load"))
    assert event is not None and event.source_address == "cli"
    assert event.details["manufacturers_created"] == len(shipped("manufacturers"))


def test_the_canonical_name_is_an_alias_key(reference_data):
    maker = db.session.scalar(select(Manufacturer).where(Manufacturer.name == "Sturm, Ruger & Co."))
    assert fold_key(maker.name) in {a.key for a in maker.aliases}
    assert {"ruger", "sturmruger"} <= {a.key for a in maker.aliases}
    assert maker.country_code == "US"


def test_loading_keeps_what_administrators_added(ctx):
    from tracer.firearms.reference import add_manufacturer_alias, create_caliber, create_manufacturer

    local = create_manufacturer({"name": "Armas Artesanales del Norte", "country_code": "MX"})
    glock = create_manufacturer({"name": "GLOCK", "country_code": ""})
    add_manufacturer_alias(glock, "Glock Austria")
    create_caliber({"name": "9mm Luger", "firearm_types": ["pistol"]})
    db.session.commit()

    counts = load_reference_data()
    db.session.commit()
    assert db.session.get(Manufacturer, local.id).name == "Armas Artesanales del Norte"
    # The administrator's "GLOCK" is the shipped Glock: no second row, its country filled in.
    assert db.session.scalar(select(func.count()).where(func.lower(Manufacturer.name) == "glock")) == 1
    assert glock.country_code == "AT"
    assert {"glockaustria", "glockgmbh"} <= {a.key for a in glock.aliases}
    nine = db.session.scalar(select(Caliber).where(Caliber.name == "9mm Luger"))
    assert nine.firearm_types[0] == "pistol" and "submachine_gun" in nine.firearm_types
    assert counts["manufacturers"] == len(shipped("manufacturers")) + 1


def test_an_alias_already_naming_another_row_is_left_with_it(ctx):
    from tracer.firearms.reference import create_manufacturer

    mine = create_manufacturer({"name": "Hermanos Ruger", "aliases": "Ruger"})
    db.session.commit()
    counts = load_reference_data()
    db.session.commit()
    assert counts["conflicts"] == 1
    owner = db.session.scalar(select(ManufacturerAlias).where(ManufacturerAlias.key == "ruger")).manufacturer
    assert owner.id == mine.id


def test_keys_fold_accents_case_spaces_punctuation_and_conjunctions():
    assert len({fold_key(t) for t in ("Smith & Wesson", "SMITH AND WESSON", "smith y wesson", "Smith-Wesson",
                                      "SMITH&WESSON")}) == 1
    assert fold_key("Heckler und Koch") == fold_key("Heckler & Koch") == "hecklerkoch"
    assert fold_key("Česká zbrojovka") == fold_key("CESKA ZBROJOVKA") == "ceskazbrojovka"
    assert fold_key("Fabryka Broni Łucznik") == "fabrykabronilucznik"
    assert fold_key("7.62 × 39") == fold_key("7.62x39") == "762x39"
    assert fold_key("Y") == "y"  # a name that is only a conjunction keeps it
    assert fold_key("  .. ") == ""
    counts = Counter(fold_key(m["name"]) for m in shipped("manufacturers"))
    assert counts.most_common(1)[0][1] == 1
