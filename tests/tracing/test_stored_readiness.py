"""Readiness is stored on each firearm (``trace_ready``) wherever its identifiers are written:
the forms and the API (every ORM write), the import, and rows already there (the revision's
backfill, the SQL twin of the rule). The backlog filters and counts by it."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import select, text

from tests import factories
from tests.seizures.import_helpers import officer, row, run
from tests.tracing.helpers import not_ready_firearm, ready_firearm
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.tracing.backlog import BacklogFilters, backlog_counts, backlog_page
from tracer.tracing.readiness import ready_clause, trace_readiness

REVISION = next(Path(__file__).parents[2].joinpath("migrations", "versions").glob("b8c3d5e7f9a1_*.py"))


def _backfill_sql() -> str:
    spec = importlib.util.spec_from_file_location("readiness_revision", REVISION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return f"NOT ({module.MISSING})"


def test_the_stored_value_the_python_rule_the_sql_rule_and_the_backfill_agree(ctx, reference_data):
    firearms = [ready_firearm(), ready_firearm(importer=""), ready_firearm(country_of_manufacture="US", importer=""),
                ready_firearm(model=""), ready_firearm(caliber=""), ready_firearm(serial_status="none", serial_number=""),
                ready_firearm(serial_status="restored", serial_number="", restored_serial="BXK999"),
                ready_firearm(serial_status="obliterated", serial_number=""), ready_firearm(manufacturer="")]
    ids = [f.id for f in firearms]
    db.session.expire_all()
    stored = set(db.session.scalars(select(Firearm.id).where(Firearm.id.in_(ids), Firearm.trace_ready.is_(True))))
    in_python = {f.id for f in db.session.scalars(select(Firearm).where(Firearm.id.in_(ids)))
                 if trace_readiness(f).ready}
    in_sql = set(db.session.scalars(select(Firearm.id).where(Firearm.id.in_(ids), ready_clause())))
    backfilled = set(db.session.scalars(select(Firearm.id).where(Firearm.id.in_(ids), text(_backfill_sql()))))
    assert stored == in_python == in_sql == backfilled
    assert 0 < len(stored) < len(ids)


def test_fixing_an_identifier_moves_the_firearm_to_ready_in_the_backlog(ctx, reference_data):
    firearm = not_ready_firearm()
    analyst_filters = BacklogFilters(readiness="ready")
    analyst = factories.user("analyst", factories.agency("FGR"))
    assert firearm.trace_ready is False
    assert firearm.id not in {f.id for f in backlog_page(analyst, analyst_filters)[0].items}
    before = backlog_counts(analyst, BacklogFilters())
    firearm.importer = "Glock Inc."
    db.session.flush()
    db.session.expire_all()
    assert db.session.get(Firearm, firearm.id).trace_ready is True
    assert firearm.id in {f.id for f in backlog_page(analyst, analyst_filters)[0].items}
    after = backlog_counts(analyst, BacklogFilters())
    assert (after.ready, after.not_ready) == (before.ready + 1, before.not_ready - 1)
    firearm.model = " "  # and back: a blank model is missing
    db.session.flush()
    db.session.expire_all()
    assert db.session.get(Firearm, firearm.id).trace_ready is False


def test_the_import_stores_each_rows_readiness(ctx, reference_data):
    user = officer("FGR")
    report = run(user, [row("R1", "S-1"), row("R2", "S-1", importer="")])
    assert report.outcome == "imported"
    stored = dict(db.session.execute(select(Firearm.external_id, Firearm.trace_ready)
                                     .where(Firearm.external_id.in_(["R1", "R2"]))).all())
    assert stored == {"R1": True, "R2": False}
