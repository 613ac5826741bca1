"""The analysts' queue of likely duplicates and a case's people walk indexes, on SQLite and on PostgreSQL,
with thousands of people of many agencies behind them (the checks of tests/core/test_list_plans.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select

from tests import factories
from tests.core import test_list_plans as plans
from tracer.core.pagination import keyset_page
from tracer.extensions import db
from tracer.people import duplicates, services
from tracer.people.api import ROLE_ORDER
from tracer.people.models import CasePerson, Person, PersonDuplicate

PEOPLE = 3_000
START = datetime(2025, 1, 1, tzinfo=timezone.utc)
PEOPLE_TABLES = ("people", "case_people", "person_duplicates")


@pytest.fixture
def seeded(ctx, monkeypatch):
    """Cases of nine agencies, 3,000 people spread over them with a role each (a few hundred in one case),
    and a likely-duplicate pair between each pair of neighbours of one agency, most still waiting."""
    monkeypatch.setattr(plans, "BIG_TABLES", (*plans.BIG_TABLES, *PEOPLE_TABLES))
    cases = plans.cases_of_nine_agencies(START)
    connection = db.session.connection()
    connection.execute(insert(Person.__table__), [
        {"agency_id": cases[n % len(cases)].owner_agency_id, "last_names": f"Plan {n}", "sex": "unknown",
         "name_key": f"PLAN {n}/", "version": 1, "created_at": START, "updated_at": START} for n in range(PEOPLE)])
    people = db.session.execute(select(Person.id, Person.agency_id).where(Person.name_key.like("PLAN %"))
                                .order_by(Person.id)).all()
    connection.exec_driver_sql("UPDATE people SET canonical_id = id")
    connection.execute(insert(CasePerson.__table__), [
        {"case_id": cases[n % len(cases)].id, "agency_id": cases[n % len(cases)].owner_agency_id,
         "person_id": person.id, "role": "possessor", "created_at": START, "updated_at": START}
        for n, person in enumerate(people)])
    connection.execute(insert(PersonDuplicate.__table__), [
        {"person_a_id": people[n].id, "person_b_id": people[n + len(cases)].id, "agency_a_id": people[n].agency_id,
         "agency_b_id": people[n + len(cases)].agency_id, "kind": "name_dob",
         "status": "open" if n % 5 else "distinct", "created_at": START + timedelta(minutes=n)}
        for n in range(PEOPLE - len(cases))])
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("ANALYZE")
    else:
        for table in PEOPLE_TABLES:
            connection.exec_driver_sql(f"ANALYZE {table}")
    return cases


@pytest.mark.parametrize("agency", ["FGR", "FGE-SON"])
def test_the_duplicates_queue_walks_an_index(seeded, agency):
    analyst = factories.user("analyst", factories.agency(agency))
    plans._walk_twice(lambda cursor: duplicates.duplicate_queue(analyst, cursor))
    first = duplicates.duplicate_queue(analyst)
    assert [pair.created_at for pair in first.items] == sorted(pair.created_at for pair in first.items)
    assert all(pair.status == "open" for pair in first.items)


def test_a_cases_people_walk_an_index(seeded):
    case_id = seeded[0].id
    plans._walk_twice(lambda cursor: keyset_page(services.case_people_statement(case_id), ROLE_ORDER, cursor,
                                                 list_name="api.case-people"))
