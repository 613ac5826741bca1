"""The network pages' choices: how far from a case, which kinds, and the groups' filters.

Read from the query string (GET: a network is read, never changed); a bad value is shown
next to its field in the reader's language and the page answers 400.
"""
from __future__ import annotations

from wtforms import Form
from wtforms.fields import SelectChoice
from wtforms.validators import Optional, ValidationError

from tracer.core.forms import DateField, SelectField
from tracer.core.translation import lazy_gettext as _l
from tracer.geo.catalog import state_choices
from tracer.networks.labels import KIND_LABELS
from tracer.networks.links import DEPTHS
from tracer.networks.producers import PRODUCERS

# The kinds a reader may choose: those the system produces (SPEC §7 names).
KINDS = tuple(producer.kind for producer in PRODUCERS)

ANY = SelectChoice("", _l("Any"))


def kind_choices() -> list[SelectChoice]:
    return [ANY] + [SelectChoice(kind, KIND_LABELS[kind]) for kind in KINDS]


class KindField(SelectField):
    def pre_validate(self, form) -> None:
        if self.data and self.data not in KINDS:
            raise ValidationError(_l("Not one of the allowed values: %(values)s.", values=", ".join(KINDS)))


class DepthField(SelectField):
    def process_formdata(self, valuelist) -> None:
        self.raw = valuelist[0] if valuelist else None
        try:
            self.data = int(self.raw) if self.raw not in (None, "") else self.default
        except ValueError:
            self.data = None

    def pre_validate(self, form) -> None:
        if self.data not in DEPTHS:
            raise ValidationError(_l("Choose a depth from 1 to 3 steps."))


class NetworkForm(Form):
    """A case's network: depth (1 to 3 steps from the case) and a kind of link."""

    depth = DepthField(_l("Depth"), coerce=int, default=2, validate_choice=False,
                       choices=[SelectChoice(depth, str(depth)) for depth in DEPTHS])
    kind = KindField(_l("Kind of link"), choices=kind_choices(), validate_choice=False)

    def args(self) -> dict[str, str]:
        return {"depth": str(self.depth.data or 2), **({"kind": self.kind.data} if self.kind.data else {})}


class GroupFilterForm(Form):
    """The groups list: a kind of link, the seizure dates and a Mexican state."""

    kind = KindField(_l("Kind of link"), choices=kind_choices(), validate_choice=False)
    seized_from = DateField(_l("Seized from"), validators=[Optional()])
    seized_to = DateField(_l("Seized to"), validators=[Optional()])
    state = SelectField(_l("State"), validate_choice=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.state.choices = [ANY] + [SelectChoice(code, label) for code, label in state_choices()]

    def validate_state(self, field) -> None:
        if field.data and field.data not in {code for code, _label in state_choices()}:
            raise ValidationError(_l("Use the INEGI code of a state, 01 to 32."))

    def validate_seized_to(self, field) -> None:
        if field.data and self.seized_from.data and field.data < self.seized_from.data:
            raise ValidationError(_l("The end date is before the start date."))

    def args(self) -> dict[str, str]:
        return {name: str(field.data) for name, field in self._fields.items() if field.data}


