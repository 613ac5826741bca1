"""Forms administrators use for agencies and accounts."""
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from tracer.auth.models import AGENCY_LEVELS, LANGUAGES
from tracer.auth.passwords import MAX_LENGTH
from tracer.core.access import ROLES
from tracer.core.forms import BooleanField, EmailField, PageForm, PasswordField, SelectField, StringField
from tracer.core.i18n import LANGUAGE_LABELS, LEVEL_LABELS, ROLE_LABELS
from tracer.core.text import CleanText
from tracer.core.translation import lazy_gettext as _l
from tracer.geo.catalog import state_choices


class AgencyForm(PageForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), CleanText()])
    acronym = StringField(_l("Acronym"), validators=[DataRequired(), Length(max=32), CleanText()])
    level = SelectField(_l("Level"), choices=[SelectChoice(v, LEVEL_LABELS[v]) for v in AGENCY_LEVELS])
    state_code = SelectField(_l("State (state agencies only)"), validators=[Optional()])
    contact_name = StringField(_l("Contact name"), validators=[Optional(), Length(max=200), CleanText()])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40), CleanText()])
    contact_email = EmailField(_l("Contact e-mail"), validators=[Optional(), Length(max=254), Email()])
    ori_number = StringField(_l("ORI number"), validators=[Optional(), CleanText()],
                             render_kw={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false",
                                        "placeholder": "MX0123456"})
    active = BooleanField(_l("Active"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state_code.choices = [SelectChoice("", "—")] + [SelectChoice(*c) for c in state_choices()]


def _optional_int(value):
    """A select's value as a row id, or None for the empty choice."""
    if value in (None, "", "None"):
        return None
    return int(value)


class UserForm(PageForm):
    # No role or agency is chosen for the administrator: each new account is given both on
    # purpose (a preselected pair was saved by mistake, or refused as a mismatch).
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64), CleanText()],
                           render_kw={"autocapitalize": "none", "spellcheck": "false"})
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200), CleanText()])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254), Email()])
    role = SelectField(_l("Role"), choices=[SelectChoice("", _l("— choose a role —"))]
                       + [SelectChoice(r, ROLE_LABELS[r]) for r in ROLES],
                       validators=[DataRequired(message=_l("Choose the role of this account."))])
    agency_id = SelectField(_l("Agency"), coerce=_optional_int,
                            validators=[DataRequired(message=_l("Choose the agency of this account."))])
    locale = SelectField(_l("Language"), choices=[SelectChoice(code, LANGUAGE_LABELS[code]) for code in LANGUAGES])
    password = PasswordField(_l("Initial password (leave empty to generate one)"),
                             validators=[Optional(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "new-password"})


class UserEditForm(UserForm):
    """The same fields less the username and password, which have their own actions."""

    username = None
    password = None
