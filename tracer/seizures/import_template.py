"""The seizure import template: an Excel workbook with the columns of SPEC §8 and one example
row, and a second sheet listing, in the reader's language, what each column takes and the
values allowed."""
from __future__ import annotations

import io


from tracer.core.translation import gettext as _
from tracer.firearms.labels import FIREARM_TYPE_LABELS, SERIAL_STATUS_LABELS
from tracer.firearms.models import FIREARM_TYPES, SERIAL_STATUSES
from tracer.firearms.services import FIREARM_TYPE_WORDS, SERIAL_STATUS_WORDS
from tracer.geo.catalog import states
from tracer.seizures.importing_csv import COLUMNS, REQUIRED_COLUMNS

EXAMPLE = {
    "external_id": "FGE-0001", "seizure_ref": "AS-2025-014", "seized_on": "14/03/2025", "state": "Sonora",
    "municipality": "Hermosillo", "locality": "Hermosillo", "latitude": "", "longitude": "", "agency": "",
    "case_reference": "", "firearm_type": "pistola", "manufacturer": "Glock", "model": "19", "caliber": "9mm",
    "serial_number": "BXK123", "serial_status": "intact", "importer": "Glock Inc., Smyrna, GA",
    "country_of_manufacture": "AT", "notes": "",
}


def _words(values, labels, words) -> str:
    spoken = {value: [word for word, meant in words.items() if meant == value] for value in values}
    return "; ".join(f"{value} ({labels[value]}{', ' + ', '.join(spoken[value]) if spoken[value] else ''})"
                     for value in values)


def _guide() -> list[tuple[str, str]]:
    """What each column takes, in the reader's language."""
    return [
        ("external_id", _("Required. Your own identifier of the row; importing it again changes nothing.")),
        ("seizure_ref", _("Rows with the same reference form one seizure and must agree on its date and place.")),
        ("seized_on", _("Required. Day first (14/03/2025) or YYYY-MM-DD; a date cell of the spreadsheet works too.")),
        ("state", _("Required. INEGI code (01 to 32) or name: %(states)s",
                    states="; ".join(f"{s.code} {s.name}" for s in states().values()))),
        ("municipality", _("Name or INEGI code of the municipality.")),
        ("locality", _("Locality as written.")),
        ("latitude", _("Decimal degrees (29.0729). Left empty, the place is looked up.")),
        ("longitude", _("Decimal degrees (-110.9559). Left empty, the place is looked up.")),
        ("agency", _("Acronym of the seizing agency; yours when left empty.")),
        ("case_reference", _("A case of yours (TR-2025-000123); without it each seizure_ref opens a new case.")),
        ("firearm_type", _("Required. One of: %(values)s",
                           values=_words(FIREARM_TYPES, FIREARM_TYPE_LABELS, FIREARM_TYPE_WORDS))),
        ("manufacturer", _("As engraved; known makers and their aliases are recognised.")),
        ("model", _("As engraved.")),
        ("caliber", _("As marked (9mm, .40 S&W, 7.62x39).")),
        ("serial_number", _("As engraved, every character.")),
        ("serial_status", _("One of: %(values)s",
                            values=_words(SERIAL_STATUSES, SERIAL_STATUS_LABELS, SERIAL_STATUS_WORDS))),
        ("importer", _("Needed when the firearm was made outside the United States.")),
        ("country_of_manufacture", _("ISO code (US, AT) or name.")),
        ("notes", _("Free text.")),
    ]


def template_workbook() -> bytes:
    """The template as the bytes of an .xlsx file."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    rows = book.active
    rows.title = _("Seizures")[:31]
    rows.append(list(COLUMNS))
    rows.append([EXAMPLE[name] for name in COLUMNS])
    bold = Font(bold=True)
    for cell in rows[1]:
        cell.font = bold
        rows.column_dimensions[cell.column_letter].width = max(12, len(cell.value) + 2)
    rows.freeze_panes = "A2"
    guide = book.create_sheet(_("Allowed values")[:31])
    guide.append([_("Column"), _("Required"), _("What it takes")])
    for cell in guide[1]:
        cell.font = bold
    for name, text in _guide():
        guide.append([name, _("Yes") if name in REQUIRED_COLUMNS else _("No"), text])
    guide.column_dimensions["A"].width, guide.column_dimensions["C"].width = 24, 110
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
