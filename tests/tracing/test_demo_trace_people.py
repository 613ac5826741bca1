"""Demo trace requests carry a possessor, and their US retail results a purchaser recorded as a person."""
from __future__ import annotations

from sqlalchemy import func, select

from tracer.auth.demo import seed_accounts
from tracer.extensions import db
from tracer.firearms.reference import load_reference_data
from tracer.people.models import CasePerson
from tracer.seizures.demo import seed_seizures
from tracer.tracing.demo import seed_traces
from tracer.tracing.demo_people import seed_trace_people
from tracer.tracing.models import TraceRequest


def test_demo_traces_name_a_possessor_and_a_purchaser_person(ctx):
    load_reference_data()
    seed_accounts()
    db.session.commit()
    seed_seizures(300, 2026)
    seed_traces(2026)
    line = seed_trace_people(2026)
    rows = list(db.session.scalars(select(CasePerson).where(CasePerson.trace_request_id.is_not(None))))
    possessors = {row.trace_request_id for row in rows if row.role == "possessor"}
    purchasers = {row.trace_request_id: row for row in rows if row.role == "purchaser"}
    assert possessors and set(purchasers) == possessors, line
    for trace_id, row in purchasers.items():
        trace = db.session.get(TraceRequest, trace_id)
        assert trace.outcome == "us_retail" and row.person.full_name == trace.purchaser_name
        assert row.person.id_kind == "us_driver_license" and row.person.birth_date is not None
    count = db.session.scalar(select(func.count()).select_from(CasePerson))
    assert line == f"Trace people: {len(possessors)} demo trace requests name a possessor and a purchaser"
    assert seed_trace_people(2026) == line
    assert db.session.scalar(select(func.count()).select_from(CasePerson)) == count
