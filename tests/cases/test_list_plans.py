"""The cases room's own lists walk an index: the review queue, a case's timeline and notes,
and the case list of an agency that has cases shared with it (see tests/core/test_list_plans.py)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select, update

from tests import factories
from tests.core import test_list_plans as core_plans
from tests.core.test_list_plans import START, _seed, _walk_twice
from tracer.audit.models import AuditEvent
from tracer.cases import case_lists, notes, timeline
from tracer.cases.models import Case, CaseNote, CaseShare
from tracer.cases.review_queue import review_queue
from tracer.extensions import db


@pytest.fixture
def seeded(ctx):
    found = _seed()
    connection = db.session.connection()
    # One case in ten waits for review, submitted over the last weeks.
    ids = db.session.scalars(select(Case.id).where(Case.reference.like("TR-2024-%")).order_by(Case.id)).all()
    for n, case_id in enumerate(ids[::10]):
        connection.execute(update(Case.__table__).where(Case.__table__.c.id == case_id)
                           .values(status="in_review", submitted_at=START + timedelta(hours=n)))
    found["case_id"] = ids[0]
    first_seq = (db.session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0) + 1
    connection.execute(insert(AuditEvent.__table__), [
        {"seq": first_seq + n, "occurred_at": START + timedelta(seconds=n), "action": "case.update",
         "outcome": "success", "case_id": ids[n % 50], "prev_hash": f"q{first_seq + n:063x}",
         "hash": f"r{first_seq + n:063x}"} for n in range(2_000)])
    connection.execute(insert(CaseNote.__table__), [
        {"case_id": ids[n % 20], "body": f"Nota {n}", "created_at": START} for n in range(400)])
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("ANALYZE")
    else:
        for table in ("cases", "audit_events", "case_notes"):
            connection.exec_driver_sql(f"ANALYZE {table}")
    return found


@pytest.mark.parametrize("who", ["federal supervisor", "state supervisor"])
def test_the_review_queue_walks_an_index(seeded, who):
    user = factories.user("supervisor", factories.agency("FGR" if who.startswith("federal") else "FGE-SON"))
    _walk_twice(lambda cursor: review_queue(user, cursor, 1, 25))


def test_a_case_timeline_and_its_notes_walk_an_index(seeded, monkeypatch):
    # Notes grow with the work on every case: the plan check treats their table as a big one.
    monkeypatch.setattr(core_plans, "BIG_TABLES", core_plans.BIG_TABLES + ("case_notes",))
    case = db.session.get(Case, seeded["case_id"])
    # Shown on the case page without their totals: one statement a step, no count.
    _walk_twice(lambda cursor: timeline.case_timeline(case, cursor), minimum=1)
    _walk_twice(lambda cursor: notes.case_notes(case, cursor), minimum=1)


def test_the_case_list_of_an_agency_with_shared_cases_walks_an_index(seeded):
    jalisco = factories.agency("FGE-JAL")
    ids = db.session.scalars(select(Case.id).where(Case.owner_agency_id == seeded["son"].id).limit(30)).all()
    db.session.execute(insert(CaseShare.__table__), [
        {"case_id": case_id, "agency_id": jalisco.id, "shared_at": START} for case_id in ids])
    user = factories.user("analyst", jalisco)
    _walk_twice(lambda cursor: case_lists.list_cases(user, {}, 1, 25, cursor))
    # Of Sonora's cases, the analyst of Jalisco sees exactly those shared with their agency.
    page = case_lists.list_cases(user, {"agency": "FGE-SON"}, 1, 100)
    assert page.total == len(ids) and {case.id for case in page.items} == set(ids)
