"""A firearm's page and the correction of its identity."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests import factories
from tests.seizures.helpers import field_error, field_value, new_case, text
from tracer.audit.models import AuditEvent
from tracer.extensions import db
from tracer.firearms.models import Firearm


@pytest.fixture
def recorded(login_as, reference_data):
    """An English-speaking officer of the FGE-SON and a firearm they recorded."""
    officer = login_as("officer", "FGE-SON", locale="en")
    seizure = factories.seizure(new_case(officer.user), officer.user, firearms=[factories.firearm_values(
        firearm_type="pistol", manufacturer="S&W", model="M&P9", caliber="9x19", serial_number="ab-12 345",
        country_of_manufacture="DE", importer="Smith & Wesson Inc.", markings="MADE IN USA\nSPRINGFIELD MA",
        condition="worn")])
    db.session.commit()
    return officer, seizure.firearms[0]


def test_the_firearm_page_shows_its_identity(recorded):
    officer, firearm = recorded
    page = officer.get(f"/firearms/{firearm.id}")
    assert page.status_code == 200
    body = text(page)
    assert "Smith &amp; Wesson" in page.get_data(as_text=True)  # canonical name, escaped
    assert "written: S&W" in body
    assert "9mm Luger" in body and "M&P9" in body
    assert "ab-12 345" in body and "AB12345" in body  # as written and normalised
    assert "Germany" in body and "(DE)" in body  # the country in the user's language
    assert "Worn" in body and "Seized" in body  # translated labels of stored values
    assert f'href="/seizures/{firearm.seizure_id}"' in body and f'href="/cases/{firearm.case_id}"' in body
    assert 'action="/firearms/%d/custody"' % firearm.id in body and 'enctype="multipart/form-data"' in body


def test_the_country_is_shown_in_spanish_to_a_spanish_reader(login_as, reference_data):
    officer = login_as("officer", "FGE-SON", locale="es")
    firearm = factories.seizure(new_case(officer.user), officer.user, firearms=[factories.firearm_values(
        country_of_manufacture="DE")]).firearms[0]
    db.session.commit()
    assert "Alemania" in text(officer.get(f"/firearms/{firearm.id}"))


def test_correcting_the_identity_audits_only_what_changed(recorded):
    officer, firearm = recorded
    form_page = text(officer.get(f"/firearms/{firearm.id}/edit"))
    assert field_value(form_page, "version") == str(firearm.version)
    assert field_value(form_page, "manufacturer") == "S&W" and field_value(form_page, "country_of_manufacture") == "DE"
    values = {name: field_value(form_page, name) or "" for name in (
        "firearm_type", "manufacturer", "model", "caliber", "serial_number", "serial_status", "restored_serial",
        "importer", "country_of_manufacture", "markings", "condition", "notes", "version")}
    values.update(model="M&P9 Shield", country_of_manufacture="US")
    response = officer.post(f"/firearms/{firearm.id}/edit", values, token_from=f"/firearms/{firearm.id}/edit")
    assert response.status_code == 302, text(response)[:1500]
    saved = db.session.get(Firearm, firearm.id)
    assert saved.model == "M&P9 Shield" and saved.country_code == "US" and saved.version == 2
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "firearm.update",
                                                       AuditEvent.object_id == str(firearm.id)))
    assert event.details == {"old": {"model": "M&P9", "country_code": "DE"},
                             "new": {"model": "M&P9 Shield", "country_code": "US"}}


def test_a_stale_version_shows_the_saved_values_and_keeps_the_typed_ones(recorded):
    officer, firearm = recorded
    form_page = text(officer.get(f"/firearms/{firearm.id}/edit"))
    # Someone else saves first.
    from tracer.firearms.services import update_firearm

    update_firearm(officer.user, db.session.get(Firearm, firearm.id), {"model": "Saved by another"}, 1)
    db.session.commit()
    values = {name: field_value(form_page, name) or "" for name in ("firearm_type", "manufacturer", "caliber",
                                                                    "serial_number", "serial_status", "version")}
    values["model"] = "Typed by me"
    response = officer.post(f"/firearms/{firearm.id}/edit", values, token_from=f"/firearms/{firearm.id}/edit")
    assert response.status_code == 409
    body = text(response)
    assert "Someone else changed this firearm" in body and "Saved by another" in body
    assert field_value(body, "model") == "Typed by me" and field_value(body, "version") == "2"
    assert db.session.get(Firearm, firearm.id).model == "Saved by another"
    # The next save is deliberate and goes through.
    values["version"] = "2"
    again = officer.post(f"/firearms/{firearm.id}/edit", values, token_from=f"/firearms/{firearm.id}/edit")
    assert again.status_code == 302 and db.session.get(Firearm, firearm.id).model == "Typed by me"


def test_a_bad_correction_is_refused_with_everything_kept(recorded):
    officer, firearm = recorded
    values = {"firearm_type": "shotgun", "manufacturer": "S&W", "model": "X", "caliber": "9mm",
              "serial_number": "AB\u202e12", "serial_status": "intact", "version": str(firearm.version)}
    response = officer.post(f"/firearms/{firearm.id}/edit", values, token_from=f"/firearms/{firearm.id}/edit")
    assert response.status_code == 400
    body = text(response)
    assert "not a caliber for this type" in field_error(body, "caliber")
    assert field_error(body, "serial_number")
    assert field_value(body, "firearm_type") == "shotgun" and field_value(body, "model") == "X"
    assert db.session.get(Firearm, firearm.id).firearm_type == "pistol"


def test_an_unknown_manufacturer_after_correction_is_flagged(recorded):
    officer, firearm = recorded
    values = {"firearm_type": "pistol", "manufacturer": "Hechizos del Norte", "caliber": "9mm",
              "serial_number": "AB12345", "serial_status": "intact", "version": "1"}
    response = officer.post(f"/firearms/{firearm.id}/edit", values, token_from=f"/firearms/{firearm.id}/edit")
    assert response.status_code == 302
    page = text(officer.get(response.headers["Location"]))
    assert "Unknown manufacturer: kept as written and flagged for review." in page
    assert "Unknown manufacturer — flagged for review" in page
    assert db.session.get(Firearm, firearm.id).manufacturer_id is None


def test_the_seizure_page_links_every_firearm(recorded):
    officer, firearm = recorded
    body = text(officer.get(f"/seizures/{firearm.seizure_id}"))
    assert re.search(r'href="/firearms/%d"' % firearm.id, body)
    assert "2025-03-14" in body and "Sonora" in body and "Hermosillo" in body
