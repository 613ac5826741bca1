"""An agency's ORI number: entered by an administrator, checked, listed."""
from __future__ import annotations

import pytest

from tests.auth.helpers import error_fields, field_error_text, field_value, page
from tests.auth.test_admin import agency_form, stored_agency


@pytest.fixture
def admin(sign_in):
    return sign_in("admin", locale="en")


def test_an_administrator_records_the_ori_and_the_list_shows_it(admin, app):
    response = admin.post("/admin/agencies/new", agency_form(ori_number="mx0250100"))
    assert response.status_code == 302
    assert stored_agency(app, "SSP-SIN").ori_number == "MX0250100"
    assert "MX0250100" in page(admin.get("/admin/agencies"))


@pytest.mark.parametrize("ori", ["MX025010", "MX02501000", "MX-025010", "MX 025010", "MX02501ñ0"])
def test_a_bad_ori_is_named_and_the_form_is_kept(admin, app, ori):
    response = admin.post("/admin/agencies/new", agency_form(ori_number=ori))
    assert response.status_code == 400
    shown = page(response)
    assert error_fields(shown) == {"ori_number"}
    assert "9 letters and digits" in field_error_text(shown, "ori_number")
    assert field_value(shown, "contact_name") == "Lic. Ana Ruiz"
    assert stored_agency(app, "SSP-SIN") is None
