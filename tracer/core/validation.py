"""Checking raw values from forms, the API and CSV files with one set of rules.

A ``Checker`` collects translated messages per field instead of stopping at the
first problem, so a form, an API answer or an import report can name every
field that needs fixing at once.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any, Iterable


from tracer.core.errors import ValidationFailed
from tracer.core.text import describe_character, forbidden_character
from tracer.core.translation import gettext as _

TRUE_WORDS = {"1", "true", "yes", "y", "si", "sí", "s", "on", "x"}
FALSE_WORDS = {"0", "false", "no", "n", "off", ""}


class Checker:
    def __init__(self, prefix: str = ""):
        self.prefix = prefix
        self.errors: dict[str, list[str]] = {}
        self.warnings: dict[str, list[str]] = {}

    def error(self, field: str, message: str) -> None:
        self.errors.setdefault(self.prefix + field, []).append(message)

    def warn(self, field: str, message: str) -> None:
        self.warnings.setdefault(self.prefix + field, []).append(message)

    def merge(self, other: "Checker") -> None:
        for field, messages in other.errors.items():
            self.errors.setdefault(field, []).extend(messages)
        for field, messages in other.warnings.items():
            self.warnings.setdefault(field, []).extend(messages)

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ValidationFailed(_("Please correct the marked fields."), self.errors)

    # -- typed readers: each returns the clean value, or None after recording an error --

    def text(self, field: str, value: Any, max_length: int, required: bool = False,
             multiline: bool = False) -> str | None:
        if value is None:
            value = ""
        if not isinstance(value, str):
            value = str(value)
        value = value.strip()
        if not value:
            if required:
                self.error(field, _("This field is required."))
            return None
        if len(value) > max_length:
            self.error(field, _("Use at most %(n)d characters (%(given)d given).", n=max_length, given=len(value)))
            return None
        bad = forbidden_character(value, allow_newlines=multiline)
        if bad is not None:
            self.error(field, _("Contains an invisible or control character (%(char)s).", char=describe_character(bad)))
            return None
        return value

    def integer(self, field: str, value: Any, minimum: int = 0, maximum: int = 1_000_000,
                default: int | None = None) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return default
        if isinstance(value, bool):
            self.error(field, _("Enter a whole number."))
            return None
        try:
            number = int(str(value).strip()) if not isinstance(value, int) else value
        except ValueError:
            self.error(field, _("Enter a whole number."))
            return None
        if not minimum <= number <= maximum:
            self.error(field, _("Enter a number from %(low)d to %(high)d.", low=minimum, high=maximum))
            return None
        return number

    def decimal(self, field: str, value: Any, minimum: float, maximum: float) -> float | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            number = float(str(value).strip().replace(",", ".")) if not isinstance(value, (int, float)) else float(value)
        except ValueError:
            self.error(field, _("Enter a number."))
            return None
        if isinstance(value, bool) or number != number or not minimum <= number <= maximum:
            self.error(field, _("Enter a number from %(low)s to %(high)s.", low=minimum, high=maximum))
            return None
        return number

    def day(self, field: str, value: Any, required: bool = False, not_after: date | None = None,
            not_before: date = date(1900, 1, 1)) -> date | None:
        if isinstance(value, datetime):
            value = value.date()
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(field, _("This field is required."))
            return None
        if not isinstance(value, date):
            try:
                value = date.fromisoformat(str(value).strip())
            except ValueError:
                self.error(field, _("Use a date in the form YYYY-MM-DD."))
                return None
        if not_after is not None and value > not_after:
            self.error(field, _("The date cannot be in the future."))
            return None
        if value < not_before:
            self.error(field, _("The date is too far in the past."))
            return None
        return value

    def clock(self, field: str, value: Any) -> time | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, time):
            return value
        try:
            return time.fromisoformat(str(value).strip())
        except ValueError:
            self.error(field, _("Use a time in the form HH:MM."))
            return None

    def choice(self, field: str, value: Any, allowed: Iterable[str], required: bool = False,
               words: dict[str, str] | None = None) -> str | None:
        raw = "" if value is None else str(value).strip()
        if not raw:
            if required:
                self.error(field, _("This field is required."))
            return None
        key = raw.lower()
        allowed = tuple(allowed)
        if key in allowed:
            return key
        if words and key in words:
            return words[key]
        self.error(field, _("Not one of the allowed values: %(values)s.", values=", ".join(allowed)))
        return None

    def flag(self, field: str, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        key = "" if value is None else str(value).strip().lower()
        if key in TRUE_WORDS:
            return True
        if key in FALSE_WORDS:
            return False
        self.error(field, _("Answer yes or no."))
        return False


DAY_FIRST = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def read_day_first(text: str | None) -> tuple[str | None, date | None, bool]:
    """A date as Mexican spreadsheets write it, day first (``14/03/2025``, ``14-03-2025``,
    ``14.03.2025``), as (ISO text, day, ambiguous): ambiguous when the month could have been
    the day too (``03/04/2025``). Text in any other shape comes back as it is, with no day."""
    found = DAY_FIRST.match(text or "")
    if not found:
        return text, None, False
    day_number, month, year = (int(part) for part in found.groups())
    try:
        day = date(year, month, day_number)
    except ValueError:
        return text, None, False
    return day.isoformat(), day, day_number <= 12 and month <= 12 and day_number != month
