"""Sign-in, second-factor, password and token forms."""
from wtforms.validators import DataRequired, EqualTo, Length

from tracer.auth.passwords import MAX_LENGTH
from tracer.core.forms import HiddenField, PageForm, PasswordField, StringField
from tracer.core.text import CleanText
from tracer.core.translation import lazy_gettext as _l


class NoticeForm(PageForm):
    next = HiddenField()


class LoginForm(PageForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64), CleanText()],
                           render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class SecondFactorForm(PageForm):
    code = StringField(_l("Authentication code or recovery code"),
                       validators=[DataRequired(), Length(max=32), CleanText()],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class EnrolForm(PageForm):
    code = StringField(_l("Code shown by the authenticator app"),
                       validators=[DataRequired(), Length(min=6, max=8), CleanText()],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class PasswordChangeForm(PageForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class TokenForm(PageForm):
    name = StringField(_l("Label (what the token is for)"), validators=[DataRequired(), Length(max=100), CleanText()])
    password = PasswordField(_l("Your password, to confirm"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})


class ReauthForm(PageForm):
    password = PasswordField(_l("Your password, to confirm"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})


class ConfirmForm(PageForm):
    """A button that changes something: only the CSRF token travels."""
