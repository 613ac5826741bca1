"""The case form, the case-list filters, and the words shown for stored case values."""
from __future__ import annotations

from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from tracer.cases.models import CASE_PRIORITIES, CASE_STATUSES
from tracer.cases.services import CARPETA_MAX, CARPETA_PATTERN, SUMMARY_MAX, TITLE_MAX
from tracer.core.forms import DateField, HiddenField, PageForm, SelectField, StringField, TextAreaField
from tracer.core.text import CleanText
from tracer.core.translation import lazy_gettext as _l
from tracer.core.translation import pgettext
from tracer.geo.catalog import state_choices


def status_labels() -> dict[str, str]:
    """Case statuses in the user's language (a context keeps "Open" the status apart from "Open" the verb)."""
    return {
        "open": pgettext("case status", "Open"),
        "investigating": pgettext("case status", "Investigating"),
        "in_review": pgettext("case status", "In review"),
        "approved": pgettext("case status", "Approved"),
        "closed": pgettext("case status", "Closed"),
    }


def priority_labels() -> dict[str, str]:
    return {
        "low": pgettext("case priority", "Low"),
        "normal": pgettext("case priority", "Normal"),
        "high": pgettext("case priority", "High"),
        "urgent": pgettext("case priority", "Urgent"),
    }


def _optional_id(value):
    """A select's value as a row id, or None for the empty choice."""
    if value in (None, "", "None"):
        return None
    return int(value)


class CaseForm(PageForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX), CleanText()])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=SUMMARY_MAX),
                                                       CleanText(allow_newlines=True)],
                            render_kw={"rows": 8})
    priority = SelectField(_l("Priority"), default="normal", choices=[SelectChoice(p) for p in CASE_PRIORITIES])
    carpeta_number = StringField(_l("Carpeta de investigación (CI) number"),
                                 validators=[Optional(), Length(max=CARPETA_MAX), CleanText(),
                                             Regexp(CARPETA_PATTERN, message=_l("Use only letters, digits, spaces "
                                                                                "and the signs / - ."))],
                                 render_kw={"autocapitalize": "characters", "spellcheck": "false"})
    lead_officer_id = SelectField(_l("Lead officer"), coerce=_optional_id)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = priority_labels()
        self.priority.choices = [SelectChoice(p, labels[p]) for p in CASE_PRIORITIES]

    def set_lead_choices(self, candidates, current=None) -> None:
        """The agency's case workers, plus the current lead officer even if no longer one."""
        people = list(candidates)
        if current is not None and all(person.id != current.id for person in people):
            people.append(current)
        self.lead_officer_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(person.id, f"{person.full_name} ({person.username})") for person in people]

    def values(self) -> dict:
        """The typed values as the case services take them."""
        return {
            "title": self.title.data,
            "summary": self.summary.data,
            "priority": self.priority.data,
            "carpeta_number": self.carpeta_number.data,
            "lead_officer_id": self.lead_officer_id.data,
        }


class CaseEditForm(CaseForm):
    # The version the user started from: a save over a newer version is a conflict.
    version = HiddenField(_l("Version"), validators=[InputRequired()])

    def version_number(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class CaseFilterForm(PageForm):
    class Meta:
        csrf = False

    q = StringField(_l("Reference, title or CI number"), validators=[Optional(), Length(max=TITLE_MAX), CleanText()])
    status = SelectField(_l("Status"), validators=[Optional()],
                         choices=[SelectChoice("")] + [SelectChoice(s) for s in CASE_STATUSES])
    agency = SelectField(_l("Agency"), validators=[Optional()])
    state = SelectField(_l("State of the agency"), validators=[Optional()])
    created_from = DateField(_l("Created from"), validators=[Optional()])
    created_to = DateField(_l("Created until"), validators=[Optional()])
    assigned = HiddenField(validators=[Optional()])

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = status_labels()
        self.status.choices = [SelectChoice("", _l("Any"))] + [SelectChoice(s, labels[s]) for s in CASE_STATUSES]
        self.agency.choices = [SelectChoice("", _l("Any"))] + [
            SelectChoice(a.acronym, f"{a.acronym} — {a.name}") for a in agencies]
        self.state.choices = [SelectChoice("", _l("Any"))] + [SelectChoice(*c) for c in state_choices()]

    def filters(self) -> dict:
        return {
            "text": self.q.data,
            "status": self.status.data,
            "agency": self.agency.data,
            "state": self.state.data,
            "created_from": self.created_from.data,
            "created_to": self.created_to.data,
            "assigned": self.assigned.data or None,
        }

    def args(self) -> dict:
        """The filters as query arguments, to keep them across pages."""
        return {name: value for name, value in (
            ("q", self.q.data), ("status", self.status.data), ("agency", self.agency.data),
            ("state", self.state.data),
            ("created_from", self.created_from.data.isoformat() if self.created_from.data else None),
            ("created_to", self.created_to.data.isoformat() if self.created_to.data else None),
            ("assigned", self.assigned.data),
        ) if value}
