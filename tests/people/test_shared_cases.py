"""Likely duplicates across a case shared with another agency: its analysts see the pair when they may read
both people, open it and say "not the same person"; merging another agency's record stays with that agency."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests import factories
from tests.people.conftest import POSSESSOR
from tests.people.test_api import as_user
from tests.people.test_pages import sign_in
from tracer.auth.scope import agency_scope
from tracer.cases import sharing
from tracer.core.errors import Forbidden
from tracer.extensions import db
from tracer.people import duplicates
from tracer.people.models import Person, PersonDuplicate, PersonMerge

# What the comparison page says to an analyst who may compare the records but not merge them.
MERGE_REFUSED = "lo registró una institución fuera de su ámbito"


@pytest.fixture
def shared(world):
    """The same CURP recorded in the Sonora case shared with FGE-JAL, in the other (unshared) Sonora case,
    and in the Jalisco case: three pairs, of which FGE-JAL may read both people of one."""
    sonora_shared = factories.person(world.sonora_case, **POSSESSOR)
    sonora_unshared = factories.person(world.sonora_case_2, **{**POSSESSOR, "last_names": "Valenzuela Sin Compartir"})
    jalisco = factories.person(world.jalisco_case, **{**POSSESSOR, "last_names": "Valenzuela De Jalisco"})
    share = sharing.share_case(world.sonora_supervisor, world.sonora_case, world.jalisco_case.owner_agency_id)
    db.session.commit()

    def pair(first, second):
        low, high = sorted((first.id, second.id))
        return db.session.scalar(select(PersonDuplicate).where(PersonDuplicate.person_a_id == low,
                                                               PersonDuplicate.person_b_id == high))

    return {"share": share, "sonora": sonora_shared, "unshared": sonora_unshared, "jalisco": jalisco,
            "visible": pair(sonora_shared, jalisco), "hidden": [pair(sonora_unshared, jalisco),
                                                                pair(sonora_shared, sonora_unshared)]}


def queued_pairs(page: str) -> set[int]:
    return {int(number) for number in re.findall(r'id="pair-(\d+)"', page)}


def home_count(page: str) -> int:
    return int(re.search(r'href="/people/duplicates"><strong class="worklist__count" data-count="(\d+)"', page)[1])


def merge_path(pair: PersonDuplicate) -> str:
    return f"/people/{pair.person_a_id}/merge/{pair.person_b_id}"


def test_an_analyst_sees_a_pair_with_a_person_of_a_case_shared_with_them_and_marks_it_distinct(app, world, shared):
    pair = shared["visible"]
    web = sign_in(app, world.jalisco_analyst)
    queue = web.get("/people/duplicates").get_data(as_text=True)
    assert queued_pairs(queue) == {pair.id}
    assert merge_path(pair) in queue and f"/people/duplicates/{pair.id}/distinct" in queue
    assert home_count(web.get("/").get_data(as_text=True)) == 1
    person_page = web.get(f"/people/{shared['jalisco'].id}").get_data(as_text=True)
    assert f"/people/{shared['jalisco'].id}/merge/{shared['sonora'].id}" in person_page
    assert "Sin Compartir" not in person_page
    compared = web.get(merge_path(pair))
    assert compared.status_code == 200
    assert "Valenzuela De Jalisco" in compared.get_data(as_text=True)
    done = web.post(f"/people/duplicates/{pair.id}/distinct", {}, token_from="/people/duplicates")
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(PersonDuplicate, pair.id).status == "distinct"
    assert queued_pairs(web.get("/people/duplicates").get_data(as_text=True)) == set()


def test_merging_another_agencys_person_read_through_a_share_is_refused_and_changes_nothing(app, world, shared):
    pair = shared["visible"]
    web = sign_in(app, world.jalisco_analyst)
    compared = web.get(merge_path(pair)).get_data(as_text=True)
    assert MERGE_REFUSED in compared and 'name="reason"' not in compared
    refused = web.post(merge_path(pair), {"keep": str(shared["jalisco"].id), "reason": "Misma CURP"},
                       token_from=f"/people/{shared['jalisco'].id}")
    assert refused.status_code == 403 and MERGE_REFUSED in refused.get_data(as_text=True)
    call = as_user(app, world.jalisco_analyst)
    for merged, kept in ((shared["sonora"], shared["jalisco"]), (shared["jalisco"], shared["sonora"])):
        response = call("POST", f"/people/{merged.id}/merge", json={"into": kept.id, "reason": "Misma CURP"})
        assert response.status_code == 403 and MERGE_REFUSED in response.get_json()["error"]["message"]
    db.session.expire_all()
    assert db.session.get(Person, shared["sonora"].id).merged_into_id is None
    assert db.session.get(Person, shared["jalisco"].id).merged_into_id is None
    assert db.session.scalar(select(PersonMerge.id)) is None
    assert db.session.get(PersonDuplicate, pair.id).status == "open"


def test_a_federal_analyst_still_merges_the_pair(app, world, shared):
    pair = shared["visible"]
    web = sign_in(app, world.federal_analyst)
    assert MERGE_REFUSED not in web.get(merge_path(pair)).get_data(as_text=True)
    done = web.post(merge_path(pair), {"keep": str(shared["sonora"].id), "reason": "Misma CURP"},
                    token_from=merge_path(pair))
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, shared["jalisco"].id).merged_into_id == shared["sonora"].id


def test_a_supervisor_of_the_shared_agency_sees_the_pair_but_does_not_decide(app, world, shared):
    pair = shared["visible"]
    supervisor = factories.user("supervisor", world.jalisco_case.owner_agency)
    db.session.commit()
    web = sign_in(app, supervisor)
    queue = web.get("/people/duplicates").get_data(as_text=True)
    assert queued_pairs(queue) == {pair.id} and f"/people/duplicates/{pair.id}/distinct" not in queue
    assert web.get(merge_path(pair)).status_code == 403
    assert web.post(f"/people/duplicates/{pair.id}/distinct", {}, token_from="/people/duplicates").status_code == 403
    db.session.expire_all()
    assert db.session.get(PersonDuplicate, pair.id).status == "open"


def test_after_the_share_is_revoked_the_pair_is_gone(app, world, shared):
    pair = shared["visible"]
    web = sign_in(app, world.jalisco_analyst)
    assert queued_pairs(web.get("/people/duplicates").get_data(as_text=True)) == {pair.id}
    sharing.revoke_share(world.sonora_supervisor, world.sonora_case, shared["share"].id)
    db.session.commit()
    assert queued_pairs(web.get("/people/duplicates").get_data(as_text=True)) == set()
    assert home_count(web.get("/").get_data(as_text=True)) == 0
    assert web.get(merge_path(pair)).status_code == 404
    assert web.post(f"/people/duplicates/{pair.id}/distinct", {}, token_from="/people/duplicates").status_code == 404
    db.session.expire_all()
    assert db.session.get(PersonDuplicate, pair.id).status == "open"


def test_a_pair_with_a_person_of_an_unshared_case_of_another_agency_stays_hidden(app, world, shared):
    web = sign_in(app, world.jalisco_analyst)
    for pair in shared["hidden"]:
        assert web.get(merge_path(pair)).status_code == 404
        assert web.post(f"/people/duplicates/{pair.id}/distinct", {},
                        token_from="/people/duplicates").status_code == 404
    assert queued_pairs(web.get("/people/duplicates").get_data(as_text=True)) == {shared["visible"].id}
    sonora_queue = sign_in(app, world.sonora_analyst).get("/people/duplicates").get_data(as_text=True)
    assert queued_pairs(sonora_queue) == {shared["hidden"][1].id}  # Sonora reads no Jalisco record


def sql(statement) -> str:
    return str(statement.compile(db.engine))


def test_without_shares_the_queue_keeps_the_agency_rule_statement(world):
    analyst = world.sonora_analyst
    agency_rule = select(PersonDuplicate).where(agency_scope(analyst, PersonDuplicate.agency_a_id),
                                                agency_scope(analyst, PersonDuplicate.agency_b_id))
    assert sql(duplicates.pair_query(analyst)) == sql(agency_rule)
    assert "case_people" not in sql(duplicates.open_pairs(analyst))
    sharing.share_case(world.sonora_supervisor, world.sonora_case,
                       world.jalisco_case.owner_agency_id)
    jalisco = world.jalisco_analyst
    assert "case_people" in sql(duplicates.pair_query(jalisco))
    assert "case_people" not in sql(duplicates.pair_query(analyst))  # sharing out widens nothing for Sonora


def test_a_merge_that_would_move_another_agencys_record_is_refused_the_other_way_round_it_is_done(world):
    sonora = factories.person(world.sonora_case, **POSSESSOR)
    jalisco = factories.person(world.jalisco_case, **{**POSSESSOR, "last_names": "Valenzuela De Jalisco"})
    duplicates.merge_people(world.federal_analyst, sonora, jalisco, "Cotejo federal de huellas")
    newer = factories.person(world.sonora_case_2, **{**POSSESSOR, "last_names": "Valenzuela Nuevo"})
    with pytest.raises(Forbidden, match=MERGE_REFUSED):  # the Jalisco record would take another root
        duplicates.merge_people(world.sonora_analyst, newer, sonora, "Misma CURP")
    assert (sonora.merged_into_id, jalisco.canonical_id) == (None, sonora.id)
    duplicates.merge_people(world.sonora_analyst, sonora, newer, "Misma CURP")
    assert (newer.canonical_id, jalisco.canonical_id) == (sonora.id, sonora.id)
