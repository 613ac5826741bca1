"""The words shown for possible-same-firearm links, in the user's language."""
from __future__ import annotations

from flask import Flask

from tracer.core.i18n import label_filter
from tracer.core.translation import lazy_gettext as _l

LINK_MATCH_LABELS = {
    "exact": _l("same serial"),
    "lookalike": _l("serial differs only by look-alike characters"),
    "edit": _l("serial differs by one character, or by two neighbours swapped"),
    "letters_ignored": _l("same serial once letters are ignored"),
}
LINK_STATUS_LABELS = {
    "possible": _l("Possible match"),
    "confirmed": _l("Confirmed: same firearm"),
    "dismissed": _l("Dismissed: different firearms"),
    "decided": _l("Decided by another agency"),
}


match_label = label_filter(LINK_MATCH_LABELS)
status_label = label_filter(LINK_STATUS_LABELS)


def register_filters(app: Flask) -> None:
    """Template filters: ``{{ link.match|link_match_label }}``, ``{{ link.status|link_status_label }}``."""
    app.jinja_env.filters.update(link_match_label=match_label, link_status_label=status_label)
