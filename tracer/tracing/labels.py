"""The words shown for stored trace request values, in the user's language."""
from __future__ import annotations

from flask import Flask

from tracer.core.i18n import label_filter
from tracer.core.translation import lazy_gettext as _l

TRACE_STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "in_progress": _l("In progress"),
    "completed": _l("Completed"),
    "no_trace": _l("No trace"),
}
TRACE_PRIORITY_LABELS = {
    # One priority scale across the system: a trace request is sent at the case scale's
# "Normal" or "Urgent" (the 3312.1 form knows no other), with the same words.
    "routine": _l("Normal"),
    "urgent": _l("Urgent"),
}

TRACE_REASON_LABELS = {
    "investigation": _l("Criminal investigation"),
    "recovered_in_crime": _l("Recovered in a crime"),
    "found": _l("Found"),
    "surrendered": _l("Surrendered voluntarily"),
    "seized_in_customs": _l("Seized at customs or the border"),
    "other": _l("Other reason"),
}
RESULT_FLAG_LABELS = {
    "importer_on_us_made": _l("The result names an importer, but the firearm was made in the United States: "
                              "check the country of manufacture or the importer with the partner office."),
}


def register_filters(app: Flask) -> None:
    """Template filters: ``{{ trace_request.status|trace_status_label }}`` and the like."""
    app.jinja_env.filters.update(
        trace_status_label=label_filter(TRACE_STATUS_LABELS),
        trace_priority_label=label_filter(TRACE_PRIORITY_LABELS),
        trace_reason_label=label_filter(TRACE_REASON_LABELS),
        result_flag_label=label_filter(RESULT_FLAG_LABELS),
    )
