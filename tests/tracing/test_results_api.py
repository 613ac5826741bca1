"""``PUT /api/v1/trace-requests/{id}/result``: the liaison officer's result over the API."""
from __future__ import annotations

import pytest

from tests import factories
from tests.tracing.result_helpers import RETAIL, events, liaison, us_office, waiting_request
from tracer.auth import tokens
from tracer.extensions import db

BODY = {**{k: v for k, v in RETAIL.items() if k != "no_trace_reason"}, "multiple_sale": True}


@pytest.fixture
def trace(ctx):
    created = waiting_request()
    db.session.commit()
    return created


def bearer(user) -> dict[str, str]:
    token = tokens.issue_token(user, "tests")[1]
    db.session.commit()
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


@pytest.fixture
def officer(ctx):
    user = liaison()
    return user, bearer(user)


def put(client, trace, headers, body):
    return client.put(f"/api/v1/trace-requests/{trace.id}/result", json=body, headers=headers)


def test_a_result_completes_the_request_and_answers_it(client, officer, trace):
    user, headers = officer
    response = put(client, trace, headers, {**BODY, "ffl_license": "574201014c12345", "ffl_state": "texas"})
    assert response.status_code == 200, response.json
    answer = response.json
    assert (answer["id"], answer["status"], answer["outcome"]) == (trace.id, "completed", "us_retail")
    assert (answer["ffl_license"], answer["ffl_state"], answer["time_to_crime_days"]) == (
        "5-74-201-01-4C-12345", "TX", 429)
    assert answer["short_time_to_crime"] is True and answer["multiple_sale"] is True
    assert answer["origin"]["source"] == "gazetteer" and round(answer["origin"]["latitude"], 1) == 29.8
    assert (answer["purchaser_name"], answer["purchaser_restricted"], answer["warnings"]) == (
        "John Q. Buyer", False, {})
    assert answer["version"] == 2
    assert [e.details["where"] for e in events("personal_data.read", trace.id)] == ["api"]
    assert events("trace_request.result", trace.id)[0].details["source"] == "api"


def test_a_request_not_addressed_to_the_callers_agency_answers_404(client, trace):
    us_office("ATF-HOU")
    other = liaison("ATF-HOU")
    response = put(client, trace, bearer(other), BODY)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    db.session.refresh(trace)
    assert trace.outcome is None


def test_field_errors_answer_422_naming_each_field(client, officer, trace):
    _user, headers = officer
    response = put(client, trace, headers, {**BODY, "purchase_date": "2025-03-20", "ffl_state": "Ontario",
                                            "ffl_license": "12-345", "outcome": "no_trace"})
    assert response.status_code == 422
    details = response.json["error"]["details"]
    assert sorted(details) == ["ffl_license", "ffl_state", "multiple_sale", "no_trace_reason", "purchase_date",
                               "purchaser_name"]
    assert "2025-03-20" in details["purchase_date"][0] and "2025-03-14" in details["purchase_date"][0]


@pytest.mark.parametrize("value", [7, [True], {"yes": True}, "maybe"])
def test_a_multiple_sale_that_is_not_yes_or_no_is_named_by_its_field(client, officer, trace, value):
    _user, headers = officer
    response = put(client, trace, headers, {**BODY, "multiple_sale": value})
    assert response.status_code == 422
    assert response.json["error"]["details"] == {"multiple_sale": ["Answer yes or no."]}


def test_a_correction_needs_the_version_and_a_stale_one_answers_409_with_the_stored_values(client, officer, trace):
    user, headers = officer
    assert put(client, trace, headers, BODY).status_code == 200
    missing = put(client, trace, headers, {**BODY, "ffl_zip": "77003"})
    assert missing.status_code == 422 and list(missing.json["error"]["details"]) == ["version"]
    assert put(client, trace, headers, {**BODY, "ffl_zip": "77003", "version": 2}).status_code == 200
    stale = put(client, trace, headers, {**BODY, "ffl_zip": "77004", "version": 2})
    assert stale.status_code == 409
    details = stale.json["error"]["details"]
    assert details["version"] == 3 and details["current"]["ffl_zip"] == "77003"
    assert details["current"]["purchaser_name"] == "John Q. Buyer"


def test_no_trace_over_the_api(client, officer, trace):
    _user, headers = officer
    response = put(client, trace, headers, {"outcome": "no_trace", "no_trace_reason": "records_unavailable"})
    assert response.status_code == 200
    assert (response.json["status"], response.json["no_trace_reason"]) == ("no_trace", "records_unavailable")


def test_other_roles_may_not_and_the_list_carries_no_purchaser(client, officer, trace):
    user, headers = officer
    put(client, trace, headers, BODY)
    analyst = factories.user("analyst", factories.agency("FGR"))
    assert put(client, trace, bearer(analyst), BODY).status_code == 403
    listed = client.get("/api/v1/trace-requests?status=completed", headers=bearer(analyst)).json["items"]
    mine = next(item for item in listed if item["id"] == trace.id)
    assert mine["outcome"] == "us_retail" and mine["purchaser_recorded"] is True
    assert "purchaser_name" not in mine and "John Q. Buyer" not in str(listed)
