"""The demo's border route for the map (``flask seed-demo``): firearms seized in Nogales,
Sonora, traced to a dealer in Tucson, Arizona — the corridor the map draws first.

The demo seizures and traces are drawn at random and a small demo may hold no such trace;
this step records, when none exists yet, two pistols seized in Nogales in the first case of
the Sonora prosecutor's office, requests their traces and enters their results, each through
the services a person uses (so each step is checked and audited). Idempotent.
"""
from __future__ import annotations

from datetime import timedelta

import click
from sqlalchemy import select

from tracer.auth.services import user_by_username
from tracer.cases.models import Case
from tracer.core.time import local_today
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.seizures.models import Seizure
from tracer.seizures.services import create_seizure
from tracer.tracing.models import TraceRequest
from tracer.tracing.requests import request_trace
from tracer.tracing.results import record_result

NOGALES = ("26", "043")
# What the step says, the same on every run (a second seed-demo prints what the first did).
DONE = "Demo route Tucson → Nogales, Sonora: traced pistols present"
DEALER = {"ffl_name": "Santa Cruz Valley Arms", "ffl_license": "9-86-019-01-7C-41207",
          "ffl_street": "1830 W Grant Rd", "ffl_city": "Tucson", "ffl_state": "AZ", "ffl_zip": "85745"}
FIREARMS = ({"firearm_type": "pistol", "manufacturer": "Glock", "model": "19", "caliber": "9mm",
             "serial_number": "BNXR418", "serial_status": "intact", "country_of_manufacture": "AT",
             "importer": "Glock Inc."},
            {"firearm_type": "pistol", "manufacturer": "Smith & Wesson", "model": "M&P9", "caliber": "9mm",
             "serial_number": "NHK7302", "serial_status": "intact", "country_of_manufacture": "US"})


def _route_exists() -> bool:
    return db.session.scalar(
        select(TraceRequest.id).join(Firearm, Firearm.id == TraceRequest.firearm_id)
        .join(Seizure, Seizure.id == Firearm.seizure_id)
        .where(Seizure.state_code == NOGALES[0], Seizure.municipality_code == NOGALES[1],
               TraceRequest.ffl_city == DEALER["ffl_city"], TraceRequest.ffl_state == DEALER["ffl_state"],
               TraceRequest.status == "completed").limit(1)) is not None


def seed_route() -> str:
    """Record the Tucson → Nogales route when the demo has none; say what was done."""
    if _route_exists():
        return DONE
    officer, analyst, liaison = (user_by_username(name) for name in ("agente.son", "analista.son", "enlace.atf"))
    case = db.session.scalar(select(Case).where(Case.owner_agency_id == getattr(officer, "agency_id", None))
                             .order_by(Case.id).limit(1)) if officer else None
    if None in (officer, analyst, liaison, case):
        return "Demo route Tucson → Nogales: the demo accounts or Sonora cases are missing"
    seized_on = local_today() - timedelta(days=120)
    seizure, _warnings = create_seizure(officer, case, {
        "seized_on": seized_on.isoformat(), "seized_time": "06:40", "state": NOGALES[0], "municipality": NOGALES[1],
        "locality": "Nogales", "latitude": "31.30862", "longitude": "-110.94217"}, [dict(f) for f in FIREARMS])
    db.session.flush()
    for number, firearm in enumerate(seizure.firearms):
        trace = request_trace(analyst, firearm)
        record_result(liaison, trace, {**DEALER, "outcome": "us_retail", "multiple_sale": "yes",
                                       "purchase_date": (seized_on - timedelta(days=150 + 40 * number)).isoformat(),
                                       "purchaser_name": "Kevin Salinas Ortiz"}, source="demo")
    db.session.commit()
    return DONE


def seed_demo_route(firearms: int, seed: int) -> None:
    """The demo step (``flask seed-demo``)."""
    click.echo(seed_route())
