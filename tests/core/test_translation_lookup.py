"""Messages follow the reader's language wherever it changes within a request: the catalog a
request found is kept, but never past a change of language."""
from __future__ import annotations

import flask_babel
import pytest
from flask import current_app, session
from flask_babel import force_locale

from tracer.core.i18n import render_language
from tracer.core.translation import gettext, lazy_gettext, ngettext, pgettext

MESSAGES = ["Officer", "Cases", "Not found.", "Sign in"]


def _spanish(message: str) -> str:
    """Flask-Babel's own answer in Spanish (within a request of its own)."""
    with current_app.test_request_context(), force_locale("es"):
        return flask_babel.gettext(message)


def test_the_messages_are_flask_babels_in_each_language(app):
    for code in ("es", "en"):
        with app.test_request_context(), force_locale(code):
            assert [gettext(m) for m in MESSAGES] == [flask_babel.gettext(m) for m in MESSAGES]
            assert ngettext("%(num)d day", "%(num)d days", 3) == flask_babel.ngettext("%(num)d day", "%(num)d days", 3)
            assert pgettext("case status", "Open") == flask_babel.pgettext("case status", "Open")
    with app.app_context():
        assert _spanish("Officer") != "Officer"  # the check above compares two languages, not one


def test_a_forced_language_is_followed_and_left_behind(app):
    with app.test_request_context():
        session["lang"] = "es"
        spanish = gettext("Officer")
        assert spanish == _spanish("Officer")
        with force_locale("en"):
            assert gettext("Officer") == "Officer"
            assert render_language().code == "en"
        assert gettext("Officer") == spanish  # back in the request's language
        assert render_language().code == "es"


def test_a_language_chosen_within_the_request_is_followed(app):
    with app.test_request_context():
        session["lang"] = "es"
        assert gettext("Officer") == _spanish("Officer")
        session["lang"] = "en"
        flask_babel.refresh()  # what a change of language does
        assert gettext("Officer") == "Officer"
        assert str(lazy_gettext("Officer")) == "Officer"


def test_a_lazy_message_is_translated_when_shown(app):
    label = lazy_gettext("Officer")
    with app.app_context():
        spanish = _spanish("Officer")
    for code, expected in (("es", spanish), ("en", "Officer")):
        with app.test_request_context(), force_locale(code):
            assert str(label) == expected


@pytest.mark.usefixtures("app")
def test_outside_the_application_the_message_is_its_own():
    assert gettext("Officer") == "Officer"
    assert ngettext("%(num)d day", "%(num)d days", 2) == "2 days"
