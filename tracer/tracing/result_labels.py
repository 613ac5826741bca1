"""The words shown for stored trace-result values, in the user's language."""
from __future__ import annotations

from flask import Flask

from tracer.core.i18n import label_filter
from tracer.core.translation import lazy_gettext as _l

OUTCOME_LABELS = {
    "us_retail": _l("US retail sale"),
    "us_other": _l("US source, not a retail sale"),
    "foreign": _l("Foreign source"),
    "undetermined": _l("Undetermined"),
    "no_trace": _l("No trace"),
}
NO_TRACE_REASON_LABELS = {
    "obliterated_serial": _l("Obliterated serial number"),
    "incomplete_identifiers": _l("Incomplete identifiers"),
    "dealer_out_of_business": _l("Dealer out of business"),
    "too_old": _l("Firearm too old to trace"),
    "records_unavailable": _l("Records unavailable"),
    "other": _l("Other reason"),
}
ORIGIN_SOURCE_LABELS = {
    "gazetteer": _l("Gazetteer of US cities"),
    "geocoded": _l("Geocoded from the dealer's city"),
}


def register_filters(app: Flask) -> None:
    """Template filters: ``{{ trace_request.outcome|trace_outcome_label }}`` and the like."""
    app.jinja_env.filters.update(
        trace_outcome_label=label_filter(OUTCOME_LABELS),
        no_trace_reason_label=label_filter(NO_TRACE_REASON_LABELS),
        origin_source_label=label_filter(ORIGIN_SOURCE_LABELS),
    )
