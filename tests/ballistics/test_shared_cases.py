"""Leads of a case shared with another agency: each side is seen exactly when its item is, so the
agency the case is shared with reads, opens and decides the leads between items it may see, and
learns of any other side only through a restricted entry, until the share is revoked."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import Browser
from tracer.auth.scope import agency_scope
from tracer.ballistics import leads, services
from tracer.ballistics.models import BallisticItem, BallisticLink
from tracer.cases import sharing
from tracer.extensions import db


@dataclass
class Shared:
    owner: object          # the Sonora officer who leads the shared case
    share: object          # the Sonora case shared with Jalisco
    shared_case: object
    first: BallisticItem   # two cartridge cases of the shared case
    second: BallisticItem
    unshared: BallisticItem  # a cartridge case of a Chihuahua case shared with nobody
    own: BallisticItem     # a cartridge case of Jalisco's own case
    within: BallisticLink  # first – second: both items of the shared case
    beyond: BallisticLink  # first – unshared
    from_own: BallisticLink  # own – first


def _item(case, ibis_ref: str, state_code: str = "26") -> BallisticItem:
    scene = factories.scene(case)
    scene.state_code = state_code
    return factories.ballistic_item(scene, ibis_ref=ibis_ref)


@pytest.fixture
def shared(ctx) -> Shared:
    son, jal, chih = (factories.agency(acronym) for acronym in ("FGE-SON", "FGE-JAL", "FGE-CHIH"))
    federal = factories.user("analyst", factories.agency("FGR"))
    owner = factories.user("officer", son)
    shared_case = factories.case(son, owner, title="Balacera en Nogales")
    first, second = _item(shared_case, "SON-CC-1"), _item(shared_case, "SON-CC-2")
    unshared = _item(factories.case(chih, title="Caso de Chihuahua"), "CHIH-CC-1", "08")
    own = _item(factories.case(jal), "JAL-CC-9", "14")
    within = leads.create_lead(federal, first, second)
    beyond = leads.create_lead(federal, first, unshared)
    from_own = leads.create_lead(federal, own, first)
    share = sharing.share_case(owner, shared_case, jal.id)
    db.session.commit()
    return Shared(owner, share, shared_case, first, second, unshared, own, within, beyond, from_own)


def sign_in(app, role: str, acronym: str) -> Browser:
    user = factories.user(role, factories.agency(acronym))
    db.session.commit()
    signed = Browser(app.test_client())
    assert signed.login(user.username).status_code == 302
    signed.user = user
    return signed


def test_the_agency_a_case_is_shared_with_sees_its_leads_on_the_item_page(app, shared):
    reader = sign_in(app, "officer", "FGE-JAL")
    page = reader.get(f"/ballistics/items/{shared.first.id}").get_data(as_text=True)
    assert f"/ballistics/leads/{shared.within.id}" in page
    assert f"/ballistics/items/{shared.second.id}" in page and "SON-CC-2" in page
    assert shared.shared_case.reference in page


def test_the_agency_a_case_is_shared_with_opens_its_lead(app, shared):
    reader = sign_in(app, "officer", "FGE-JAL")
    response = reader.get(f"/ballistics/leads/{shared.within.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "SON-CC-1" in page and "SON-CC-2" in page and "Restringido" not in page


def test_an_examiner_of_the_agency_a_case_is_shared_with_decides_its_lead(app, shared):
    examiner = sign_in(app, "analyst", "FGE-JAL")
    assert f"lead{shared.within.id}-conclusion" in examiner.get("/ballistics/queue").get_data(as_text=True)
    path = f"/ballistics/leads/{shared.within.id}"
    response = examiner.post(f"{path}/decide", {"conclusion": "identification", "version": "1", "from": "lead"},
                             token_from=path)
    assert response.status_code == 302
    db.session.refresh(shared.within)
    assert shared.within.status == "confirmed" and shared.within.examiner_id == examiner.user.id


def test_an_examiner_may_decide_only_when_both_items_are_seen(shared):
    examiner = factories.user("analyst", factories.agency("FGE-JAL"))
    assert leads.may_decide(examiner, shared.within)
    assert not leads.may_decide(examiner, shared.beyond)  # the Chihuahua item is not seen
    assert not leads.may_decide(examiner, shared.from_own)  # seen both, but a lead across two states


def test_a_lead_to_an_item_of_an_unshared_case_is_only_a_restricted_entry(app, shared):
    reader = sign_in(app, "officer", "FGE-JAL")
    page = reader.get(f"/ballistics/items/{shared.first.id}").get_data(as_text=True)
    assert "Restringido" in page and "FGE-CHIH" in page and "DC-" in page
    assert "CHIH-CC-1" not in page and shared.unshared.case.reference not in page
    assert f"/ballistics/items/{shared.unshared.id}" not in page and f"/ballistics/leads/{shared.beyond.id}" not in page
    lead = reader.get(f"/ballistics/leads/{shared.beyond.id}").get_data(as_text=True)
    assert "Restringido" in lead and "CHIH-CC-1" not in lead and f"/ballistics/items/{shared.unshared.id}" not in lead
    examiner = sign_in(app, "analyst", "FGE-JAL")
    path = f"/ballistics/leads/{shared.beyond.id}"
    refused = examiner.post(f"{path}/decide", {"conclusion": "identification", "version": "1", "from": "lead"},
                            token_from=path)
    assert refused.status_code == 403
    assert db.session.get(BallisticLink, shared.beyond.id).status == "lead"


def test_the_api_lists_the_shared_cases_leads_in_full_and_the_rest_restricted(api, shared):
    call = api("analyst", "FGE-JAL")
    listed = call("GET", f"/ballistics/links?item_id={shared.first.id}").get_json()["items"]
    full = [entry for entry in listed if not entry["restricted"]]
    restricted = [entry for entry in listed if entry["restricted"]]
    assert {entry["id"] for entry in full} == {shared.within.id, shared.from_own.id}
    assert [entry["agency"]["acronym"] for entry in restricted] == ["FGE-CHIH"]
    assert set(restricted[0]) == {"restricted", "match", "reference", "agency"}
    assert call("GET", f"/ballistics/links/{shared.within.id}").status_code == 200


def test_once_the_share_is_revoked_its_leads_are_gone(app, shared):
    reader = sign_in(app, "officer", "FGE-JAL")
    assert reader.get(f"/ballistics/leads/{shared.within.id}").status_code == 200
    assert "SON-CC-1" in reader.get(f"/ballistics/items/{shared.own.id}").get_data(as_text=True)
    sharing.revoke_share(shared.owner, shared.shared_case, shared.share.id)
    db.session.commit()
    assert reader.get(f"/ballistics/leads/{shared.within.id}").status_code == 404
    assert reader.get(f"/ballistics/items/{shared.first.id}").status_code == 404
    own_page = reader.get(f"/ballistics/items/{shared.own.id}").get_data(as_text=True)
    assert "SON-CC-1" not in own_page and f"/ballistics/items/{shared.first.id}" not in own_page
    assert f"/ballistics/leads/{shared.from_own.id}" not in own_page
    assert "Restringido" in own_page and "FGE-SON" in own_page  # the Sonora side, as deconfliction tells it
    examiner = factories.user("analyst", factories.agency("FGE-JAL"))
    assert not leads.may_decide(examiner, shared.within)
    assert {link.id for link in db.session.scalars(services.link_query(examiner))} == {shared.from_own.id}


def _sql(statement) -> str:
    return str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))


def test_without_shares_the_leads_are_chosen_by_the_agency_columns_alone(shared):
    examiner = factories.user("analyst", factories.agency("FGE-CHIH"))
    by_agency = select(BallisticLink).where(agency_scope(examiner, BallisticLink.agency_a_id)
                                            | agency_scope(examiner, BallisticLink.agency_b_id))
    sql = _sql(services.link_query(examiner))
    assert sql == _sql(by_agency)
    assert "ballistic_items" not in sql and "case_shares" not in sql
    shared_with = factories.user("analyst", factories.agency("FGE-JAL"))
    assert "case_shares" in _sql(services.link_query(shared_with))
    sharing.revoke_share(shared.owner, shared.shared_case, shared.share.id)
    db.session.flush()
    assert _sql(services.link_query(shared_with)) == _sql(
        select(BallisticLink).where(agency_scope(shared_with, BallisticLink.agency_a_id)
                                    | agency_scope(shared_with, BallisticLink.agency_b_id)))
