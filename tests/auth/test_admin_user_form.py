"""A new account is given its role and agency on purpose: nothing is chosen in advance."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.auth.helpers import field_error_text, field_value, page
from tests.auth.test_admin import stored_user, user_form
from tracer.auth.models import User
from tracer.extensions import db


def test_the_new_user_form_preselects_no_role_and_no_agency(sign_in):
    admin = sign_in("admin", locale="es")
    form = page(admin.get("/admin/users/new"))
    for field_id, empty in (("role", "— elija un rol —"), ("agency_id", "— elija una institución —")):
        select_tag = re.search(rf'<select\b[^>]*\bid="{field_id}"[^>]*>(.*?)</select>', form, re.S).group(1)
        first = re.search(r"<option[^>]*>([^<]*)</option>", select_tag)
        assert first.group(1) == empty and 'value=""' in first.group(0)
        assert "selected" not in select_tag.replace(first.group(0), "")  # nothing else chosen for them


@pytest.mark.parametrize(("locale", "agency_error", "role_error"), [
    ("es", "Elija la institución de esta cuenta.", "Elija el rol de esta cuenta."),
    ("en", "Choose the agency of this account.", "Choose the role of this account."),
])
def test_a_user_without_agency_or_role_is_refused_and_what_was_typed_stays(sign_in, app, locale, agency_error,
                                                                          role_error):
    admin = sign_in("admin", locale=locale)
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(User))
    response = admin.post("/admin/users/new", user_form("", role=""))
    assert response.status_code == 400
    text = page(response)
    assert field_error_text(text, "agency_id") == agency_error
    assert field_error_text(text, "role") == role_error
    assert field_value(text, "username") == "nuevo.agente"
    assert stored_user(app, "nuevo.agente") is None
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == before
