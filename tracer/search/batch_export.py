"""A batch serial search as CSV: one row per hit, the lines that found nothing or failed included.

UTF-8 with a byte-order mark (so spreadsheets read the accents), every cell
neutralised against spreadsheet formulas as the trace export does. Restricted
hits leave the firearm columns empty: they say only what the page says. The
``note`` column holds a line's error, or says that matches outside the user's
scope were withheld on it (the disclosure budget was spent).
"""
from __future__ import annotations

import csv
import io
from typing import Iterator

from tracer.core.csv_files import BOM_TEXT, neutralise
from tracer.deconfliction.labels import limit_reached_message
from tracer.search.batch import BatchAnswer, BatchSearch

COLUMNS = ("line", "query", "mode", "match", "score", "restricted", "serial_number", "manufacturer", "model",
           "caliber", "case_reference", "agency", "contact", "reference", "note")


def _contact(hit) -> str:
    return " · ".join(part for part in (hit.contact_name, hit.contact_phone, hit.contact_email) if part)


def _answer_rows(number: int, answer: BatchAnswer) -> Iterator[dict]:
    query = answer.query
    line = {"line": query.line or number, "query": query.q}
    if answer.failed:
        problems = [message for messages in answer.errors.values() for message in messages]
        yield {**line, "mode": query.mode or "", "note": " ".join(problems) or answer.message}
        return
    found = answer.found
    line["mode"] = found.query.mode if found.query else (query.mode or "")
    if found.withheld:
        line["note"] = limit_reached_message()
    for hit in found.hits:
        yield {**line, "match": hit.match, "score": f"{hit.score:.2f}", "restricted": "no",
               "serial_number": hit.serial_number or hit.restored_serial, "manufacturer": hit.manufacturer,
               "model": hit.model, "caliber": hit.caliber, "case_reference": hit.case_reference}
    for hit in found.restricted:
        yield {**line, "match": hit.match, "restricted": "yes", "agency": f"{hit.agency_name} ({hit.agency_acronym})",
               "contact": _contact(hit), "reference": hit.reference}
    if not found.hits and not found.restricted:
        yield line  # searched, nothing found: the line is still listed


def batch_csv(batch: BatchSearch) -> bytes:
    """The whole answer as a CSV file (bytes), lines in the order sent."""
    out = io.StringIO()
    out.write(BOM_TEXT)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for number, answer in enumerate(batch.answers, start=1):
        for row in _answer_rows(number, answer):
            writer.writerow([neutralise(row.get(column)) for column in COLUMNS])
    return out.getvalue().encode("utf-8")
