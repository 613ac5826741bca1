"""Demo link analysis: the straw-purchasing ring is one group of three states' cases; written once."""
from __future__ import annotations

from sqlalchemy import func, select

from tests import factories
from tracer.auth.demo import seed_accounts
from tracer.cases.models import Case
from tracer.extensions import db
from tracer.firearms.reference import load_reference_data
from tracer.networks.demo import CASES, SUMMARY, seed_ring
from tracer.networks.groups import GroupFilters, scoped_groups
from tracer.tracing.models import TraceRequest


def test_the_ring_is_one_group_across_three_states(ctx):
    load_reference_data()
    seed_accounts()
    db.session.commit()
    assert "3 cases" in seed_ring()
    federal = factories.user("analyst", factories.agency("FGR"))
    groups, _spent = scoped_groups(federal, GroupFilters())
    ring = [group for group in groups if {case.title for case in group.cases} == {case[2] for case in CASES}]
    assert len(ring) == 1
    assert ring[0].kinds == ["same_dealer", "same_purchaser", "multiple_sale", "ballistic_hit"]
    assert {case.owner_agency.state_code for case in ring[0].cases} == {"26", "14", "08"}
    assert {trace.purchaser_name for trace in db.session.scalars(select(TraceRequest))} == {"Ramiro Téllez Ochoa"}
    assert seed_ring() == SUMMARY
    assert db.session.scalar(select(func.count()).select_from(Case)) == 3
