"""Possible same firearm on the JSON API: a firearm's links, and confirming or dismissing one."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from tests.tracing.helpers import READY
from tracer.audit.models import AuditEvent
from tracer.auth import tokens
from tracer.extensions import db
from tracer.links.models import FirearmLink


@pytest.fixture
def pair(reference_data):
    """The same Glock recorded by Chihuahua, then by Sonora: (Sonora's firearm, Chihuahua's, the link)."""
    chihuahua = factories.seizure(factories.case("FGE-CHIH"), firearms=[{**READY, "serial_number": "BXK12345"}])
    sonora = factories.seizure(factories.case("FGE-SON"), firearms=[{**READY, "serial_number": "8XK12345"}])
    link = db.session.scalar(select(FirearmLink).where(FirearmLink.firearm_id == sonora.firearms[0].id))
    db.session.commit()
    return sonora.firearms[0], chihuahua.firearms[0], link


def test_a_firearms_links_with_the_other_side_restricted_out_of_scope(api, pair):
    sonora, chihuahua, link = pair
    answer = api("analyst", "FGE-SON")("GET", f"/firearms/{sonora.id}/links")
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["page"], body["total"]) == (1, 1)
    [item] = body["items"]
    assert item["id"] == link.id and item["firearm_id"] == sonora.id and item["newer_record"] is True
    assert (item["match"], item["status"], item["version"]) == ("lookalike", "possible", 1)
    assert item["other"]["restricted"] is True
    assert item["other"]["agency"]["acronym"] == "FGE-CHIH"
    assert item["other"]["agency"]["contact"] == {"name": "Contacto FGE-CHIH", "phone": "+52 55 0000 0000",
                                                  "email": None}
    assert item["other"]["serial_number"] is None and item["other"]["case_id"] is None
    assert "BXK12345" not in answer.get_data(as_text=True)
    hit = db.session.scalar(select(AuditEvent).where(AuditEvent.action.in_(("deconfliction.disclose", "deconfliction.show_again")))
                            .order_by(AuditEvent.seq.desc()))
    assert hit.details["shown_in"] == "api" and hit.details["firearm_ids"] == [chihuahua.id]
    assert item["other"]["reference"] == hit.details["reference"] and item["score"] is None


def test_who_decided_and_why_are_not_shown_beside_a_restricted_side(api, pair):
    sonora, chihuahua, link = pair
    federal = api("analyst", "FGR")
    decided = federal("PATCH", f"/links/{link.id}", json={
        "status": "dismissed", "version": 1, "note": "El arma de Chihuahua es una Glock 17 con serie BXK12845"})
    assert decided.status_code == 200
    assert decided.get_json()["decision_note"].startswith("El arma de Chihuahua")
    answer = api("analyst", "FGE-SON")("GET", f"/firearms/{sonora.id}/links")
    [item] = answer.get_json()["items"]
    # The decision itself, taken by someone who saw the hidden record, is not shown either.
    assert item["status"] == "decided" and item["other"]["restricted"] is True
    assert item["decision_note"] is None and item["decided_by"] is None
    assert "BXK12845" not in answer.get_data(as_text=True) and "dismissed" not in answer.get_data(as_text=True)


def test_deciding_again_beside_a_hidden_decision_says_nothing_of_it(api, pair):
    sonora, _chihuahua, link = pair
    api("analyst", "FGR")("PATCH", f"/links/{link.id}", json={"status": "dismissed", "version": 1, "note": "x"})
    sonora_analyst = api("analyst", "FGE-SON")
    answers = {status: sonora_analyst("PATCH", f"/links/{link.id}", json={"status": status, "version": 2})
               for status in ("confirmed", "dismissed")}
    # The same answer whether or not the choice matches the hidden decision.
    for answer in answers.values():
        assert answer.status_code == 422
        assert answer.get_json()["error"]["details"] == {
            "note": ["Say why: a note is required to change a decision taken by another agency."]}
    stale = sonora_analyst("PATCH", f"/links/{link.id}", json={"status": "confirmed", "version": 1, "note": "y"})
    assert stale.status_code == 409 and stale.get_json()["error"]["details"]["status"] == "decided"
    again = sonora_analyst("PATCH", f"/links/{link.id}", json={"status": "dismissed", "version": 2,
                                                               "note": "Llamamos a FGR: otra arma."})
    assert again.status_code == 200 and again.get_json()["status"] == "dismissed"


def test_a_federal_analyst_sees_both_sides_from_either_firearm(api, pair):
    sonora, chihuahua, link = pair
    call = api("analyst", "FGR")
    [item] = call("GET", f"/firearms/{chihuahua.id}/links").get_json()["items"]
    assert item["firearm_id"] == chihuahua.id and item["newer_record"] is False
    other = item["other"]
    assert other["restricted"] is False and other["firearm_id"] == sonora.id
    assert (other["serial_number"], other["manufacturer"], other["model"]) == ("8XK12345", "Glock", "19")
    assert other["case_reference"] == sonora.case.reference and other["url"] == f"/firearms/{sonora.id}"


def test_an_analyst_dismisses_then_needs_a_note_to_confirm(api, pair):
    sonora, _chihuahua, link = pair
    call = api("analyst", "FGE-SON")
    answer = call("PATCH", f"/links/{link.id}", json={"status": "dismissed", "version": 1})
    assert answer.status_code == 200
    assert (answer.get_json()["status"], answer.get_json()["version"]) == ("dismissed", 2)
    assert answer.get_json()["decided_by"] == call.user.username

    refused = call("PATCH", f"/links/{link.id}", json={"status": "confirmed", "version": 2})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"] == {
        "note": ["Say why: a note is required to confirm a dismissed link."]}

    stale = call("PATCH", f"/links/{link.id}", json={"status": "confirmed", "version": 1, "note": "Same gun."})
    assert stale.status_code == 409 and stale.get_json()["error"]["details"]["status"] == "dismissed"

    confirmed = call("PATCH", f"/links/{link.id}", json={"status": "confirmed", "version": 2,
                                                         "note": "The lab matched the slide markings."})
    assert confirmed.status_code == 200 and confirmed.get_json()["decision_note"].startswith("The lab")
    decided = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "firearm_link.decide")
                                      .order_by(AuditEvent.seq)))
    assert [(e.details["old"]["status"], e.details["new"]["status"]) for e in decided] == [
        ("possible", "dismissed"), ("dismissed", "confirmed")]


@pytest.mark.parametrize("body, field", [
    ({"status": "possible", "version": 1}, "status"),
    ({"status": "confirmed"}, "version"),
    ({"status": "confirmed", "version": 1, "note": "x" * 2001}, "note"),
    ({"status": "confirmed", "version": 1, "colour": "red"}, "colour"),
])
def test_bad_decisions_answer_422_naming_the_field(api, pair, body, field):
    _sonora, _chihuahua, link = pair
    answer = api("analyst", "FGE-SON")("PATCH", f"/links/{link.id}", json=body)
    assert answer.status_code == 422 and field in answer.get_json()["error"]["details"]
    db.session.expire_all()
    assert db.session.get(FirearmLink, link.id).status == "possible"


def test_out_of_scope_and_role(api, pair):
    sonora, _chihuahua, link = pair
    jalisco = api("analyst", "FGE-JAL")
    assert jalisco("GET", f"/firearms/{sonora.id}/links").status_code == 404
    assert jalisco("PATCH", f"/links/{link.id}", json={"status": "confirmed", "version": 1}).status_code == 404
    assert api("officer", "FGE-SON")("PATCH", f"/links/{link.id}",
                                      json={"status": "confirmed", "version": 1}).status_code == 403
    assert api("officer", "FGE-SON")("GET", f"/firearms/{sonora.id}/links").status_code == 200
    assert api("liaison", "ATF-MX")("GET", f"/firearms/{sonora.id}/links").status_code == 403
