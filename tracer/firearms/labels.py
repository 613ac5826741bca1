"""The words shown for stored firearm and seizure values, in the user's language."""
from __future__ import annotations

from flask import Flask

from tracer.core.i18n import format_local_date, format_local_datetime, label_filter
from tracer.core.translation import lazy_gettext as _l

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
# Notes the system writes into a custody entry, stored as these codes.
CUSTODY_NOTE_LABELS = {
    "recorded_with_seizure": _l("Recorded with the seizure."),
}
# The same notes as once stored in words (and as a bulk import may still write them), read
# back as their code so that every reader sees them in their own language.
STORED_NOTE_CODES = {
    "Registrado junto con el aseguramiento.": "recorded_with_seizure",
    "Recorded with the seizure.": "recorded_with_seizure",
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


def custody_note(entry) -> str:
    """An entry's notes in the reader's language: the system's coded note, then what a person typed."""
    code = entry.note_code or STORED_NOTE_CODES.get((entry.notes or "").strip())
    typed = None if entry.notes and entry.notes.strip() in STORED_NOTE_CODES else entry.notes
    return "\n".join(str(part) for part in (CUSTODY_NOTE_LABELS.get(code), typed) if part)


def custody_moment(entry) -> str:
    """When an entry happened, or its day and "time not recorded" when only the day is known."""
    if entry.time_recorded is False:
        return f"{format_local_date(entry.occurred_at)} ({_l('time not recorded')})"
    return format_local_datetime(entry.occurred_at)


def register_filters(app: Flask) -> None:
    """Template filters: ``{{ firearm.firearm_type|firearm_type_label }}`` and the like."""
    app.jinja_env.filters.update(
        firearm_type_label=label_filter(FIREARM_TYPE_LABELS),
        serial_status_label=label_filter(SERIAL_STATUS_LABELS),
        custody_event_label=label_filter(CUSTODY_EVENT_LABELS),
        condition_label=label_filter(CONDITION_LABELS),
        custody_note=custody_note,
        custody_moment=custody_moment,
        coordinate_source_label=label_filter(COORDINATE_SOURCE_LABELS),
    )
