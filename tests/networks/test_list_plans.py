"""A case's neighbourhood is read by indexed lookups, on SQLite and on PostgreSQL, with thousands of
cases, firearms and traces behind it (the checks of tests/core/test_list_plans.py)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import String, cast, select, update

from tests import factories
from tests.core import test_list_plans as plans
from tracer.cases.models import Case
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.networks import links
from tracer.tracing.models import TraceRequest


@pytest.fixture
def seeded(ctx):
    found = plans._seed()
    first = db.session.scalar(select(TraceRequest.id).order_by(TraceRequest.id).limit(1))
    db.session.execute(update(TraceRequest).where(TraceRequest.id < first + 1_500)
                       .values(status="completed", ffl_license=cast(TraceRequest.id % 300, String), purchase_date=date(2024, 1, 1),
                               multiple_sale=True).execution_options(synchronize_session=False))
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("ANALYZE")
    else:
        connection.exec_driver_sql("ANALYZE trace_requests")
    return found


def test_a_cases_neighbourhood_walks_indexes(seeded):
    analyst = factories.user("analyst", factories.agency("FGR"))
    case = db.session.get(Case, db.session.scalar(select(TraceRequest.case_id).where(TraceRequest.status == "completed")
                                                  .order_by(TraceRequest.id).limit(1)))
    graph = plans.assert_walks(lambda: links.neighbourhood(case, 2), minimum=2)  # one statement per step
    assert len(graph.steps) > 1 and any("same_dealer" in kinds for kinds in graph.edges.values())
    assert db.session.scalar(select(Firearm.id).limit(1)) is not None
    network = links.shown_network(analyst, graph, "test")
    assert network.center.case.id == case.id
