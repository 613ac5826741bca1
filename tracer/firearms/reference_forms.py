"""Forms administrators use for the reference makers and calibers."""
from __future__ import annotations

from flask_babel import get_locale
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import ListWidget

from tracer.core.forms import CheckboxInput, PageForm, SelectField, SelectMultipleField, StringField, TextAreaField
from tracer.core.text import CleanText
from tracer.core.translation import lazy_gettext as _l
from tracer.firearms.labels import FIREARM_TYPE_LABELS
from tracer.firearms.reference import CHAMBERED_TYPES
from tracer.geo.countries import country_choices


class ManufacturerForm(PageForm):
    name = StringField(_l("Canonical name"), validators=[DataRequired(), Length(max=120), CleanText()])
    country_code = SelectField(_l("Country of manufacture"), validators=[Optional()])
    aliases = TextAreaField(_l("Aliases"), validators=[Optional(), Length(max=4000), CleanText(allow_newlines=True)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country_code.choices = [SelectChoice("", "—")] + [
            SelectChoice(code, name) for code, name in country_choices(str(get_locale() or "es"))]


class CaliberForm(PageForm):
    name = StringField(_l("Canonical name"), validators=[DataRequired(), Length(max=60), CleanText()])
    firearm_types = SelectMultipleField(
        _l("Types of firearm chambered in it"),
        choices=[SelectChoice(value, FIREARM_TYPE_LABELS[value]) for value in CHAMBERED_TYPES],
        # At least one is required: the service says so next to the field (a "required"
        # attribute on each box would ask browsers to tick them all).
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    aliases = TextAreaField(_l("Aliases"), validators=[Optional(), Length(max=4000), CleanText(allow_newlines=True)])


class AliasForm(PageForm):
    alias = StringField(_l("New alias"), validators=[DataRequired(), Length(max=120), CleanText()])


class CaliberAliasForm(PageForm):
    alias = StringField(_l("New alias"), validators=[DataRequired(), Length(max=60), CleanText()])


class ReferenceSearchForm(PageForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search by name or alias"), validators=[Optional(), Length(max=64), CleanText()])
