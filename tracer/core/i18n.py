"""Language choice and the translated labels shown for stored values."""
from __future__ import annotations

from datetime import date, datetime, timezone

from babel import dates as babel_dates
from flask import Flask, current_app, has_request_context, session
from flask_babel import format_date as babel_format_date
from flask_babel import format_datetime as babel_format_datetime
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
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


# One way of writing a moment per language, always with a four-digit year and a 24-hour clock.
# Spanish: day first, as Mexican forms and reports write it ("04/12/2026 17:45").
# English: year first, ISO-like ("2026-12-04 17:45"): the English readers are US liaison
# officers, for whom "12/04" means 4 December to one reader and 12 April to another; year
# first cannot be misread by either.
DATE_PATTERNS = {"es": "dd/MM/yyyy", "en": "yyyy-MM-dd"}
TIME_PATTERN = "HH:mm"
TIME_WITH_SECONDS = "HH:mm:ss"


def _date_pattern() -> str:
    return DATE_PATTERNS.get(str(get_locale() or "es"), DATE_PATTERNS["en"])


def _moment_pattern(seconds: bool) -> str:
    return f"{_date_pattern()} {TIME_WITH_SECONDS if seconds else TIME_PATTERN}"


def format_local_datetime(value: datetime | None, _style: str | None = None, *, seconds: bool = False) -> str:
    """A stored UTC moment as Mexico City wall-clock time in the reader's language
    (nothing for no value). A Babel style name (``'short'``, ``'medium'``) is accepted and
    has no effect: there is one format."""
    if not value:
        return ""
    return babel_format_datetime(value, _moment_pattern(seconds))


def format_utc_datetime(value: datetime | None, *, seconds: bool = True) -> str:
    """A stored moment as UTC in the same pattern, marked "UTC": the audit trail shows it beside
    local time, as other systems' logs are kept in UTC."""
    if not value:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return babel_dates.format_datetime(value, _moment_pattern(seconds), tzinfo=timezone.utc,
                                       locale=get_locale()) + " UTC"


def format_local_date(value: date | datetime | str | None) -> str:
    """A calendar day in the reader's language; a moment is first brought to Mexico City time.
    An ISO date string (a value kept in JSON) is accepted; anything unreadable is shown as is."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return babel_format_datetime(value, _date_pattern())
    return babel_format_date(value, _date_pattern())


def format_moment(day: date | None, time_of_day=None) -> str:
    """A date and a time kept apart (a seizure's): the time when there is one, else
    "time not recorded" rather than an invented midnight."""
    if not day:
        return ""
    if time_of_day is None:
        return f"{format_local_date(day)} ({_l('time not recorded')})"
    return f"{format_local_date(day)} {time_of_day.strftime('%H:%M')}"


def format_days(days: int | None) -> str:
    """A span of days as people say it: days up to a month, then months, then years and months
    ("2 años y 3 meses", never "hace 2607 días")."""
    if days is None:
        return ""
    days = max(int(days), 0)
    if days < 31:
        return ngettext("%(num)d day", "%(num)d days", days)
    months = days * 12 // 365
    if months < 12:
        return ngettext("%(num)d month", "%(num)d months", max(months, 1))
    years, months = divmod(months, 12)
    in_years = ngettext("%(num)d year", "%(num)d years", years)
    if not months:
        return in_years
    return _("%(years)s and %(months)s", years=in_years, months=ngettext("%(num)d month", "%(num)d months", months))


def init_templates(app: Flask) -> None:
    app.jinja_env.filters.update(
        role_label=label_filter(ROLE_LABELS),
        level_label=label_filter(LEVEL_LABELS),
        outcome_label=label_filter(OUTCOME_LABELS),
        datetime=format_local_datetime,
        date=format_local_date,
        utc_datetime=format_utc_datetime,
        moment=format_moment,
        days=format_days,
    )
    app.jinja_env.globals.update(
        LANGUAGE_LABELS=LANGUAGE_LABELS,
        current_locale=lambda: str(get_locale()),
        now_utc=utcnow,
    )
