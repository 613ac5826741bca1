"""Complete trace results: the partner's number, the dealer's phone, the importer (flagged on a
US-made gun), and the partner office opening a request (in progress)."""
from __future__ import annotations

import io

import pytest

from tests import factories
from tests.seizures.helpers import field_error, text
from tests.tracing.result_helpers import RETAIL, events, waiting_request
from tracer.core.errors import NotFound, ValidationFailed
from tracer.extensions import db
from tracer.tracing.opening import open_trace
from tracer.tracing.results import record_result
from tracer.tracing.results_import import import_trace_results


@pytest.fixture
def officer(login_as):
    return login_as("liaison", "ATF-MX", locale="en")


@pytest.fixture
def trace(ctx):
    created = waiting_request()
    db.session.commit()
    return created


def post_result(browser, trace, **changes):
    page = f"/trace-requests/{trace.id}"
    return browser.post(f"{page}/result", {**RETAIL, "notes": "", "version": str(trace.version), **changes},
                        token_from=page)


def test_the_result_form_takes_the_partners_number_the_dealers_phone_and_the_importer(officer, trace):
    response = post_result(officer, trace, partner_trace_number="T20250012345", ffl_phone="713.555.0142",
                           importer_name="Glock Inc.", importer_license="9-58-067-08-7K-01234")
    assert response.status_code == 302
    db.session.refresh(trace)
    assert (trace.partner_trace_number, trace.ffl_phone) == ("T20250012345", "(713) 555-0142")
    assert (trace.importer_name, trace.result_flags) == ("Glock Inc.", None)  # an Austrian gun: no flag
    page = text(officer.get(f"/trace-requests/{trace.id}"))
    assert "T20250012345" in page and "(713) 555-0142" in page and "9-58-067-08-7K-01234" in page


@pytest.mark.parametrize("phone", ["555-0142", "713 555 01422", "+52 55 1234 5678", "call the store"])
def test_an_ffl_phone_in_the_wrong_shape_is_a_field_error_and_the_form_is_kept(officer, trace, phone):
    response = post_result(officer, trace, ffl_phone=phone, partner_trace_number="T1")
    assert response.status_code == 400
    page = text(response)
    assert "A US telephone number has 10 digits" in field_error(page, "ffl_phone")
    assert 'value="T1"' in page
    db.session.refresh(trace)
    assert trace.status == "submitted" and trace.outcome is None


def test_an_importer_named_for_a_us_made_gun_is_flagged_not_refused(officer, ctx):
    firearm = factories.firearm(manufacturer="Smith & Wesson", model="M&P9", country_of_manufacture="US",
                                importer="", serial_number="NHK1234")
    trace = factories.trace_request(firearm)
    db.session.commit()
    response = post_result(officer, trace, importer_name="Century Arms")
    assert response.status_code == 302
    db.session.refresh(trace)
    assert (trace.status, trace.result_flags) == ("completed", ["importer_on_us_made"])
    english = text(officer.get(f"/trace-requests/{trace.id}"))
    assert 'data-result-flag="importer_on_us_made"' in english
    assert "the firearm was made in the United States" in english


def test_the_flag_reads_in_spanish_for_a_spanish_reader(login_as, ctx):
    firearm = factories.firearm(country_of_manufacture="US", importer="", serial_number="NHK99")
    trace = factories.trace_request(firearm, status="completed", outcome="us_retail",
                                    importer_name="Century Arms", result_flags=["importer_on_us_made"])
    db.session.commit()
    analyst = login_as("analyst", firearm.case.owner_agency.acronym, locale="es")
    page = text(analyst.get(f"/trace-requests/{trace.id}"))
    assert "fabricada en Estados Unidos" in page


def test_in_progress_only_from_submitted_and_only_by_the_addressed_liaison(ctx):
    trace = waiting_request()
    other_office = factories.agency("ATF-HOU", name="ATF Houston", level="us")
    stranger = factories.user("liaison", other_office)
    analyst = factories.user("analyst", trace.firearm.case.owner_agency)
    liaison = factories.user("liaison", factories.agency("ATF-MX"))
    for who in (stranger, analyst):
        with pytest.raises(NotFound):
            open_trace(who, trace)
    open_trace(liaison, trace)
    assert trace.status == "in_progress" and trace.opened_at is not None
    db.session.commit()
    assert [e.details["new"] for e in events("trace_request.open", trace.id)] == [{"status": "in_progress"}]
    with pytest.raises(ValidationFailed):
        open_trace(liaison, trace)  # already opened
    draft = waiting_request(status="draft")
    with pytest.raises((ValidationFailed, NotFound)):
        open_trace(liaison, draft)
    record_result(liaison, trace, {**RETAIL})
    assert trace.status == "completed"
    with pytest.raises(ValidationFailed):
        open_trace(liaison, trace)  # answered


def test_the_liaison_opens_a_request_from_its_page_and_lists_know_the_status(officer, trace):
    page = text(officer.get(f"/trace-requests/{trace.id}"))
    assert "Mark as in progress" in page
    opened = officer.post(f"/trace-requests/{trace.id}/open", {}, token_from=f"/trace-requests/{trace.id}")
    assert opened.status_code == 302
    db.session.refresh(trace)
    assert trace.status == "in_progress"
    page = text(officer.get(f"/trace-requests/{trace.id}"))
    assert "Mark as in progress" not in page and "In progress" in page
    listed = text(officer.get("/trace-requests?status=in_progress"))
    assert trace.trace_number in listed
    assert "requests in progress" in text(officer.get("/"))


def test_the_api_opens_a_request_and_takes_the_new_result_fields(api, ctx):
    trace = waiting_request()
    call = api("liaison", "ATF-MX")
    opened = call("POST", f"/trace-requests/{trace.id}/open")
    assert opened.status_code == 200 and opened.get_json()["status"] == "in_progress"
    again = call("POST", f"/trace-requests/{trace.id}/open")
    assert again.status_code == 422 and "status" in again.get_json()["error"]["details"]
    body = {k: v for k, v in RETAIL.items() if k != "no_trace_reason"}
    bad = call("PUT", f"/trace-requests/{trace.id}/result", json={**body, "ffl_phone": "12345"})
    assert bad.status_code == 422 and "ffl_phone" in bad.get_json()["error"]["details"]
    saved = call("PUT", f"/trace-requests/{trace.id}/result",
                 json={**body, "ffl_phone": "7135550142", "partner_trace_number": "T77"})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    answer = saved.get_json()
    assert (answer["status"], answer["ffl_phone"], answer["partner_trace_number"]) == ("completed",
                                                                                       "(713) 555-0142", "T77")
    analyst = api("analyst", "FGR")
    assert analyst("POST", f"/trace-requests/{trace.id}/open").status_code == 403


def test_the_result_file_takes_the_new_columns_as_optional_extras(ctx):
    us_made = waiting_request(status="in_progress")
    us_made.firearm.country_code = "US"
    us_made.identifiers = {**us_made.identifiers, "country_of_manufacture": "US"}
    db.session.commit()
    header = "trace_number,outcome,no_trace_reason,ffl_name,ffl_license,ffl_street,ffl_city,ffl_state,ffl_zip," \
             "purchase_date,purchaser_name,multiple_sale,ffl_phone,partner_trace_number,importer_name\n"
    row = (f"{us_made.trace_number},us_retail,,Lone Star Guns,5-74-201-01-4C-12345,1200 Main St,Houston,TX,77002,"
           "2024-01-10,,no,713-555-0142,T-9,Century Arms\n")
    report = import_trace_results(io.BytesIO((header + row).encode()))
    assert not report.rejected, report.problems
    db.session.refresh(us_made)
    assert (us_made.status, us_made.ffl_phone, us_made.partner_trace_number) == ("completed", "(713) 555-0142",
                                                                                  "T-9")
    assert us_made.result_flags == ["importer_on_us_made"]
    assert any(p.column == "importer_name" for p in report.problems)  # reported as a warning
    wrong = import_trace_results(io.BytesIO((header + row.replace("713-555-0142", "555-0142")).encode()))
    assert wrong.rejected and [p.column for p in wrong.problems if p.severity == "error"] == ["ffl_phone"]
