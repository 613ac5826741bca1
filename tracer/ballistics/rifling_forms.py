"""The rifling search form and the administrators' form for a row of the rifling table.

Fields are text: the services read and check them (``parse_query``, ``rifling_admin``),
so the page, the API and the admin form give the same messages."""
from __future__ import annotations

from wtforms.fields import SelectChoice

from tracer.ballistics.labels import TWIST_LABELS
from tracer.core.forms import PageForm, SelectField, StringField
from tracer.core.translation import lazy_gettext as _l


def _twist_choices(blank):
    return [SelectChoice("", blank)] + [SelectChoice(value, label) for value, label in TWIST_LABELS.items()]


class RiflingSearchForm(PageForm):
    class Meta:
        csrf = False  # a search changes nothing

    caliber = StringField(_l("Caliber"))
    lands = StringField(_l("Lands and grooves"))
    twist = SelectField(_l("Twist"), choices=_twist_choices(_l("Either")), validate_choice=False)
    land_width_mm = StringField(_l("Land width (mm)"))
    groove_width_mm = StringField(_l("Groove width (mm)"))
    tolerance_mm = StringField(_l("Tolerance (mm)"))


class RiflingSpecForm(PageForm):
    manufacturer = StringField(_l("Manufacturer"))
    model = StringField(_l("Model"))
    caliber = StringField(_l("Caliber"))
    lands = StringField(_l("Lands and grooves"))
    twist = SelectField(_l("Twist"), choices=_twist_choices("—"), validate_choice=False)
    land_width_mm = StringField(_l("Land width (mm)"))
    groove_width_mm = StringField(_l("Groove width (mm)"))
    source = StringField(_l("Source"))
