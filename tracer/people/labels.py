"""The words shown for a person's stored codes, in the reader's language."""
from __future__ import annotations

from flask import Flask

from tracer.core.i18n import label_filter
from tracer.core.translation import lazy_gettext as _l

SEX_LABELS = {"female": _l("Female"), "male": _l("Male"), "unknown": _l("Not known")}
ID_KIND_LABELS = {
    "passport": _l("Passport"),
    "us_driver_license": _l("US driver licence"),
    "us_state_id": _l("US state ID card"),
    "other": _l("Other identification"),
}
ROLE_LABELS = {"possessor": _l("Possessor"), "associate": _l("Associate"), "purchaser": _l("Purchaser")}
DUPLICATE_KIND_LABELS = {
    "name_dob": _l("Same name and date of birth"),
    "curp": _l("Same CURP"),
    "identification": _l("Same identification"),
}
DUPLICATE_STATUS_LABELS = {"open": _l("Waiting"), "merged": _l("Merged"), "distinct": _l("Not the same person")}


def register_filters(app: Flask) -> None:
    """``{{ row.role|person_role_label }}`` and the other labels of people in templates."""
    app.jinja_env.filters.update(
        person_sex_label=label_filter(SEX_LABELS), person_id_kind_label=label_filter(ID_KIND_LABELS),
        person_role_label=label_filter(ROLE_LABELS), duplicate_kind_label=label_filter(DUPLICATE_KIND_LABELS),
        duplicate_status_label=label_filter(DUPLICATE_STATUS_LABELS))
