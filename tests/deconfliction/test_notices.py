"""A restricted disclosure leaves a notice both agencies quote: the searcher's outgoing, the owner's incoming."""
from __future__ import annotations

import re

from sqlalchemy import select

from tests.deconfliction.conftest import SERIAL
from tests.seizures.helpers import text
from tracer.audit.models import AuditEvent
from tracer.deconfliction.models import DeconflictionNotice
from tracer.extensions import db

REFERENCE = re.compile(r"DC-\d{4}-\d{6}")


def test_a_search_hit_on_another_state_is_a_notice_for_both_agencies(login_as, hidden_glock):
    jalisco = login_as("analyst", "FGE-JAL", locale="en")
    page = text(jalisco.get("/search/serial", query_string={"q": "KSB2Q613X", "mode": "fuzzy"}))
    [reference] = set(REFERENCE.findall(page))
    assert "Deconfliction reference:" in page and SERIAL not in page

    notice = db.session.scalar(select(DeconflictionNotice))
    assert notice.reference == reference and notice.channel == "search" and notice.withheld is False
    assert notice.firearm_id == hidden_glock.id and notice.told_user_id == jalisco.user.id
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "deconfliction.disclose"))
    assert event.details["reference"] == reference and event.details["firearm_ids"] == [hidden_glock.id]

    sonora = login_as("analyst", "FGE-SON", locale="en")
    incoming = text(sonora.get("/deconfliction"))
    assert reference in incoming and "FGE-JAL" in incoming and "Contacto FGE-JAL" in incoming
    assert f'href="/firearms/{hidden_glock.id}"' in incoming and "serial search" in incoming
    # The searcher's side lists it as outgoing, with Sonora's contact and no record of theirs.
    outgoing = text(jalisco.get("/deconfliction?direction=outgoing"))
    assert reference in outgoing and "Contacto FGE-SON" in outgoing
    assert f"/firearms/{hidden_glock.id}" not in outgoing
    # Found again by the reference quoted on the phone.
    found = text(sonora.get("/deconfliction", query_string={"reference": reference.lower()}))
    assert reference in found
    assert reference not in text(sonora.get("/deconfliction", query_string={"reference": "DC-1999-000001"}))
    # The same search again shows the same disclosure: nothing new is told, and nothing is spent.
    again = text(jalisco.get("/search/serial", query_string={"q": "KSB2Q613X", "mode": "fuzzy"}))
    assert set(REFERENCE.findall(again)) == {reference}
    assert db.session.query(DeconflictionNotice).count() == 1


def test_the_api_lists_incoming_with_our_firearm_and_outgoing_without_theirs(api, hidden_glock):
    search = api("analyst", "FGE-JAL")("GET", "/search/serial", query_string={"q": SERIAL, "mode": "exact"})
    [hit] = search.get_json()["items"]
    reference = hit["reference"]

    incoming = api("supervisor", "FGE-SON")("GET", "/deconfliction", query_string={"direction": "incoming"})
    assert incoming.status_code == 200
    body = incoming.get_json()
    assert (body["total"], body["next"], body["total_estimated"]) == (1, None, False)
    [item] = body["items"]
    assert item["reference"] == reference and item["match"] == "exact" and item["channel"] == "search"
    assert item["firearm_id"] == hidden_glock.id and item["agency"]["acronym"] == "FGE-JAL"
    assert item["agency"]["contact"]["name"] == "Contacto FGE-JAL"

    outgoing = api("analyst", "FGE-JAL")("GET", "/deconfliction", query_string={"direction": "outgoing"})
    [item] = outgoing.get_json()["items"]
    assert item["reference"] == reference and item["agency"]["acronym"] == "FGE-SON"
    assert set(item) == {"reference", "created_at", "match", "channel", "withheld", "agency", "told_user"}


def test_a_liaison_reads_only_what_they_were_told(api, login_as, hidden_glock):
    api("analyst", "FGE-JAL")("GET", "/search/serial", query_string={"q": SERIAL, "mode": "exact"})
    liaison = api("liaison", "ATF-MX")
    refused = liaison("GET", "/deconfliction", query_string={"direction": "incoming"})
    assert refused.status_code == 403
    own = liaison("GET", "/deconfliction")
    assert own.status_code == 200 and own.get_json()["direction"] == "outgoing" and own.get_json()["items"] == []
    # An officer of the agency told reads their own notices only, not their colleague's.
    officer = api("officer", "FGE-JAL")
    assert officer("GET", "/deconfliction").get_json()["items"] == []
    page = login_as("liaison", "ATF-MX", locale="en")
    assert page.get("/deconfliction?direction=incoming").status_code == 404
    assert "Incoming" not in text(page.get("/deconfliction"))


def test_a_malformed_reference_names_the_field(api, login_as):
    answer = api("analyst", "FGE-SON")("GET", "/deconfliction", query_string={"reference": "12345"})
    assert answer.status_code == 422
    assert "reference" in answer.get_json()["error"]["details"]
    page = login_as("analyst", "FGE-SON", locale="en").get("/deconfliction?reference=abc")
    assert page.status_code == 400 and "A deconfliction reference looks like DC-2026-000123." in text(page)


def test_lists_walk_by_cursor(api, hidden_glock):
    jalisco = api("analyst", "FGE-JAL")
    for query in (SERIAL, "KSB2Q613X", "KSB20613"):
        jalisco("GET", "/search/serial", query_string={"q": query, "mode": "fuzzy"})
    sonora = api("analyst", "FGE-SON")
    first = sonora("GET", "/deconfliction", query_string={"per_page": 2}).get_json()
    assert len(first["items"]) == 2 and first["next"] and first["total"] == 3
    rest = sonora("GET", "/deconfliction", query_string={"per_page": 2, "cursor": first["next"]}).get_json()
    assert len(rest["items"]) == 1 and rest["next"] is None
    references = [item["reference"] for item in first["items"] + rest["items"]]
    assert references == sorted(references, reverse=True) and len(set(references)) == 3


def test_a_cursor_tampered_with_or_from_the_other_direction_is_refused(api, hidden_glock):
    jalisco = api("analyst", "FGE-JAL")
    for query in (SERIAL, "KSB2Q613X"):
        jalisco("GET", "/search/serial", query_string={"q": query, "mode": "fuzzy"})
    sonora = api("analyst", "FGE-SON")
    incoming = sonora("GET", "/deconfliction", query_string={"per_page": 1}).get_json()
    assert incoming["next"]
    for cursor, direction in ((incoming["next"] + "x", "incoming"), (incoming["next"], "outgoing")):
        refused = sonora("GET", "/deconfliction", query_string={"cursor": cursor, "direction": direction})
        assert refused.status_code == 400 and list(refused.get_json()["error"]["details"]) == ["cursor"]
