"""Lists walk by signed cursors: next and previous keep the filters, a cursor tampered with or
taken from another list answers 400 naming ``cursor`` (never a 500), and totals beyond
10,000 are estimates, flagged on the API and shown as "más de 10 000" on the pages."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from tests.cases.conftest import assert_api_error
from tests.cases.test_web import input_value, text
from tracer.cases import case_lists
from tracer.cases.models import Case
from tracer.core import pagination
from tracer.extensions import db


@pytest.fixture
def many_cases(agencies):
    made = [factories.case(agencies["FGE-SON"], title=f"Nogales {n}") for n in range(7)]
    db.session.commit()
    return made


def _walk(client, headers, path, **query):
    """Every item of an API list, following ``next``; and the pages' bodies."""
    seen, bodies, cursor = [], [], None
    while True:
        params = {**query, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, headers=headers, query_string=params)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        bodies.append(body)
        seen += [item["id"] for item in body["items"]]
        cursor = body["next"]
        if cursor is None:
            return seen, bodies


def test_the_api_walks_every_case_once_by_cursor_and_back(client, api_user, many_cases):
    _, headers = api_user("analyst", "FGE-SON")
    seen, bodies = _walk(client, headers, "/api/v1/cases", per_page=3, q="nogales")
    assert seen == [case.id for case in reversed(many_cases)]
    assert [len(body["items"]) for body in bodies] == [3, 3, 1]
    assert bodies[0]["page"] == 1 and bodies[1]["page"] is None and bodies[0]["prev"] is None
    back = client.get("/api/v1/cases", headers=headers,
                      query_string={"per_page": 3, "q": "nogales", "cursor": bodies[2]["prev"]}).get_json()
    assert [item["id"] for item in back["items"]] == [item["id"] for item in bodies[1]["items"]]
    assert all(body["total"] == 7 and body["total_estimated"] is False for body in bodies)


def _tampered(cursor: str) -> str:
    payload, signature = cursor.rsplit(".", 1)
    return payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + signature


def test_a_cursor_tampered_with_or_from_another_list_is_refused_naming_it(client, api_user, many_cases):
    _, headers = api_user("analyst", "FGE-SON")
    cases = client.get("/api/v1/cases?per_page=2", headers=headers).get_json()
    requests = client.get("/api/v1/trace-requests", headers=headers, query_string={"cursor": cases["next"]})
    error = assert_api_error(requests, 400, "bad_request")
    assert "cursor" in error["details"] and error["details"]["cursor"]
    for bad in (_tampered(cases["next"]), "garbage", "1" * 5000, "eyJsaXN0IjoiY2FzZXMifQ.forged"):
        response = client.get("/api/v1/cases", headers=headers, query_string={"per_page": 2, "cursor": bad})
        assert set(assert_api_error(response, 400, "bad_request")["details"]) == {"cursor"}


def test_the_case_page_refuses_a_bad_cursor_in_spanish_and_keeps_the_filters(login_as, many_cases):
    browser = login_as("officer", "FGE-SON")
    page = browser.get("/cases?q=nogales&cursor=garbage")
    assert page.status_code == 400
    assert "El cursor no pertenece a esta lista" in text(page)
    assert input_value(page.get_data(as_text=True), "q") == "nogales"


@pytest.mark.parametrize("path", ["/trace-requests", "/trace-requests/backlog", "/links",
                                  "/admin/audit"])
def test_every_list_page_refuses_a_cursor_of_the_case_list(login_as, many_cases, path):
    cases = login_as("analyst", "FGE-SON")
    foreign = case_lists.list_cases(cases.user, {"text": "nogales"}, per_page=2).next
    assert foreign
    reader = login_as("auditor", "FGE-SON") if path == "/admin/audit" else cases
    response = reader.get(path, query_string={"cursor": foreign})
    assert response.status_code == 400
    assert "cursor" in text(response)


def test_totals_beyond_the_bound_are_estimates(client, api_user, login_as, many_cases, monkeypatch):
    monkeypatch.setattr(pagination, "EXACT_TOTAL_UP_TO", 5)
    _, headers = api_user("analyst", "FGE-SON")
    body = client.get("/api/v1/cases?per_page=2", headers=headers).get_json()
    assert (body["total"], body["total_estimated"]) == (5, True)
    page = text(login_as("officer", "FGE-SON").get("/cases"))
    assert "Más de 10 000 registros" in page and "Página 1 de" not in page


def test_page_numbers_serve_the_first_pages_only(client, api_user, many_cases, monkeypatch):
    monkeypatch.setattr(pagination, "EXACT_TOTAL_UP_TO", 4)
    _, headers = api_user("analyst", "FGE-SON")
    assert len(client.get("/api/v1/cases?per_page=2&page=2", headers=headers).get_json()["items"]) == 2
    far = client.get("/api/v1/cases?per_page=2&page=3", headers=headers)
    assert set(assert_api_error(far, 400, "bad_request")["details"]) == {"page"}


@pytest.mark.parametrize("bound, expected", [(2, (2, True)), (3, (3, False)), (4, (3, False))])
def test_a_count_is_exact_up_to_the_bound_and_an_estimate_beyond(ctx, monkeypatch, bound, expected):
    ids = [factories.case("FGR").id for _ in range(3)]
    monkeypatch.setattr(pagination, "EXACT_TOTAL_UP_TO", bound)
    assert pagination.bounded_count(select(Case).where(Case.id.in_(ids))) == expected
