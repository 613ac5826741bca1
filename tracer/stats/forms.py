"""The filters of the dashboard and the map: seizure dates and state (query parameters from, to, state)."""
from __future__ import annotations


from tracer.core.forms import DateField, PageForm, SelectField
from tracer.core.translation import lazy_gettext as _l
from tracer.geo.catalog import state_choices


class StatsFilterForm(PageForm):
    class Meta:
        csrf = False  # a GET form: it changes nothing

    date_from = DateField(_l("Seized from"), name="from")
    date_to = DateField(_l("Seized to"), name="to")
    state = SelectField(_l("State"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = [("", _l("All states"))] + list(state_choices())

    def show(self, failure) -> None:
        """The service's field errors (``from``, ``to``, ``state``) beside the fields."""
        names = {"from": self.date_from, "to": self.date_to, "state": self.state}
        for name, messages in failure.fields.items():
            target = names.get(name)
            if target is not None:
                target.errors = list(messages)
