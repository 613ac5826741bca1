"""Sign-in, second-factor, password and token forms."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from tracer.auth.passwords import MAX_LENGTH
from tracer.core.text import CleanText
from tracer.core.translation import lazy_gettext as _l


class NoticeForm(FlaskForm):
    next = HiddenField()


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64), CleanText()],
                           render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class SecondFactorForm(FlaskForm):
    code = StringField(_l("Authentication code or recovery code"),
                       validators=[DataRequired(), Length(max=32), CleanText()],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class EnrolForm(FlaskForm):
    code = StringField(_l("Code shown by the authenticator app"),
                       validators=[DataRequired(), Length(min=6, max=8), CleanText()],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class TokenForm(FlaskForm):
    name = StringField(_l("Label (what the token is for)"), validators=[DataRequired(), Length(max=100), CleanText()])
    password = PasswordField(_l("Your password, to confirm"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})


class ReauthForm(FlaskForm):
    password = PasswordField(_l("Your password, to confirm"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""
