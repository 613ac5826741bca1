"""Forms for recording a person in a case, correcting a person, and deciding a likely duplicate.

The forms carry what the user typed and check what a form alone can (the CURP's shape and
check digit, a date of birth in the past); the services check everything again, the same way
for the API, so selects do not check their choices here.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from stdnum.exceptions import InvalidChecksum, ValidationError as StdnumError
from stdnum.mx import curp as curp_number
from wtforms.fields import SelectChoice
from wtforms.validators import Optional, ValidationError

from tracer.core.forms import DateInput, HiddenField, PageForm, SelectField, StringField, TextAreaField
from tracer.core.text import CleanText
from tracer.core.time import local_today
from tracer.core.translation import lazy_gettext as _l
from tracer.firearms.forms import BLANK, _select
from tracer.people.checks import PERSON_FIELDS
from tracer.people.labels import ID_KIND_LABELS, ROLE_LABELS, SEX_LABELS
from tracer.people.models import CASE_ROLES, ID_KINDS, SEXES


class ValidCurp:
    """WTForms validator: a CURP of the right shape whose check digit holds (python-stdnum)."""

    def __call__(self, form, field):
        value = (field.data or "").strip()
        if not value:
            return
        try:
            curp_number.validate(value)
        except InvalidChecksum:
            raise ValidationError(_l("The CURP's check digit (its last character) does not match the rest: "
                                     "copy it again from the document.")) from None
        except StdnumError:
            raise ValidationError(_l("A CURP has 18 characters: four letters, the date of birth (YYMMDD), H or M, "
                                     "the state, three consonants and two more characters.")) from None


class PastDate:
    """WTForms validator: a date of birth in the form YYYY-MM-DD, not in the future."""

    def __call__(self, form, field):
        value = (field.data or "").strip()
        if not value:
            return
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValidationError(_l("Use a date in the form YYYY-MM-DD.")) from None
        if day > local_today():
            raise ValidationError(_l("The date cannot be in the future."))


class PersonFields:
    last_names = StringField(_l("Last names"), validators=[CleanText()])
    first_names = StringField(_l("First names"), validators=[CleanText()])
    alias = StringField(_l("Alias"), validators=[CleanText()])
    birth_date = StringField(_l("Date of birth"), widget=DateInput(), validators=[Optional(), PastDate()])
    sex = _select(_l("Sex"), SEX_LABELS, SEXES)
    curp = StringField(_l("CURP"), validators=[Optional(), ValidCurp()],
                       render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": 18})
    id_kind = _select(_l("Foreign identification"), ID_KIND_LABELS, ID_KINDS)
    id_number = StringField(_l("Identification number"), validators=[CleanText()],
                            render_kw={"autocomplete": "off", "spellcheck": "false"})
    id_country = StringField(_l("Issuing country"), validators=[CleanText()], render_kw={"placeholder": "US"})
    id_region = StringField(_l("Issuing US state"), validators=[CleanText()], render_kw={"placeholder": "TX"})
    street = StringField(_l("Street and number"), validators=[CleanText()])
    locality = StringField(_l("Locality or city"), validators=[CleanText()])
    region = StringField(_l("State or region"), validators=[CleanText()])
    country = StringField(_l("Country"), validators=[CleanText()], render_kw={"placeholder": "MX"})
    postal_code = StringField(_l("Postal code"), validators=[CleanText()])

    def person_values(self) -> dict[str, Any]:
        return {name: self[name].data for name in PERSON_FIELDS}


class CasePersonForm(PersonFields, PageForm):
    role = SelectField(_l("Role in the case"), validate_choice=False)
    firearm_id = SelectField(_l("Firearm of the case"), validate_choice=False)
    notes = TextAreaField(_l("Notes"), validators=[CleanText(allow_newlines=True)], render_kw={"rows": 3})

    def set_choices(self, roles: tuple[str, ...], firearms: list[tuple[int, str]]) -> None:
        self.role.choices = [BLANK] + [SelectChoice(role, ROLE_LABELS[role]) for role in roles
                                       if role in CASE_ROLES]
        self.firearm_id.choices = [BLANK] + [SelectChoice(str(number), label) for number, label in firearms]

    def values(self) -> dict[str, Any]:
        return {**self.person_values(), "notes": self.notes.data, "firearm_id": self.firearm_id.data}


class CaseRoleForm(PageForm):
    role = SelectField(_l("Role in the case"), validate_choice=False)
    firearm_id = SelectField(_l("Firearm of the case"), validate_choice=False)
    notes = TextAreaField(_l("Notes"), validators=[CleanText(allow_newlines=True)], render_kw={"rows": 3})

    def set_choices(self, firearms: list[tuple[int, str]]) -> None:
        self.role.choices = [SelectChoice(role, ROLE_LABELS[role]) for role in CASE_ROLES]
        self.firearm_id.choices = [BLANK] + [SelectChoice(str(number), label) for number, label in firearms]

    def values(self) -> dict[str, Any]:
        return {"role": self.role.data, "firearm_id": self.firearm_id.data, "notes": self.notes.data}


class PersonForm(PersonFields, PageForm):
    version = HiddenField()

    def version_number(self) -> int:
        text = (self.version.data or "").strip()
        return int(text) if text.isdigit() and len(text) < 10 else -1


class MergeForm(PageForm):
    keep = SelectField(_l("Record kept"), validate_choice=True)
    reason = TextAreaField(_l("Why these records are the same person"),
                           validators=[CleanText(allow_newlines=True)], render_kw={"rows": 3})


class DistinctForm(PageForm):
    pass
