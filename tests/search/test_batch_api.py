"""POST /api/v1/search/serial/batch: items in the order sent, a line's own error, the request's own 422."""
from __future__ import annotations

import dataclasses
import uuid

import pytest
from sqlalchemy import select

from config import TestConfig
from tests import factories
from tests.api.test_api import assert_error, bearer
from tracer import create_app
from tracer.audit.models import AuditEvent
from tracer.auth import tokens
from tracer.extensions import db, limiter
from tracer.search import batch as search_batch
from tracer.search.batch_api import SerialBatchOut

SONORA_SERIAL = "BXK1Z3456"
JALISCO_SERIAL = "JAL778812"
URL = "/api/v1/search/serial/batch"


@pytest.fixture
def records(ctx, reference_data):
    sonora = factories.seizure(factories.case("FGE-SON"), firearms=[factories.firearm_values(
        serial_number=SONORA_SERIAL, manufacturer="Smith & Wesson", model="M&P9", caliber="9mm")])
    jalisco = factories.seizure(factories.case("FGE-JAL"), firearms=[factories.firearm_values(
        serial_number=JALISCO_SERIAL, manufacturer="Glock", model="19", caliber="9mm")])
    db.session.commit()
    return {"sonora": sonora.firearms[0], "jalisco": jalisco.firearms[0]}


@pytest.fixture
def token(records):
    user = factories.user("analyst", factories.agency("FGE-JAL"), locale="en")
    _, raw = tokens.issue_token(user, "script")
    db.session.commit()
    return raw


def events(action: str) -> list[AuditEvent]:
    db.session.flush()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def post(client, token, body):
    return client.post(URL, json=body, headers=bearer(token))


def test_every_query_is_answered_in_the_order_sent(client, token, records):
    queries = [{"q": JALISCO_SERIAL, "mode": "exact"}, {"q": "8XK-1Z3456"}, {"q": "AB", "mode": "fuzzy"},
               {"q": "ZZZ999111", "manufacturer": "Glock"}]
    response = post(client, token, {"queries": queries})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    SerialBatchOut.model_validate(body)  # the answer has the documented shape
    assert [item["q"] for item in body["items"]] == [query["q"] for query in queries]
    mine, theirs, short, nothing = body["items"]
    (hit,) = mine["hits"]
    assert hit["firearm_id"] == records["jalisco"].id and hit["match"] == "exact" and hit["restricted"] is False
    assert hit["case_reference"] == records["jalisco"].case.reference and mine["mode"] == "exact"
    (restricted,) = theirs["hits"]
    assert restricted["restricted"] is True and restricted["match"] == "lookalike"
    assert restricted["agency"]["acronym"] == "FGE-SON" and "reference" in restricted
    assert SONORA_SERIAL not in response.get_data(as_text=True)
    assert "firearm_id" not in restricted and "score" not in restricted
    assert short["error"]["code"] == "validation_failed" and list(short["error"]["details"]) == ["q"]
    assert "hits" not in short
    assert nothing["hits"] == [] and body["withheld"] is False


def test_the_batch_is_audited_once_with_its_counts(client, token, records):
    post(client, token, {"queries": [{"q": JALISCO_SERIAL}, {"q": "8XK-1Z3456"}, {"q": "A\u200bB"}]})
    assert len(events("search.serial")) == 2
    (batch,) = events("search.serial_batch")
    assert {key: batch.details[key] for key in ("queries", "hits", "restricted_hits", "errors", "output")} == {
        "queries": 3, "hits": 1, "restricted_hits": 1, "errors": 1, "output": "api"}


def test_a_query_with_a_control_character_is_its_own_error(client, token, records):
    body = post(client, token, {"queries": [{"q": "ABC\u0007123"}, {"q": JALISCO_SERIAL}]}).get_json()
    first, second = body["items"]
    assert "control character" in " ".join(first["error"]["details"]["q"])
    assert [hit["firearm_id"] for hit in second["hits"]] == [records["jalisco"].id]


def test_a_query_with_an_unknown_manufacturer_is_its_own_error(client, token, records):
    body = post(client, token, {"queries": [{"q": JALISCO_SERIAL, "manufacturer": "Acme Blasters"},
                                            {"q": JALISCO_SERIAL, "manufacturer": "Glock"}]}).get_json()
    first, second = body["items"]
    assert "Unknown manufacturer" in " ".join(first["error"]["details"]["manufacturer"])
    assert len(second["hits"]) == 1


def test_an_unknown_mode_is_its_own_error(client, token, records):
    first, second = post(client, token, {"queries": [{"q": JALISCO_SERIAL, "mode": "regex"},
                                                     {"q": JALISCO_SERIAL}]}).get_json()["items"]
    assert list(first["error"]["details"]) == ["mode"] and len(second["hits"]) == 1


@pytest.mark.parametrize("count,expected", [(0, "The list is empty"), (501, "at most 500 serial numbers")])
def test_an_empty_batch_or_one_of_501_queries_is_refused_whole(client, token, count, expected):
    queries = [{"q": f"SER{number:06d}"} for number in range(count)]
    error = assert_error(post(client, token, {"queries": queries}), 422, "validation_failed")
    assert list(error["details"]) == ["queries"] and expected in " ".join(error["details"]["queries"])
    assert events("search.serial") == [] and events("search.serial_batch") == []


@pytest.mark.parametrize("body", [
    [{"q": JALISCO_SERIAL}], {"queries": JALISCO_SERIAL}, {"serials": [JALISCO_SERIAL]}, {},
    {"queries": [JALISCO_SERIAL]}, {"queries": [{"q": 5}]}, {"queries": [{"serial": JALISCO_SERIAL}]},
    {"queries": [{"q": JALISCO_SERIAL}], "limit": 3}, "ABC"])
def test_a_body_of_another_shape_is_refused_under_queries(client, token, body):
    error = assert_error(post(client, token, body), 422, "validation_failed")
    assert "queries" in error["details"] and error["details"]["queries"]
    assert events("search.serial_batch") == []


def test_a_body_that_is_not_json_is_malformed(client, token):
    response = client.post(URL, data="{queries", headers={**bearer(token), "Content-Type": "application/json"})
    assert_error(response, 400)


def test_the_reference_and_the_withheld_flag(client, token, records, monkeypatch):
    real = search_batch.search_serials

    def spent(*args, **kwargs):
        found = real(*args, **kwargs)
        found.restricted = [dataclasses.replace(hit, reference="DC-2026-000042") for hit in found.restricted]
        found.withheld = True
        return found

    monkeypatch.setattr(search_batch, "search_serials", spent)
    body = post(client, token, {"queries": [{"q": "8XK-1Z3456"}]}).get_json()
    assert body["items"][0]["hits"][0]["reference"] == "DC-2026-000042"
    assert body["withheld"] is True and body["items"][0]["withheld"] is True
    assert "hourly limit of matches with other agencies" in body["message"]


def test_the_operation_is_documented(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/search/serial/batch"]["post"]
    assert {"200", "400", "422", "429"} <= set(operation["responses"])
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/SerialBatchIn")
    assert document["components"]["schemas"]["SerialBatchIn"]["properties"]["queries"]["maxItems"] == 500


@pytest.fixture
def limited_app(database_url):
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True,
                "API_RATE_LIMIT": "5 per minute",
                "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": f"tracer-test-{uuid.uuid4().hex}"}}
    yield create_app(type("LimitedConfig", (TestConfig,), settings))
    limiter.enabled = False  # the limiter is shared: give the suite back its setting


def test_a_batch_is_one_request_not_one_per_line(limited_app):
    """A batch of ten lines is one call of the account's API allowance (five a minute here):
    five batches go through, the sixth call is refused."""
    with limited_app.app_context():
        user = factories.user("analyst", factories.agency("FGE-SON"))
        raw = tokens.issue_token(user, "batch")[1]
        db.session.commit()
    client = limited_app.test_client()
    queries = [{"q": f"ABC{number:04d}", "mode": "exact"} for number in range(10)]
    for _ in range(5):
        response = client.post(URL, json={"queries": queries}, headers=bearer(raw))
        assert response.status_code == 200, response.get_data(as_text=True)
        assert len(response.get_json()["items"]) == 10
    assert client.post(URL, json={"queries": queries}, headers=bearer(raw)).status_code == 429
