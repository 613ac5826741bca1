"""Forms for a firearm's identity, its custody chain and its photos.

The forms carry what the user typed; the rules are the services'
(``check_firearm``, ``record_custody_event``), so selects do not check their
choices here and every message comes from one place.
"""
from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from wtforms import Form
from wtforms.fields import SelectChoice

from tracer.core.forms import BooleanField, DateTimeLocalInput, FileField, HiddenField, PageForm, SelectField, StringField, TextAreaField
from tracer.core.i18n import format_local_datetime
from tracer.core.translation import lazy_gettext as _l
from tracer.firearms.labels import CONDITION_LABELS, CUSTODY_EVENT_LABELS, FIREARM_TYPE_LABELS, SERIAL_STATUS_LABELS
from tracer.firearms.models import CONDITIONS, CUSTODY_EVENTS, FIREARM_TYPES, SERIAL_STATUSES

BLANK = SelectChoice("", "—")
# The raw values a firearm form sends to ``check_firearm``.
FIREARM_FORM_FIELDS = ("firearm_type", "manufacturer", "model", "caliber", "serial_number", "serial_status",
                       "restored_serial", "importer", "country_of_manufacture", "markings", "condition",
                       "converted_to_automatic", "notes")
SUGGEST = {"autocomplete": "off", "spellcheck": "false"}


def _select(label, labels: dict, values, blank: bool = True, **kw) -> SelectField:
    choices = ([BLANK] if blank else []) + [SelectChoice(v, labels[v]) for v in values]
    return SelectField(label, choices=choices, validate_choice=False, **kw)


def country_select_choices() -> list[SelectChoice]:
    """Every country by name, the United States (by far the most frequent origin) first."""
    from tracer.geo.countries import country_choices

    countries = country_choices(str(get_locale() or "es"))
    ordered = [c for c in countries if c[0] == "US"] + [c for c in countries if c[0] != "US"]
    return [BLANK] + [SelectChoice(code, name) for code, name in ordered]


class FirearmFields:
    """The identity fields of a firearm, shared by the seizure rows and the edit page."""

    firearm_type = _select(_l("Type"), FIREARM_TYPE_LABELS, FIREARM_TYPES)
    manufacturer = StringField(_l("Manufacturer (make)"),
                               render_kw={**SUGGEST, "list": "manufacturer-options",
                                          "data-suggest": "/reference/manufacturers/suggest"})
    model = StringField(_l("Model"))
    caliber = StringField(_l("Caliber"), render_kw={**SUGGEST, "list": "caliber-options",
                                                    "data-suggest": "/reference/calibers/suggest"})
    serial_number = StringField(_l("Serial number as engraved"), render_kw={**SUGGEST, "autocapitalize": "characters"})
    serial_status = _select(_l("Serial number status"), SERIAL_STATUS_LABELS, SERIAL_STATUSES, blank=False,
                            default="intact")
    restored_serial = StringField(_l("Restored serial number"),
                                  render_kw={**SUGGEST, "autocapitalize": "characters"})
    importer = StringField(_l("Importer"))
    country_of_manufacture = SelectField(_l("Country of manufacture"), validate_choice=False)
    markings = TextAreaField(_l("Markings and inscriptions"), render_kw={"rows": 2})
    condition = _select(_l("Condition"), CONDITION_LABELS, CONDITIONS)
    converted_to_automatic = BooleanField(_l("Converted to automatic (burst fire)"))
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 2})

    def set_choices(self) -> None:
        self.country_of_manufacture.choices = country_select_choices()

    def values(self) -> dict[str, Any]:
        return {name: self[name].data for name in FIREARM_FORM_FIELDS}

    def is_blank(self) -> bool:
        """A row left empty: nothing typed or chosen but the defaults."""
        typed = [self[name].data for name in FIREARM_FORM_FIELDS
                 if name not in ("serial_status", "converted_to_automatic")]
        return not any((value or "").strip() if isinstance(value, str) else value for value in typed) \
            and not self.converted_to_automatic.data


class FirearmRowForm(FirearmFields, Form):
    """One firearm of a seizure: ``firearms-<i>-<field>`` inside the seizure form."""


class FirearmEditForm(FirearmFields, PageForm):
    version = HiddenField()


class CustodyForm(PageForm):
    event = _select(_l("Event"), CUSTODY_EVENT_LABELS, CUSTODY_EVENTS)
    occurred_at = StringField(_l("Date and time"), widget=DateTimeLocalInput())
    handed_over_by_name = StringField(_l("Name"))
    handed_over_by_institution = StringField(_l("Institution"))
    handed_over_by_rank = StringField(_l("Rank or position"))
    received_by_name = StringField(_l("Name"))
    received_by_institution = StringField(_l("Institution"))
    received_by_rank = StringField(_l("Rank or position"))
    place = StringField(_l("Place"))
    packaging = StringField(_l("Packaging"))
    seal_number = StringField(_l("Seal or label number"))
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 2})
    corrects_id = SelectField(_l("Corrects entry no."), validate_choice=False)
    document = FileField(_l("Attached document or photo (optional)"),
                         render_kw={"accept": "image/jpeg,image/png,image/webp,application/pdf"})
    remove_location = BooleanField(_l("Remove the location from the photo"))

    TEXT_FIELDS = ("event", "occurred_at", "handed_over_by_name", "handed_over_by_institution",
                   "handed_over_by_rank", "received_by_name", "received_by_institution", "received_by_rank",
                   "place", "packaging", "seal_number", "notes", "corrects_id")

    def set_entries(self, entries, numbers: dict[int, int]) -> None:
        self.corrects_id.choices = [SelectChoice("", _l("— none: a new entry —"))] + [
            SelectChoice(str(entry.id), f"{numbers[entry.id]} · {CUSTODY_EVENT_LABELS.get(entry.event, entry.event)} · "
                                        f"{format_local_datetime(entry.occurred_at)}") for entry in entries]

    def values(self) -> dict[str, Any]:
        return {name: self[name].data for name in self.TEXT_FIELDS}


class PhotoForm(PageForm):
    photo = FileField(_l("Photo"), render_kw={"accept": "image/jpeg,image/png,image/webp"})
    remove_location = BooleanField(_l("Remove the location from the photo"))
