"""Forms shared by every page, and the fields and widgets every form uses.

WTForms writes each attribute of an input through ``Markup.format``, which costs a form
of a dozen fields milliseconds per page; the fields here write the same markup with one
string per attribute (``html_params``) and one per select option (``Select``). Every form
takes its fields and widgets from here, and a form with a CSRF token is a ``PageForm``
(``tests/core/test_form_markup.py`` walks them all).
"""
import flask_wtf.file
import wtforms
import wtforms.csrf.core
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.fields import SelectChoice
from wtforms.widgets.core import clean_key

from tracer.core.markup import escaped


def html_params(**attributes) -> Markup:
    """``wtforms.widgets.html_params``, the same text: sorted attributes, ``True`` written as the
    bare name, ``False`` left out, names and values escaped."""
    parts = []
    for key, value in sorted(attributes.items()):
        if value is True:
            parts.append(escaped(clean_key(key)))
        elif value is not False:
            parts.append(f'{escaped(clean_key(key))}="{escaped(value)}"')
    # Safe for B704: every name and value escaped.
    return Markup(" ".join(parts))  # nosec B704


class TextInput(widgets.TextInput):
    html_params = staticmethod(html_params)


class HiddenInput(widgets.HiddenInput):
    html_params = staticmethod(html_params)


class PasswordInput(widgets.PasswordInput):
    html_params = staticmethod(html_params)


class EmailInput(widgets.EmailInput):
    html_params = staticmethod(html_params)


class NumberInput(widgets.NumberInput):
    html_params = staticmethod(html_params)


class DateInput(widgets.DateInput):
    html_params = staticmethod(html_params)


class TimeInput(widgets.TimeInput):
    html_params = staticmethod(html_params)


class DateTimeLocalInput(widgets.DateTimeLocalInput):
    html_params = staticmethod(html_params)


class FileInput(widgets.FileInput):
    html_params = staticmethod(html_params)


class CheckboxInput(widgets.CheckboxInput):
    html_params = staticmethod(html_params)


class RadioInput(widgets.RadioInput):
    html_params = staticmethod(html_params)


class TextArea(widgets.TextArea):
    """WTForms' text area, its attributes written by ``html_params``."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        flags = field.flags
        for name in self.validation_attrs:
            if name not in kwargs and getattr(flags, name, False):
                kwargs[name] = getattr(flags, name)
        # Safe for B704: the attributes written by html_params, the text escaped.
        return Markup(f"<textarea {html_params(name=field.name, **kwargs)}>\r\n"  # nosec B704
                      f"{escaped(field._value())}</textarea>")


class StringField(wtforms.StringField):
    widget = TextInput()


class HiddenField(wtforms.HiddenField):
    widget = HiddenInput()


class PasswordField(wtforms.PasswordField):
    widget = PasswordInput()


class EmailField(wtforms.EmailField):
    widget = EmailInput()


class TextAreaField(wtforms.TextAreaField):
    widget = TextArea()


class DateField(wtforms.DateField):
    widget = DateInput()


class FileField(wtforms.FileField):
    widget = FileInput()


class UploadField(flask_wtf.file.FileField):
    """Flask-WTF's file field (the upload read as a ``FileStorage``)."""

    widget = FileInput()


class BooleanField(wtforms.BooleanField):
    widget = CheckboxInput()


class RadioField(wtforms.RadioField):
    option_widget = RadioInput()


class Select(widgets.Select):
    """WTForms' select, writing its plain options (no group, no attributes of their own) as one
    string: the same markup, without a ``Choice``, an ``escape`` and a ``Markup`` for each part of
    each option (a list of the 32 states or of every agency otherwise costs a page a millisecond).
    Each value and label is escaped as ``markupsafe.escape`` does: markup kept, any other text
    with ``&<>'"`` written as entities."""

    def __call__(self, field, **kwargs):
        if self.multiple:
            return super().__call__(field, **kwargs)
        coerce, data = field.coerce, field.data
        options = []
        for choice in field._choices_from_input(field.choices) or ():
            if choice.optgroup is not None or choice.render_kw:
                return super().__call__(field, **kwargs)
            value, label = choice.value, choice.label or choice.value
            selected = " selected" if coerce(value) == data else ""
            value, label = escaped(value), escaped(label)
            options.append(f'<option{selected} value="{value}">{label}</option>')
        kwargs.setdefault("id", field.id)
        flags = field.flags
        for name in self.validation_attrs:
            if name not in kwargs and getattr(flags, name, False):
                kwargs[name] = getattr(flags, name)
        # Safe for B704: every value and label escaped, the attributes written by html_params.
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{''.join(options)}</select>")  # nosec B704

    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        label = escape(choice.label or choice.value)
        if choice.selected:
            # Safe for B704: value and label escaped.
            return Markup(f'<option selected value="{escape(value)}">{label}</option>')  # nosec B704
        # Safe for B704: value and label escaped.
        return Markup(f'<option value="{escape(value)}">{label}</option>')  # nosec B704


class SelectField(wtforms.SelectField):
    widget = Select()


class SelectMultipleField(wtforms.SelectMultipleField):
    widget = Select(multiple=True)  # WTForms' markup: a multiple select is rare


class CSRFTokenField(wtforms.csrf.core.CSRFTokenField):
    widget = HiddenInput()


class PageCSRF(FlaskForm.Meta.csrf_class):
    """Flask-WTF's CSRF protection, its token field written as the other hidden fields."""

    field_class = CSRFTokenField


class PageForm(FlaskForm):
    """The forms of the pages: Flask-WTF's, CSRF token included, with the fields of this module."""

    class Meta:
        csrf_class = PageCSRF


class LanguageForm(PageForm):
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


def field(f, hint=None, class_="", attrs=None) -> Markup:
    """A form field as every form shows it: its label, an optional ``hint``, the input (with
    ``class_`` on the wrapper and ``attrs`` on the input) and its errors, each tied to the input
    by ``aria-describedby``. The markup of the former Jinja macro, written as one string: a form
    of fifteen fields drawn by the macro cost a page a tenth of its work."""
    errors = f.errors
    if f.type == "BooleanField":
        control = f(**({"aria-describedby": f"{f.id}-error"} if errors else {}))
        inner = f'\n  <label class="check">{control} {escape(f.label.text)}</label>\n  '
    else:
        describedby = (f"{f.id}-hint " if hint else "") + (f"{f.id}-error" if errors else "")
        described = {"aria-describedby": describedby.strip(), "aria-invalid": "true"} if errors else (
            {"aria-describedby": describedby.strip()} if hint else {})
        shown_hint = f'<p class="field__hint" id="{escape(f.id)}-hint">{escape(hint)}</p>' if hint else ""
        inner = (f'\n  <label class="field__label" for="{escape(f.id)}">{escape(f.label.text)}</label>\n'
                 f'  {shown_hint}\n  \n  \n  {f(class_="field__input", **dict(attrs or {}, **described))}\n  ')
    shown_errors = (f'\n  <p class="field__error" id="{escape(f.id)}-error">{" ".join(escape(e) for e in errors)}</p>\n  '
                    if errors else "")
    # Safe for B704: the label, hint, ids and errors escaped, the input written by its widget.
    return Markup(f'\n<div class="field {escape(class_)} {"field--error" if errors else ""}">\n'  # nosec B704
                  f'  {inner}\n  {shown_errors}\n</div>\n')


def init_form_templates(app) -> None:
    """``field`` for every template."""
    app.jinja_env.globals["field"] = field
