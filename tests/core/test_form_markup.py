"""The inputs and select lists write the markup WTForms' own widgets write: the same attributes,
the same escaping of what an agency or a user typed, the same choice marked selected."""
from __future__ import annotations

import pytest
import wtforms
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms.fields import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import InputRequired, Length

from tracer.core import forms
from tracer.core.forms import SelectField, StringField
from tracer.core.translation import lazy_gettext as _l

CHOICES = [SelectChoice("", _l("Any")), SelectChoice("A&B", 'Fiscalía "Norte" <Sonora> & O\'Hara'),
           SelectChoice("<x>", Markup("<em>kept</em>")), SelectChoice("3", "tres")]


class Ours(wtforms.Form):
    pick = SelectField("Pick", choices=CHOICES)


class Theirs(wtforms.Form):
    pick = wtforms.SelectField("Pick", choices=CHOICES)


@pytest.mark.parametrize("chosen", [None, "", "A&B", "<x>", "3"])
def test_options_match_wtforms_and_escape_what_was_typed(app, chosen):
    with app.test_request_context("/"):
        ours, theirs = Ours(data={"pick": chosen}), Theirs(data={"pick": chosen})
        drawn = ours.pick(class_="field__input")
        assert drawn == theirs.pick(class_="field__input")
        assert 'value="A&amp;B">Fiscalía &#34;Norte&#34; &lt;Sonora&gt; &amp; O&#39;Hara</option>' in drawn
        assert "<em>kept</em>" in drawn and "<Sonora>" not in drawn
        assert drawn.count(" selected") == (1 if chosen is not None else 0)


def test_options_with_attributes_of_their_own_are_written_by_wtforms(app):
    class WithAttributes(wtforms.Form):
        pick = SelectField("Pick", choices=[SelectChoice("a", "A", render_kw={"disabled": True}), SelectChoice("b", "B")])

    with app.test_request_context("/"):
        assert '<option disabled value="a">A</option>' in WithAttributes().pick()


def test_inputs_match_wtforms_and_escape_what_was_typed(app):
    class OurInput(wtforms.Form):
        q = StringField("Q")

    class TheirInput(wtforms.Form):
        q = wtforms.StringField("Q")

    typed = 'Fiscalía "Norte" <Sonora> & O\'Hara'
    attributes = {"class_": "field__input", "aria-describedby": "q-hint", "data-note": "<b>", "required": True,
                  "readonly": False}
    with app.test_request_context("/"):
        drawn = OurInput(data={"q": typed}).q(**attributes)
        assert drawn == TheirInput(data={"q": typed}).q(**attributes)
        assert 'value="Fiscalía &#34;Norte&#34; &lt;Sonora&gt; &amp; O&#39;Hara"' in drawn
        assert 'data-note="&lt;b&gt;"' in drawn and " required " in drawn and "readonly" not in drawn


@pytest.mark.parametrize(("ours", "theirs"), [
    (forms.TextAreaField, wtforms.TextAreaField), (forms.HiddenField, wtforms.HiddenField),
    (forms.PasswordField, wtforms.PasswordField), (forms.EmailField, wtforms.EmailField)])
def test_other_fields_match_wtforms(app, ours, theirs):
    typed = 'línea 1\r\n"dos" <tres> & O\'Hara'

    class Ours(wtforms.Form):
        f = ours("F", validators=[InputRequired(), Length(max=40)])

    class Theirs(wtforms.Form):
        f = theirs("F", validators=[InputRequired(), Length(max=40)])

    with app.test_request_context("/"):
        drawn = Ours(data={"f": typed}).f(class_="field__input", aria_describedby="f-hint")
        assert drawn == Theirs(data={"f": typed}).f(class_="field__input", aria_describedby="f-hint")
        assert "&lt;tres&gt;" in drawn or ours is forms.PasswordField


def test_a_page_forms_csrf_token_is_written_as_flask_wtf_writes_it(app):
    class Ours(forms.PageForm):
        pass

    class Theirs(FlaskForm):
        pass

    with app.test_request_context("/"):
        ours, theirs = Ours(), Theirs()
        assert str(ours.csrf_token) == str(theirs.csrf_token)
        assert 'name="csrf_token" type="hidden" value="' in str(ours.csrf_token)


def _form_classes(base=wtforms.Form):
    for form_class in base.__subclasses__():
        if form_class.__module__.startswith("tracer."):
            yield form_class
        yield from _form_classes(form_class)


def _widgets(unbound):
    """The widgets that write an unbound field: its own and its options'."""
    if unbound.field_class is wtforms.FieldList:
        yield from _widgets(unbound.args[0])
        return
    if unbound.field_class is wtforms.FormField:
        return  # its form is walked as one of the forms
    widget = unbound.kwargs.get("widget") or unbound.field_class.widget
    if isinstance(widget, wtforms.widgets.ListWidget):  # the list of options: written once a field
        yield unbound.kwargs.get("option_widget") or unbound.field_class.option_widget
    else:
        yield widget


def test_every_form_writes_its_fields_with_the_lean_widgets(app):
    """Each field of each form of the application is written by a widget of ``tracer.core.forms``
    (a field taken from WTForms directly would cost its page WTForms' slow markup), and each
    form with a CSRF token is a ``PageForm`` (its token written the same way)."""
    classes = set(_form_classes())
    assert len(classes) > 40  # the application's forms were found
    slow = []
    for form_class in classes:
        if issubclass(form_class, FlaskForm) and not issubclass(form_class, forms.PageForm):
            slow.append(f"{form_class.__module__}.{form_class.__name__} is not a PageForm")
        for name in dir(form_class):
            unbound = getattr(form_class, name, None)
            if isinstance(unbound, UnboundField):
                slow += [f"{form_class.__module__}.{form_class.__name__}.{name}: {type(widget).__module__}."
                         f"{type(widget).__name__}" for widget in _widgets(unbound)
                         if type(widget).__module__ != forms.__name__]
    assert slow == []
