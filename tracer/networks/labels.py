"""The kinds of link between cases in the reader's language (stored and sent as SPEC §7 codes)."""
from __future__ import annotations


from tracer.core.i18n import labels_filter
from tracer.core.translation import lazy_gettext as _l

KIND_LABELS = {
    "same_firearm": _l("Same firearm"),
    "same_dealer": _l("Same dealer (FFL)"),
    "same_purchaser": _l("Same purchaser"),
    "multiple_sale": _l("Same multiple sale"),
    "ballistic_hit": _l("Ballistic hit"),
}
EVIDENCE_LABELS = {
    "firearm": _l("Firearms"),
    "trace_request": _l("Trace results"),
    "ballistic_item": _l("Ballistic items"),
    "person": _l("People"),
}

# Looked up once per language, not once per badge: a case's panel may hold hundreds.
kind_label = labels_filter(lambda: KIND_LABELS)
evidence_label = labels_filter(lambda: EVIDENCE_LABELS)


def register_filters(app) -> None:
    """``{{ kind|link_kind_label }}`` and ``{{ type|link_evidence_label }}``."""
    app.jinja_env.filters.update(link_kind_label=kind_label, link_evidence_label=evidence_label)
