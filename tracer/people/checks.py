"""Checking a person's fields, from the web form and the API alike, with one set of rules.

The CURP is checked by ``python-stdnum`` (shape, date, state and check digit), not by a
hand-written pattern; dates of birth are neither in the future nor before 1900; a foreign
identification has a kind, a number of a sane shape and its issuing country (and US state).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.mx import curp as curp_number

from tracer.core.time import local_today
from tracer.core.translation import gettext as _
from tracer.core.validation import Checker
from tracer.geo.catalog import resolve_us_state
from tracer.geo.countries import resolve_country
from tracer.people.models import ID_KINDS, SEXES

PERSON_FIELDS = ("last_names", "first_names", "alias", "birth_date", "sex", "curp", "id_kind", "id_number",
                 "id_country", "id_region", "street", "locality", "region", "country", "postal_code")
NAME_MAX = 120
EARLIEST_BIRTH = date(1900, 1, 1)
# Passport, licence and ID numbers: letters and digits (spaces and hyphens as printed are dropped).
ID_NUMBER = re.compile(r"^[A-Z0-9]{4,20}\Z")
POSTAL_CODES = {"MX": re.compile(r"^\d{5}\Z"), "US": re.compile(r"^\d{5}(-\d{4})?\Z")}
OTHER_POSTAL_CODE = re.compile(r"^[A-Z0-9][A-Z0-9 -]{1,10}\Z")
US_ISSUED = ("us_driver_license", "us_state_id")
_SPACES = re.compile(r"\s+")
_NOT_LETTER = re.compile(r"[^A-Z0-9 ]+")


def fold(text: str | None) -> str:
    """Accents folded, upper case, punctuation dropped, spaces collapsed: "Gómez-Ruíz  ana" → "GOMEZ RUIZ ANA"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).upper()
    return _SPACES.sub(" ", _NOT_LETTER.sub(" ", bare)).strip()


def name_key(last_names: str | None, first_names: str | None) -> str:
    """The key likely duplicates are found by (with the date of birth): "GARCIA LOPEZ/JUAN"."""
    return f"{fold(last_names)}/{fold(first_names)}"[:250]


def _curp(check: Checker, value: Any, birth_date: date | None) -> str | None:
    raw = check.text("curp", value, 30)
    if raw is None:
        return None
    compact = curp_number.compact(raw)
    try:
        valid = curp_number.validate(compact)
    except InvalidChecksum:
        check.error("curp", _("The CURP's check digit (its last character) does not match the rest: "
                              "copy it again from the document."))
        return None
    except ValidationError:
        check.error("curp", _("A CURP has 18 characters: four letters, the date of birth (YYMMDD), H or M, "
                              "the state, three consonants and two more characters."))
        return None
    if birth_date is not None and curp_number.get_birth_date(valid) != birth_date:
        check.error("curp", _("The CURP holds another date of birth than the one entered."))
        return None
    return valid


def _country(check: Checker, field: str, value: Any) -> str | None:
    raw = check.text(field, value, 100)
    if raw is None:
        return None
    code = resolve_country(raw)
    if code is None:
        check.error(field, _("Use an ISO 3166-1 country code (MX, US, GT…) or the country's name."))
    return code


def _us_state(check: Checker, field: str, value: Any, required: bool) -> str | None:
    raw = check.text(field, value, 60, required=required)
    if raw is None:
        return None
    code = resolve_us_state(raw)
    if code is None:
        check.error(field, _("Use the abbreviation of a US state (TX, AZ, CA…)."))
    return code


def _identification(check: Checker, values: dict[str, Any], clean: dict[str, Any]) -> None:
    given = any(str(values.get(name) or "").strip() for name in ("id_kind", "id_number", "id_country", "id_region"))
    clean.update(id_kind=None, id_number=None, id_country=None, id_region=None)
    if not given:
        return
    kind = check.choice("id_kind", values.get("id_kind"), ID_KINDS, required=True)
    number = check.text("id_number", values.get("id_number"), 40, required=True)
    if number is not None:
        number = re.sub(r"[\s.\-/]+", "", number).upper()
        if not ID_NUMBER.match(number):
            check.error("id_number", _("An identification number has 4 to 20 letters and digits."))
            number = None
    country = _country(check, "id_country", values.get("id_country"))
    if kind in US_ISSUED:
        if country not in (None, "US"):
            check.error("id_country", _("A US driver licence or state ID is issued in the United States (US)."))
        country = "US"
    elif country is None and not check.errors.get(check.prefix + "id_country"):
        check.error("id_country", _("Say which country issued the identification."))
    region = None
    if country == "US":
        region = _us_state(check, "id_region", values.get("id_region"), required=kind in US_ISSUED)
    elif str(values.get("id_region") or "").strip():
        check.error("id_region", _("The issuing US state applies only to identifications issued in the US."))
    clean.update(id_kind=kind, id_number=number, id_country=country, id_region=region)


def _address(check: Checker, values: dict[str, Any], clean: dict[str, Any]) -> None:
    clean["street"] = check.text("street", values.get("street"), 200)
    clean["locality"] = check.text("locality", values.get("locality"), 120)
    country = _country(check, "country", values.get("country"))
    clean["country"] = country
    if country == "US":
        clean["region"] = _us_state(check, "region", values.get("region"), required=False)
    else:
        clean["region"] = check.text("region", values.get("region"), 120)
    postal = check.text("postal_code", values.get("postal_code"), 12)
    if postal is not None:
        postal = postal.upper()
        if not (POSTAL_CODES.get(country or "") or OTHER_POSTAL_CODE).match(postal):
            check.error("postal_code", _("This postal code does not have the shape used in that country."))
            postal = None
    clean["postal_code"] = postal


def check_person(values: dict[str, Any], today: date | None = None) -> tuple[dict[str, Any], Checker]:
    """Validate a person's raw values; returns the clean values and the checker holding any errors
    (each naming its field, in the user's language)."""
    check = Checker()
    clean: dict[str, Any] = {}
    clean["last_names"] = check.text("last_names", values.get("last_names"), NAME_MAX, required=True)
    clean["first_names"] = check.text("first_names", values.get("first_names"), NAME_MAX)
    clean["alias"] = check.text("alias", values.get("alias"), NAME_MAX)
    clean["birth_date"] = check.day("birth_date", values.get("birth_date"), not_after=today or local_today(),
                                    not_before=EARLIEST_BIRTH)
    clean["sex"] = check.choice("sex", values.get("sex"), SEXES) or "unknown"
    clean["curp"] = _curp(check, values.get("curp"), clean["birth_date"])
    _identification(check, values, clean)
    _address(check, values, clean)
    return clean, check


def editable_values(person) -> dict[str, Any]:
    """A person's values as the form and the API show them."""
    values = {name: getattr(person, name) for name in PERSON_FIELDS}
    values["birth_date"] = person.birth_date.isoformat() if person.birth_date else None
    return values
