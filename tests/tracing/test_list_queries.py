"""Tracing list pages read their rows in a fixed number of statements, however many rows."""
from __future__ import annotations

import secrets

import pytest
from sqlalchemy import event

from tests import factories
from tracer.extensions import db


def statements_for(client, path: str) -> int:
    sent = []
    listener = lambda *args: sent.append(1)  # noqa: E731
    db.session.expire_all()  # as in a new request: nothing read before is at hand
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(sent)


def test_the_backlog_does_not_read_each_rows_seizure_on_its_own(login_as, reference_data):
    analyst = login_as("analyst", "FGR")
    factories.firearm()
    few = statements_for(analyst, "/trace-requests/backlog")
    for _ in range(6):
        factories.firearm()
    assert statements_for(analyst, "/trace-requests/backlog") == few


@pytest.mark.parametrize("page", ["links", "case", "firearm"])
def test_traces_and_links_are_read_for_the_whole_list(login_as, reference_data, page):
    analyst = login_as("analyst", "FGR")
    seizure = factories.seizure()
    first = seizure.firearms[0]

    def add(count: int) -> None:
        for _ in range(count):
            # Serials far apart: recording does not link the new firearms to one another (the
            # factory's consecutive serials are one edit apart), so the list holds exactly the links made here.
            other = factories.firearm(seizure, serial_number=secrets.token_hex(6).upper())
            factories.trace_request(other, status="completed", outcome="us_retail", ffl_city="Tucson",
                                    ffl_state="AZ", origin_latitude=32.22, origin_longitude=-110.93,
                                    time_to_crime_days=400)
            factories.firearm_link(other, first)

    path = {"links": "/links", "case": f"/cases/{seizure.case_id}", "firearm": f"/firearms/{first.id}"}[page]
    add(1)
    few = statements_for(analyst, path)
    add(5)
    assert statements_for(analyst, path) == few
