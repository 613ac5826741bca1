"""The trace-result form and the trace-result upload form.

The result form only carries what the liaison officer typed; ``record_result``
checks it and its messages are put back next to each field.
"""
from __future__ import annotations

from typing import Any

from flask_wtf.file import FileRequired
from wtforms.fields import SelectChoice

from tracer.core.forms import BooleanField, DateInput, HiddenField, PageForm, SelectField, StringField, TextAreaField, UploadField
from tracer.core.translation import lazy_gettext as _l
from tracer.people.labels import ID_KIND_LABELS
from tracer.people.models import ID_KINDS
from tracer.tracing.models import NO_TRACE_REASONS, TRACE_OUTCOMES, TraceRequest
from tracer.tracing.result_labels import NO_TRACE_REASON_LABELS, OUTCOME_LABELS
from tracer.tracing.purchaser import PURCHASER_FIELDS, form_values
from tracer.tracing.results import result_values

BLANK = SelectChoice("", "—")
TEXT = {"autocomplete": "off", "spellcheck": "false"}


class ResultForm(PageForm):
    outcome = SelectField(_l("Outcome"), validate_choice=False,
                          choices=[BLANK] + [SelectChoice(v, OUTCOME_LABELS[v]) for v in TRACE_OUTCOMES])
    no_trace_reason = SelectField(_l("No-trace reason"), validate_choice=False,
                                  choices=[BLANK] + [SelectChoice(v, NO_TRACE_REASON_LABELS[v])
                                                     for v in NO_TRACE_REASONS])
    ffl_name = StringField(_l("Dealer (FFL) name"))
    ffl_license = StringField(_l("FFL licence number"), render_kw={**TEXT, "placeholder": "5-74-123-01-4C-12345",
                                                                   "autocapitalize": "characters"})
    ffl_street = StringField(_l("Dealer's street address"))
    ffl_city = StringField(_l("Dealer's city"))
    ffl_state = StringField(_l("Dealer's US state"), render_kw={"placeholder": "TX"})
    ffl_zip = StringField(_l("ZIP code"), render_kw={**TEXT, "inputmode": "numeric"})
    ffl_phone = StringField(_l("Dealer's telephone"), render_kw={"type": "tel", "autocomplete": "off"})
    partner_trace_number = StringField(_l("Partner's trace number"), render_kw=TEXT)
    importer_name = StringField(_l("Importer"))
    importer_license = StringField(_l("Importer's licence number"), render_kw=TEXT)
    purchase_date = StringField(_l("Purchase date"), widget=DateInput())
    purchaser_name = StringField(_l("First retail purchaser"), render_kw=TEXT)
    # The purchaser as a person (personal data); purchaser_name is shown only for a result
    # recorded before purchasers were people, which has nothing but the name.
    purchaser_last_names = StringField(_l("Purchaser's last names"), render_kw=TEXT)
    purchaser_first_names = StringField(_l("Purchaser's first names"), render_kw=TEXT)
    purchaser_birth_date = StringField(_l("Purchaser's date of birth"), widget=DateInput())
    purchaser_curp = StringField(_l("Purchaser's CURP"), render_kw={**TEXT, "maxlength": 18})
    purchaser_id_kind = SelectField(_l("Purchaser's identification"), validate_choice=False,
                                    choices=[BLANK] + [SelectChoice(v, ID_KIND_LABELS[v]) for v in ID_KINDS])
    purchaser_id_number = StringField(_l("Identification number"), render_kw=TEXT)
    purchaser_id_country = StringField(_l("Issuing country"), render_kw={**TEXT, "placeholder": "US"})
    purchaser_id_region = StringField(_l("Issuing US state"), render_kw={**TEXT, "placeholder": "TX"})
    purchaser_street = StringField(_l("Purchaser's street and number"))
    purchaser_locality = StringField(_l("Purchaser's city"))
    purchaser_region = StringField(_l("Purchaser's state"), render_kw={"placeholder": "TX"})
    purchaser_country = StringField(_l("Purchaser's country"), render_kw={"placeholder": "US"})
    purchaser_postal_code = StringField(_l("Purchaser's ZIP code"), render_kw={**TEXT, "inputmode": "numeric"})
    multiple_sale = BooleanField(_l("Part of a multiple sale"))
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 3})
    version = HiddenField()

    @classmethod
    def for_request(cls, trace_request: TraceRequest, purchaser_name: str | None,
                    purchaser=None) -> "ResultForm":
        """The form filled with the stored result; the purchaser (a name, and the person when one is
        recorded) only as the caller may show it."""
        values = result_values(trace_request)
        values.update(multiple_sale=bool(values["multiple_sale"]), version=str(trace_request.version))
        if purchaser is not None:
            values.update(form_values(purchaser))
        else:
            values["purchaser_name"] = purchaser_name
        values = {name: value for name, value in values.items() if value is not None}
        return cls(formdata=None, data=values)

    def values(self) -> dict[str, Any]:
        """The raw values for ``record_result``."""
        values = {name: self[name].data for name in ("outcome", "no_trace_reason", "ffl_name", "ffl_license",
                                                     "ffl_street", "ffl_city", "ffl_state", "ffl_zip",
                                                     "purchase_date", "purchaser_name", "notes", "ffl_phone",
                                                     "partner_trace_number", "importer_name", "importer_license")}
        values["multiple_sale"] = "yes" if self.multiple_sale.data else "no"
        values.update({name: self[name].data for name in PURCHASER_FIELDS})
        return values

    def version_number(self) -> int | None:
        """The version the officer read, None for a first result, -1 when tampered with (stale)."""
        raw = (self.version.data or "").strip()
        if not raw:
            return None
        return int(raw) if raw.isdigit() and len(raw) < 10 else -1


class ResultImportForm(PageForm):
    file = UploadField(_l("CSV file"), validators=[FileRequired(_l("Choose the CSV file to import."))])
    partial = BooleanField(_l("Record the rows without errors and report the rest"))
    dry_run = BooleanField(_l("Only check the file (write nothing)"))


class OpenForm(PageForm):
    """The liaison officer's "mark as in progress" button: nothing but its CSRF token."""
