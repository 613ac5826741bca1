"""The serial search page and API: hits in scope, restricted hits (deconfliction), audit."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests import factories
from tests.api.test_api import bearer
from tracer.audit.models import AuditEvent
from tracer.auth import tokens
from tracer.extensions import db

SONORA_SERIAL = "BXK1Z3456"
# Two look-alike mistakes: 8 for B, 2 for Z.
TYPED = "8XK-123456"


@pytest.fixture
def sonora(ctx, reference_data):
    """Three Sonora firearms that answer TYPED (two look-alike, one a true edit away) and their case."""
    case = factories.case("FGE-SON")
    seizure = factories.seizure(case, firearms=[
        factories.firearm_values(serial_number=SONORA_SERIAL, manufacturer="Smith & Wesson", model="M&P9",
                                 caliber="9mm"),
        factories.firearm_values(serial_number="BXK-1Z3456", manufacturer="Glock", caliber="9mm"),
        factories.firearm_values(serial_number="BXK1Z3457", manufacturer="Glock", caliber="9mm")])
    db.session.commit()
    return seizure


def api_caller(role: str, agency: str):
    user = factories.user(role, factories.agency(agency), locale="en")
    _, raw = tokens.issue_token(user, "script")
    db.session.commit()
    return user, raw


def events(action: str) -> list[AuditEvent]:
    db.session.flush()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_an_analyst_in_scope_finds_the_firearm_with_links(login_as, sonora):
    analyst = login_as("analyst", "FGE-SON", locale="en")
    page = analyst.get("/search/serial", query_string={"q": TYPED, "mode": "fuzzy"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    firearm = sonora.firearms[0]
    assert f'href="/firearms/{firearm.id}"' in html and f'href="/cases/{firearm.case_id}"' in html
    assert SONORA_SERIAL in html and sonora.case.reference in html and "Smith &amp; Wesson" in html
    assert "Differs only by look-alike characters" in html and "One character added, missing or different" in html
    assert "Another agency has a matching record" not in html
    assert 'value="8XK-123456"' in html  # what was typed stays in the form


def test_another_state_gets_restricted_hits_only(login_as, sonora):
    jalisco = login_as("analyst", "FGE-JAL", locale="en")
    page = jalisco.get("/search/serial", query_string={"q": TYPED, "mode": "fuzzy"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Another agency has a matching record" in html
    assert "Fiscalía General de Justicia del Estado de Sonora" in html and "Contacto FGE-SON" in html
    for firearm in sonora.firearms:
        assert firearm.serial_number not in html and firearm.serial_normalized not in html
        assert f"/firearms/{firearm.id}" not in html
    assert sonora.case.reference not in html and f"/cases/{sonora.case.id}" not in html
    assert "Glock" not in html and "M&amp;P9" not in html
    # Two look-alike matches and one true edit: one entry per kind, not one per firearm.
    assert html.count("data-restricted-hit") == 2

    restricted = events("deconfliction.disclose")
    assert {event.details["match"] for event in restricted} == {"lookalike", "edit"}
    assert all(event.user_id == jalisco.user.id and event.details["agency"] == "FGE-SON" for event in restricted)
    audited = sorted(firearm_id for event in restricted for firearm_id in event.details["firearm_ids"])
    assert audited == sorted(firearm.id for firearm in sonora.firearms)
    (search,) = events("search.serial")
    assert search.details["mode"] == "fuzzy" and search.details["query"] == "8XK123456"
    assert search.details["hits"] == 0 and search.details["restricted_hits"] == 2


def test_the_api_answers_restricted_hits_without_record_data(client, sonora):
    _user, raw = api_caller("analyst", "FGE-JAL")
    response = client.get("/api/v1/search/serial", query_string={"q": TYPED}, headers=bearer(raw))
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 2 and body["mode"] == "fuzzy"
    for item in body["items"]:
        assert set(item) == {"restricted", "match", "agency", "reference"} and item["restricted"] is True
        assert re.fullmatch(r"DC-\d{4}-\d{6}", item["reference"])
        assert item["agency"]["acronym"] == "FGE-SON"
        assert set(item["agency"]) == {"name", "acronym", "contact"}
        assert item["agency"]["contact"]["name"] == "Contacto FGE-SON"
    text = response.get_data(as_text=True)
    assert "BXK" not in text and sonora.case.reference not in text
    assert len(events("deconfliction.disclose")) == 2


def test_a_federal_user_sees_every_hit(client, sonora):
    _user, raw = api_caller("analyst", "FGR")
    response = client.get("/api/v1/search/serial", query_string={"q": TYPED, "mode": "fuzzy", "limit": "10"},
                          headers=bearer(raw))
    body = response.get_json()
    assert response.status_code == 200 and body["per_page"] == 10
    assert all(item["restricted"] is False for item in body["items"])
    first = body["items"][0]
    assert set(first) >= {"firearm_id", "serial_number", "manufacturer", "model", "caliber", "case_id",
                          "case_reference", "match", "score", "restricted"}
    assert first["serial_number"] in (SONORA_SERIAL, "BXK-1Z3456") and first["match"] == "lookalike"
    assert first["case_reference"] == sonora.case.reference and first["manufacturer"] in ("Smith & Wesson", "Glock")
    assert [item["match"] for item in body["items"]] == ["lookalike", "lookalike", "edit"]
    assert body["items"][0]["score"] >= body["items"][1]["score"] > body["items"][2]["score"]
    assert events("deconfliction.disclose") == []


def test_manufacturer_filter_by_alias_on_the_api(client, sonora):
    _user, raw = api_caller("officer", "FGE-SON")
    body = client.get("/api/v1/search/serial", query_string={"q": TYPED, "manufacturer": "S&W"},
                      headers=bearer(raw)).get_json()
    assert [item["firearm_id"] for item in body["items"]] == [sonora.firearms[0].id]
    assert body["items"][0]["manufacturer"] == "Smith & Wesson"


def test_exact_and_partial_on_the_page(login_as, sonora):
    officer = login_as("officer", "FGE-SON", locale="en")
    exact = officer.get("/search/serial", query_string={"q": "bxk 1z3456", "mode": "exact"}).get_data(as_text=True)
    assert exact.count("data-firearm=") == 2 and "Exact match" in exact
    partial = officer.get("/search/serial", query_string={"q": "BXK?Z345*", "mode": "partial"}).get_data(as_text=True)
    assert partial.count("data-firearm=") == 3 and "Contains the known characters" in partial


def test_the_menu_offers_the_search_to_those_who_may_use_it(login_as):
    analyst = login_as("analyst", "FGR", locale="en")
    assert 'href="/search/serial"' in analyst.get("/").get_data(as_text=True)
    liaison = login_as("liaison", "ATF-MX", locale="en")
    assert 'href="/search/serial"' not in liaison.get("/").get_data(as_text=True)
    assert liaison.get("/search/serial?q=ABC123").status_code == 403


def test_an_empty_query_shows_the_empty_form(login_as):
    analyst = login_as("analyst", "FGR", locale="en")
    page = analyst.get("/search/serial", query_string={"q": "  ", "mode": "bogus"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "errorsummary" not in html and "data-hits" not in html
    assert events("search.serial") == []
