"""The audit trail's filter form."""
from wtforms.validators import Length, Optional

from tracer.core.forms import DateField, PageForm, StringField
from tracer.core.text import CleanText
from tracer.core.translation import lazy_gettext as _l


class AuditFilterForm(PageForm):
    class Meta:
        csrf = False

    user = StringField(_l("User"), validators=[Optional(), Length(max=64), CleanText()])
    action = StringField(_l("Action"), validators=[Optional(), Length(max=64), CleanText()])
    object_type = StringField(_l("Object type"), validators=[Optional(), Length(max=40), CleanText()])
    object_id = StringField(_l("Object ID"), validators=[Optional(), Length(max=64), CleanText()])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
