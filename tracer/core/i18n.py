"""Language choice and the translated labels shown for stored values."""
from __future__ import annotations

from flask import Flask, current_app, has_request_context, session
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tracer.core.models import utcnow

ROLE_LABELS = {
    "officer": _l("Officer"),
    "analyst": _l("Analyst"),
    "supervisor": _l("Supervisor"),
    "liaison": _l("Liaison (US)"),
    "admin": _l("Administrator"),
    "auditor": _l("Auditor"),
}
LEVEL_LABELS = {"federal": _l("Federal"), "state": _l("State"), "us": _l("United States")}
LANGUAGE_LABELS = {"es": "Español", "en": "English"}
OUTCOME_LABELS = {"success": _l("success"), "failure": _l("failure"), "denied": _l("denied")}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the command line: no user, no session
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user = current_user._get_current_object() if current_user else None
    if user is not None and getattr(user, "is_authenticated", False) and user.locale in languages:
        return user.locale
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def label_filter(mapping):
    """A template filter showing a stored value as its label in ``mapping`` (the value itself when
    it has none, nothing for an empty value)."""

    def label(value) -> str:
        if value is None or value == "":
            return ""
        return str(mapping.get(value, value))

    return label


def _datetime(value, fmt: str = "medium"):
    return format_datetime(value, fmt) if value else ""


def init_templates(app: Flask) -> None:
    app.jinja_env.filters.update(
        role_label=label_filter(ROLE_LABELS),
        level_label=label_filter(LEVEL_LABELS),
        outcome_label=label_filter(OUTCOME_LABELS),
        datetime=_datetime,
    )
    app.jinja_env.globals.update(
        LANGUAGE_LABELS=LANGUAGE_LABELS,
        current_locale=lambda: str(get_locale()),
        now_utc=utcnow,
    )
