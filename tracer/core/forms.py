"""Forms shared by every page."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField


class LanguageForm(FlaskForm):
    lang = SelectField(choices=[("es", "Español"), ("en", "English")], validate_choice=True)
    next = HiddenField()
