"""Connected groups: set-based keys joined by union-find; a key held by one case joins nothing."""
from __future__ import annotations

from tests import factories
from tests.networks.conftest import PLACES, completed, seized_case
from tracer.networks.groups import GroupFilters, UnionFind, all_groups, scoped_groups


def test_union_find_joins_chains():
    sets = UnionFind()
    sets.union(1, 2)
    sets.union(3, 4)
    sets.union(2, 4)
    assert len({sets.find(n) for n in (1, 2, 3, 4)}) == 1 and sets.find(5) != sets.find(1)


def test_the_same_firearm_twice_in_one_case_is_no_group(ctx, reference_data):
    case, _first = seized_case("FGE-SON", serial_number="TWICE001")
    factories.seizure(case, firearms=[factories.firearm_values(serial_number="TWICE001")], **PLACES["FGE-SON"])
    assert all_groups().agencies == {}


def test_a_dealer_of_one_case_or_of_a_pending_trace_is_no_group(ctx, reference_data):
    case, first = seized_case("FGE-SON", serial_number="ONEDEAL1")
    second = factories.seizure(case, firearms=[factories.firearm_values(serial_number="ONEDEAL2")],
                               **PLACES["FGE-SON"]).firearms[0]
    other, third = seized_case("FGE-JAL", serial_number="ONEDEAL3")
    completed(first, multiple_sale=False)
    completed(second, multiple_sale=False)
    pending = completed(third, status="submitted", multiple_sale=False)
    assert all_groups(["same_dealer"]).agencies == {}
    pending.status = "completed"
    assert set(all_groups(["same_dealer"]).agencies) == {case.id, other.id}


def test_the_ring_is_one_group_and_a_kind_filter_splits_it(ring):
    found = all_groups()
    assert len({found.sets.find(case_id) for case_id in found.agencies}) == 1
    assert set(found.agencies) == {ring.a.id, ring.b.id, ring.c.id}
    by_dealer = all_groups(["same_dealer"])
    assert set(by_dealer.agencies) == {ring.b.id, ring.c.id}
    federal = factories.user("supervisor", factories.agency("FGR"))
    groups, _spent = scoped_groups(federal, GroupFilters(kind="ballistic_hit"))
    assert [{case.id for case in group.cases} for group in groups] == [{ring.a.id, ring.c.id}]


def test_a_person_in_two_cases_joins_their_groups(ring):
    from tracer.people.services import record_person

    federal = factories.user("analyst", factories.agency("FGR"))
    buyer = factories.person(ring.a, role="purchaser", actor=federal)
    record_person(ring.d, "possessor", {"person_id": buyer.id}, federal)
    found = all_groups()
    assert set(found.agencies) == {ring.a.id, ring.b.id, ring.c.id, ring.d.id}
    assert found.kinds[ring.d.id] == {"same_purchaser"}
