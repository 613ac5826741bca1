"""Bad input on the seizure form: a message next to the field, everything kept, nothing written, no 500."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.seizures.helpers import field_error, field_value, new_case, row, seizure_form, text
from tracer.core.time import local_today
from tracer.extensions import db
from tracer.seizures.models import Seizure


@pytest.fixture
def officer(login_as, reference_data):
    signed = login_as("officer", "FGE-SON", locale="en")
    signed.case = new_case(signed.user)
    return signed


def submit(officer, rows=None, case_id=None, **fields):
    data = seizure_form(officer.case.id if case_id is None else case_id, rows if rows is not None else [row()],
                        **fields)
    return officer.post("/seizures/new", data, token_from="/seizures/new")


def nothing_written() -> bool:
    return db.session.scalar(select(func.count()).select_from(Seizure)) == 0


def refused(response, field_id: str, message: str | None = None) -> str:
    assert response.status_code == 400, text(response)[:1000]
    body = text(response)
    error = field_error(body, field_id)
    assert error, f"no error next to {field_id}"
    if message:
        assert message in error
    assert nothing_written()
    return body


def test_a_future_date_is_refused(officer):
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    body = refused(submit(officer, seized_on=tomorrow), "seized_on", "The date cannot be in the future.")
    assert field_value(body, "seized_on") == tomorrow


def test_a_malformed_date_and_time_are_refused(officer):
    body = refused(submit(officer, seized_on="14/03/2025", seized_time="25:99"), "seized_on")
    assert field_error(body, "seized_time")


def test_coordinates_outside_mexico_are_refused(officer):
    body = refused(submit(officer, latitude="40.7128", longitude="-74.0060"), "latitude", "outside Mexico")
    assert field_value(body, "latitude") == "40.7128"


def test_swapped_coordinates_are_refused(officer):
    refused(submit(officer, latitude="-110.9559", longitude="29.0729"), "latitude")


def test_half_a_coordinate_is_refused(officer):
    refused(submit(officer, longitude=""), "longitude", "Give both latitude and longitude")


def test_a_municipality_not_in_the_chosen_state_is_refused(officer):
    # Guadalajara is in Jalisco, not in Sonora.
    refused(submit(officer, municipality="Guadalajara"), "municipality", "not in the chosen state")


def test_an_unknown_state_is_refused(officer):
    refused(submit(officer, state="99", municipality=""), "state")


def test_coordinates_in_mexico_but_outside_the_state_are_kept_and_flagged(officer):
    # Guadalajara's coordinates for a seizure recorded in Sonora.
    response = submit(officer, latitude="20.6767", longitude="-103.3475")
    assert response.status_code == 302
    seizure = db.session.scalar(select(Seizure))
    assert seizure.coordinates_outside_state is True
    page = text(officer.get(response.headers["Location"]))
    assert "These coordinates fall outside the chosen state; the record is flagged." in page
    assert "The coordinates fall outside the recorded state" in page


def test_without_coordinates_the_place_is_located_from_the_gazetteer(officer):
    response = submit(officer, latitude="", longitude="")
    assert response.status_code == 302
    seizure = db.session.scalar(select(Seizure))
    assert seizure.latitude is not None and seizure.coordinate_source in ("gazetteer", "geocoded")


def test_an_unknown_manufacturer_is_accepted_and_flagged(officer):
    response = submit(officer, [row(manufacturer="Fábrica Patito")])
    assert response.status_code == 302
    firearm = db.session.scalar(select(Seizure)).firearms[0]
    assert firearm.manufacturer_id is None and firearm.manufacturer_text == "Fábrica Patito"
    page = text(officer.get(f"/firearms/{firearm.id}"))
    assert "Unknown manufacturer — flagged for review" in page


def test_a_shotgun_caliber_on_a_pistol_is_refused_on_its_row(officer):
    rows = [row(), row(caliber="12 gauge", serial_number="ZZ9")]
    body = refused(submit(officer, rows), "firearms-1-caliber", "not a caliber for this type of firearm")
    assert field_error(body, "firearms-0-caliber") is None
    assert field_value(body, "firearms-1-serial_number") == "ZZ9"


def test_an_intact_serial_cannot_be_empty(officer):
    refused(submit(officer, [row(serial_number="", serial_status="intact")]), "firearms-0-serial_number",
            "Enter the serial number")


def test_a_privately_made_firearm_needs_no_serial(officer):
    response = submit(officer, [row(firearm_type="pistol", manufacturer="", caliber=".380", serial_number="",
                                    serial_status="none", country_of_manufacture="MX")])
    assert response.status_code == 302
    assert db.session.scalar(select(Seizure)).firearms[0].serial_status == "none"


def test_a_restored_serial_is_kept_beside_the_original(officer):
    response = submit(officer, [row(serial_number="", serial_status="restored", restored_serial="BKX 771")])
    assert response.status_code == 302
    firearm = db.session.scalar(select(Seizure)).firearms[0]
    assert firearm.restored_serial == "BKX 771" and firearm.restored_serial_normalized == "BKX771"
    page = text(officer.get(f"/firearms/{firearm.id}"))
    assert "BKX 771" in page and "BKX771" in page


@pytest.mark.parametrize("serial", [
    "AB\u200b123",      # zero-width space
    "\u202eAB123",      # right-to-left override
    "\u0410B123",       # Cyrillic А that looks like a Latin A
    "AB\x00123",        # a control character
])
def test_look_alike_and_invisible_characters_in_a_serial_are_refused(officer, serial):
    body = refused(submit(officer, [row(serial_number=serial)]), "firearms-0-serial_number")
    assert "serial number" in field_error(body, "firearms-0-serial_number").lower()


def test_full_width_digits_are_accepted(officer):
    response = submit(officer, [row(serial_number="ＢＸＫ１２３")])
    assert response.status_code == 302
    assert db.session.scalar(select(Seizure)).firearms[0].serial_normalized == "BXK123"


def test_a_ten_thousand_character_serial_is_refused(officer):
    refused(submit(officer, [row(serial_number="A" * 10_000)]), "firearms-0-serial_number")


def test_a_very_long_text_is_refused_not_truncated(officer):
    body = refused(submit(officer, operation_name="O" * 500), "operation_name", "at most 160 characters")
    assert field_value(body, "operation_name") == "O" * 500


def test_negative_and_absurd_counts_are_refused(officer):
    body = refused(submit(officer, magazines_count="-3", cartridges_count="1e9"), "magazines_count")
    assert field_error(body, "cartridges_count")


def test_an_unknown_agency_is_refused(officer):
    refused(submit(officer, agency="NOPE"), "agency")


def test_an_out_of_scope_case_is_not_usable(login_as, officer):
    jalisco = login_as("officer", "FGE-JAL")
    other_case = new_case(jalisco.user)
    response = officer.post("/seizures/new", seizure_form(other_case.id, [row()]), token_from="/seizures/new")
    body = refused(response, "case_id", "Choose one of your cases.")
    assert str(other_case.id) not in (field_value(body, "case_id") or "")
    assert officer.get(f"/seizures/new?case_id={other_case.id}").status_code == 404


def test_a_forged_case_id_is_refused(officer):
    refused(submit(officer, case_id="abc"), "case_id")
    refused(submit(officer, case_id="99999999999999999999"), "case_id")


def test_a_missing_csrf_token_is_refused(officer):
    data = seizure_form(officer.case.id, [row()])
    response = officer.client.post("/seizures/new", data=data)
    assert response.status_code == 400 and nothing_written()
