"""The forms of the case page's work: transitions and review comments, notes, documents,
assignments and shares; and the words shown for review sections and actions."""
from __future__ import annotations

from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from tracer.cases.models import REVIEW_SECTIONS
from tracer.cases.notes import NOTE_MAX
from tracer.cases.workflow import ACTIONS, COMMENT_MAX
from tracer.core.forms import FileField, HiddenField, PageForm, SelectField, TextAreaField
from tracer.core.text import CleanText
from tracer.core.translation import gettext as _
from tracer.core.translation import lazy_gettext as _l
from tracer.core.translation import pgettext


def section_labels() -> dict[str, str]:
    """The sections of a case a reviewer comments on, in the reader's language."""
    return {
        "summary": _("Summary"),
        "seizures": _("Seizures"),
        "firearms": _("Firearms"),
        "traces": _("Traces"),
        "ballistics": _("Ballistics"),
        "people": _("People"),
        "links": _("Links"),
        "notes": pgettext("case notes", "Notes"),
    }


def action_labels() -> dict[str, str]:
    """The workflow's actions as buttons and timeline lines show them."""
    return {
        "start": pgettext("case action", "Start investigating"),
        "submit": pgettext("case action", "Submit for review"),
        "approve": pgettext("case action", "Approve"),
        "return": pgettext("case action", "Return with comments"),
        "close": pgettext("case action", "Close"),
        "reopen": pgettext("case action", "Reopen"),
    }


def comment_label(action: str) -> str:
    """What the comment box of ``action`` asks for."""
    return {
        "submit": _("Summary of findings"),
        "approve": _("Comment (optional)"),
        "return": _("General comment"),
        "close": _("Closure outcome"),
        "reopen": _("Reason for reopening"),
    }.get(action, _("Comment"))


class TransitionForm(PageForm):
    action = HiddenField(validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=COMMENT_MAX),
                                                       CleanText(allow_newlines=True)], render_kw={"rows": 4})

    def section_comments(self, source) -> dict[str, str]:
        """The reviewer's comments per section, from the submitted form data (``section-<code>``)."""
        return {code: source.get(f"section-{code}", "") for code in REVIEW_SECTIONS
                if (source.get(f"section-{code}") or "").strip()}

    def known_action(self) -> bool:
        return self.action.data in ACTIONS


class NoteForm(PageForm):
    body = TextAreaField(_l("New note"), validators=[DataRequired(), Length(max=NOTE_MAX),
                                                      CleanText(allow_newlines=True)], render_kw={"rows": 3})


class DocumentForm(PageForm):
    document = FileField(_l("Document (PDF or photo)"),
                         render_kw={"accept": "application/pdf,image/jpeg,image/png,image/webp"})


def _optional_id(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class ShareForm(PageForm):
    agency_id = SelectField(_l("Agency"), coerce=_optional_id, validators=[DataRequired()])

    def set_choices(self, agencies) -> None:
        self.agency_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(agency.id, f"{agency.acronym} — {agency.name}") for agency in agencies]


class AssignForm(PageForm):
    analyst_id = SelectField(_l("Analyst"), coerce=_optional_id, validators=[DataRequired()])

    def set_choices(self, analysts) -> None:
        self.analyst_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(person.id, f"{person.full_name} ({person.agency.acronym})") for person in analysts]
