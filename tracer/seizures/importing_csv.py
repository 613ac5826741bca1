"""The seizure file's columns (SPEC §8), read with the shared streaming reader."""
from __future__ import annotations

from tracer.core.csv_files import MAX_LINE_BYTES, MAX_VALUE_LENGTH, CsvLayout, FileRejected, Row

__all__ = ["COLUMNS", "KNOWN_COLUMNS", "LAYOUT", "MAX_LINE_BYTES", "MAX_VALUE_LENGTH", "OPTIONAL_COLUMNS",
           "REQUIRED_COLUMNS", "FileRejected", "Row"]

# The columns of SPEC §8, in their documented order.
COLUMNS = (
    "external_id", "seizure_ref", "seized_on", "state", "municipality", "locality", "latitude", "longitude",
    "agency", "case_reference", "firearm_type", "manufacturer", "model", "caliber", "serial_number",
    "serial_status", "importer", "country_of_manufacture", "notes",
)
# Firearm fields the form and the API know that a file may also carry.
OPTIONAL_COLUMNS = ("restored_serial", "markings", "condition", "converted_to_automatic")
KNOWN_COLUMNS = frozenset(COLUMNS + OPTIONAL_COLUMNS)
# Without these a row cannot be imported, so a file without them is refused at once.
REQUIRED_COLUMNS = ("external_id", "seized_on", "state", "firearm_type")
LAYOUT = CsvLayout(COLUMNS, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
