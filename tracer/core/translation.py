"""``gettext`` and its kin, as Flask-Babel's, finding the request's catalog once.

Flask-Babel finds the domain, the language and the catalog anew for every message (about forty
calls, most of them lookups of ``g``); a page shows dozens to hundreds of messages. Here the
catalog found is kept beside the language Flask-Babel chose (``babel_locale`` of its request
context), and found again only when that changes: a ``force_locale`` block, a ``refresh()``,
another request. Outside an application context the messages are Flask-Babel's untranslated
ones, as with Flask-Babel's own functions.
"""
from __future__ import annotations

from flask import g
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString

_FOUND = "tracer_catalog"


def language() -> tuple:
    """(locale, catalog) of the language the request speaks now (a ``force_locale`` block
    included); the locale is None outside a request."""
    try:
        context = g._flask_babel
    except (AttributeError, RuntimeError):  # the language not asked for yet, or no application context
        return get_locale(), get_translations()
    known = context.__dict__
    found, locale = known.get(_FOUND), known.get("babel_locale")
    if found is not None and locale is not None and found[0] is locale:
        return found
    translations = get_translations()  # asks for the language first: ``babel_locale`` is set now
    found = known[_FOUND] = (known.get("babel_locale"), translations)
    return found


def catalog():
    """The catalog of the language the request speaks now."""
    return language()[1]


def gettext(string: str, **variables) -> str:
    text = catalog().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return catalog().ungettext(singular, plural, num) % variables


def pgettext(context: str, string: str, **variables) -> str:
    text = catalog().upgettext(context, string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    """A message translated each time it is shown, in the language of that moment."""
    return LazyString(gettext, string, **variables)
