"""The words shown for possible-same-firearm links, in the user's language."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

LINK_MATCH_LABELS = {
    "exact": _l("same serial"),
    "lookalike": _l("serial differs only by look-alike characters"),
    "one_edit": _l("serial differs by one character"),
    "letters_ignored": _l("same serial once letters are ignored"),
}
LINK_STATUS_LABELS = {
    "possible": _l("Possible match"),
    "confirmed": _l("Confirmed: same firearm"),
    "dismissed": _l("Dismissed: different firearms"),
}


def match_label(value: str | None) -> str:
    return str(LINK_MATCH_LABELS.get(value, value or ""))


def status_label(value: str | None) -> str:
    return str(LINK_STATUS_LABELS.get(value, value or ""))


def register_filters(app: Flask) -> None:
    """Template filters: ``{{ link.match|link_match_label }}``, ``{{ link.status|link_status_label }}``."""
    app.jinja_env.filters.update(link_match_label=match_label, link_status_label=status_label)
