"""Language choice and the translated labels shown for stored values."""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Callable

from babel import dates as babel_dates
from babel.support import Translations
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale, get_timezone
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup
from wtforms.i18n import messages_path as wtforms_messages_path

from tracer.core import translation
from tracer.core.models import utcnow
from tracer.core.translation import gettext as _
from tracer.core.translation import lazy_gettext as _l
from tracer.core.translation import ngettext

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


def _day_text(day: date, language: str) -> str:
    """``DATE_PATTERNS`` written out: the patterns hold numbers only, so no locale data is needed
    (and a page of dates costs string formatting, not a Babel pattern per date)."""
    if language == "es":
        return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def _moment_text(moment: datetime, language: str, seconds: bool) -> str:
    clock = f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}" if seconds \
        else f"{moment.hour:02d}:{moment.minute:02d}"
    return f"{_day_text(moment, language)} {clock}"


def _local(moment: datetime, zone) -> datetime:
    """A stored moment in the pages' zone (a moment without a zone is UTC, as Flask-Babel reads it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return zone.normalize(moment.astimezone(zone))


def _language_code() -> str:
    return str(get_locale() or "es")


def _moment_pattern(seconds: bool) -> str:
    return f"{DATE_PATTERNS.get(str(get_locale() or 'es'), DATE_PATTERNS['en'])} " \
           f"{TIME_WITH_SECONDS if seconds else TIME_PATTERN}"


def format_local_datetime(value: datetime | None, _style: str | None = None, *, seconds: bool = False) -> str:
    """A stored UTC moment as Mexico City wall-clock time in the reader's language
    (nothing for no value). A Babel style name (``'short'``, ``'medium'``) is accepted and
    has no effect: there is one format."""
    if not value:
        return ""
    return _moment_text(_local(value, get_timezone()), _language_code(), seconds)


def format_utc_datetime(value: datetime | None, *, seconds: bool = True) -> str:
    """A stored moment as UTC in the same pattern, marked "UTC": the audit trail shows it beside
    local time, as other systems' logs are kept in UTC."""
    if not value:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return babel_dates.format_datetime(value, _moment_pattern(seconds), tzinfo=timezone.utc,
                                       locale=get_locale()) + " UTC"


def _date_text(value: date | datetime | str | None, language: str, zone: Callable[[], Any]) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = _local(value, zone())
    return _day_text(value, language)


def format_local_date(value: date | datetime | str | None) -> str:
    """A calendar day in the reader's language; a moment is first brought to Mexico City time.
    An ISO date string (a value kept in JSON) is accepted; anything unreadable is shown as is."""
    return _date_text(value, _language_code(), get_timezone) if value else ""


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


# --- templates ---------------------------------------------------------------------------------
# A page asks for a translation or a date dozens to hundreds of times. Flask-Babel finds the
# request's language anew for each (several context lookups and a locale name built each time);
# here a render finds it once, when it starts, and its translations, dates and labels read it
# from the render's context; macros imported without the context find the one the request
# found (kept on ``g`` with the locale it was found for, so ``force_locale`` still counts).

RENDER_LANGUAGE = "render_language"


@dataclass(frozen=True)
class RenderLanguage:
    """The reader's language for one render: its code, its catalog, the pages' time zone, and
    the labels already looked up in it (kept for the process: they come from the catalog)."""

    code: str
    catalog: Any
    zone: Any
    labels: dict

    def mapping(self, build: Callable[[], dict]) -> dict[Any, str]:
        """The labels ``build`` makes, in this language (made once per language)."""
        found = self.labels.get(build)
        if found is None:
            found = self.labels[build] = {key: str(text) for key, text in build().items()}
        return found

    def label(self, build: Callable[[], dict], value: Any) -> str:
        """``value``'s label in the mapping ``build`` makes (once per language), ``value`` itself
        when it has none, nothing for no value."""
        if value is None or value == "":
            return ""
        return self.mapping(build).get(value, value)


_LABELS: "weakref.WeakKeyDictionary[Any, dict]" = weakref.WeakKeyDictionary()


def render_language() -> RenderLanguage:
    """The reader's language as Flask-Babel finds it now (a ``force_locale`` block included)."""
    locale, catalog = translation.language()
    if locale is not None:  # within a request: found once for each language the request speaks
        known = g.get(RENDER_LANGUAGE)
        if known is not None and known[0] is locale:
            return known[1]
    try:
        labels = _LABELS.setdefault(catalog, {})
    except TypeError:  # a catalog that cannot be weakly referenced: no labels kept
        labels = {}
    language = RenderLanguage(str(locale or "es"), catalog, get_timezone(), labels)
    if locale is not None:
        setattr(g, RENDER_LANGUAGE, (locale, language))
    return language


def language_of(context) -> RenderLanguage:
    """The language of the render ``context`` belongs to (a macro imported without the
    render's context finds the request's)."""
    language = context.get(RENDER_LANGUAGE)
    return language if language is not None else render_language()


# The template callables follow Jinja's "new style" gettext: the translation is markup, and
# the variables are escaped into it with %.
@pass_context
def template_gettext(context, string: str, **variables) -> str:
    text = language_of(context).catalog.ugettext(string)
    if context.eval_ctx.autoescape:
        # Safe for B704: catalog text; the variables are escaped by %.
        text = Markup(text)  # nosec B704
    # Without variables, % only turns "%%" into "%": a text without "%" is already the answer.
    return text % variables if variables or "%" in text else text


@pass_context
def template_ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    text = language_of(context).catalog.ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        # Safe for B704: catalog text; the variables are escaped by %.
        text = Markup(text)  # nosec B704
    return text % variables


@pass_context
def template_pgettext(context, message_context: str, string: str, **variables) -> str:
    text = language_of(context).catalog.upgettext(message_context, string)
    if context.eval_ctx.autoescape:
        # Safe for B704: catalog text; the variables are escaped by %.
        text = Markup(text)  # nosec B704
    return text % variables


@pass_context
def template_npgettext(context, message_context: str, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    text = language_of(context).catalog.unpgettext(message_context, singular, plural, num)
    if context.eval_ctx.autoescape:
        # Safe for B704: catalog text; the variables are escaped by %.
        text = Markup(text)  # nosec B704
    return text % variables


@pass_context
def datetime_filter(context, value: datetime | None, _style: str | None = None, *, seconds: bool = False) -> str:
    """``format_local_datetime`` in the render's language."""
    if not value:
        return ""
    language = language_of(context)
    return _moment_text(_local(value, language.zone), language.code, seconds)


@pass_context
def date_filter(context, value: date | datetime | str | None) -> str:
    """``format_local_date`` in the render's language."""
    if not value:
        return ""
    language = language_of(context)
    return _date_text(value, language.code, lambda: language.zone)


@pass_context
def current_locale(context) -> str:
    return language_of(context).code


def labels_filter(build: Callable[[], dict]):
    """A template filter showing a stored value as its label in the mapping ``build`` returns
    in the reader's language (built once per language)."""

    @pass_context
    def label(context, value) -> str:
        return language_of(context).label(build, value)

    return label


# --- WTForms' own messages ---------------------------------------------------------------------
# Flask-WTF gives each request WTForms' catalog ("No es una fecha válida.") by reading and
# parsing its file anew (``request.wtforms_translations``), a fifth of a millisecond for every
# page with a form. Each language's catalog is read once per process instead; a request is
# given its language's when a message is first asked for, and keeps it, as Flask-WTF does.

_WTFORMS_CATALOGS: dict[str, Any] = {}


class WTFormsCatalog:
    """WTForms' catalog in the request's language, found on the first message asked for."""

    __slots__ = ("_catalog",)

    def __init__(self) -> None:
        self._catalog = None

    def _found(self):
        if self._catalog is None:
            locale = get_locale()
            code = str(locale or "es")
            catalog = _WTFORMS_CATALOGS.get(code)
            if catalog is None:
                catalog = _WTFORMS_CATALOGS[code] = Translations.load(wtforms_messages_path(), [locale],
                                                                      domain="wtforms")
            self._catalog = catalog
        return self._catalog

    def ugettext(self, string: str) -> str:
        return self._found().ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return self._found().ungettext(singular, plural, n)


def give_wtforms_catalog() -> None:
    """before_request: the attribute Flask-WTF looks for before it reads the catalog itself."""
    request.wtforms_translations = WTFormsCatalog()


def init_templates(app: Flask) -> None:
    app.jinja_env.filters.update(
        role_label=label_filter(ROLE_LABELS),
        level_label=label_filter(LEVEL_LABELS),
        outcome_label=label_filter(OUTCOME_LABELS),
        datetime=datetime_filter,
        date=date_filter,
        utc_datetime=format_utc_datetime,
        moment=format_moment,
        days=format_days,
    )
    # In place of the callables Flask-Babel installed (the same new-style behaviour).
    app.jinja_env.globals.update(
        _=template_gettext, gettext=template_gettext, ngettext=template_ngettext,
        pgettext=template_pgettext, npgettext=template_npgettext,
        LANGUAGE_LABELS=LANGUAGE_LABELS,
        current_locale=current_locale,
        now_utc=utcnow,
    )
    app.context_processor(lambda: {RENDER_LANGUAGE: render_language()})
    app.before_request(give_wtforms_catalog)
