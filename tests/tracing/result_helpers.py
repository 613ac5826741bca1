"""Trace requests waiting for a result, the people who work them, and a US retail result."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from tests import factories
from tracer.audit.models import AuditEvent
from tracer.extensions import db
from tracer.tracing.results_import import LAYOUT

# Seized 2025-03-14 (the seizure factory's date) in Hermosillo; bought 429 days before in Houston.
RETAIL = {"outcome": "us_retail", "no_trace_reason": "", "ffl_name": "Lone Star Guns", "ffl_license": "5-74-201-01-4C-12345",
          "ffl_street": "1200 Main St", "ffl_city": "Houston", "ffl_state": "TX", "ffl_zip": "77002",
          "purchase_date": "2024-01-10", "purchaser_name": "John Q. Buyer", "multiple_sale": "yes"}
SEIZED_ON = "2025-03-14"
HERMOSILLO = (29.0729, -110.9559)


def us_office(acronym: str = "ATF-HOU"):
    """A second US partner office."""
    return factories.agency(acronym, name=f"ATF {acronym}", level="us")


def liaison(agency: str = "ATF-MX", **fields):
    return factories.user("liaison", factories.agency(agency) if agency == "ATF-MX" else us_office(agency),
                          locale=fields.pop("locale", "en"), **fields)


def waiting_request(case=None, **fields):
    """A submitted trace request addressed to ATF-MX, for a firearm seized in Hermosillo."""
    firearm = factories.firearm() if case is None else factories.seizure(case).firearms[0]
    return factories.trace_request(firearm, **fields)


def events(action: str, object_id=None) -> list[AuditEvent]:
    statement = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
    if object_id is not None:
        statement = statement.where(AuditEvent.object_id == str(object_id))
    return list(db.session.scalars(statement))


def csv_bytes(rows: list[dict], columns=LAYOUT.columns) -> bytes:
    """A trace-result file holding ``rows`` (missing columns empty)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in columns})
    return out.getvalue().encode("utf-8")
