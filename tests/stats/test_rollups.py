"""The counters behind the dashboards: the triggers keep what a recount finds, and a date range
read as years, months and days counts each seizure date exactly once."""
from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from tests import factories
from tracer.core.bulk_write import BULK_WRITES, insert_numbered
from tracer.extensions import db
from tracer.firearms.serials import serial_search_keys
from tracer.search.scope import search_serials
from tracer.firearms.models import Firearm
from tracer.seizures.models import Seizure
from tracer.stats import rollups
from tracer.stats.filters import StatsFilters
from tracer.stats.services import by_month, firearm_counts, seizure_count, time_to_crime, trace_figures
from tracer.tracing.models import TraceRequest


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _covered(ranges) -> list[date]:
    """Every seizure date the grains and periods of ``ranges`` stand for."""
    found = []
    for grain, first, last in ranges:
        if grain == "d":
            found += _days(first, last)
        elif grain == "m":
            month = first
            while month <= last:
                following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
                found += _days(month, following - timedelta(days=1))
                month = following
        else:
            assert grain == "y"
            found += _days(first, date(last.year, 12, 31))
    return found


@pytest.mark.parametrize("first, last", [
    (date(2025, 1, 1), date(2025, 12, 31)),       # one whole year
    (date(2022, 3, 15), date(2023, 8, 10)),       # days, months, months, days
    (date(2020, 2, 29), date(2024, 3, 1)),        # leap days, whole years between
    (date(2025, 6, 1), date(2025, 6, 30)),        # one whole month
    (date(2025, 6, 3), date(2025, 6, 3)),         # one day
    (date(2025, 12, 31), date(2026, 1, 1)),       # across a new year, two days
    (date(2019, 1, 1), date(2023, 2, 28)),        # whole years then whole months
])
def test_a_date_range_is_read_as_each_of_its_days_once(first, last):
    for years in (True, False):
        ranges = rollups.periods(first, last, years)
        assert sorted(_covered(ranges)) == _days(first, last)
        assert len(ranges) <= 5
        if not years:
            assert {grain for grain, _first, _last in ranges} <= {"m", "d"}


def test_open_ranges_reach_the_first_and_last_representable_days():
    assert rollups.periods(None, None) == [("a", rollups.ALL_TIME, rollups.ALL_TIME)]
    assert rollups.periods(None, None, years=False) == [("m", rollups.ALL_TIME, date(9999, 12, 1))]
    assert rollups.periods(date(2025, 3, 2), None) == [
        ("d", date(2025, 3, 2), date(2025, 3, 31)), ("m", date(2025, 4, 1), date(2025, 12, 1)),
        ("y", date(2026, 1, 1), date(9999, 1, 1))]
    assert rollups.periods(None, date(2025, 3, 2)) == [
        ("y", rollups.ALL_TIME, date(2024, 1, 1)), ("m", date(2025, 1, 1), date(2025, 2, 1)),
        ("d", date(2025, 3, 1), date(2025, 3, 2))]


def _counters() -> dict[str, list[tuple]]:
    found = {}
    for rollup in rollups.ROLLUPS:
        rows = db.session.execute(text(f"SELECT * FROM {rollup.table} WHERE n <> 0")).all()
        found[rollup.table] = sorted(tuple(round(value, 6) if isinstance(value, float) else str(value)
                                           for value in row) for row in rows)
    return found


def _recounted() -> dict[str, list[tuple]]:
    rollups.refill(db.session.connection())
    return _counters()


def test_the_triggers_keep_what_a_recount_finds(register):
    son = register["son"]
    # New seizures (one in a month and state of its own), an edited firearm, traces moving on.
    factories.seizure(son, seized_on="2023-11-30", municipality="043", firearms=[
        factories.firearm_values(), factories.firearm_values(firearm_type="revolver", caliber=".38 SPL")])
    rifle = db.session.scalars(select(Firearm).where(Firearm.firearm_type == "rifle")).one()
    rifle.firearm_type, rifle.caliber_id, rifle.caliber_text = "shotgun", None, "calibre escrito a mano"
    db.session.flush()
    houston = db.session.scalars(select(TraceRequest).where(TraceRequest.ffl_city == "Houston")).one()
    houston.ffl_city, houston.origin_latitude, houston.time_to_crime_days = "Dallas", 32.78, 3000
    no_trace = db.session.scalars(select(TraceRequest).where(TraceRequest.status == "no_trace")).one()
    no_trace.status, no_trace.outcome = "draft", None
    # A seizure whose date and state are corrected moves its firearms and their traces.
    nogales = db.session.scalars(select(Seizure).where(Seizure.municipality_code == "043",
                                                       Seizure.seized_on == date(2025, 5, 2))).one()
    nogales.seized_on, nogales.state_code, nogales.municipality_code = date(2024, 12, 31), "02", "004"
    db.session.flush()
    kept = _counters()
    assert kept == _recounted()
    assert kept["stats_seizures"], "the register is counted"
    db.session.rollback()


def _bulk_seizure(case, agency_id: int, seized_on: date, state: str, firearms: list[dict]) -> None:
    [seizure_id] = insert_numbered(Seizure.__table__, [{
        "case_id": case.id, "agency_id": agency_id, "recorded_by_agency_id": agency_id, "seized_on": seized_on,
        "state_code": state, "municipality_code": "030", "version": 1}])
    insert_numbered(Firearm.__table__, [{
        "seizure_id": seizure_id, "case_id": case.id, "agency_id": case.owner_agency_id, "serial_status": "intact",
        "recorded_by_agency_id": agency_id, "version": 1, "caliber_text": None, "serial_normalized": None,
        "serial_number": firearm.get("serial_normalized"), **firearm, **serial_search_keys(firearm.get("serial_normalized"), None)} for firearm in firearms])


def test_a_bulk_insert_counts_and_indexes_its_rows_as_the_row_triggers_do(register):
    """An import writes with ``insert_numbered``: on SQLite its rows skip the row triggers and
    are counted, and their serials indexed, once per batch."""
    son, jal = register["son"], register["jal"]
    _bulk_seizure(son, son.owner_agency_id, date(2023, 11, 30), "26", [
        {"firearm_type": "pistol", "caliber_text": "calibre escrito a mano", "serial_normalized": "QZX48213"},
        {"firearm_type": "rifle", "serial_normalized": "QZX48214"},
        {"firearm_type": "rifle", "serial_normalized": None, "serial_status": "obliterated"}])
    _bulk_seizure(jal, son.owner_agency_id, date(2025, 4, 1), "14", [
        {"firearm_type": "shotgun", "serial_normalized": "WVB70021"}])
    # A completed trace of the first new pistol, copied from the register's Houston result.
    pistol = db.session.scalar(select(Firearm).where(Firearm.serial_normalized == "QZX48213"))
    houston = db.session.execute(select(TraceRequest.__table__).where(TraceRequest.ffl_city == "Houston")).one()
    insert_numbered(TraceRequest.__table__, [{
        **{key: value for key, value in houston._mapping.items() if key != "id"},
        "trace_number": f"{houston.trace_number}-B", "firearm_id": pistol.id, "case_id": pistol.case_id}])

    assert db.session.scalar(select(func.count()).select_from(BULK_WRITES)) == 0  # the triggers count again
    kept = _counters()
    assert kept == _recounted()
    assert db.session.scalar(text("SELECT sum(n) FROM stats_firearms WHERE grain = 'a'")) == \
        db.session.scalar(select(func.count()).select_from(Firearm))
    # The serial search finds the new serials by a part (trigrams) and by known positions (grams).
    def found(agency: str, pattern: str) -> set[str]:
        return {hit.serial_number for hit in search_serials(_user("analyst", agency), pattern, "partial").hits}

    assert found("FGE-SON", "QZX4821") == {"QZX48213", "QZX48214"}
    assert found("FGE-SON", "Q?X4?21?") == {"QZX48213", "QZX48214"}
    assert found("FGE-JAL", "70021") == {"WVB70021"}
    db.session.rollback()


def test_a_bulk_insert_that_fails_leaves_the_row_triggers_counting(register):
    if db.session.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL's statement triggers need no marker; a failed statement ends its transaction")
    son = register["son"]
    with pytest.raises(sqlite3.IntegrityError):
        _bulk_seizure(son, son.owner_agency_id, date(2023, 11, 30), "26", [{"firearm_type": "ametralladora"}])
    assert db.session.scalar(select(func.count()).select_from(BULK_WRITES)) == 0
    db.session.rollback()


def test_a_trace_that_leaves_the_draft_takes_its_firearm_out_of_the_backlog(register):
    drafts = db.session.scalars(select(TraceRequest).where(TraceRequest.status == "no_trace")).one()
    backlog_before = db.session.scalar(text("SELECT sum(untraced) FROM stats_firearms WHERE grain = 'a'"))
    drafts.status, drafts.outcome = "draft", None
    db.session.flush()
    assert db.session.scalar(text("SELECT sum(untraced) FROM stats_firearms WHERE grain = 'a'")) == backlog_before + 1
    drafts.status = "submitted"
    db.session.flush()
    assert db.session.scalar(text("SELECT sum(untraced) FROM stats_firearms WHERE grain = 'a'")) == backlog_before
    db.session.rollback()


def _user(role="supervisor", agency="FGR"):
    return factories.user(role=role, agency=factories.agency(agency))


@pytest.mark.parametrize("first, last", [
    (None, None), (date(2025, 3, 14), date(2025, 4, 1)), (date(2024, 1, 1), date(2025, 3, 13)),
    (date(2025, 3, 15), None), (None, date(2025, 3, 14)), (date(2025, 4, 2), date(2025, 5, 1)),
])
def test_the_figures_of_a_date_range_are_those_of_the_register(register, first, last):
    user = _user()
    filters = StatsFilters(first, last)

    def within(statement):
        if first:
            statement = statement.where(Seizure.seized_on >= first)
        if last:
            statement = statement.where(Seizure.seized_on <= last)
        return statement

    firearms = within(select(Firearm.firearm_type, func.count()).join(Seizure, Seizure.id == Firearm.seizure_id)
                      .group_by(Firearm.firearm_type))
    expected_types = dict(db.session.execute(firearms).all())
    assert seizure_count(user, filters) == db.session.scalar(within(select(func.count(Seizure.id))))
    counted = firearm_counts(user, filters)
    assert {kind: n for kind, n in counted["by_type"].items() if n} == expected_types
    months = by_month(user, filters)
    assert sum(month["firearms"] for month in months) == sum(expected_types.values())
    traces = within(select(func.count(TraceRequest.id)).join(Firearm, Firearm.id == TraceRequest.firearm_id)
                    .join(Seizure, Seizure.id == Firearm.seizure_id))
    assert trace_figures(user, filters)["trace_requests"] == db.session.scalar(traces)
    days = sorted(db.session.scalars(within(
        select(TraceRequest.time_to_crime_days).join(Firearm, Firearm.id == TraceRequest.firearm_id)
        .join(Seizure, Seizure.id == Firearm.seizure_id)
        .where(TraceRequest.status == "completed", TraceRequest.time_to_crime_days.is_not(None)))))
    median = time_to_crime(user, filters)["median_ttc_days"]
    if not days:
        assert median is None
    else:
        middle = days[(len(days) - 1) // 2:len(days) // 2 + 1]
        assert median == sum(middle) / len(middle)


def test_the_median_is_exact_across_counter_buckets(register):
    """Many traces spread over buckets of 30 days: the median is the middle day, not a bucket's."""
    son = register["son"]
    seizure = factories.seizure(son, seized_on="2025-06-01", firearms=[factories.firearm_values() for _ in range(7)])
    for firearm, ttc in zip(seizure.firearms, (5, 31, 62, 64, 400, 401, 9000)):
        factories.trace_request(firearm, status="completed", outcome="us_retail",
                                purchase_date=firearm.seizure.seized_on - timedelta(days=ttc), time_to_crime_days=ttc)
    db.session.flush()
    only_june = StatsFilters(date(2025, 6, 1), date(2025, 6, 30))
    figures = time_to_crime(_user(), only_june)
    assert figures["median_ttc_days"] == 64
    assert figures["dated"] == 7
    assert figures["short_ttc_pct"] == round(100 * 6 / 7, 1)
    figures = time_to_crime(_user(), StatsFilters())  # with 400 and 2,000 days of the register: 9 values
    assert figures["median_ttc_days"] == 400
    db.session.rollback()


def test_flask_stats_rebuild_recounts_what_went_around_the_triggers(app, register):
    """A load that went around the triggers (here: a counter lost) is repaired by the command."""
    kept = _counters()
    db.session.execute(text("DELETE FROM stats_firearms"))
    db.session.commit()
    assert _counters()["stats_firearms"] == []
    result = app.test_cli_runner().invoke(args=["stats", "rebuild", "--lang", "es"])
    assert result.exit_code == 0, result.output
    assert "Contadores del tablero recontados" in result.output
    db.session.expire_all()
    assert _counters() == kept
    assert db.session.scalar(text("SELECT count(*) FROM audit_events WHERE action = 'stats.rebuild'")) == 1
