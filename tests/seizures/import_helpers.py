"""Rows and files for the import tests."""
from __future__ import annotations

import io
import itertools

from sqlalchemy import func, select

from tests import factories
from tests.seizures.sample_csv import csv_bytes
from tracer.extensions import db
from tracer.seizures.importing import import_seizures

_serials = itertools.count(1)


def row(external_id: str, seizure_ref: str = "S-1", **fields) -> dict[str, str]:
    """One CSV row: a Glock pistol seized in Hermosillo, Sonora."""
    return {"external_id": external_id, "seizure_ref": seizure_ref, "seized_on": "2025-03-14", "state": "Sonora",
            "municipality": "Hermosillo", "locality": "Hermosillo", "latitude": "", "longitude": "", "agency": "",
            "case_reference": "", "firearm_type": "pistola", "manufacturer": "Glock", "model": "19",
            "caliber": "9mm", "serial_number": f"bxk {next(_serials):04d}", "serial_status": "intact",
            "importer": "Glock Inc., Smyrna, GA", "country_of_manufacture": "Austria", "notes": "", **fields}


def run(user, rows=None, data: bytes | None = None, **options):
    """Import ``rows`` (or raw ``data``) as ``user``; the report."""
    return import_seizures(user, io.BytesIO(csv_bytes(rows) if data is None else data), **options)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def officer(agency: str = "FGR", **fields):
    """An officer of ``agency`` (committed), with the agencies rows may name."""
    for acronym in ("FGR", "SEDENA", "FGE-SON", "FGE-JAL"):
        factories.agency(acronym)
    user = factories.user("officer", factories.agency(agency), **fields)
    db.session.commit()
    return user


def messages(report, line=None, column=None) -> list[str]:
    return [p.message for p in report.problems
            if (line is None or p.line == line) and (column is None or p.column == column)]
