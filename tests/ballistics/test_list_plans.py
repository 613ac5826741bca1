"""The examiners' queue and an item's leads walk indexes, on SQLite and on PostgreSQL, with thousands of
items and links of many agencies behind them (the checks of tests/core/test_list_plans.py)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select

from tests import factories
from tests.core import test_list_plans as plans
from tracer.ballistics import services
from tracer.ballistics.lead_views import pending_leads
from tracer.ballistics.models import BallisticItem, BallisticLink, Scene
from tracer.cases.models import CaseShare
from tracer.extensions import db

ITEMS = 3_000
START = datetime(2025, 1, 1, tzinfo=timezone.utc)
BALLISTIC_TABLES = ("ballistic_items", "ballistic_links")


@pytest.fixture
def seeded(ctx, monkeypatch):
    """Cases of nine agencies, a scene each, 3,000 cartridge cases spread over them and a lead between
    each pair of neighbours, most of them still waiting."""
    monkeypatch.setattr(plans, "BIG_TABLES", (*plans.BIG_TABLES, *BALLISTIC_TABLES))
    cases = plans.cases_of_nine_agencies(START)
    connection = db.session.connection()
    connection.execute(insert(Scene.__table__), [
        {"case_id": case.id, "agency_id": case.owner_agency_id, "occurred_on": date(2025, 1, 1), "state_code": "26",
         "coordinates_outside_state": False, "version": 1, "created_at": START, "updated_at": START}
        for case in cases])
    scenes = {row.case_id: row.id for row in db.session.execute(
        select(Scene.case_id, Scene.id).where(Scene.case_id.in_([case.id for case in cases])))}
    connection.execute(insert(BallisticItem.__table__), [
        {"kind": "cartridge_case", "case_id": cases[n % len(cases)].id, "scene_id": scenes[cases[n % len(cases)].id],
         "agency_id": cases[n % len(cases)].owner_agency_id, "polygonal": False, "custody_status": "seized",
         "ibis_ref": f"PLAN-{n:06d}", "version": 1, "created_at": START, "updated_at": START}
        for n in range(ITEMS)])
    items = db.session.execute(select(BallisticItem.id, BallisticItem.agency_id)
                               .where(BallisticItem.ibis_ref.like("PLAN-%")).order_by(BallisticItem.id)).all()
    connection.execute(insert(BallisticLink.__table__), [
        {"item_a_id": items[n].id, "item_b_id": items[n + 1].id, "agency_a_id": items[n].agency_id,
         "agency_b_id": items[n + 1].agency_id, "status": "lead" if n % 5 else "confirmed", "source": "ibis",
         "caliber_mismatch": False, "created_at": START + timedelta(minutes=n), "version": 1}
        for n in range(ITEMS - 1)])
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("ANALYZE")
    else:
        for table in BALLISTIC_TABLES:
            connection.exec_driver_sql(f"ANALYZE {table}")
    return items


@pytest.mark.parametrize("agency", ["FGR", "FGE-SON"])
def test_the_examiners_queue_walks_an_index(seeded, agency):
    examiner = factories.user("analyst", factories.agency(agency))
    plans._walk_twice(lambda cursor: pending_leads(examiner, cursor))
    first = pending_leads(examiner)
    assert [link.created_at for link in first.items] == sorted(link.created_at for link in first.items)
    assert all(link.status == "lead" for link in first.items)


def test_an_items_leads_are_read_by_index(seeded):
    examiner = factories.user("analyst", factories.agency("FGR"))
    item = services.get_item(examiner, seeded[1500].id)
    links = plans.assert_walks(lambda: list(db.session.scalars(services.item_links(item))), minimum=1)
    assert {link.id for link in links} and all(item.id in (link.item_a_id, link.item_b_id) for link in links)


def test_the_queue_of_an_agency_a_case_is_shared_with_walks_an_index(seeded):
    """With a case shared, the leads of its items join the queue, still walked along indexes."""
    sonora, chihuahua = factories.agency("FGE-SON"), factories.agency("FGE-CHIH")
    shared = db.session.scalar(select(BallisticItem.case_id).where(BallisticItem.agency_id == sonora.id).limit(1))
    db.session.add(CaseShare(case_id=shared, agency_id=chihuahua.id))
    db.session.flush()
    examiner = factories.user("analyst", chihuahua)
    plans._walk_twice(lambda cursor: pending_leads(examiner, cursor))
    seen = {link.id for link in db.session.scalars(services.link_query(examiner))}
    items = set(db.session.scalars(services.item_query(examiner).with_only_columns(BallisticItem.id)))
    expected = set(db.session.scalars(select(BallisticLink.id).where(
        BallisticLink.item_a_id.in_(items) | BallisticLink.item_b_id.in_(items))))
    assert seen == expected
    # some are seen only through the shared case: neither item is Chihuahua's
    assert any(chihuahua.id not in (link.agency_a_id, link.agency_b_id)
               for link in db.session.scalars(select(BallisticLink).where(BallisticLink.id.in_(seen))))
