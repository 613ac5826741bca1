"""The words shown for stored trace request values, in the user's language."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

TRACE_STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "completed": _l("Completed"),
    "no_trace": _l("No trace"),
}
TRACE_PRIORITY_LABELS = {
    "routine": _l("Routine"),
    "urgent": _l("Urgent"),
}


def _lookup(mapping):
    def label(value) -> str:
        if value is None or value == "":
            return ""
        return str(mapping.get(value, value))

    return label


def register_filters(app: Flask) -> None:
    """Template filters: ``{{ trace_request.status|trace_status_label }}`` and the like."""
    app.jinja_env.filters.update(
        trace_status_label=_lookup(TRACE_STATUS_LABELS),
        trace_priority_label=_lookup(TRACE_PRIORITY_LABELS),
    )
