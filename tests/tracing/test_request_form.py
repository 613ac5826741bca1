"""A trace request as complete as Form 3312.1: defaults, each field's shape, completeness at submission."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from tests import factories
from tests.seizures.helpers import field_error, field_value, text
from tests.tracing.helpers import not_ready_firearm, ready_firearm
from tracer.core.errors import ValidationFailed
from tracer.extensions import db
from tracer.tracing import requests as services
from tracer.tracing.crime_codes import category_of_seizure, default_ncic_code, ncic_codes, ncic_label
from tracer.tracing.request_details import IncompleteRequest


@pytest.fixture
def sonora(login_as, reference_data):
    analyst = login_as("analyst", "FGE-SON", locale="en", email="ana.lopez@fge-son.gob.mx")
    case = factories.case("FGE-SON", carpeta_number="FED/SON/HMO/0001234/2025")
    factories.agency("ATF-MX")
    return analyst, case


def test_a_new_request_takes_its_defaults_from_the_case_the_seizure_and_the_requester(sonora):
    analyst, case = sonora
    firearm = ready_firearm(case)
    firearm.seizure.crime_category = "Homicidio"
    trace = services.request_trace(analyst.user, firearm)
    assert trace.agency_case_number == "FED/SON/HMO/0001234/2025"
    assert (trace.requester_name, trace.requester_email) == (analyst.user.full_name, "ana.lopez@fge-son.gob.mx")
    assert trace.requester_phone == "+52 55 0000 0000"  # the agency's contact line
    assert (trace.crime_category, trace.ncic_code) == ("homicide", "0999")
    assert trace.recovery_date == firearm.seizure.seized_on and trace.recovery_state == "26"
    assert "Sonora" in trace.recovery_address and trace.trace_reason == "investigation"


def test_the_crime_categories_map_to_shipped_ncic_codes(app):
    assert {"5202", "5212", "5299", "3599", "0999", "1399", "1099", "1299"} <= set(ncic_codes())
    for code in ("illegal_possession", "firearms_trafficking", "drug_trafficking", "homicide", "kidnapping",
                 "robbery", "extortion", "fuel_theft", "organised_crime", "in_flagrante"):
        assert default_ncic_code(code) in ncic_codes(), code
    with app.test_request_context():
        assert category_of_seizure("Portación ilegal") is None
        assert category_of_seizure("  SECUESTRO ") == "kidnapping" and category_of_seizure("Kidnapping") == "kidnapping"


def test_ncic_titles_follow_the_readers_language(app):
    with app.test_request_context():
        assert ncic_label("5212", "es") == "5212 · Posesión de arma"
        assert ncic_label("5212", "en") == "5212 · Possession of weapon"


@pytest.mark.parametrize("field,value,message", [
    ("requester_email", "ana.lopez", "Not an e-mail address"),
    ("requester_phone", "12", "Not a telephone number"),
    ("ncic_code", "9999", "Not an NCIC crime code"),
    ("crime_category", "jaywalking", "Not one of the allowed values"),
    ("trace_reason", "curiosity", "Not one of the allowed values"),
    ("recovery_date", "2999-01-01", "cannot be in the future"),
    ("agency_case_number", "x" * 81, "at most 80 characters"),
])
def test_each_field_in_the_wrong_shape_is_refused_naming_it(sonora, field, value, message):
    analyst, case = sonora
    firearm = ready_firearm(case)
    with force_locale("en"), pytest.raises(ValidationFailed) as refused:
        services.request_trace(analyst.user, firearm, details={field: value})
    assert list(refused.value.fields) == [field] and message in refused.value.fields[field][0]


def test_an_urgent_request_without_justification_is_not_sent(sonora):
    analyst, case = sonora
    firearm = ready_firearm(case)
    with force_locale("en"), pytest.raises(IncompleteRequest) as refused:
        services.request_trace(analyst.user, firearm, priority="urgent")
    assert refused.value.fields == {"urgent_justification": [
        "An urgent request says why it is urgent: write the justification."]}
    assert services.request_for_firearm(firearm) is None  # nothing half written
    sent = services.request_trace(analyst.user, firearm, priority="urgent",
                                  details={"urgent_justification": "Plazo constitucional de 48 horas."})
    assert (sent.status, sent.urgent_justification) == ("submitted", "Plazo constitucional de 48 horas.")


def test_a_draft_keeps_partial_values_and_submission_names_each_missing_item(sonora):
    analyst, case = sonora
    firearm = ready_firearm(case)
    draft = services.request_trace(analyst.user, firearm, submit=False,
                                   details={"agency_case_number": "", "trace_reason": "other", "requester_email": "",
                                            "requester_phone": "", "ncic_code": "", "crime_category": ""})
    assert draft.status == "draft" and draft.agency_case_number is None and draft.ncic_code is None
    with pytest.raises(IncompleteRequest) as refused:
        services.submit_draft(analyst.user, draft)
    assert set(refused.value.fields) == {"agency_case_number", "requester_phone", "ncic_code", "trace_reason_text"}
    assert refused.value.details["missing"] == list(refused.value.fields)
    services.submit_draft(analyst.user, draft, details={
        "agency_case_number": "CI-123", "requester_phone": "(662) 123 4567", "ncic_code": "5212",
        "trace_reason_text": "Entrega en operativo"})
    assert (draft.status, draft.requester_phone) == ("submitted", "+52 662 123 4567")


def test_the_draft_page_saves_then_sends_the_request_form_keeping_what_was_typed(sonora):
    analyst, case = sonora
    firearm = not_ready_firearm(case)
    db.session.commit()
    analyst.post(f"/firearms/{firearm.id}/trace-request", {"priority": "routine", "draft": "1"},
                 token_from=f"/firearms/{firearm.id}")
    trace = services.request_for_firearm(firearm)
    page = f"/trace-requests/{trace.id}"
    form = text(analyst.get(page))
    assert field_value(form, "agency_case_number") == "FED/SON/HMO/0001234/2025"
    bad = analyst.post(f"{page}/submit", {"action": "save", "priority": "urgent", "requester_phone": "12",
                                          "project_code": "OP-NORTE"}, token_from=page)
    assert bad.status_code == 422
    shown = text(bad)
    assert "Not a telephone number" in field_error(shown, "requester_phone")
    assert field_value(shown, "project_code") == "OP-NORTE" and field_value(shown, "requester_phone") == "12"
    saved = analyst.post(f"{page}/submit", {"action": "save", "priority": "urgent", "project_code": "OP-NORTE"},
                         token_from=page)
    assert saved.status_code == 302
    db.session.refresh(trace)
    assert (trace.status, trace.priority, trace.project_code) == ("draft", "urgent", "OP-NORTE")
    firearm.importer = "Glock Inc."
    db.session.commit()
    refused = analyst.post(f"{page}/submit", {"action": "send", "priority": "urgent"}, token_from=page)
    assert refused.status_code == 422
    assert "An urgent request says why it is urgent" in field_error(text(refused), "urgent_justification")
    sent = analyst.post(f"{page}/submit", {"action": "send", "priority": "urgent",
                                           "urgent_justification": "Detenido en flagrancia."}, token_from=page)
    assert sent.status_code == 302
    db.session.refresh(trace)
    assert (trace.status, trace.urgent_justification) == ("submitted", "Detenido en flagrancia.")


def test_the_api_takes_the_request_form_and_answers_422_naming_what_is_missing(api, reference_data):
    call = api("analyst", "FGE-SON")
    factories.agency("ATF-MX")
    firearm = ready_firearm(factories.case("FGE-SON"))
    db.session.commit()
    refused = call("POST", f"/firearms/{firearm.id}/trace-requests", json={"priority": "urgent"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"]["missing"] == ["urgent_justification"]
    bad = call("POST", f"/firearms/{firearm.id}/trace-requests", json={"requester_email": "nobody"})
    assert bad.status_code == 422 and "requester_email" in bad.get_json()["error"]["details"]
    created = call("POST", f"/firearms/{firearm.id}/trace-requests",
                   json={"priority": "urgent", "urgent_justification": "48 horas", "ncic_code": "5202",
                         "requester_badge": "A-77", "trace_reason": "recovered_in_crime"})
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert (body["ncic_code"], body["requester_badge"], body["trace_reason"]) == ("5202", "A-77",
                                                                                    "recovered_in_crime")
