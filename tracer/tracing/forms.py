"""Forms of the trace request pages: requesting a trace, the backlog and the request list filters.

Selects do not check their choices here: the services do, with one message
per field (``ValidationFailed``), shown next to the field.
"""
from __future__ import annotations

from typing import Any

from flask import request
from wtforms import Form
from wtforms.fields import SelectChoice
from wtforms.validators import Email, Optional

from tracer.core.forms import DateInput, EmailField, HiddenField, PageForm, SelectField, SelectMultipleField, StringField, TextAreaField
from tracer.core.translation import lazy_gettext as _l
from tracer.geo.catalog import state_choices
from tracer.tracing.backlog import AGE_BANDS, AGE_LABELS, BacklogFilters
from tracer.tracing.crime_codes import CRIME_CATEGORY_LABELS, ncic_codes, ncic_label
from tracer.tracing.labels import TRACE_PRIORITY_LABELS, TRACE_REASON_LABELS, TRACE_STATUS_LABELS
from tracer.tracing.models import OPEN, TRACE_PRIORITIES, TRACE_REASONS, TRACE_STATUSES
from tracer.people.labels import ROLE_LABELS, SEX_LABELS
from tracer.people.models import SEXES
from tracer.tracing.request_details import DETAIL_FIELDS
from tracer.tracing.request_people import FIELDS as PERSON_FIELDS, ROLES as REQUEST_ROLES
from tracer.tracing.request_lists import RequestFilters

ALL = SelectChoice("", _l("Any"))


def _choices(labels: dict, values) -> list[SelectChoice]:
    return [SelectChoice(value, labels[value]) for value in values]


class TraceRequestFields:
    """Priority and, when there is more than one US partner office, where the request goes."""

    priority = SelectField(_l("Priority"), choices=_choices(TRACE_PRIORITY_LABELS, TRACE_PRIORITIES),
                           default="routine", validate_choice=False)
    addressed_to = SelectField(_l("Send to"), validate_choice=False)
    urgent_justification = TextAreaField(_l("Why it is urgent"), render_kw={"rows": 2})

    def set_offices(self, offices) -> None:
        self.offices = list(offices)
        self.addressed_to.choices = [SelectChoice("", "—")] + [
            SelectChoice(office.acronym, f"{office.acronym} · {office.name}") for office in self.offices]

    @property
    def choose_office(self) -> bool:
        """The select is shown only when there is a choice to make."""
        return len(getattr(self, "offices", ())) > 1


class TraceRequestForm(TraceRequestFields, PageForm):
    """The one-click request on a firearm page (``draft`` saves it unsent)."""

    draft = HiddenField()


BLANK = SelectChoice("", "—")


class RequestDetailsForm(TraceRequestFields, PageForm):
    """A draft's page: the request as Form 3312.1 lays it out. "Save" keeps what is there;
    "Send" requires it complete (the services say what is missing, next to each field)."""

    agency_case_number = StringField(_l("Agency case number"))
    requester_name = StringField(_l("Requester's name"))
    requester_badge = StringField(_l("Badge or employee number"))
    requester_phone = StringField(_l("Requester's telephone"), render_kw={"type": "tel", "autocomplete": "tel"})
    requester_email = EmailField(_l("Requester's e-mail"), validators=[Optional(), Email(
        message=_l("Not an e-mail address: write it as name@institution.gob.mx."))])
    crime_category = SelectField(_l("Crime"), validate_choice=False,
                                 choices=[BLANK] + [SelectChoice(k, v) for k, v in CRIME_CATEGORY_LABELS.items()])
    ncic_code = SelectField(_l("NCIC crime code"), validate_choice=False)
    project_code = StringField(_l("Project code"))
    recovery_date = StringField(_l("Recovery date"), widget=DateInput())
    recovery_address = StringField(_l("Recovery address"))
    trace_reason = SelectField(_l("Reason for the trace"), validate_choice=False,
                               choices=[BLANK] + _choices(TRACE_REASON_LABELS, TRACE_REASONS))
    trace_reason_text = StringField(_l("Other reason"))

    # Section 6: people recorded in the case (ticked), and one new possessor or associate per save.
    people_ids = SelectMultipleField(_l("People recorded in the case"), validate_choice=False)
    person_role = SelectField(_l("Role"), validate_choice=False, choices=[BLANK] + [
        SelectChoice(role, ROLE_LABELS[role]) for role in REQUEST_ROLES])
    person_last_names = StringField(_l("Last names"))
    person_first_names = StringField(_l("First names"))
    person_alias = StringField(_l("Alias"))
    person_birth_date = StringField(_l("Date of birth"), widget=DateInput())
    person_sex = SelectField(_l("Sex"), validate_choice=False,
                             choices=[BLANK] + [SelectChoice(sex, SEX_LABELS[sex]) for sex in SEXES])
    person_street = StringField(_l("Street and number"))
    person_locality = StringField(_l("Locality or city"))
    person_region = StringField(_l("State or region"))
    person_country = StringField(_l("Country"), render_kw={"placeholder": "MX"})
    person_postal_code = StringField(_l("Postal code"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ncic_code.choices = [BLANK] + [SelectChoice(code, ncic_label(code)) for code in ncic_codes()]

    def details(self) -> dict[str, Any]:
        """The raw values sent, for the services (which check them): a field the request did not
        carry leaves the stored value as it is."""
        return {name: self[name].data for name in DETAIL_FIELDS if name in request.form}

    def people_entries(self) -> list[dict[str, Any]]:
        """The people ticked and the new person typed, for ``request_people.add_people``."""
        entries: list[dict[str, Any]] = [{"case_person_id": value} for value in self.people_ids.data or []]
        typed = {name: self["person_" + name].data for name in PERSON_FIELDS}
        if self.person_role.data or any(str(value or "").strip() for value in typed.values()):
            entries.append({"role": self.person_role.data or None, **typed})
        return entries

    @staticmethod
    def people_field(_index: int, field: str) -> str:
        """The form field an error of ``add_people`` belongs to."""
        return "people_ids" if field == "case_person_id" else "person_" + field


class BulkRequestForm(TraceRequestFields, PageForm):
    """The backlog's "request traces of the selected firearms"; the filters ride along to come back to them."""

    firearm_ids = SelectMultipleField(_l("Firearms"), coerce=str, validate_choice=False)
    state = HiddenField()
    agency = HiddenField()
    age = HiddenField()
    readiness = HiddenField()
    page = HiddenField()
    cursor = HiddenField()


class BacklogFilterForm(Form):
    """The backlog filters, read from the query string."""

    state = SelectField(_l("Seizure state"), validate_choice=False)
    agency = SelectField(_l("Agency"), validate_choice=False)
    age = SelectField(_l("Time since the seizure"), validate_choice=False,
                      choices=[ALL] + _choices(AGE_LABELS, AGE_BANDS))
    readiness = SelectField(_l("Readiness"), validate_choice=False,
                            choices=[ALL, SelectChoice("ready", _l("Ready for a trace")),
                                     SelectChoice("not_ready", _l("Not ready for a trace"))])

    def __init__(self, formdata=None, agencies=(), **kwargs):
        super().__init__(formdata, **kwargs)
        self.state.choices = [ALL] + [SelectChoice(*choice) for choice in state_choices()]
        self.agency.choices = [ALL] + [SelectChoice(a.acronym, f"{a.acronym} — {a.name}") for a in agencies]

    def filters(self) -> BacklogFilters:
        return BacklogFilters.from_mapping({name: self[name].data for name in ("state", "agency", "age",
                                                                               "readiness")})

    def args(self) -> dict[str, Any]:
        """The filters as query-string arguments (for the pager and the bulk form)."""
        return {name: self[name].data for name in ("state", "agency", "age", "readiness") if self[name].data}


class RequestFilterForm(Form):
    """The trace request list filters, read from the query string."""

    status = SelectField(_l("Status"), validate_choice=False,
                         choices=[ALL, SelectChoice(OPEN, _l("Open: in progress or submitted"))]
                         + _choices(TRACE_STATUS_LABELS, TRACE_STATUSES))
    priority = SelectField(_l("Priority"), validate_choice=False,
                           choices=[ALL] + _choices(TRACE_PRIORITY_LABELS, TRACE_PRIORITIES))
    serial = StringField(_l("Serial number"), render_kw={"autocomplete": "off", "spellcheck": "false"})
    submitted_from = StringField(_l("Submitted from"), render_kw={"type": "date"})
    submitted_to = StringField(_l("Submitted until"), render_kw={"type": "date"})
    ffl_license = StringField(_l("FFL licence number"), render_kw={"autocomplete": "off", "spellcheck": "false"})
    # Set by the dealer watch list's links; shown when set.
    short_ttc = HiddenField()
    multiple_sale = HiddenField()
    recovered_from = HiddenField()
    recovered_to = HiddenField()
    recovery_state = HiddenField()

    NAMES = ("status", "priority", "serial", "submitted_from", "submitted_to", "ffl_license", "short_ttc",
             "multiple_sale", "recovered_from", "recovered_to", "recovery_state")

    def filters(self) -> RequestFilters:
        return RequestFilters(**{name: (self[name].data or "").strip() or None for name in self.NAMES})

    def args(self) -> dict[str, Any]:
        return {name: self[name].data for name in self.NAMES if self[name].data}
