"""Forms shared by every page."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.fields import SelectChoice


class LanguageForm(FlaskForm):
    lang = SelectField(choices=[SelectChoice("es", "Español"), SelectChoice("en", "English")], validate_choice=True)
    next = HiddenField()
