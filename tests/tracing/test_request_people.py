"""The possessor and associates on a trace request (Form 3312.1 section 6): picked from the case or
added with the people room's checks, on the draft page and the API; shown only to allowed readers."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from tests.seizures.helpers import field_error, field_value, text
from tests.tracing.helpers import ready_firearm
from tests.tracing.result_helpers import events, liaison
from tracer.audit.models import AuditEvent
from tracer.extensions import db
from tracer.people.models import CasePerson, Person
from tracer.people.services import record_person
from tracer.tracing import requests as services
from tracer.tracing.results import record_result

NEW = {"person_role": "possessor", "person_last_names": "Robles Díaz", "person_first_names": "Mario",
       "person_birth_date": "1988-02-03", "person_sex": "male", "person_locality": "Navojoa", "person_country": "MX"}
PERSONAL = ("Robles", "Mario", "1988", "Navojoa", "Ortega")


@pytest.fixture
def sonora(login_as, reference_data):
    analyst = login_as("analyst", "FGE-SON", locale="en")
    case = factories.case("FGE-SON", carpeta_number="CI-SON-9")
    factories.agency("ATF-MX")
    firearm = ready_firearm(case)
    known = record_person(case, "associate", {"last_names": "Ortega", "first_names": "Luis"}, analyst.user,
                          firearm_id=firearm.id)
    draft = services.request_trace(analyst.user, firearm, submit=False)
    db.session.commit()
    return analyst, draft, known


def on_request(trace) -> list[CasePerson]:
    return list(db.session.scalars(select(CasePerson).where(CasePerson.trace_request_id == trace.id)
                                   .order_by(CasePerson.id)))


def save(analyst, trace, **data):
    page = f"/trace-requests/{trace.id}"
    return analyst.post(f"{page}/submit", {"action": "save", "priority": "routine", **data}, token_from=page)


def no_personal_data_in_audit():
    for event in db.session.scalars(select(AuditEvent)):
        for shown in PERSONAL:
            assert shown not in str(event.details), (event.action, shown)


def test_the_draft_page_names_a_recorded_associate_and_a_new_possessor(sonora):
    analyst, draft, known = sonora
    form = text(analyst.get(f"/trace-requests/{draft.id}"))
    assert "Possessor and associates" in form and f'name="people_ids" value="{known.id}"' in form
    response = save(analyst, draft, people_ids=str(known.id), **NEW)
    assert response.status_code == 302, text(response)[:3000]
    rows = on_request(draft)
    assert [(row.role, row.person.last_names) for row in rows] == [("associate", "Ortega"), ("possessor", "Robles Díaz")]
    assert rows[1].firearm_id == draft.firearm_id and rows[1].case_id == draft.case_id
    page = text(analyst.get(f"/trace-requests/{draft.id}"))
    assert "Mario Robles Díaz" in page and "Luis Ortega" in page
    assert f'name="people_ids" value="{known.id}"' not in page  # already on the request
    no_personal_data_in_audit()


def test_a_bad_person_is_named_next_to_its_field_and_nothing_is_written(sonora):
    analyst, draft, known = sonora
    response = save(analyst, draft, agency_case_number="CI-NEW", **{**NEW, "person_birth_date": "2999-01-01"})
    assert response.status_code == 422
    page = text(response)
    assert "future" in (field_error(page, "person_birth_date") or ""), page[:3000]
    assert field_value(page, "person_last_names") == "Robles Díaz" and field_value(page, "agency_case_number") == "CI-NEW"
    db.session.refresh(draft)
    assert on_request(draft) == [] and draft.agency_case_number == "CI-SON-9"
    assert db.session.scalar(select(Person.id).where(Person.last_names == "Robles Díaz")) is None


def test_a_new_person_needs_a_role(sonora):
    analyst, draft, _known = sonora
    response = save(analyst, draft, **{**NEW, "person_role": ""})
    assert response.status_code == 422 and field_error(text(response), "person_role")


def test_the_api_request_carries_the_possessor_and_associates(api, reference_data):
    call = api("analyst", "FGE-SON")
    factories.agency("ATF-MX")
    firearm = ready_firearm(factories.case("FGE-SON"))
    db.session.commit()
    bad = call("POST", f"/firearms/{firearm.id}/trace-requests", json={"people": [
        {"role": "possessor", "last_names": "Robles Díaz", "birth_date": "2999-01-01"}]})
    assert bad.status_code == 422 and "people.0.birth_date" in bad.json["error"]["details"]
    assert services.request_for_firearm(firearm) is None  # nothing half written
    made = call("POST", f"/firearms/{firearm.id}/trace-requests", json={"people": [
        {"role": "possessor", "last_names": "Robles Díaz", "first_names": "Mario"},
        {"role": "associate", "last_names": "Ortega"}]})
    assert made.status_code == 201, made.json
    trace = services.request_for_firearm(firearm)
    assert [(row.role, row.person.last_names) for row in on_request(trace)] == [
        ("possessor", "Robles Díaz"), ("associate", "Ortega")]
    no_personal_data_in_audit()


@pytest.fixture
def sent(sonora):
    analyst, draft, known = sonora
    save(analyst, draft, people_ids=str(known.id), **NEW)
    services.submit_draft(analyst.user, draft)
    db.session.commit()
    return analyst, draft


@pytest.mark.parametrize("language,section,role", [("en", "6. Possessor and associates", "Possessor"),
                                                   ("es", "6. Poseedor y acompañantes", "Poseedor")])
def test_the_printed_request_lists_them_for_an_analyst_in_both_languages(sent, language, section, role):
    analyst, trace = sent
    page = text(analyst.get(f"/trace-requests/{trace.id}/print?lang={language}"))
    assert section in page and role in page and "Mario Robles Díaz" in page and "Luis Ortega" in page
    assert "print" in [e.details["where"] for e in events("personal_data.read", trace.id)]


def test_an_officer_and_the_liaison_see_them_restricted(sent, login_as):
    _analyst, trace = sent
    officer = login_as("officer", "FGE-SON", locale="en")
    page = text(officer.get(f"/trace-requests/{trace.id}"))
    assert "Restricted" in page and "2 people recorded" in page and "Robles" not in page
    printed = text(officer.get(f"/trace-requests/{trace.id}/print?lang=en"))
    assert "Restricted" in printed and "Robles" not in printed
    us = login_as("liaison", "ATF-MX", locale="en")
    assert "Robles" not in text(us.get(f"/trace-requests/{trace.id}/print?lang=en"))


def test_the_csv_fills_personal_columns_only_for_allowed_exporters(sent, login_as):
    analyst, trace = sent
    record_result(liaison(), trace, {"outcome": "us_retail", "ffl_name": "Lone Star Guns",
                                     "ffl_license": "5-74-201-01-4C-12345", "ffl_city": "Houston", "ffl_state": "TX",
                                     "purchaser_last_names": "Buyer", "purchaser_first_names": "John"})
    db.session.commit()
    raw = analyst.get("/trace-requests/export.csv").get_data().decode("utf-8-sig")
    assert "Mario Robles Díaz" in raw and "John Buyer" in raw
    assert events("personal_data.read")[-1].details["where"] == "csv_export"
    officer = login_as("officer", "FGE-SON", locale="en")
    raw = officer.get("/trace-requests/export.csv").get_data().decode("utf-8-sig")
    assert trace.trace_number in raw and "Robles" not in raw and "Buyer" not in raw
    no_personal_data_in_audit()
