"""Demo people on trace requests (``flask seed-demo``): a possessor on each of the first demo trace
requests that came back with a US retail sale, and its purchaser recorded as a person.

It runs after the demo traces (written in bulk) and goes through the services, so each record is
what a requester's and a liaison officer's work would leave, audited. Idempotent: once a demo
request names a possessor nothing more is written; names, dates and licences are drawn from the seed.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import exists, func, select

from tracer.auth.services import user_by_username
from tracer.cases.models import Case
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.people.models import CasePerson
from tracer.people.services import record_person
from tracer.tracing.demo import LIAISON, PREFIX
from tracer.tracing.demo_data import _GIVEN, _SURNAMES
from tracer.tracing.models import TraceRequest
from tracer.tracing.purchaser import save_purchaser

# Enough requests to show the forms, the printed request and the exports with people on them.
TRACES = 24
US_STATES = ("TX", "AZ", "CA", "NM")


def _birth_date(rng: random.Random) -> str:
    return (date(1965, 1, 1) + timedelta(days=rng.randrange(365 * 37))).isoformat()


def _possessor(rng: random.Random) -> dict:
    return {"last_names": f"{rng.choice(_SURNAMES)} {rng.choice(_SURNAMES)}", "first_names": rng.choice(_GIVEN),
            "birth_date": _birth_date(rng), "sex": "male" if rng.random() < 0.85 else "female", "country": "MX"}


def _purchaser(rng: random.Random, name: str | None) -> dict:
    """The purchaser the result named (the demo name split into given name and surnames)."""
    given, _space, surnames = (name or f"{rng.choice(_GIVEN)} {rng.choice(_SURNAMES)}").partition(" ")
    state = rng.choice(US_STATES)
    return {"purchaser_last_names": surnames or given, "purchaser_first_names": given if surnames else None,
            "purchaser_birth_date": _birth_date(rng), "purchaser_id_kind": "us_driver_license",
            "purchaser_id_number": f"{state}{rng.randrange(10**7, 10**8)}", "purchaser_id_region": state,
            "purchaser_street": f"{rng.randrange(100, 9999)} {rng.choice(('Main', 'Elm', 'Oak', 'Cedar'))} St",
            "purchaser_country": "US", "purchaser_region": state}


def seed_trace_people(seed: int) -> str:
    """Name a possessor and record the purchaser on the first demo US retail traces still without
    people; returns the summary line."""
    liaison = user_by_username(LIAISON)
    if liaison is None:
        return "Trace people: skipped (no demo liaison officer yet)"
    demo_traces = select(TraceRequest.id).join(Firearm, Firearm.id == TraceRequest.firearm_id).where(
        Firearm.external_id.like(PREFIX))
    named = select(CasePerson.id).where(CasePerson.trace_request_id.in_(demo_traces), CasePerson.role == "possessor")
    if db.session.scalar(named.limit(1)):
        return _present(named)
    traces = list(db.session.scalars(
        select(TraceRequest).join(Firearm, Firearm.id == TraceRequest.firearm_id)
        .where(Firearm.external_id.like(PREFIX), TraceRequest.outcome == "us_retail",
               ~exists().where(CasePerson.trace_request_id == TraceRequest.id))
        .order_by(TraceRequest.id).limit(TRACES)))
    for trace in traces:
        rng = random.Random(f"TRACE-PEOPLE:{seed}:{trace.trace_number}")
        requester = trace.requested_by
        if requester is None or requester.role not in ("analyst", "supervisor"):
            continue
        case = db.session.get(Case, trace.case_id)
        record_person(case, "possessor", _possessor(rng), requester, firearm_id=trace.firearm_id,
                      trace_request_id=trace.id)
        values = _purchaser(rng, trace.purchaser_name)
        save_purchaser(liaison, trace, {name.removeprefix("purchaser_"): value for name, value in values.items()})
    db.session.commit()
    return _present(named)


def _present(named) -> str:
    count = db.session.scalar(select(func.count()).select_from(named.subquery())) or 0
    return f"Trace people: {count} demo trace requests name a possessor and a purchaser"
