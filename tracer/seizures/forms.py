"""The seizure form: the event, its place, and any number of firearm rows.

Rows are named ``firearms-<i>-<field>``. The form only carries what was typed;
``create_seizure`` checks it and its messages are put back next to each field.
"""
from __future__ import annotations

from typing import Any

from flask import url_for
from wtforms import FieldList, FormField
from wtforms.fields import SelectChoice

from tracer.core.forms import DateInput, HiddenField, NumberInput, PageForm, SelectField, StringField, TextAreaField, TimeInput
from tracer.core.translation import lazy_gettext as _l
from tracer.firearms.forms import BLANK, FirearmRowForm
from tracer.seizures.services import MAX_FIREARMS

SEIZURE_FORM_FIELDS = ("seized_on", "seized_time", "agency", "seizure_ref", "state", "municipality", "locality", "address",
                       "latitude", "longitude", "coordinate_source", "circumstances", "operation_name",
                       "crime_category", "magazines_count", "cartridges_count")
DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}


class PlaceFields:
    """Where something happened in Mexico, with its crime category: shared by the seizure form
    and the scene form (``templates/seizures/_place.html`` lays them out; ``check_place``
    checks them)."""

    state = SelectField(_l("State"), validate_choice=False)
    municipality = SelectField(_l("Municipality"), validate_choice=False)
    locality = StringField(_l("Locality"))
    address = StringField(_l("Address or place"))
    latitude = StringField(_l("Latitude"), render_kw={**DECIMAL, "placeholder": "29.0729"})
    longitude = StringField(_l("Longitude"), render_kw={**DECIMAL, "placeholder": "-110.9559"})
    coordinate_source = HiddenField()
    crime_category = StringField(_l("Crime category"), render_kw={"list": "crime-categories"})

    def set_place_choices(self, states, municipalities) -> None:
        self.state.choices = [BLANK] + [SelectChoice(code, name) for code, name in states]
        self.municipality.choices = [BLANK] + [SelectChoice(code, name) for code, name in municipalities]
        # Choosing a state fills the municipality select (htmx); without scripts, a button reloads the form.
        self.state.render_kw = {"hx-get": url_for("seizures.municipalities"), "hx-target": "#municipality",
                                "hx-trigger": "change", "hx-swap": "innerHTML",
                                # The list is locked while it reloads: a choice made meanwhile would be lost.
                                "hx-disabled-elt": "#municipality"}


class SeizureForm(PlaceFields, PageForm):
    case_id = SelectField(_l("Case"), validate_choice=False)
    seized_on = StringField(_l("Date of the seizure"), widget=DateInput())
    seized_time = StringField(_l("Time"), widget=TimeInput())
    agency = SelectField(_l("Seizing agency"), validate_choice=False)
    seizure_ref = StringField(_l("Seizure reference"), render_kw={"autocomplete": "off", "maxlength": 80})
    circumstances = TextAreaField(_l("Circumstances"), render_kw={"rows": 4})
    operation_name = StringField(_l("Operation name"))
    magazines_count = StringField(_l("Magazines"), widget=NumberInput(min=0), default="0")
    cartridges_count = StringField(_l("Cartridges"), widget=NumberInput(min=0), default="0")
    firearms = FieldList(FormField(FirearmRowForm), min_entries=1, max_entries=MAX_FIREARMS)

    def set_choices(self, cases, agencies, states, municipalities) -> None:
        self.case_id.choices = [BLANK] + [SelectChoice(str(c.id), f"{c.reference} — {c.title}") for c in cases]
        self.agency.choices = [SelectChoice(a.acronym, f"{a.acronym} — {a.name}") for a in agencies]
        self.set_place_choices(states, municipalities)
        for row in self.firearms:
            row.form.set_choices()

    def values(self) -> dict[str, Any]:
        return {name: self[name].data for name in SEIZURE_FORM_FIELDS}

    def submitted_rows(self) -> list:
        """The firearm rows that hold something; rows left empty are ignored."""
        return [row for row in self.firearms if not row.form.is_blank()]
