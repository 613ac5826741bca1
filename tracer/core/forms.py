"""Forms shared by every page, and the select field every form uses."""
import wtforms
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, widgets
from wtforms.fields import SelectChoice


class Select(widgets.Select):
    """WTForms' select, writing each plain option (no attributes of its own) as one string:
    the same markup, without building attribute text through ``Markup.format`` option by
    option (a list of the 32 states or of every agency otherwise costs a page a millisecond)."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        label = escape(choice.label or choice.value)
        if choice.selected:
            return Markup(f'<option selected value="{escape(value)}">{label}</option>')
        return Markup(f'<option value="{escape(value)}">{label}</option>')


class SelectField(wtforms.SelectField):
    widget = Select()


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
