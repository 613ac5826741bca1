"""Forms shared by every page."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.fields import SelectChoice


class LanguageForm(FlaskForm):
    lang = SelectField(choices=[SelectChoice("es", "Español"), SelectChoice("en", "English")], validate_choice=True)
    next = HiddenField()


def show_errors(form, failure, aliases: dict[str, str] | None = None) -> None:
    """Put a service's ``ValidationFailed`` messages next to the form's fields
    (``aliases`` maps a service's field name to the form's); messages for fields
    the form does not have go to a flash message."""
    from flask import flash

    for field, messages in failure.fields.items():
        target = getattr(form, (aliases or {}).get(field, field), None)
        if target is not None and hasattr(target, "errors"):
            target.errors = list(target.errors or []) + list(messages)
        else:
            flash("; ".join(messages), "error")
