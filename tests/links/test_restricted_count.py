"""A restricted side of a link tells that another agency holds a matching record, not how
many: links to several records of one agency, matching the same way, show as one."""
from __future__ import annotations

import re

from sqlalchemy import select

from tests import factories
from tests.seizures.helpers import new_case, row, seizure_form, text
from tests.links.test_pages import SERIAL, events, recorded
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.links.models import FirearmLink


def two_chihuahua_glocks() -> list[Firearm]:
    return [recorded("FGE-CHIH"), recorded("FGE-CHIH")]


def test_the_officer_gets_one_notice_per_agency_and_kind(login_as, reference_data):
    chihuahua = two_chihuahua_glocks()
    officer = login_as("officer", "FGE-SON", locale="en")
    case = new_case(officer.user)
    saved = officer.post("/seizures/new", seizure_form(case.id, [row(serial_number=SERIAL)]),
                         token_from="/seizures/new", follow_redirects=True)
    flash = re.search(r'<p class="flash flash--warning"[^>]*>(.*?)</p>', text(saved), re.S).group(1)
    assert flash.count("held by Fiscalía General del Estado de Chihuahua") == 1
    new = db.session.scalar(select(Firearm).where(Firearm.case_id == case.id))
    assert db.session.query(FirearmLink).filter(FirearmLink.firearm_id == new.id).count() == 2
    [hit] = [e for e in events("deconfliction.disclose") if e.user_id == officer.user.id]
    assert sorted(hit.details["firearm_ids"]) == sorted(f.id for f in chihuahua)


def test_the_firearm_page_and_the_api_show_one_restricted_entry(login_as, api, reference_data):
    two_chihuahua_glocks()
    sonora = recorded("FGE-SON")
    analyst = login_as("analyst", "FGE-SON", locale="en")
    page = text(analyst.get(f"/firearms/{sonora.id}"))
    panel = page[page.index('id="links"'):]
    panel = panel[:panel.index("</section>")]
    assert panel.count('badge--warn">Restricted') == 1 and panel.count("Compare") == 1
    body = api("analyst", "FGE-SON")("GET", f"/firearms/{sonora.id}/links").get_json()
    assert body["total"] == 1 and len(body["items"]) == 1 and body["items"][0]["other"]["restricted"] is True
    federal = api("analyst", "FGR")("GET", f"/firearms/{sonora.id}/links").get_json()
    assert federal["total"] == 2  # seen in full, each record is its own entry


def test_only_the_link_standing_for_a_restricted_group_opens(login_as, api, reference_data):
    two_chihuahua_glocks()
    sonora = recorded("FGE-SON")
    links = db.session.query(FirearmLink).filter(FirearmLink.firearm_id == sonora.id).all()
    assert len(links) == 2
    analyst = login_as("analyst", "FGE-SON", locale="en")
    statuses = sorted(analyst.get(f"/links/{link.id}").status_code for link in links)
    assert statuses == [200, 404]  # the second record of the same agency is not counted by its id
    call = api("analyst", "FGR")
    assert all(call("GET", f"/firearms/{sonora.id}/links").status_code == 200 for _ in links)
    assert sorted(login_as("analyst", "FGR").get(f"/links/{link.id}").status_code for link in links) == [200, 200]
