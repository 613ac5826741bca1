"""Agencies of every level, their people, and API helpers for the case tests."""
from __future__ import annotations

import pytest

from tests import factories
from tracer.auth import tokens
from tracer.extensions import db


@pytest.fixture
def agencies(ctx):
    """FGR and SEDENA (federal), two agencies of Sonora, one of Jalisco, and the ATF office."""
    created = {acronym: factories.agency(acronym) for acronym in ("FGR", "SEDENA", "FGE-SON", "FGE-JAL", "ATF-MX")}
    created["SSP-SON"] = factories.agency("SSP-SON", name="Secretaría de Seguridad Pública de Sonora",
                                          level="state", state_code="26")
    db.session.commit()
    return created


@pytest.fixture
def sonora_case(agencies):
    """A case of the Sonora state prosecutor's office, led by the officer who opened it."""
    case = factories.case(agencies["FGE-SON"], title="Aseguramiento en Nogales", carpeta_number="CI/SON/0001/2026")
    db.session.commit()
    return case


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def api_user(app, ctx):
    """``api_user(role, agency)`` → (user, Authorization headers) for a new user with a live token."""

    def make(role: str = "officer", agency: str = "FGE-SON", **fields):
        user = factories.user(role, factories.agency(agency), **fields)
        _, raw = tokens.issue_token(user, "tests")
        db.session.commit()
        return user, bearer(raw)

    return make


def assert_api_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]
