"""The links service: each kind, links of several kinds, depth, and what a reader of another state sees."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests import factories
from tests.networks.conftest import completed, seized_case
from tracer.audit.models import AuditEvent
from tracer.deconfliction.budget import EXTENSION, DisclosureBudget, budget
from tracer.deconfliction.models import DeconflictionNotice
from tracer.extensions import db
from tracer.networks import links


def linked(user, case, depth=1, kinds=None):
    network = links.case_network(user, case, depth, kinds)
    return {(node.case.reference if node.case else node.agency.acronym): edge.kinds
            for node, edge in network.neighbours()}, network


def test_the_same_firearm_in_two_cases_links_them(ring):
    federal = factories.user("analyst", factories.agency("FGR"))
    found, network = linked(federal, ring.a)
    assert found[ring.b.reference] == ["same_firearm"]
    edge = dict((node.key, edge) for node, edge in network.neighbours())[f"c{ring.b.id}"]
    assert edge.evidence["same_firearm"] == ("firearm", sorted([ring.firearm_a.id, ring.firearm_b.id]))


def test_another_maker_or_caliber_is_another_firearm(ctx, reference_data):
    federal = factories.user("analyst", factories.agency("FGR"))
    one, _ = seized_case("FGE-SON", serial_number="SAME0001")
    other_maker, _ = seized_case("FGE-JAL", serial_number="SAME0001", manufacturer="Smith & Wesson", model="M&P9")
    other_caliber, _ = seized_case("FGE-JAL", serial_number="SAME0001", caliber=".40 S&W")
    assert linked(federal, one)[0] == {}


def test_a_confirmed_possible_same_firearm_links_the_cases(ctx, reference_data):
    federal = factories.user("analyst", factories.agency("FGR"))
    one, first = seized_case("FGE-SON", serial_number="LOOK0001")
    two, second = seized_case("FGE-JAL", serial_number="L00K0001X")
    link = factories.firearm_link(second, first, match="edit", status="possible")
    assert linked(federal, one)[0] == {}
    link.status = "confirmed"
    db.session.flush()
    assert linked(federal, one)[0] == {two.reference: ["same_firearm"]}


def test_traces_to_one_dealer_link_cases_and_one_multiple_sale_too(ring):
    federal = factories.user("analyst", factories.agency("FGR"))
    assert linked(federal, ring.b)[0][ring.c.reference] == ["same_dealer", "multiple_sale"]
    ring.trace_c.purchase_date = ring.trace_c.purchase_date.replace(year=2023)
    db.session.flush()
    assert linked(federal, ring.b)[0][ring.c.reference] == ["same_dealer"]


def test_a_trace_not_completed_links_nothing(ctx, reference_data):
    federal = factories.user("analyst", factories.agency("FGR"))
    one, first = seized_case("FGE-SON", serial_number="DEAL0001")
    two, second = seized_case("FGE-JAL", serial_number="DEAL0002")
    completed(first)
    pending = completed(second, status="submitted")
    assert linked(federal, one)[0] == {}
    pending.status = "completed"
    db.session.flush()
    assert linked(federal, one)[0] == {two.reference: ["same_dealer", "multiple_sale"]}


def test_a_confirmed_ballistic_hit_links_the_cases_and_a_lead_does_not(ring):
    federal = factories.user("analyst", factories.agency("FGR"))
    assert linked(federal, ring.a)[0][ring.c.reference] == ["ballistic_hit"]
    ring.hit.status = "lead"
    db.session.flush()
    assert ring.c.reference not in linked(federal, ring.a)[0]


def test_depth_reaches_cases_further_away(ring):
    federal = factories.user("analyst", factories.agency("FGR"))
    one_step, _ = linked(federal, ring.b, 1)
    assert set(one_step) == {ring.a.reference, ring.c.reference}
    network = links.case_network(federal, ring.d, 3)
    assert [node.key for node in network.nodes] == [f"c{ring.d.id}"]
    by_kind = links.case_network(federal, ring.b, 2, ["same_firearm"])
    assert {node.case.reference for node in by_kind.nodes} == {ring.a.reference, ring.b.reference}


def test_another_states_cases_are_one_restricted_node_per_agency(ring):
    sonora = factories.user("analyst", factories.agency("FGE-SON"))
    network = links.case_network(sonora, ring.a, 2)
    restricted = [node for node in network.nodes if node.restricted]
    assert sorted(node.agency.acronym for node in restricted) == ["FGE-CHIH", "FGE-JAL"]
    jalisco = next(node for node in restricted if node.agency.acronym == "FGE-JAL")
    assert jalisco.kinds == ["same_firearm"]  # their link to Chihuahua is between two hidden cases: not told
    assert jalisco.reference.startswith("DC-") and jalisco.case is None
    for edge in network.edges_of(jalisco.key):
        assert edge.evidence == {}  # nothing of theirs: no firearm, no trace
    db.session.commit()
    notices = db.session.scalars(select(DeconflictionNotice).where(DeconflictionNotice.told_user_id == sonora.id)).all()
    assert {notice.channel for notice in notices} == {"link"}
    assert {notice.owner_agency.acronym for notice in notices} == {"FGE-JAL", "FGE-CHIH"}


def test_restricted_entries_count_against_the_budget_and_show_again_free(ring, app):
    sonora = factories.user("analyst", factories.agency("FGE-SON"))
    kept = app.extensions[EXTENSION]
    app.extensions[EXTENSION] = DisclosureBudget("memory://", 1, key_prefix="networks-test")
    try:
        first = links.case_links(sonora, ring.a, "test")
        told = [node for node in first.nodes if node.restricted]
        assert len(told) == 1 and first.limit_reached  # two agencies, one unit: the second is withheld
        again = links.case_links(sonora, ring.a, "test")
        assert [node.reference for node in again.nodes if node.restricted] == [told[0].reference]
        assert budget().spent(sonora.id)
    finally:
        app.extensions[EXTENSION] = kept


def test_disclosures_are_audited_without_case_data(ring):
    sonora = factories.user("analyst", factories.agency("FGE-SON"))
    links.case_links(sonora, ring.a, "test")
    db.session.commit()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.username == sonora.username)).all()
    assert events and {event.action for event in events} <= {"deconfliction.disclose", "deconfliction.withhold"}
    text = " ".join(str(event.details) for event in events)
    for secret in ("RING0001", ring.b.reference, ring.c.reference, "Prestanombres", ring.trace_c.ffl_license):
        assert secret not in text


def test_a_network_larger_than_the_page_draws_is_cut_and_says_so(ring):
    graph = links.neighbourhood(ring.b, 3, limit=2)
    assert graph.truncated and len(graph.steps) == 2
    assert not links.neighbourhood(ring.b, 3).truncated


def test_a_kind_with_more_links_than_a_step_reads_is_cut_and_says_so(ring, monkeypatch):
    third, firearm = seized_case("FGE-SON", serial_number="RING0004")
    completed(firearm, purchase_date=date(2023, 2, 1))
    whole = links.neighbourhood(ring.b, 1, ["same_dealer"])
    assert set(whole.steps) == {ring.b.id, ring.c.id, third.id} and not whole.truncated
    monkeypatch.setattr(links, "ROWS_PER_STEP", 1)
    cut = links.neighbourhood(ring.b, 1, ["same_dealer"])
    assert cut.truncated and len(cut.steps) == 2 and set(cut.steps) < set(whole.steps)
    assert not links.neighbourhood(ring.b, 1, ["same_firearm"]).truncated  # one link of its kind: whole


def test_the_same_person_as_purchaser_or_possessor_links_cases(ring):
    from tracer.people.services import record_person

    federal = factories.user("analyst", factories.agency("FGR"))
    buyer = factories.person(ring.a, role="purchaser", actor=federal, last_names="Téllez Ochoa", first_names="Ramiro")
    assert ring.d.reference not in linked(federal, ring.a)[0]
    record_person(ring.d, "possessor", {"person_id": buyer.id}, federal)
    db.session.flush()
    found, network = linked(federal, ring.d)
    assert found == {ring.a.reference: ["same_purchaser"]}
    edge = network.neighbours()[0][1]
    assert edge.evidence["same_purchaser"] == ("person", [buyer.id])
    sonora_officer = factories.user("officer", factories.agency("FGE-SON"))
    page_text = str([(node.key, node.kinds) for node in links.case_links(sonora_officer, ring.d, "test").nodes])
    assert "Téllez" not in page_text
