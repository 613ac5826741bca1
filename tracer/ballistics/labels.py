"""The words shown for stored ballistic values, in the reader's language."""
from __future__ import annotations

from flask import Flask

from tracer.core.i18n import label_filter
from tracer.core.translation import lazy_gettext as _l

ITEM_KIND_LABELS = {
    "cartridge_case": _l("Cartridge case"),
    "bullet": _l("Bullet"),
    "test_fire": _l("Test fire"),
}
FIRING_PIN_SHAPE_LABELS = {
    "circular": _l("Circular"),
    "elliptical": _l("Elliptical"),
    "rectangular": _l("Rectangular"),
    "hemispherical": _l("Hemispherical"),
    "other": _l("Other"),
}
BREECH_FACE_CLASS_LABELS = {
    "parallel": _l("Parallel marks"),
    "arched": _l("Arched marks"),
    "granular": _l("Granular"),
    "circular": _l("Circular marks"),
    "cross_hatched": _l("Cross-hatched"),
    "smooth": _l("Smooth"),
}
EJECTOR_MARK_LABELS = {
    **{f"clock_{hour}": _l("At %(hour)d o'clock", hour=hour) for hour in range(1, 13)},
    "none": _l("No ejector mark"),
}
TWIST_LABELS = {"left": _l("Left"), "right": _l("Right")}
JACKET_LABELS = {
    "full_metal_jacket": _l("Full metal jacket"),
    "jacketed_hollow_point": _l("Jacketed hollow point"),
    "lead": _l("Lead, no jacket"),
    "semi_jacketed": _l("Semi-jacketed"),
    "copper_solid": _l("Solid copper"),
    "plated": _l("Plated"),
    "other": _l("Other"),
}
LINK_STATUS_LABELS = {
    "lead": _l("Lead"),
    "confirmed": _l("Confirmed hit"),
    "excluded": _l("Excluded"),
}
CONCLUSION_LABELS = {
    "identification": _l("Identification"),
    "inconclusive": _l("Inconclusive"),
    "elimination": _l("Elimination"),
    "unsuitable": _l("Unsuitable for comparison"),
}
LINK_SOURCE_LABELS = {"manual": _l("Recorded by hand"), "ibis": _l("IBIS correlation")}

item_kind_label = label_filter(ITEM_KIND_LABELS)
firing_pin_shape_label = label_filter(FIRING_PIN_SHAPE_LABELS)
breech_face_class_label = label_filter(BREECH_FACE_CLASS_LABELS)
ejector_mark_label = label_filter(EJECTOR_MARK_LABELS)
twist_label = label_filter(TWIST_LABELS)
jacket_label = label_filter(JACKET_LABELS)
ballistic_status_label = label_filter(LINK_STATUS_LABELS)
conclusion_label = label_filter(CONCLUSION_LABELS)
ballistic_source_label = label_filter(LINK_SOURCE_LABELS)


def register_filters(app: Flask) -> None:
    """``{{ item.kind|item_kind_label }}`` and the other ballistic labels in templates (named apart from
    the possible-same-firearm links' ``link_status_label``)."""
    app.jinja_env.filters.update(
        item_kind_label=item_kind_label, firing_pin_shape_label=firing_pin_shape_label,
        breech_face_class_label=breech_face_class_label, ejector_mark_label=ejector_mark_label,
        twist_label=twist_label, jacket_label=jacket_label, ballistic_status_label=ballistic_status_label,
        conclusion_label=conclusion_label, ballistic_source_label=ballistic_source_label)
