"""The dealer watch list and the trace list's dealer filters walk an index, over a large table."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from tests import factories
from tests.core.test_list_plans import assert_walks, seeded  # noqa: F401 (the fixture)
from tracer.extensions import db
from tracer.tracing import request_lists
from tracer.tracing.dealers import DealerFilters, dealer_watch_list
from tracer.tracing.models import TraceRequest

LICENCES = ("5-74-201-01-4C-12345", "9-86-013-01-7D-00042", "9-33-019-01-5H-00777")


@pytest.fixture
def dealers(seeded):  # noqa: F811
    """Three fifths of each agency's seeded requests answered, naming one of three dealers (counted
    along each agency's own requests, so that every scope holds some whatever ids the database gave)."""
    chosen: dict[int, list[int]] = {n: [] for n in range(len(LICENCES))}
    position: dict[int, int] = {}
    for request_id, agency_id in db.session.execute(select(TraceRequest.id, TraceRequest.agency_id)
                                                    .order_by(TraceRequest.id)):
        n = position[agency_id] = position.get(agency_id, -1) + 1
        if n % 5 in chosen:
            chosen[n % 5].append(request_id)
    for n, licence in enumerate(LICENCES):
        db.session.execute(update(TraceRequest).where(TraceRequest.id.in_(chosen[n])).values(
            ffl_license=licence, ffl_state="TX", outcome="us_retail", status="completed",
            time_to_crime_days=300 + 400 * n, multiple_sale=n == 0, recovery_date=date(2024, 6, 1),
            recovery_state="26"))
    db.session.execute(update(TraceRequest).where(TraceRequest.ffl_license.is_(None))
                       .values(recovery_date=date(2024, 6, 1), recovery_state="14"))
    connection = db.session.connection()
    connection.exec_driver_sql("ANALYZE" if connection.dialect.name == "sqlite" else "ANALYZE trace_requests")
    return seeded


@pytest.mark.parametrize("who", ["federal analyst", "state analyst"])
@pytest.mark.parametrize("filters", [DealerFilters(), DealerFilters(year="2024", us_state="TX")])
def test_the_dealer_watch_list_walks_an_index(dealers, who, filters):
    user = factories.user("analyst", factories.agency("FGR" if who.startswith("federal") else "FGE-SON"))
    listing = assert_walks(lambda: dealer_watch_list(user, filters), minimum=2)
    shown = {d.ffl_license for d in listing.dealers}
    assert shown == set(LICENCES) if who.startswith("federal") else shown and shown <= set(LICENCES)


@pytest.mark.parametrize("who", ["federal analyst", "state analyst"])
def test_the_trace_list_of_one_dealer_walks_an_index(dealers, who):
    user = factories.user("analyst", factories.agency("FGR" if who.startswith("federal") else "FGE-SON"))
    filters = request_lists.RequestFilters(ffl_license=LICENCES[0], short_ttc="yes", recovered_from="2024-01-01",
                                              recovered_to="2024-12-31")
    page = assert_walks(lambda: request_lists.list_requests(user, filters, 1, 25, None), minimum=1)
    assert all(t.ffl_license == LICENCES[0] for t in page.items)
    assert page.items or not who.startswith("federal")
