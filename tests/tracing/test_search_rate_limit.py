"""Serial searches are limited per user, on the page and the API together."""
from __future__ import annotations

import uuid

import pytest

from config import TestConfig
from tests import factories
from tests.conftest import Browser
from tracer import create_app
from tracer.auth import tokens
from tracer.extensions import db, limiter


@pytest.fixture
def limited_app(database_url):
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True,
                "SERIAL_SEARCH_RATE_LIMIT": "3 per minute",
                "RATELIMIT_KEY_PREFIX": f"tracer-test-{uuid.uuid4().hex}"}
    yield create_app(type("LimitedConfig", (TestConfig,), settings))
    limiter.enabled = False  # the limiter is shared: give the suite back its setting


def test_the_fourth_search_in_a_minute_is_refused_whether_on_the_page_or_the_api(limited_app):
    with limited_app.app_context():
        analyst = factories.user("analyst", factories.agency("FGE-SON"))
        other = factories.user("analyst", factories.agency("FGE-SON"))
        token = tokens.issue_token(analyst, "search")[1]
        other_token = tokens.issue_token(other, "search")[1]
        db.session.commit()
    page = Browser(limited_app.test_client())
    assert page.login(analyst.username).status_code == 302
    api = limited_app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    statuses = [page.get("/search/serial?q=ABC123&mode=exact").status_code,
                api.get("/api/v1/search/serial?q=ABC123&mode=exact", headers=headers).status_code,
                page.get("/search/serial?q=ABC124&mode=fuzzy").status_code]
    assert statuses == [200, 200, 200]
    refused = api.get("/api/v1/search/serial?q=ABC125&mode=partial", headers=headers)
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert page.get("/search/serial?q=ABC125&mode=partial").status_code == 429
    # Another user of the same agency and address keeps an allowance of their own.
    assert api.get("/api/v1/search/serial?q=ABC123&mode=exact",
                   headers={"Authorization": f"Bearer {other_token}"}).status_code == 200
