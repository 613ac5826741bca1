"""The first retail purchaser of a trace result recorded as a person of the case (SPEC §2-3):
entered by the liaison officer who works the trace (form, API), checked with the people room's
rules, shown only to allowed readers, every reading audited with ids only."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests import factories
from tests.seizures.helpers import field_error, field_value, text
from tests.tracing.result_helpers import RETAIL, csv_bytes, events, liaison, us_office, waiting_request
from tracer.audit.models import AuditEvent
from tracer.auth import tokens
from tracer.extensions import db
from tracer.people.models import CasePerson, Person
from tracer.tracing import results
from tracer.tracing.results_import import LAYOUT, import_trace_results

PURCHASER = {"purchaser_last_names": "Buyer", "purchaser_first_names": "John Quincy",
             "purchaser_birth_date": "1990-05-17", "purchaser_id_kind": "us_driver_license",
             "purchaser_id_number": "TX12345678", "purchaser_id_region": "TX",
             "purchaser_street": "88 Elm St", "purchaser_locality": "Laredo", "purchaser_region": "TX",
             "purchaser_country": "US", "purchaser_postal_code": "78040"}
RESULT = {**{k: v for k, v in RETAIL.items() if k != "purchaser_name"}, **PURCHASER}
PERSONAL = ("Buyer", "John", "1990", "TX12345678", "Elm", "78040")


@pytest.fixture
def son(ctx):
    return factories.agency("FGE-SON")


@pytest.fixture
def trace(son):
    created = waiting_request(factories.case(son))
    db.session.commit()
    return created


def purchasers(trace) -> list[CasePerson]:
    return list(db.session.scalars(select(CasePerson).where(CasePerson.trace_request_id == trace.id)))


def post_result(browser, trace, **changes):
    page = f"/trace-requests/{trace.id}"
    data = {**RESULT, "notes": "", "version": str(trace.version), **changes}
    return browser.post(f"{page}/result", data, token_from=page)


def no_personal_data_in_audit():
    for event in db.session.scalars(select(AuditEvent)):
        for shown in PERSONAL:
            assert shown not in str(event.details), (event.action, shown)


def test_the_liaison_records_the_purchaser_as_a_person_of_the_case(login_as, trace):
    officer = login_as("liaison", "ATF-MX", locale="en")
    response = post_result(officer, trace)
    assert response.status_code == 302, text(response)[:2000]
    [row] = purchasers(trace)
    assert (row.role, row.case_id, row.firearm_id) == ("purchaser", trace.case_id, trace.firearm_id)
    person = row.person
    assert (person.last_names, person.first_names, str(person.birth_date)) == ("Buyer", "John Quincy", "1990-05-17")
    assert (person.id_kind, person.id_number, person.id_country, person.id_region) == (
        "us_driver_license", "TX12345678", "US", "TX")
    db.session.refresh(trace)
    assert trace.purchaser_name == "John Quincy Buyer"
    page = text(officer.get(f"/trace-requests/{trace.id}"))
    assert "John Quincy Buyer" in page and "88 Elm St, Laredo, TX, 78040, US" in page and "TX12345678" in page
    assert field_value(page, "purchaser_last_names") == "Buyer"
    assert events("personal_data.read", trace.id)[-1].details["person_ids"] == [person.id]
    no_personal_data_in_audit()


def test_a_correction_updates_the_same_person(login_as, trace):
    officer = login_as("liaison", "ATF-MX", locale="en")
    post_result(officer, trace)
    db.session.refresh(trace)
    response = post_result(officer, trace, purchaser_street="12 Oak Ave")
    assert response.status_code == 302
    [row] = purchasers(trace)
    db.session.refresh(row.person)
    assert row.person.street == "12 Oak Ave"
    assert events("person.update")[-1].details == {"fields": ["street"]}


@pytest.mark.parametrize("field,value,message", [
    ("purchaser_birth_date", "2099-01-01", "future"),
    ("purchaser_curp", "GOPJ900517HSRMRN0X", "CURP"),
])
def test_a_bad_purchaser_is_named_next_to_its_field_and_nothing_is_written(login_as, trace, field, value, message):
    officer = login_as("liaison", "ATF-MX", locale="en")
    response = post_result(officer, trace, **{field: value})
    assert response.status_code == 400
    page = text(response)
    assert message in (field_error(page, field) or ""), page[:3000]
    assert field_value(page, "ffl_name") == "Lone Star Guns" and field_value(page, "purchaser_street") == "88 Elm St"
    db.session.refresh(trace)
    assert trace.outcome is None and purchasers(trace) == []
    assert db.session.scalar(select(Person.id)) is None


def test_the_purchaser_errors_read_in_spanish(login_as, trace):
    officer = login_as("liaison", "ATF-MX", locale="es")
    page = text(post_result(officer, trace, purchaser_birth_date="2099-01-01"))
    assert field_error(page, "purchaser_birth_date") and "future" not in field_error(page, "purchaser_birth_date")


@pytest.fixture
def recorded(trace):
    results.record_result(liaison(), trace, RESULT)
    db.session.commit()
    return trace


def test_who_sees_the_purchaser_person(login_as, recorded, son):
    analyst = login_as("analyst", "FGE-SON", locale="en")
    assert "88 Elm St" in text(analyst.get(f"/trace-requests/{recorded.id}"))
    officer = login_as("officer", "FGE-SON", locale="en")
    page = text(officer.get(f"/trace-requests/{recorded.id}"))
    assert "Restricted" in page and "Buyer" not in page and "88 Elm St" not in page
    us_office("ATF-HOU")
    other = login_as("liaison", "ATF-HOU", locale="en")
    assert other.get(f"/trace-requests/{recorded.id}").status_code == 404


def bearer(user) -> dict[str, str]:
    token = tokens.issue_token(user, "tests")[1]
    db.session.commit()
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


def test_the_api_records_and_answers_the_purchaser_person(client, trace):
    officer = liaison()
    body = {**{k: v for k, v in RESULT.items() if k != "no_trace_reason"}, "multiple_sale": True}
    response = client.put(f"/api/v1/trace-requests/{trace.id}/result", json=body, headers=bearer(officer))
    assert response.status_code == 200, response.json
    answer = response.json
    assert answer["purchaser_name"] == "John Quincy Buyer"
    assert answer["purchaser"]["birth_date"] == "1990-05-17" and answer["purchaser"]["id_region"] == "TX"
    assert [row.person_id for row in purchasers(trace)] == [answer["purchaser"]["person_id"]]
    no_personal_data_in_audit()


def test_the_api_names_a_bad_purchaser_field(client, trace):
    body = {**{k: v for k, v in RESULT.items() if k != "no_trace_reason"}, "purchaser_birth_date": "2099-01-01"}
    response = client.put(f"/api/v1/trace-requests/{trace.id}/result", json=body, headers=bearer(liaison()))
    assert response.status_code == 422
    assert "purchaser_birth_date" in response.json["error"]["details"]
    assert purchasers(trace) == []


def test_the_api_restricts_the_purchaser_for_an_officer(client, recorded, son):
    officer = factories.user("officer", son, locale="en")
    answer = client.get(f"/api/v1/trace-requests/{recorded.id}", headers=bearer(officer)).json
    assert "Buyer" not in str(answer)


def run_import(rows, user):
    columns = LAYOUT.columns + tuple(name for name in PURCHASER if name not in LAYOUT.columns)
    return import_trace_results(io.BytesIO(csv_bytes(rows, columns)), user=user)


def test_the_results_file_records_the_purchaser_person_from_its_optional_columns(trace):
    officer = liaison()
    report = run_import([{"trace_number": trace.trace_number, **RESULT}], officer)
    assert report.imported_rows == 1, report.problems
    [row] = purchasers(trace)
    assert (row.role, row.person.last_names, row.person.id_number) == ("purchaser", "Buyer", "TX12345678")
    again = run_import([{"trace_number": trace.trace_number, **RESULT, "purchaser_street": "12 Oak Ave"}], officer)
    assert again.imported_rows == 1 and [r.person.street for r in purchasers(trace)] == ["12 Oak Ave"]
    no_personal_data_in_audit()


def test_a_bad_purchaser_in_the_file_is_reported_by_line_and_column(trace):
    report = run_import([{"trace_number": trace.trace_number, **RESULT, "purchaser_birth_date": "2099-01-01"}],
                        liaison())
    assert report.rejected and [(p.line, p.column) for p in report.problems] == [(2, "purchaser_birth_date")]
    assert purchasers(trace) == []


def test_a_file_imported_without_a_liaison_keeps_no_purchaser_silently(trace):
    """``flask import trace-results`` without --user has nobody to record personal data in the name
    of: the purchaser's row is refused with the reason, never imported without its person."""
    report = run_import([{"trace_number": trace.trace_number, **RESULT}], None)
    assert report.rejected and [(p.line, p.column) for p in report.problems] == [(2, "purchaser_last_names")]
    assert "--user" in report.problems[0].message
    db.session.expire_all()
    assert purchasers(trace) == [] and trace.outcome is None
    plain = {name: value for name, value in RESULT.items() if not name.startswith("purchaser_")}
    assert run_import([{"trace_number": trace.trace_number, **plain}], None).imported_rows == 1
