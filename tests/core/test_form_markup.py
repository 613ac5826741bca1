"""The inputs and select lists write the markup WTForms' own widgets write: the same attributes,
the same escaping of what an agency or a user typed, the same choice marked selected."""
from __future__ import annotations

import pytest
import wtforms
from markupsafe import Markup
from wtforms.fields import SelectChoice

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
