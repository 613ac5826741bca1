"""The words shown for stored firearm and seizure values, in the user's language."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from tracer.core.i18n import label_filter

FIREARM_TYPE_LABELS = {
    "pistol": _l("Pistol"),
    "revolver": _l("Revolver"),
    "rifle": _l("Rifle"),
    "shotgun": _l("Shotgun"),
    "submachine_gun": _l("Submachine gun"),
    "machine_gun": _l("Machine gun"),
    "receiver_frame": _l("Receiver or frame"),
    "other": _l("Other"),
}
SERIAL_STATUS_LABELS = {
    "intact": _l("Intact"),
    "obliterated": _l("Obliterated (filed off)"),
    "altered": _l("Altered"),
    "restored": _l("Restored"),
    "none": _l("None: privately made (hechiza)"),
}
CUSTODY_EVENT_LABELS = {
    "seized": _l("Seized"),
    "packaged": _l("Packaged and sealed"),
    "transferred": _l("Handed over"),
    "received": _l("Received"),
    "stored": _l("Stored in evidence storage"),
    "sent_to_lab": _l("Sent to the forensic lab"),
    "returned_from_lab": _l("Returned from the forensic lab"),
    "released": _l("Released"),
    "destroyed": _l("Destroyed"),
}
CONDITION_LABELS = {
    "good": _l("Good"),
    "worn": _l("Worn"),
    "damaged": _l("Damaged"),
    "inoperable": _l("Inoperable"),
    "parts": _l("Parts only"),
}
COORDINATE_SOURCE_LABELS = {
    "gps": _l("GPS"),
    "geocoded": _l("Geocoded from the address"),
    "gazetteer": _l("Gazetteer (municipality or locality)"),
}
# Offered in the crime category field; officers may type any other.
CRIME_CATEGORIES = (
    _l("Illegal possession of firearms"),
    _l("Firearms trafficking"),
    _l("Drug trafficking"),
    _l("Organised crime"),
    _l("Homicide"),
    _l("Kidnapping"),
    _l("Extortion"),
    _l("Robbery"),
    _l("Fuel theft"),
    _l("Arrest in flagrante"),
)


def register_filters(app: Flask) -> None:
    """Template filters: ``{{ firearm.firearm_type|firearm_type_label }}`` and the like."""
    app.jinja_env.filters.update(
        firearm_type_label=label_filter(FIREARM_TYPE_LABELS),
        serial_status_label=label_filter(SERIAL_STATUS_LABELS),
        custody_event_label=label_filter(CUSTODY_EVENT_LABELS),
        condition_label=label_filter(CONDITION_LABELS),
        coordinate_source_label=label_filter(COORDINATE_SOURCE_LABELS),
    )
