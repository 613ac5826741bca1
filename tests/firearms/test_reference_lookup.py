"""Matching what officers write to a reference maker or caliber."""
from __future__ import annotations

import pytest

from tracer.extensions import db
from tracer.firearms.models import Caliber, Manufacturer
from tracer.firearms.reference import (
    caliber_fits, resolve_caliber, resolve_manufacturer, serial_fits_manufacturer, suggest_calibers,
    suggest_manufacturers,
)


@pytest.mark.parametrize("written, canonical", [
    ("S&W", "Smith & Wesson"), ("SMITH & WESSON", "Smith & Wesson"), ("Smith and Wesson", "Smith & Wesson"),
    ("SMITH&WESSON", "Smith & Wesson"), ("SW", "Smith & Wesson"), ("smith y wesson", "Smith & Wesson"),
    ("Sturm Ruger", "Sturm, Ruger & Co."), ("RUGER", "Sturm, Ruger & Co."),
    ("Norinco", "Norinco"), ("China North Industries", "Norinco"),
    ("IZHMASH", "Kalashnikov Concern"), ("Kalashnikov", "Kalashnikov Concern"),
    ("H&K", "Heckler & Koch"), ("HK", "Heckler & Koch"), ("Heckler und Koch", "Heckler & Koch"),
    ("  glock  ", "Glock"), ("CZ", "Česká zbrojovka"), ("ceska zbrojovka", "Česká zbrojovka"),
    ("Cugir", "Romarm"), ("Makarov", "Izhevsk Mechanical Plant"), ("Tokarev", "Tula Arms Plant"),
    ("fabrique nationale", "FN Herstal"), ("Colt's Manufacturing Company", "Colt"),
])
def test_makers_resolve_from_any_alias(reference_data, written, canonical):
    found = resolve_manufacturer(written)
    assert found is not None and found.name == canonical


@pytest.mark.parametrize("written", ["", "   ", "Armería El Gallo", "S&", "\u200b", "x" * 500])
def test_unknown_makers_resolve_to_nothing(reference_data, written):
    assert resolve_manufacturer(written) is None


def test_a_maker_created_without_alias_rows_still_resolves_by_name(ctx):
    db.session.add(Manufacturer(name="Fábrica Local", country_code="MX"))
    db.session.commit()
    assert resolve_manufacturer("fábrica local").name == "Fábrica Local"


@pytest.mark.parametrize("written, canonical", [
    ("9mm", "9mm Luger"), ("9x19", "9mm Luger"), ("9mm Luger", "9mm Luger"), ("9mm Parabellum", "9mm Luger"),
    ("9 MM", "9mm Luger"), ("9X19MM", "9mm Luger"), ("calibre 9 mm", "9mm Luger"), ("Cal. 9mm", "9mm Luger"),
    (".223 Rem", ".223 Remington"), ("223", ".223 Remington"),
    ("5.56x45 NATO", "5.56x45mm NATO"), ("5,56", "5.56x45mm NATO"),
    ("7.62x39", "7.62x39mm"), ("7.62 x 39", "7.62x39mm"), ("7.62 X 39 MM", "7.62x39mm"), ("5.45x39mm", "5.45x39mm"),
    ("9x18", "9x18mm Makarov"), ("12.7x99mm", ".50 BMG"), ("AK", "7.62x39mm"), ("7.62×39mm", "7.62x39mm"),
    (".38 SPL", ".38 Special"), ("38 especial", ".38 Special"), (".38 Super", ".38 Super"),
    (".380", ".380 ACP"), ("9mm corto", ".380 ACP"), ("9x17", ".380 ACP"),
    (".45 ACP", ".45 ACP"), (".22 LR", ".22 LR"),
    ("12 GA", "12 gauge"), ("calibre 12", "12 gauge"), ("12ga", "12 gauge"), ("20 GA", "20 gauge"),
    (".50 BMG", ".50 BMG"), ("7.62x51 NATO", "7.62x51mm NATO"), (".308 Win", ".308 Winchester"),
    ("5.45x39", "5.45x39mm"), (".40 S&W", ".40 S&W"), ("10mm", "10mm Auto"), (".357 Magnum", ".357 Magnum"),
    (".44 Mag", ".44 Magnum"), ("30-06", ".30-06 Springfield"), ("30-30", ".30-30 Winchester"),
    (".243", ".243 Winchester"), (".270 Win", ".270 Winchester"), ("7mm Rem Mag", "7mm Remington Magnum"),
    (".25 ACP", ".25 ACP"), ("7.65mm", ".32 ACP"), ("5.7x28", "5.7x28mm"), (".410", ".410 bore"),
])
def test_calibers_resolve_from_any_alias(reference_data, written, canonical):
    found = resolve_caliber(written)
    assert found is not None and found.name == canonical


def test_5_56_nato_and_223_remington_stay_two_calibers(reference_data):
    assert resolve_caliber("5.56") != resolve_caliber(".223")
    assert resolve_caliber("7.62 NATO") != resolve_caliber(".308")


@pytest.mark.parametrize("written", ["", "calibre", "9.99 Fantasía", "\u202e9mm", "20mm", "12 mm"])
def test_unknown_calibers_resolve_to_nothing(reference_data, written):
    assert resolve_caliber(written) is None


@pytest.mark.parametrize("caliber, firearm_type, fits", [
    ("9mm", "pistol", True), ("9mm", "submachine_gun", True), ("9mm", "rifle", True), ("9mm", "machine_gun", True),
    ("9mm", "shotgun", False), ("12 GA", "shotgun", True), ("12 GA", "pistol", False), ("12 GA", "rifle", False),
    (".50 BMG", "rifle", True), (".50 BMG", "machine_gun", True), (".50 BMG", "pistol", False),
    ("7.62x39", "rifle", True), (".38 Special", "revolver", True),
    ("12 GA", "receiver_frame", True), (".50 BMG", "other", True), ("9mm", "receiver_frame", True),
])
def test_caliber_fits_the_firearm_type(reference_data, caliber, firearm_type, fits):
    assert caliber_fits(resolve_caliber(caliber), firearm_type) is fits


def test_serial_fits_the_makers_known_patterns(reference_data):
    glock = resolve_manufacturer("Glock")
    assert serial_fits_manufacturer(glock, "BSRB123") is True
    assert serial_fits_manufacturer(glock, "AB123US") is True
    assert serial_fits_manufacturer(glock, "B0K123") is True  # "BOK123" as stored: O is 0
    assert serial_fits_manufacturer(glock, "1234567") is False
    assert serial_fits_manufacturer(glock, "") is False
    assert serial_fits_manufacturer(resolve_manufacturer("Colt"), "LE123456") is None  # no pattern known


def test_a_broken_pattern_says_nothing(ctx):
    maker = Manufacturer(name="Patrón Roto", serial_patterns=["^[A-Z"])
    db.session.add(maker)
    db.session.flush()
    assert serial_fits_manufacturer(maker, "ABC") is None


def test_maker_suggestions_match_names_and_aliases_without_duplicates(reference_data):
    names = [m.name for m in suggest_manufacturers("smith")]
    assert names[0] == "Smith & Wesson"
    assert len(names) == len(set(names))
    assert [m.name for m in suggest_manufacturers("S&W")][0] == "Smith & Wesson"
    assert "Sturm, Ruger & Co." in [m.name for m in suggest_manufacturers("rug")]
    assert "Smith & Wesson" in [m.name for m in suggest_manufacturers("wesson")]  # inside an alias
    assert "Kalashnikov Concern" in [m.name for m in suggest_manufacturers("izh")]
    assert all(isinstance(m, Manufacturer) for m in suggest_manufacturers("s"))
    assert len(suggest_manufacturers("s", limit=5)) == 5


def test_caliber_suggestions(reference_data):
    assert suggest_calibers("9mm")[0].name == "9mm Luger"
    assert suggest_calibers("calibre 12")[0].name == "12 gauge"
    found = [c.name for c in suggest_calibers("7.62")]
    assert {"7.62x39mm", "7.62x51mm NATO"} <= set(found)
    assert len(found) == len(set(found))
    assert all(isinstance(c, Caliber) for c in found and suggest_calibers("7.62"))


@pytest.mark.parametrize("prefix", ["", "   ", "--", "\u200b", "%", "_", "x" * 300])
def test_empty_or_odd_prefixes_suggest_nothing_and_never_fail(reference_data, prefix):
    assert suggest_manufacturers(prefix) == [] or prefix == "x" * 300
    assert isinstance(suggest_calibers(prefix), list)


def test_inactive_rows_are_not_suggested(reference_data):
    colt = resolve_manufacturer("Colt")
    colt.active = False
    db.session.flush()
    assert "Colt" not in [m.name for m in suggest_manufacturers("colt")]
    assert resolve_manufacturer("Colt") is colt  # still named on the firearms that carry it
