"""Bad serial-search queries: a clear message on the field, on the page and the API; never a 500."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.api.test_api import assert_error, bearer
from tracer.auth import tokens
from tracer.extensions import db
from tracer.firearms.models import Firearm


@pytest.fixture
def analyst(login_as, reference_data):
    return login_as("analyst", "FGR", locale="en")


@pytest.fixture
def token(ctx, reference_data):
    user = factories.user("analyst", factories.agency("FGR"), locale="en")
    _, raw = tokens.issue_token(user, "script")
    db.session.commit()
    return raw


def page_error(analyst, **args) -> str:
    response = analyst.get("/search/serial", query_string=args)
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html[:300]
    assert "errorsummary" in html
    return html


def api_error(client, token, field: str, **args) -> str:
    error = assert_error(client.get("/api/v1/search/serial", query_string=args, headers=bearer(token)), 422,
                         "validation_failed")
    assert list(error["details"]) == [field], error
    return " ".join(error["details"][field])


@pytest.mark.parametrize("query", ["*", "**", "?*", "?", "A?B?C*", "A?B?C", "AB?C", "AB??C"])
@pytest.mark.parametrize("mode", ["partial", "fuzzy", "exact"])
def test_wildcards_without_known_characters(analyst, client, token, query, mode):
    if mode != "partial" and query not in ("*", "**", "?*", "?"):
        expected = "wildcards of the partial search"
    else:
        expected = "at least 4 known characters, or 3 in a row"
    assert expected in page_error(analyst, q=query, mode=mode)
    assert expected in api_error(client, token, "q", q=query, mode=mode)


@pytest.mark.parametrize("query", ["N*Y6*96", "*N?Y6?96", "NY*6?96*", "A?B*C?D"])
def test_scattered_characters_with_a_star_ask_for_three_in_a_row_or_question_marks(analyst, client, token, query):
    """With * the serial's length is unknown: scattered characters alone give no index anything
    to look up. The message says what to add."""
    expected = "instead of *"
    html = page_error(analyst, q=query, mode="partial")
    assert "3 in a row" in html and expected in html and f'value="{query}"' in html
    assert expected in api_error(client, token, "q", q=query, mode="partial")


@pytest.mark.parametrize("query,serial", [("N?Y6?96", "N3Y6496"), ("N-?-Y6-?-96", "N3Y6496"),
                                          ("n?y6?96", "N3Y6496"), ("A?B?C?D", "AXBYCZD"), ("AB??CD", "AB12CD")])
def test_scattered_known_characters_are_searched(analyst, client, token, query, serial):
    """Four known characters or more, none three in a row, no *: accepted (SPEC §4)."""
    ids = {value: factories.firearm(serial_number=value).id for value in ("N3Y6496", "AXBYCZD", "AB12CD")}
    db.session.commit()
    body = client.get("/api/v1/search/serial", query_string={"q": query, "mode": "partial"}, headers=bearer(token))
    assert body.status_code == 200, body.get_json()
    assert [(item["firearm_id"], item["match"]) for item in body.get_json()["items"]] == [(ids[serial], "partial")]
    page = analyst.get("/search/serial", query_string={"q": query, "mode": "partial"})
    assert page.status_code == 200 and "errorsummary" not in page.get_data(as_text=True)


def test_a_200_character_query_is_too_long(analyst, client, token):
    query = "A1" * 100
    html = page_error(analyst, q=query, mode="fuzzy")
    assert "too long" in html and f'value="{query}"' in html  # what was typed stays
    assert "too long" in api_error(client, token, "q", q=query)


def test_sixty_five_characters_are_too_long_too(analyst):
    assert "too long" in page_error(analyst, q="A" * 65, mode="exact")


@pytest.mark.parametrize("query", ["OOOO", "1111", "IIII", "0O0O0O", "7LI1"])
def test_lookalikes_only_would_match_too_many(analyst, client, token, query):
    for mode in ("partial", "fuzzy"):
        assert "would match too many serials" in page_error(analyst, q=query, mode=mode)
        assert "would match too many serials" in api_error(client, token, "q", q=query, mode=mode)
    factories.firearm(serial_number="0000")
    db.session.commit()
    exact = client.get("/api/v1/search/serial", query_string={"q": "OOOO", "mode": "exact"}, headers=bearer(token))
    assert exact.status_code == 200 and [item["match"] for item in exact.get_json()["items"]] == ["exact"]


@pytest.mark.parametrize("query", ["%", "AB%12", "ABC\u0430123", "ABC\u200b123"])
def test_characters_a_serial_cannot_hold_are_a_field_error(analyst, client, token, query):
    page_error(analyst, q=query, mode="partial")
    api_error(client, token, "q", q=query, mode="fuzzy")


@pytest.mark.parametrize("query,mode,normalized", [
    ("KXR_4T9", "exact", "KXR4T9"), ("KXR'4T9", "exact", "KXR4T9"), ("KXR\\4T9", "fuzzy", "KXR4T9"),
    ("KXR.*", "partial", "KXR*"), ("[a-z]KXR", "partial", "AZKXR"), ("'; DROP TABLE firearms;--", "fuzzy",
                                                                      "DR0PTABLEFIREARMS")])
def test_sql_and_regex_metacharacters_are_separators(client, token, query, mode, normalized):
    firearm = factories.firearm(serial_number="KXR-4T9")
    db.session.commit()
    response = client.get("/api/v1/search/serial", query_string={"q": query, "mode": mode}, headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["query"] == normalized
    found = [item["firearm_id"] for item in body["items"]]
    assert found == ([] if normalized in ("AZKXR", "DR0PTABLEFIREARMS") else [firearm.id])
    assert db.session.scalar(select(func.count()).select_from(Firearm)) >= 1  # the table is still there


def test_like_wildcards_typed_in_the_query_match_nothing_by_themselves(client, token):
    """'_' and '%' never reach LIKE as wildcards: '_' is a separator, '%' is refused."""
    factories.firearm(serial_number="KXR94T9")
    db.session.commit()
    body = client.get("/api/v1/search/serial", query_string={"q": "KXR_4T9", "mode": "partial"},
                      headers=bearer(token)).get_json()
    assert body["query"] == "KXR4T9" and body["items"] == []


def test_regex_wildcards_in_exact_or_fuzzy_mode_ask_for_the_partial_search(analyst, client, token):
    assert "wildcards of the partial search" in page_error(analyst, q="KXR.*", mode="fuzzy")
    assert "wildcards of the partial search" in api_error(client, token, "q", q="KXR.*", mode="exact")


def test_an_unknown_mode(analyst, client, token):
    html = page_error(analyst, q="KXR4T9", mode="regex")
    assert "Unknown search mode" in html and 'id="mode-error"' in html
    assert "Unknown search mode" in api_error(client, token, "mode", q="KXR4T9", mode="regex")


def test_an_unknown_manufacturer(analyst, client, token):
    html = page_error(analyst, q="KXR4T9", mode="fuzzy", manufacturer="Acme Blasters")
    assert "Unknown manufacturer" in html and 'value="Acme Blasters"' in html
    assert "Unknown manufacturer" in api_error(client, token, "manufacturer", q="KXR4T9", manufacturer="Acme Blasters")


@pytest.mark.parametrize("limit", ["0", "101", "abc", "-5", "1e3"])
def test_a_limit_out_of_range(client, token, limit):
    assert "from 1 to 100" in api_error(client, token, "limit", q="KXR4T9", limit=limit)


def test_the_api_needs_a_query(client, token):
    assert "Enter a serial number" in api_error(client, token, "q", q="  ")
    assert "Enter a serial number" in api_error(client, token, "q")


def test_bad_input_writes_no_audit_event(client, token):
    from tracer.audit.models import AuditEvent

    client.get("/api/v1/search/serial", query_string={"q": "*"}, headers=bearer(token))
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action.like("search.%"))) == 0
