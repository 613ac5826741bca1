"""Possible same firearm on the web: the officer's warning, the firearm page panel, the
analysts' list, a link side by side, and the decision."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests import factories
from tests.seizures.helpers import field_error, field_value, new_case, row, seizure_form, text
from tests.tracing.helpers import READY
from tracer.audit.models import AuditEvent
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.links.models import FirearmLink

SERIAL = "BXK12345"


def recorded(agency: str, **fields) -> Firearm:
    """A Glock 19 recorded (committed) in a new case of ``agency``."""
    firearm = factories.seizure(factories.case(agency), firearms=[{**READY, "serial_number": SERIAL,
                                                                   **fields}]).firearms[0]
    db.session.commit()
    return firearm


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))


def link_between(newer: Firearm, older: Firearm) -> FirearmLink:
    return db.session.scalar(select(FirearmLink).where(FirearmLink.firearm_id == newer.id,
                                                       FirearmLink.other_firearm_id == older.id))


@pytest.fixture
def chihuahua_glock(reference_data):
    """The same Glock, recorded before by the Chihuahua prosecutor: out of Sonora's scope."""
    return recorded("FGE-CHIH")


# --- the officer's warning ------------------------------------------------------------------------------


def test_the_officer_is_told_of_a_possible_same_firearm_in_scope_with_a_link(login_as, reference_data):
    officer = login_as("officer", "FGE-SON", locale="en")
    earlier = recorded("FGE-SON")
    case = new_case(officer.user)
    saved = officer.post("/seizures/new", seizure_form(case.id, [row(serial_number="bxk 123-45")]),
                         token_from="/seizures/new", follow_redirects=True)
    assert saved.status_code == 200
    body = saved.get_data(as_text=True)
    flash = re.search(r'<p class="flash flash--warning"[^>]*>(.*?)</p>', body, re.S).group(1)
    assert "Firearm 1: Possible same firearm recorded in another case: Glock 19 9mm Luger, serial BXK12345" in flash
    assert earlier.case.reference in flash
    assert f'href="/firearms/{earlier.id}"' in flash


def test_an_out_of_scope_match_is_a_restricted_notice_and_is_audited(login_as, chihuahua_glock):
    officer = login_as("officer", "FGE-SON", locale="en")
    case = new_case(officer.user)
    saved = officer.post("/seizures/new", seizure_form(case.id, [row(serial_number=SERIAL)]),
                         token_from="/seizures/new", follow_redirects=True)
    body = text(saved)
    flash = re.search(r'<p class="flash flash--warning"[^>]*>(.*?)</p>', body, re.S).group(1)
    assert "Possible same firearm recorded in another case (same serial), held by Fiscalía General del Estado " \
           "de Chihuahua (FGE-CHIH). Contact: Contacto FGE-CHIH · +52 55 0000 0000." in flash
    assert chihuahua_glock.case.reference not in body and f"/firearms/{chihuahua_glock.id}" not in body
    [hit] = events("deconfliction.disclose")
    assert hit.user_id == officer.user.id and hit.details["firearm_ids"] == [chihuahua_glock.id]
    assert hit.details["agency"] == "FGE-CHIH" and hit.details["shown_in"] == "seizure_warning"
    assert hit.details["channel"] == "recording" and f"Deconfliction reference: {hit.details['reference']}." in flash
    new = db.session.scalar(select(Firearm).where(Firearm.case_id == case.id))
    assert link_between(new, chihuahua_glock).match == "exact"
    assert events("firearm_link.detect")[-1].details["other_firearm_id"] == chihuahua_glock.id


def test_the_api_returns_the_notice_among_the_warnings(app, chihuahua_glock):
    from tracer.auth import tokens

    officer = factories.user("officer", factories.agency("FGE-SON"), locale="en")
    case = factories.case("FGE-SON", officer)
    _, token = tokens.issue_token(officer, "test")
    db.session.commit()
    body = {"case_id": case.id, "seized_on": "2025-05-02", "state": "26", "municipality": "030",
            "firearms": [{"firearm_type": "pistol", "manufacturer": "Glock", "model": "19", "caliber": "9mm",
                          "serial_number": SERIAL, "country_of_manufacture": "AT", "importer": "Glock Inc."}]}
    answer = app.test_client().post("/api/v1/seizures", json=body, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 201, answer.get_json()
    [notice] = answer.get_json()["warnings"]["firearms.0.serial_number"]
    assert notice.startswith("Possible same firearm recorded in another case (same serial), held by")
    assert "FGE-CHIH" in notice and SERIAL not in notice


# --- the firearm page, the list, the link page ------------------------------------------------------------


def test_the_firearm_page_lists_links_both_ways_restricted_out_of_scope(login_as, chihuahua_glock):
    sonora = recorded("FGE-SON")
    later = recorded("FGE-SON", model="G19 Gen 5")
    analyst = login_as("analyst", "FGE-SON", locale="en")
    page = text(analyst.get(f"/firearms/{sonora.id}"))
    panel = page[page.index('id="links"'):]
    panel = panel[:panel.index("</section>")]
    # The older Chihuahua record: restricted. The later Sonora record (linked the other way): in full.
    assert 'badge--warn">Restricted' in panel and "Fiscalía General del Estado de Chihuahua (FGE-CHIH)" in panel
    assert chihuahua_glock.case.reference not in panel
    assert f'href="/firearms/{later.id}"' in panel and later.case.reference in panel
    assert panel.count("same serial") == 2 and "Possible match" in panel
    assert 'name="status" value="confirmed"' in panel  # analysts decide here
    # Told to Sonora when its record was saved, the match is shown again with the same reference.
    [shown] = [e for e in events("deconfliction.show_again") if e.user_id == analyst.user.id]
    assert shown.details["shown_in"] == "firearm_page" and shown.details["reference"] in panel

    officer = login_as("officer", "FGE-SON", locale="en")
    officer_panel = text(officer.get(f"/firearms/{sonora.id}"))
    assert 'id="links"' in officer_panel and 'name="status" value="confirmed"' not in officer_panel


def test_the_list_shows_open_links_in_scope_only(login_as, chihuahua_glock):
    sonora = recorded("FGE-SON")
    jalisco = recorded("FGE-JAL", serial_number="QWE98765")
    recorded("FGE-JAL", serial_number="QWE98765")  # a Jalisco pair: nothing of Sonora's
    analyst = login_as("analyst", "FGE-SON", locale="en")
    page = text(analyst.get("/links"))
    assert page.count("Compare and decide") == 1
    assert f'href="/firearms/{sonora.id}"' in page and 'badge--warn">Restricted' in page
    assert f'/firearms/{jalisco.id}"' not in page
    federal = text(login_as("analyst", "FGR", locale="en").get("/links?match=exact"))
    assert federal.count("Compare and decide") == 2 and 'badge--warn">Restricted' not in federal
    assert text(login_as("analyst", "FGR", locale="en").get("/links?match=edit")).count(
        "Compare and decide") == 0


def test_an_out_of_scope_link_is_not_found(login_as, reference_data):
    older = recorded("FGE-JAL")
    newer = recorded("FGE-CHIH")
    link = link_between(newer, older)
    sonora = login_as("analyst", "FGE-SON", locale="en")
    assert sonora.get(f"/links/{link.id}").status_code == 404
    assert sonora.post(f"/links/{link.id}/decision", {"status": "confirmed", "version": "1"}).status_code == 404
    assert db.session.get(FirearmLink, link.id).status == "possible"
    assert sonora.get("/links/999999").status_code == 404


# --- deciding -------------------------------------------------------------------------------------------


def test_an_analyst_confirms_then_dismisses_with_a_note(login_as, chihuahua_glock):
    sonora = recorded("FGE-SON")
    link = link_between(sonora, chihuahua_glock)
    analyst = login_as("analyst", "FGE-SON", locale="en")
    page = text(analyst.get(f"/links/{link.id}?next=/firearms/{sonora.id}"))
    assert "Another institution holds a matching record" in page and "FGE-CHIH" in page
    assert field_value(page, "version") == "1" and field_value(page, "return_to") == f"/firearms/{sonora.id}"

    done = analyst.post(f"/links/{link.id}/decision", {"status": "confirmed", "version": "1", "note": "",
                                                       "return_to": f"/firearms/{sonora.id}"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/firearms/{sonora.id}")
    db.session.expire_all()
    link = db.session.get(FirearmLink, link.id)
    assert (link.status, link.decided_by_id, link.version) == ("confirmed", analyst.user.id, 2)

    # Dismissing a confirmed link needs a note: the page says so and keeps nothing half-written.
    refused = analyst.post(f"/links/{link.id}/decision", {"status": "dismissed", "version": "2", "note": "  "})
    assert refused.status_code == 400
    body = text(refused)
    assert "a note is required to dismiss a confirmed link" in field_error(body, f"note-{link.id}")
    db.session.expire_all()
    assert db.session.get(FirearmLink, link.id).status == "confirmed"

    dismissed = analyst.post(f"/links/{link.id}/decision", {"status": "dismissed", "version": "2",
                                                            "note": "Different frame number on the receiver."})
    assert dismissed.status_code == 302 and dismissed.headers["Location"].endswith(f"/links/{link.id}")
    db.session.expire_all()
    link = db.session.get(FirearmLink, link.id)
    assert (link.status, link.decision_note) == ("dismissed", "Different frame number on the receiver.")
    decided = events("firearm_link.decide")
    assert [(e.details["old"]["status"], e.details["new"]["status"]) for e in decided] == [
        ("possible", "confirmed"), ("confirmed", "dismissed")]
    assert decided[-1].details["new"]["decision_note"] == "Different frame number on the receiver."
    assert decided[-1].object_id == str(link.id) and decided[-1].user_id == analyst.user.id


def test_a_stale_decision_shows_the_saved_one_and_keeps_the_note(login_as, chihuahua_glock):
    sonora = recorded("FGE-SON")
    link = link_between(sonora, chihuahua_glock)
    first = login_as("analyst", "FGE-SON", locale="en")
    second = login_as("supervisor", "FGE-SON", locale="en")
    assert first.post(f"/links/{link.id}/decision", {"status": "dismissed", "version": "1"}).status_code == 302
    stale = second.post(f"/links/{link.id}/decision", {"status": "confirmed", "version": "1",
                                                       "note": "Same scratches on the slide."})
    assert stale.status_code == 409
    body = text(stale)
    assert "Someone else decided this link" in body and "Dismissed: different firearms" in body
    assert field_value(body, "note") == "Same scratches on the slide." and field_value(body, "version") == "2"


@pytest.mark.parametrize("data, field, words", [
    ({"status": "maybe"}, "note", "Not one of the allowed values: confirmed, dismissed."),
    ({"status": "possible"}, "note", "Not one of the allowed values"),
    ({"status": "confirmed", "note": "x" * 2001}, "note", "Use at most 2000 characters"),
    ({"status": "confirmed", "note": "ok\u202e"}, "note", "invisible or control character"),
])
def test_bad_decisions_are_refused_with_the_reason(login_as, chihuahua_glock, data, field, words):
    sonora = recorded("FGE-SON")
    link = link_between(sonora, chihuahua_glock)
    analyst = login_as("analyst", "FGE-SON", locale="en")
    refused = analyst.post(f"/links/{link.id}/decision", {"version": "1", **data})
    assert refused.status_code == 400
    assert words in field_error(text(refused), f"{field}-{link.id}")
    db.session.expire_all()
    assert db.session.get(FirearmLink, link.id).status == "possible"
    assert events("firearm_link.decide") == []


def test_officers_do_not_decide(login_as, chihuahua_glock):
    sonora = recorded("FGE-SON")
    link = link_between(sonora, chihuahua_glock)
    officer = login_as("officer", "FGE-SON", locale="en")
    assert officer.post(f"/links/{link.id}/decision", {"status": "confirmed", "version": "1"}).status_code == 403
    assert officer.get(f"/links/{link.id}").status_code == 200
    assert officer.get("/links").status_code == 403


def test_a_match_in_another_seizure_of_the_same_case_says_so(app, reference_data):
    from flask_babel import force_locale

    from tracer.seizures.services import create_seizure

    earlier = recorded("FGE-SON")
    officer = factories.user("officer", factories.agency("FGE-SON"))
    values = {"seized_on": "2025-06-01", "state": "26", "municipality": "030"}
    with app.test_request_context(), force_locale("en"):
        _seizure, warnings = create_seizure(officer, earlier.case, values, [{**READY, "serial_number": SERIAL}])
    [notice] = warnings["firearms-0-serial_number"]
    assert notice.startswith("Possible same firearm recorded in another seizure of this case: Glock 19")
    assert notice.firearm_id == earlier.id
