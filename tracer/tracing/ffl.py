"""Federal firearms licence numbers and US ZIP codes as dealers and liaison officers write them.

An ATF licence number has six parts, ``X-XX-XXX-XX-XX-XXXXX``: the region (one
digit), the district (two digits), the county FIPS code (three), the licence
type (two), the expiration (the last digit of the year and a month letter, A to
M without I) and a sequence (five digits). People copy it from paper with or
without the hyphens, with spaces, in lower case; it is stored in one form,
hyphenated, so that two results naming the same dealer compare equal.
"""
from __future__ import annotations

import re

FFL_SHAPE = "X-XX-XXX-XX-XX-XXXXX"
FFL_EXAMPLE = "5-74-123-01-4C-12345"
# Expiration month letters: A = January … M = December; ATF skips I (it reads as 1).
MONTH_LETTERS = "ABCDEFGHJKLM"
# ASCII only: \d would also take Arabic-Indic and other digits, stored as typed and matching no dealer.
_FFL = re.compile(rf"^(\d)(\d{{2}})(\d{{3}})(\d{{2}})(\d[{MONTH_LETTERS}])(\d{{5}})$", re.ASCII)
_FFL_SEPARATORS = re.compile(r"[\s\-]+")
_ZIP = re.compile(r"^(\d{5})(?:[\s\-]?(\d{4}))?$", re.ASCII)


def normalize_ffl_license(value: str) -> str | None:
    """The licence number hyphenated (``5-74-123-01-4C-12345``), or None when it does not
    have the ATF shape. Hyphens and spaces between the digits are ignored, letters upper-cased."""
    compact = _FFL_SEPARATORS.sub("", value.strip()).upper()
    found = _FFL.match(compact)
    return "-".join(found.groups()) if found else None


def normalize_zip(value: str) -> str | None:
    """A ZIP code as ``12345`` or ``12345-6789``, or None when it is neither shape."""
    found = _ZIP.match(value.strip())
    if not found:
        return None
    return found.group(1) + (f"-{found.group(2)}" if found.group(2) else "")
