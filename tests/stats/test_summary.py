"""GET /api/v1/stats/summary: SPEC §7's fields, worked out by hand on the register of conftest."""
from __future__ import annotations

import pytest


def test_the_summary_over_everything_has_exactly_the_fields_of_the_spec(api, register):
    body = api("analyst", "FGR")("GET", "/stats/summary").get_json()
    assert body == {
        "seizures": 4, "firearms": 5, "trace_requests": 5,
        "outcomes": {"us_retail": 2, "us_other": 1, "foreign": 1, "undetermined": 0, "no_trace": 1},
        # us_retail + us_other over completed traces whose outcome is not no_trace: 3 of 4.
        "us_sourced_pct": 75.0,
        "top_source_states": [{"state": "TX", "count": 2}, {"state": "AZ", "count": 1}],
        # 400 and 2,000 days: the mean of the two middle values; one of the two is under 1,095.
        "median_ttc_days": 1200, "short_ttc_pct": 50.0,
        "by_type": {"pistol": 3, "revolver": 0, "rifle": 1, "shotgun": 1, "submachine_gun": 0, "machine_gun": 0,
                    "receiver_frame": 0, "other": 0},
        "by_seizure_state": [{"state": "26", "count": 3}, {"state": "08", "count": 1}, {"state": "14", "count": 1}],
    }


def test_counts_follow_the_seizure_date(api, register):
    body = api("supervisor", "FGR")("GET", "/stats/summary?from=2025-01-01&to=2025-04-30").get_json()
    # The Hermosillo seizure (two firearms) and the Guadalajara one; Nogales (May) and Juárez (2024) left out.
    assert (body["seizures"], body["firearms"], body["trace_requests"]) == (2, 3, 3)
    assert body["outcomes"]["no_trace"] == 1 and body["outcomes"]["foreign"] == 0
    assert body["us_sourced_pct"] == 100.0
    assert body["top_source_states"] == [{"state": "AZ", "count": 1}, {"state": "TX", "count": 1}]


def test_the_state_filter_keeps_the_seizures_of_that_state(api, register):
    body = api("analyst", "FGR")("GET", "/stats/summary?state=26").get_json()
    assert (body["seizures"], body["firearms"]) == (2, 3)
    assert body["by_seizure_state"] == [{"state": "26", "count": 3}]
    assert body["us_sourced_pct"] == pytest.approx(66.7)


def test_a_state_supervisor_sees_only_their_state(api, register):
    body = api("supervisor", "FGE-JAL")("GET", "/stats/summary").get_json()
    assert (body["seizures"], body["firearms"], body["trace_requests"]) == (1, 1, 1)
    assert body["outcomes"]["no_trace"] == 1
    assert body["us_sourced_pct"] is None and body["median_ttc_days"] is None and body["short_ttc_pct"] is None
    assert body["top_source_states"] == [] and body["by_seizure_state"] == [{"state": "14", "count": 1}]


def test_an_empty_scope_answers_zeros_not_errors(api, ctx):
    body = api("analyst", "FGE-CHIH")("GET", "/stats/summary").get_json()
    assert body["seizures"] == 0 and body["us_sourced_pct"] is None and body["by_seizure_state"] == []


@pytest.mark.parametrize("query, field", [
    ("from=2025-05-01&to=2025-01-01", "to"),
    ("state=99", "state"),
    ("state=Atlantis", "state"),
    ("from=01/05/2025", "from"),
])
def test_bad_filters_answer_422_naming_the_field(api, ctx, query, field):
    response = api("analyst", "FGR")("GET", f"/stats/summary?{query}")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and list(error["details"]) == [field]


@pytest.mark.parametrize("role", ["officer", "liaison", "admin", "auditor"])
def test_other_roles_may_not_read_the_summary(api, ctx, role):
    agency = "ATF-MX" if role == "liaison" else "FGR"
    response = api(role, agency)("GET", "/stats/summary")
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"


def test_the_summary_is_documented(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/stats/summary"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {"from", "to", "state"}
