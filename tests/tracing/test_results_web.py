"""The liaison officer's result form on the trace request page."""
from __future__ import annotations

import pytest

from tests.seizures.helpers import field_error, field_value, text
from tests.tracing.result_helpers import RETAIL, events, us_office, waiting_request
from tracer.extensions import db


@pytest.fixture
def officer(login_as):
    """A liaison officer of ATF-MX, signed in, reading English."""
    return login_as("liaison", "ATF-MX", locale="en")


@pytest.fixture
def trace(ctx):
    created = waiting_request()
    db.session.commit()
    return created


def post_result(browser, trace, **changes):
    page = f"/trace-requests/{trace.id}"
    data = {**RETAIL, "notes": "", "version": str(trace.version), **changes}
    if data.get("multiple_sale") == "no":
        data.pop("multiple_sale")  # an unticked checkbox is not sent
    return browser.post(f"{page}/result", data, token_from=page)


def test_the_liaison_enters_a_us_retail_result_and_the_page_shows_it(officer, trace):
    page = text(officer.get(f"/trace-requests/{trace.id}"))
    assert "Enter the result" in page and 'action="/trace-requests/%d/result"' % trace.id in page
    response = post_result(officer, trace)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/trace-requests/{trace.id}#result")
    db.session.refresh(trace)
    assert (trace.status, trace.ffl_license, trace.time_to_crime_days) == ("completed", "5-74-201-01-4C-12345", 429)
    page = text(officer.get(f"/trace-requests/{trace.id}"))
    assert "US retail sale" in page and "Lone Star Guns" in page and "Houston, Texas (TX)" in page
    assert "429 days" in page and "Short time to crime" in page
    assert "John Q. Buyer" in page  # the officer who works the trace sees the purchaser…
    assert "Correct the result" in page and field_value(page, "purchaser_name") == "John Q. Buyer"
    reads = events("personal_data.read", trace.id)  # …and the reading is in the audit trail
    assert [(e.user_id, e.case_id, e.details["where"]) for e in reads] == [
        (officer.user.id, trace.case_id, "trace_request_page")]


def test_a_purchase_date_after_the_seizure_is_shown_next_to_the_field_with_what_was_typed(officer, trace):
    response = post_result(officer, trace, purchase_date="2025-04-02", ffl_name="Lone Star Guns & Ammo")
    assert response.status_code == 400
    page = text(response)
    assert field_error(page, "purchase_date") == (
        "The purchase date (2025-04-02) is after the seizure date (2025-03-14): a firearm is bought before it "
        "is seized.")
    assert field_value(page, "purchase_date") == "2025-04-02"
    assert field_value(page, "ffl_name") == "Lone Star Guns & Ammo"
    db.session.refresh(trace)
    assert (trace.status, trace.outcome) == ("submitted", None)


def test_an_unknown_state_and_a_bad_licence_are_both_named(officer, trace):
    response = post_result(officer, trace, ffl_state="Tejax", ffl_license="5-74-201")
    page = text(response)
    assert response.status_code == 400
    assert field_error(page, "ffl_state") == "Unknown US state: use its abbreviation (TX) or its name (Texas)."
    assert "X-XX-XXX-XX-XX-XXXXX" in field_error(page, "ffl_license")
    assert field_value(page, "ffl_license") == "5-74-201" and field_value(page, "ffl_state") == "Tejax"


def test_a_request_not_addressed_to_the_officers_agency_is_not_found(login_as, trace):
    us_office("ATF-HOU")
    other = login_as("liaison", "ATF-HOU", locale="en")
    assert other.get(f"/trace-requests/{trace.id}").status_code == 404
    response = other.post(
        f"/trace-requests/{trace.id}/result", {**RETAIL, "version": "1"}, token_from="/auth/profile")
    assert response.status_code == 404
    db.session.refresh(trace)
    assert trace.outcome is None and events("trace_request.result", trace.id) == []


def test_a_stale_save_shows_the_stored_result_and_keeps_what_was_typed(officer, trace):
    assert post_result(officer, trace).status_code == 302
    read = trace.version
    db.session.refresh(trace)
    assert post_result(officer, trace, ffl_zip="77003").status_code == 302
    response = post_result(officer, trace, ffl_zip="77009", version=str(read))
    assert response.status_code == 409
    page = text(response)
    assert "Someone else changed this trace result" in page
    assert field_value(page, "ffl_zip") == "77009"
    db.session.refresh(trace)
    assert trace.ffl_zip == "77003" and field_value(page, "version") == str(trace.version)
    assert post_result(officer, trace, ffl_zip="77009", version=str(trace.version)).status_code == 302


def test_no_trace_from_the_form(officer, trace):
    response = post_result(officer, trace, outcome="no_trace", no_trace_reason="obliterated_serial", ffl_name="",
                           ffl_license="", ffl_street="", ffl_city="", ffl_state="", ffl_zip="", purchase_date="",
                           purchaser_name="", multiple_sale="no")
    assert response.status_code == 302
    db.session.refresh(trace)
    assert (trace.status, trace.no_trace_reason) == ("no_trace", "obliterated_serial")
    page = text(officer.get(f"/trace-requests/{trace.id}"))
    assert "No trace" in page and "Obliterated serial number" in page
