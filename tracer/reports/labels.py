"""How a report's stored values read: moments kept as ISO text, version kinds."""
from __future__ import annotations

from datetime import datetime

from flask import Flask
from jinja2 import pass_context

from tracer.core.i18n import datetime_filter, label_filter
from tracer.core.translation import lazy_gettext as _l

KIND_LABELS = {"approved": _l("Approved"), "draft": _l("Draft")}


@pass_context
def report_moment(context, value: str | None) -> str:
    """A moment the report keeps as ISO text, in the reader's language and Mexico City time."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return datetime_filter(context, moment)


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(report_moment=report_moment, report_kind_label=label_filter(KIND_LABELS))
