"""Telephone numbers on trace requests and results, read with ``phonenumbers`` (Google's libphonenumber).

A requester's number is read as Mexican unless written with its country code;
a dealer's (FFL) number is a North American one: ten digits, formatting free.
"""
from __future__ import annotations

import phonenumbers

from tracer.core.translation import gettext as _
from tracer.core.validation import Checker

PHONE_INPUT_MAX = 40


def _parse(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


def requester_phone(check: Checker, field: str, value) -> str | None:
    """A telephone number in international form (+52 55 1234 5678), or None after an error naming ``field``."""
    written = check.text(field, value, PHONE_INPUT_MAX)
    if written is None:
        return None
    number = _parse(written, "MX")
    if number is None:
        check.error(field, _("Not a telephone number: write it with its area code, or with its country code "
                             "for a number outside Mexico (+52 55 1234 5678)."))
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def us_phone(check: Checker, field: str, value) -> str | None:
    """A US telephone number of 10 digits, any formatting, as ``(956) 555-0123``; None after an error."""
    written = check.text(field, value, PHONE_INPUT_MAX)
    if written is None:
        return None
    number = _parse(written, "US")
    if number is None or number.country_code != 1 or len(str(number.national_number)) != 10:
        check.error(field, _("A US telephone number has 10 digits, area code first: (956) 555-0123."))
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
