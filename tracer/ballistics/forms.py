"""Forms for scenes, ballistic items, leads and the examiner's decision.

The forms carry what the user typed; the rules are the services' (``check_scene``,
``check_item``, ``create_lead``, ``decide``), so selects do not check their choices here.
"""
from __future__ import annotations

from typing import Any

from wtforms.fields import SelectChoice
from wtforms.validators import Length, Optional

from tracer.ballistics.labels import (BREECH_FACE_CLASS_LABELS, CONCLUSION_LABELS, EJECTOR_MARK_LABELS,
                                      FIRING_PIN_SHAPE_LABELS, ITEM_KIND_LABELS, JACKET_LABELS, TWIST_LABELS)
from tracer.ballistics.models import (BREECH_FACE_CLASSES, CONCLUSIONS, EJECTOR_MARKS, FIRING_PIN_SHAPES, ITEM_KINDS,
                                      JACKETS, TWISTS)
from tracer.ballistics.scenes import SCENE_FIELDS
from tracer.core.forms import BooleanField, DateInput, FileField, HiddenField, PageForm, SelectField, StringField, TextAreaField, TimeInput
from tracer.core.text import CleanText
from tracer.core.translation import lazy_gettext as _l
from tracer.firearms.forms import BLANK, SUGGEST, _select
from tracer.seizures.forms import DECIMAL, PlaceFields

ITEM_FORM_FIELDS = ("kind", "origin", "firearm_id", "caliber", "headstamp", "firing_pin_shape", "breech_face_class",
                    "ejector_mark", "lands", "polygonal", "twist", "land_width_mm", "groove_width_mm",
                    "weight_grains", "jacket", "lab_number", "ibis_ref", "notes")


class SceneForm(PlaceFields, PageForm):
    occurred_on = StringField(_l("Date of the shooting"), widget=DateInput())
    occurred_time = StringField(_l("Time"), widget=TimeInput())
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 3})
    version = HiddenField()

    def values(self) -> dict[str, Any]:
        return {name: self[name].data for name in SCENE_FIELDS}


class ItemForm(PageForm):
    kind = _select(_l("Kind of item"), ITEM_KIND_LABELS, ITEM_KINDS)
    # "scene-<id>" or "seizure-<id>": where a cartridge case or a bullet was recovered.
    origin = SelectField(_l("Recovered at"), validate_choice=False)
    firearm_id = SelectField(_l("Firearm test-fired"), validate_choice=False)
    caliber = StringField(_l("Caliber"), render_kw={**SUGGEST, "list": "caliber-options",
                                                    "data-suggest": "/reference/calibers/suggest"})
    headstamp = StringField(_l("Headstamp"))
    firing_pin_shape = _select(_l("Firing pin impression"), FIRING_PIN_SHAPE_LABELS, FIRING_PIN_SHAPES)
    breech_face_class = _select(_l("Breech face marks"), BREECH_FACE_CLASS_LABELS, BREECH_FACE_CLASSES)
    ejector_mark = _select(_l("Ejector mark"), EJECTOR_MARK_LABELS, EJECTOR_MARKS)
    lands = StringField(_l("Lands and grooves (count)"), render_kw={"inputmode": "numeric", "autocomplete": "off"})
    polygonal = BooleanField(_l("Polygonal rifling (no lands to count)"))
    twist = _select(_l("Twist"), TWIST_LABELS, TWISTS)
    land_width_mm = StringField(_l("Land width (mm)"), render_kw={**DECIMAL, "placeholder": "1.60"})
    groove_width_mm = StringField(_l("Groove width (mm)"), render_kw={**DECIMAL, "placeholder": "2.90"})
    weight_grains = StringField(_l("Weight (grains)"), render_kw={**DECIMAL, "placeholder": "115"})
    jacket = _select(_l("Jacket"), JACKET_LABELS, JACKETS)
    lab_number = StringField(_l("Lab number"))
    ibis_ref = StringField(_l("IBIS acquisition reference"), render_kw=SUGGEST)
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 3})
    version = HiddenField()

    def set_choices(self, scenes, seizures, firearms) -> None:
        from tracer.core.translation import gettext as _

        from tracer.core.i18n import format_local_date

        self.origin.choices = [BLANK] + [
            SelectChoice(f"scene-{scene.id}", _("Scene of %(date)s, %(place)s", date=format_local_date(scene.occurred_on),
                                                 place=scene.locality or scene.state_code)) for scene in scenes] + [
            SelectChoice(f"seizure-{seizure.id}", _("Seizure of %(date)s, %(place)s",
                                                     date=format_local_date(seizure.seized_on),
                                                     place=seizure.locality or seizure.state_code))
            for seizure in seizures]
        self.firearm_id.choices = [BLANK] + [
            SelectChoice(str(firearm.id), f"{firearm.manufacturer_name} {firearm.model or ''} "
                                          f"{firearm.serial_number or ''}".strip()) for firearm in firearms]

    def values(self) -> dict[str, Any]:
        """The raw values ``check_item`` reads: the origin split into a scene or a seizure."""
        values = {name: self[name].data for name in ITEM_FORM_FIELDS if name != "origin"}
        origin = (self.origin.data or "").strip()
        kind, _sep, number = origin.partition("-")
        values["scene_id"] = number if kind == "scene" else None
        values["seizure_id"] = number if kind == "seizure" else None
        return values

    def fill(self, values: dict[str, Any]) -> None:
        """Show stored values (``editable_values``) in the form."""
        for name in ITEM_FORM_FIELDS:
            if name in values and name != "origin":
                value = values[name]
                self[name].data = value if isinstance(value, bool) else ("" if value is None else str(value))
        if values.get("scene_id"):
            self.origin.data = f"scene-{values['scene_id']}"
        elif values.get("seizure_id"):
            self.origin.data = f"seizure-{values['seizure_id']}"


class LeadForm(PageForm):
    item_b = StringField(_l("Other item (its number or IBIS reference)"), render_kw=SUGGEST,
                         validators=[Optional(), Length(max=80), CleanText()])
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 2}, validators=[Optional(), CleanText(allow_newlines=True)])


class DecisionForm(PageForm):
    conclusion = _select(_l("Conclusion"), CONCLUSION_LABELS, CONCLUSIONS)
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 3})
    reason = TextAreaField(_l("Reason (required to undo a confirmed hit)"), render_kw={"rows": 2})
    photo = FileField(_l("Comparison photo (optional)"), render_kw={"accept": "image/jpeg,image/png,image/webp"})
    version = HiddenField()

    def values(self) -> dict[str, Any]:
        return {"conclusion": self.conclusion.data, "notes": self.notes.data, "reason": self.reason.data}

    def version_number(self) -> int:
        text = (self.version.data or "").strip()
        return int(text) if text.isdigit() and len(text) < 10 else -1
