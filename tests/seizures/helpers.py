"""Building what a browser sends for a seizure, and reading what a page shows."""
from __future__ import annotations

import html
import io
import re
from typing import Any

from PIL import Image

from tests import factories
from tracer.extensions import db

SEIZURE_DEFAULTS = {
    "seized_on": "2025-03-14", "seized_time": "10:30", "agency": "FGE-SON", "state": "26", "municipality": "030",
    "locality": "Hermosillo", "address": "Carretera 15, km 12", "latitude": "29.0729", "longitude": "-110.9559",
    "coordinate_source": "", "circumstances": "Revisión en punto de control.\nTres armas en la cajuela.",
    "operation_name": "Operativo Desierto", "crime_category": "Firearms trafficking",
    "magazines_count": "4", "cartridges_count": "120",
}


def seizure_form(case_id: Any, rows: list[dict[str, Any]], **fields) -> dict[str, str]:
    """The fields of the seizure form with ``rows`` as firearms-<i>-<field>."""
    data = {"case_id": str(case_id), **SEIZURE_DEFAULTS, **fields}
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"firearms-{index}-{name}"] = value
    return data


def row(**fields) -> dict[str, str]:
    return {"firearm_type": "pistol", "manufacturer": "Glock", "model": "19", "caliber": "9mm",
            "serial_number": "BXK123", "serial_status": "intact", "restored_serial": "", "importer": "Glock Inc.",
            "country_of_manufacture": "AT", "markings": "", "condition": "good", "notes": "", **fields}


def new_case(owner):
    """A case of ``owner``'s agency, committed so that requests see it."""
    case = factories.case(owner.agency, owner)
    db.session.commit()
    return case


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_value(page: str, name: str) -> str | None:
    """The value an input (or the selected option, or a textarea) of ``page`` holds."""
    match = re.search(r'<input[^>]*name="%s"[^>]*>' % re.escape(name), page)
    if match:
        value = re.search(r'value="([^"]*)"', match.group(0))
        return html.unescape(value.group(1)) if value else ""
    match = re.search(r'<textarea[^>]*name="%s"[^>]*>\s*(.*?)</textarea>' % re.escape(name), page, re.S)
    if match:
        return html.unescape(match.group(1))
    match = re.search(r'<select[^>]*name="%s"[^>]*>(.*?)</select>' % re.escape(name), page, re.S)
    if match:
        chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected',
                           match.group(1))
        return (chosen.group(1) or chosen.group(2)) if chosen else None
    return None


def field_error(page: str, field_id: str) -> str | None:
    match = re.search(r'<p class="field__error" id="%s-error">(.*?)</p>' % re.escape(field_id), page, re.S)
    return html.unescape(match.group(1)) if match else None


def jpeg(gps: bool = False, size: tuple[int, int] = (64, 48)) -> bytes:
    """A JPEG photo, with a GPS position in its EXIF data when asked."""
    image = Image.new("RGB", size, "navy")
    exif = Image.Exif()
    exif[0x010F] = "Tracer test camera"  # Make
    if gps:
        exif[0x8825] = {1: "N", 2: (29.0, 4.0, 22.44), 3: "W", 4: (110.0, 57.0, 21.24)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def gps_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif().get_ifd(0x8825))
