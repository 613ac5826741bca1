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


def label_filter(mapping):
    """A template filter showing a stored value as its label in ``mapping`` (the value itself when
    it has none, nothing for an empty value)."""

    def label(value) -> str:
        if value is None or value == "":
            return ""
        return str(mapping.get(value, value))

    return label


def register_filters(app: Flask) -> None:
    """Template filters: ``{{ trace_request.status|trace_status_label }}`` and the like."""
    app.jinja_env.filters.update(
        trace_status_label=label_filter(TRACE_STATUS_LABELS),
        trace_priority_label=label_filter(TRACE_PRIORITY_LABELS),
    )
