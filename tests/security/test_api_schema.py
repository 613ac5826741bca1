"""The API fuzzed against its own OpenAPI document, in process, as every role that may hold a token.

Schemathesis draws requests that the document says are valid (paths, queries and bodies) and
checks each answer: never a server error, a status and a body the document lists, and a valid
request never refused as malformed (400) or invalid (422). The draws are derandomized and
bounded, so every run sends the same requests.
"""
from __future__ import annotations

import json
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (content_type_conformance, positive_data_acceptance,
                                               response_schema_conformance, status_code_conformance)

from tests import factories
from tracer.auth import tokens
from tracer.extensions import db

pytestmark = pytest.mark.security

ROLES = ("officer", "analyst", "supervisor", "liaison", "admin", "auditor")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Fields whose rule a JSON schema cannot state: values that name records (a caliber or maker of the
# reference lists, a case, a seizure, a scene, a firearm, an officer or agency, a municipality of
# the state), of which the document cannot say which exist; rules between fields (a period's end
# after its start, both coordinates or neither, what a trace outcome or an item's kind requires);
# a day not in the future; and a record's state (only a submitted request is opened). A
# schema-valid value may break them, and the answer is then 422 naming those fields only (a
# firearm's field as firearms.*.name). Any other refusal of a schema-valid request is a fault.
BEYOND_THE_SCHEMA = {
    "POST /api/v1/cases": {"lead_officer_id"},
    "PATCH /api/v1/cases/{case_id}": {"lead_officer_id"},
    "GET /api/v1/search/serial": {"manufacturer"},
    "GET /api/v1/stats/summary": {"to"},
    "GET /api/v1/dealers": {"recovered_to", "recovered_from"},
    "GET /api/v1/trace-requests": {"submitted_to", "recovered_to"},
    "POST /api/v1/trace-requests/{trace_request_id}/open": {"status"},
    "POST /api/v1/seizures": {"case_id", "agency", "municipality", "seized_on", "latitude", "longitude",
                              "firearms.*.manufacturer", "firearms.*.caliber"},
    "GET /api/v1/ballistics/rifling-candidates": {"caliber"},
    "POST /api/v1/ballistics/items": {
        "caliber", "case_id", "seizure_id", "scene_id", "firearm_id",
        "firing_pin_shape", "breech_face_class", "ejector_mark",
        "lands", "polygonal", "twist", "land_width_mm", "groove_width_mm", "weight_grains", "jacket"},
}


@schemathesis.check
def schema_valid_request_accepted(ctx, response, case):
    """``positive_data_acceptance``, but for a 422 that names only fields of ``BEYOND_THE_SCHEMA``."""
    if response.status_code == 422 and case.operation.label in BEYOND_THE_SCHEMA:
        named = {re.sub(r"[.][0-9]+[.]", ".*.", name) for name in json.loads(response.content)["error"]["details"]}
        if named and named <= BEYOND_THE_SCHEMA[case.operation.label]:
            return True
    return positive_data_acceptance(ctx, response, case)


EXAMPLES = 20


def _world(role: str) -> str:
    """Records for the caller to find (ids 1, 2, … exist), and the caller's token."""
    federal = factories.agency("FGR")
    officer = factories.user("officer", federal)
    case = factories.case(federal, officer)
    seizure = factories.seizure(case, officer)
    request = factories.trace_request(seizure.firearms[0])
    scene = factories.scene(case, created_by_id=officer.id)
    factories.ballistic_item(scene)
    factories.person(case, last_names="Pérez", birth_date="1990-01-01")
    del request
    caller = factories.user(role, federal if role != "liaison" else factories.agency("ATF-MX"), locale="en")
    _, raw = tokens.issue_token(caller, "fuzz")
    db.session.commit()
    return raw


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_documented(app, ctx, role):
    # Answers are gzipped for clients that ask; the checks read them plain.
    headers = {"Authorization": f"Bearer {_world(role)}", "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)

    @schema.hook
    def map_query(context, query):
        # A cursor is the server's signed token from a list's ``next``: any other string is refused (400),
        # as documented; the lists' own tests follow real cursors.
        if query:
            query.pop("cursor", None)
        return query
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def answer(case):
            case.call_and_validate(headers=headers, checks=[*CHECKS, schema_valid_request_accepted])

        try:
            answer()
        except (Exception, FailureGroup) as error:  # every operation is tried; the failures are listed together
            failures.append(f"{operation.label}: " + "\n".join(str(error).splitlines()[:24]))
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)


@pytest.mark.parametrize("path", ["/cases/2147483648", "/ballistics/links/9666680443338634", "/people/99999999999"])
@pytest.mark.parametrize("method", ["GET", "PATCH"])
def test_an_id_no_row_can_have_is_not_found_whatever_the_method(ctx, api, path, method):
    """Ids past the largest row id match no route: 404 in the API's error format, never 405 or 500."""
    call = api("analyst", "FGR")
    response = call(method, path, json={})
    assert response.status_code == 404, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "not_found"


def test_no_two_models_share_a_name_in_the_document(client):
    """Each schema of the document is the one its operations answer with (two rooms' models of one
    name once overwrote each other, so /me was described by the ballistic disclosure's agency)."""
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert set(schemas["AgencyOut"]["properties"]) == {"id", "name", "acronym", "level", "state_code"}
    assert "restricted_withheld" in schemas["LinkList"]["properties"]
    assert "restricted_withheld" not in schemas["BallisticLinkList"]["properties"]


@pytest.mark.parametrize("method, path, body, field", [
    ("POST", "/ballistics/links", {"item_a": 1, "item_b": -618286820574}, "item_b"),
    ("PATCH", "/cases/{case_id}", {"version": 2**31, "title": "Caso"}, "version"),
    ("POST", "/seizures", {"case_id": 1, "seized_on": "2025-01-01", "state": "26", "magazines_count": 2**40},
     "magazines_count"),
    ("POST", "/firearms/{firearm_id}/trace-requests", {"people": [{"case_person_id": 2**33}]},
     "people.0.case_person_id"),
])
def test_a_number_no_column_holds_is_refused_naming_its_field(ctx, api, method, path, body, field):
    """A whole number past the database's integer columns is a 422 naming the field, never a
    query the database refuses (PostgreSQL answered such an id with a server error)."""
    call = api("analyst", "FGR")
    seizure = factories.seizure(factories.case(call.user.agency))
    db.session.commit()
    url = path.format(case_id=seizure.case_id, firearm_id=seizure.firearms[0].id)
    response = call(method, url, json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["error"]["details"][field] == ["The number is out of range."]


def test_a_query_id_past_any_row_is_refused(ctx, api):
    response = api("analyst", "FGR")("GET", "/ballistics/items?case_id=9999999999")
    assert response.status_code == 422
    assert "case_id" in response.get_json()["error"]["details"]
