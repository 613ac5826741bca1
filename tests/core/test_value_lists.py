"""A list of values looked up under an equality (``probed``): exactly the values held there, and
on PostgreSQL one probe of the index per value, even when the planner's statistics say the
equality matches no row (they lag behind an import that fills the table) and the plan is the
generic one a prepared statement settles on."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import insert, text
from sqlalchemy.orm import aliased

from tests import factories
from tracer.core.value_lists import among, probed
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.seizures.models import Seizure


def _firearms(seizure, agency_id: int | None, external_ids: list[str]) -> None:
    """Firearms recorded by ``agency_id`` (None: firearms of a register kept before it said which)."""
    db.session.execute(insert(Firearm.__table__), [
        {"seizure_id": seizure.id, "case_id": seizure.case_id, "agency_id": agency_id or seizure.agency_id,
         "firearm_type": "pistol", "serial_status": "intact", "recorded_by_agency_id": agency_id,
         "external_id": external_id}
        for external_id in external_ids])


@pytest.fixture
def two_agencies(ctx):
    seizure = factories.seizure(factories.case("FGR"), firearms=[])
    fgr, son = seizure.case.owner_agency_id, factories.agency("FGE-SON").id
    _firearms(seizure, son, [f"SON-{n:05d}" for n in range(1000)])
    return seizure, fgr, son


def test_only_the_values_held_under_the_condition_are_found(two_agencies):
    seizure, fgr, son = two_agencies
    _firearms(seizure, fgr, ["FGR-1", "FGR-2"])
    wanted = ["FGR-1", "FGR-2", "FGR-3", "SON-00001"]

    assert set(db.session.scalars(probed(wanted, Firearm.external_id, Firearm.recorded_by_agency_id == fgr))) \
        == {"FGR-1", "FGR-2"}
    assert set(db.session.scalars(probed(wanted, Firearm.external_id, Firearm.recorded_by_agency_id == son))) \
        == {"SON-00001"}
    recorded = aliased(Seizure)
    reference = seizure.seizure_ref or "REF-1"
    seizure.seizure_ref = reference
    db.session.flush()
    found = db.session.execute(probed([reference, "REF-OTHER"], recorded.seizure_ref,
                                      recorded.recorded_by_agency_id == seizure.recorded_by_agency_id,
                                      returning=recorded.id)).all()
    assert [tuple(row) for row in found] == [(reference, seizure.id)]


def _literal(value) -> str:
    """The test's own values as SQL (an EXECUTE's arguments take no parameters of their own)."""
    if isinstance(value, list):
        return "ARRAY[" + ", ".join(_literal(item) for item in value) + "]"
    return str(int(value)) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"


def _generic_plan(statement) -> str:
    """The plan PostgreSQL settles on for ``statement`` prepared, whatever its parameters."""
    compiled = statement.compile(db.session.get_bind())
    names = re.findall(r"%\((\w+)\)s", compiled.string)
    sql = re.sub(r"%\((\w+)\)s", lambda found: f"${names.index(found.group(1)) + 1}", compiled.string)
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
    connection.exec_driver_sql(f"PREPARE probed_plan AS {sql}")
    try:
        values = ", ".join(_literal(compiled.params[name]) for name in dict.fromkeys(names))
        return "\n".join(connection.exec_driver_sql(f"EXPLAIN EXECUTE probed_plan({values})").scalars())
    finally:
        connection.exec_driver_sql("DEALLOCATE probed_plan")


def test_each_value_is_one_probe_of_the_unique_index_when_the_statistics_lag(ctx):
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite plans every statement anew, from the same rules")
    seizure = factories.seizure(factories.case("FGR"), firearms=[])
    fgr = seizure.case.owner_agency_id
    _firearms(seizure, None, [f"OLD-{n:05d}" for n in range(3000)])
    db.session.execute(text("ANALYZE firearms"))  # the importing agency has recorded no firearm yet...
    _firearms(seizure, fgr, [f"FGR-{n:05d}" for n in range(3000)])  # ...then imports some
    wanted = [f"FGR-{n:05d}" for n in range(2990, 3010)]
    condition = Firearm.recorded_by_agency_id == fgr

    plan = _generic_plan(probed(wanted, Firearm.external_id, condition))
    assert "uq_firearms_recorded_by_agency_external_id" in plan, plan
    assert re.search(r"Index Cond: \(\(recorded_by_agency_id = \$\d\) AND \(external_id = ", plan), plan
    assert "Filter" not in plan, plan
    # The control: the same question as ``= ANY`` reads every firearm of the agency and filters them.
    control = _generic_plan(db.session.query(Firearm.external_id).filter(condition, among(Firearm.external_id, wanted))
                            .statement)
    assert re.search(r"Filter: .*external_id", control), control
