"""The JSON API: health, the OpenAPI document, bearer tokens, /me and the error format."""
from __future__ import annotations

import hashlib
import json
import re

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from tests import factories
from tracer.audit.models import AuditEvent
from tracer.auth import services, tokens
from tracer.auth.models import ApiToken, User
from tracer.extensions import db

NEW_TOKEN = re.compile(r'data-testid="new-token"[^>]*>([^<]+)<')
PATH_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def account(ctx):
    """An officer of the FGR with a live API token: (user, raw token)."""
    user = factories.user("officer", factories.agency("FGR"))
    _, raw = tokens.issue_token(user, "script")
    db.session.commit()
    return user, raw


def patch_me(client, raw, body, **kw):
    if "data" not in kw:
        kw["json"] = body
    return client.patch("/api/v1/me", headers=bearer(raw), **kw)


def assert_error(response, status: int, code: str | None = None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


def user_update_events(user_id: int) -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.update", AuditEvent.object_id == str(user_id))
        .order_by(AuditEvent.seq)
    ))


# --- health and the OpenAPI document -------------------------------------------------------------


def test_health_without_authentication(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "audit_unsealed": 0,
                                   "audit_oldest_unsealed_seconds": None}


def test_health_reports_an_unreachable_database(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(db.session, "execute", unreachable)
    response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}


def test_openapi_document_is_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on an invalid document


def test_openapi_document_lists_every_api_route_and_method(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    expected = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = PATH_PARAMETER.sub(r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            expected.add((path, method.lower()))
    assert expected, "no API routes found"
    documented = {(path, method) for path, item in paths.items() for method in item}
    assert expected - documented == set(), "API routes missing from the OpenAPI document"
    assert documented - expected == set(), "the OpenAPI document names routes that do not exist"


def test_openapi_marks_public_and_protected_operations(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert paths["/api/v1/health"]["get"]["security"] == []
    assert "security" not in paths["/api/v1/me"]["get"]  # falls back to the global bearer requirement
    assert "401" in paths["/api/v1/me"]["get"]["responses"]
    assert "422" in paths["/api/v1/me"]["patch"]["responses"]


# --- bearer tokens -------------------------------------------------------------------------------


def test_me_with_a_bearer_token(client, account):
    user, raw = account
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 200
    body = response.get_json()
    assert body["username"] == user.username
    assert body["role"] == "officer"
    assert body["agency"]["acronym"] == "FGR"
    assert body["locale"] == "es"


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer trc_not-a-real-token"},
    {"Authorization": "Bearer "},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer " + "trc_" + "x" * 500},
    {"Authorization": "Basic dXNlcjpwYXNz"},
], ids=["none", "unknown", "empty", "scheme-only", "oversized", "basic"])
def test_me_refuses_missing_or_bad_credentials(client, account, headers):
    response = client.get("/api/v1/me", headers=headers)
    error = assert_error(response, 401, "unauthorized")
    assert error["details"] == {}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_under_another_scheme_is_refused(client, account):
    _, raw = account
    response = client.get("/api/v1/me", headers={"Authorization": f"Token {raw}"})
    assert_error(response, 401, "unauthorized")
    assert "WWW-Authenticate" in response.headers


def test_scheme_name_is_case_insensitive(client, account):
    _, raw = account
    assert client.get("/api/v1/me", headers={"Authorization": f"bearer {raw}"}).status_code == 200


def test_revoked_token_is_refused(client, account, ctx):
    user, raw = account
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    tokens.revoke_token(user, row.id)
    db.session.commit()
    assert_error(client.get("/api/v1/me", headers=bearer(raw)), 401, "unauthorized")


def test_token_of_a_disabled_user_is_refused(client, account, ctx):
    user, raw = account
    services.set_active(user, False)
    db.session.commit()
    assert_error(client.get("/api/v1/me", headers=bearer(raw)), 401, "unauthorized")
    services.set_active(user, True)
    db.session.commit()
    # Disabling revoked the token for good: enabling the account again does not revive it.
    assert_error(client.get("/api/v1/me", headers=bearer(raw)), 401, "unauthorized")


def test_token_of_a_disabled_agency_is_refused(client, account, ctx):
    user, raw = account
    user.agency.active = False
    db.session.commit()
    assert_error(client.get("/api/v1/me", headers=bearer(raw)), 401, "unauthorized")


def test_token_is_stored_hashed(client, account, ctx):
    _, raw = account
    client.get("/api/v1/me", headers=bearer(raw))  # touching last_used_at must not store it either
    rows = db.session.execute(text("SELECT * FROM api_tokens")).all()
    assert rows
    stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert hashlib.sha256(raw.encode()).hexdigest() in stored
    for row in rows:
        for value in row:
            assert raw not in str(value)
            assert raw[len(tokens.PREFIX):] not in str(value)


def test_token_creation_is_audited_without_the_token(ctx):
    user = factories.user("analyst")
    row, raw = tokens.issue_token(user, "nightly export")
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.create",
                                                       AuditEvent.object_id == str(row.id)))
    assert event is not None
    assert event.details["name"] == "nightly export"
    assert raw not in json.dumps(event.details)


def test_session_cookie_alone_does_not_authenticate_the_api(login_as):
    officer = login_as("officer")
    assert officer.get("/auth/profile").status_code == 200  # the web session is live
    response = officer.get("/api/v1/me")
    assert_error(response, 401, "unauthorized")
    response = officer.client.patch("/api/v1/me", json={"locale": "en"})
    assert_error(response, 401, "unauthorized")
    assert db.session.get(User, officer.user.id).locale == "es"


def test_user_who_must_change_password_is_refused(client, ctx):
    user = factories.user("officer", must_change_password=True)
    _, raw = tokens.issue_token(user, "script")
    db.session.commit()
    assert_error(client.get("/api/v1/me", headers=bearer(raw)), 403, "password_change_required")


# --- PATCH /me -------------------------------------------------------------------------------------


def test_patch_me_changes_the_locale_and_audits_it(client, account, ctx):
    user, raw = account
    response = patch_me(client, raw, {"locale": "en"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["locale"] == "en"
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    events = user_update_events(user.id)
    assert len(events) == 1
    assert events[0].details == {"old": {"locale": "es"}, "new": {"locale": "en"}}
    assert events[0].user_id == user.id
    assert events[0].username == user.username
    assert events[0].outcome == "success"


def test_patch_me_without_changes_writes_no_event(client, account, ctx):
    user, raw = account
    response = patch_me(client, raw, {"locale": "es"})
    assert response.status_code == 200
    assert user_update_events(user.id) == []


def test_patch_me_full_name_and_email(client, account, ctx):
    user, raw = account
    response = patch_me(client, raw, {"full_name": "  Ana María Pérez  ", "email": "ana@fgr.example.gob.mx"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["full_name"] == "Ana María Pérez"
    assert body["email"] == "ana@fgr.example.gob.mx"


def test_patch_me_malformed_json(client, account):
    _, raw = account
    response = patch_me(client, raw, None, data='{"locale": "en"', content_type="application/json")
    assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize("kw", [
    {"data": '{"locale": "en"}', "content_type": "text/plain"},
    {"data": {"locale": "en"}},  # form encoded
    {"data": "", "content_type": None},
], ids=["text-plain", "form-data", "no-body"])
def test_patch_me_wrong_content_type(client, account, kw):
    user, raw = account
    response = patch_me(client, raw, None, **kw)
    assert_error(response, 400, "bad_content_type")


def test_patch_me_json_array_body(client, account):
    _, raw = account
    response = patch_me(client, raw, [{"locale": "en"}])
    assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize("body", ["en", 42, None], ids=["string", "number", "null"])
def test_patch_me_json_scalar_body(client, account, body):
    _, raw = account
    response = patch_me(client, raw, None, data=json.dumps(body), content_type="application/json")
    assert_error(response, 400, "malformed_json")


def test_patch_me_unknown_field(client, account, ctx):
    user, raw = account
    response = patch_me(client, raw, {"locale": "en", "role": "admin"})
    error = assert_error(response, 422, "validation_failed")
    assert set(error["details"]) == {"role"}
    assert db.session.get(User, user.id).role == "officer"
    assert db.session.get(User, user.id).locale == "es"


def test_patch_me_unknown_language(client, account):
    _, raw = account
    error = assert_error(patch_me(client, raw, {"locale": "fr"}), 422, "validation_failed")
    assert set(error["details"]) == {"locale"}
    assert all(isinstance(message, str) and message for message in error["details"]["locale"])


@pytest.mark.parametrize("value", [
    "Ana \u202eorolF",  # right-to-left override
    "Ana\x00Flores",  # NUL
    "Ana\u200bFlores",  # zero-width space
    "Ana\nFlores",  # control character
], ids=["rtl-override", "nul", "zero-width", "newline"])
def test_patch_me_refuses_invisible_and_control_characters(client, account, ctx, value):
    user, raw = account
    error = assert_error(patch_me(client, raw, {"full_name": value}), 422, "validation_failed")
    assert set(error["details"]) == {"full_name"}
    assert db.session.get(User, user.id).full_name == f"Usuario {user.username}"
    assert user_update_events(user.id) == []


@pytest.mark.parametrize("value", ["x" * 10_000, "x" * 201, ""], ids=["10000", "201", "empty"])
def test_patch_me_refuses_bad_lengths(client, account, value):
    _, raw = account
    error = assert_error(patch_me(client, raw, {"full_name": value}), 422, "validation_failed")
    assert set(error["details"]) == {"full_name"}


@pytest.mark.parametrize("body", [{"locale": 1}, {"full_name": ["Ana"]}, {"email": {"a": 1}}],
                         ids=["locale-int", "name-list", "email-object"])
def test_patch_me_refuses_wrong_types(client, account, body):
    _, raw = account
    error = assert_error(patch_me(client, raw, body), 422, "validation_failed")
    assert set(error["details"]) == set(body)


def test_patch_me_refuses_a_bad_email(client, account):
    _, raw = account
    error = assert_error(patch_me(client, raw, {"email": "not an address"}), 422, "validation_failed")
    assert set(error["details"]) == {"email"}


def test_patch_me_stores_sql_metacharacters_literally(client, account, ctx):
    user, raw = account
    name = "O'Brien\"; DROP TABLE users; -- %_ \\"
    response = patch_me(client, raw, {"full_name": name})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["full_name"] == name
    db.session.expire_all()
    assert db.session.get(User, user.id).full_name == name
    assert db.session.scalar(select(User.id).where(User.full_name == name)) == user.id
    assert db.session.execute(text("SELECT count(*) FROM users")).scalar() >= 1


def test_error_messages_follow_the_callers_language(client, ctx):
    spanish = factories.user("officer", locale="es")
    english = factories.user("officer", locale="en")
    _, raw_es = tokens.issue_token(spanish, "es")
    _, raw_en = tokens.issue_token(english, "en")
    db.session.commit()

    english_error = assert_error(patch_me(client, raw_en, {"locale": "fr"}), 422)
    spanish_error = assert_error(patch_me(client, raw_es, {"locale": "fr"}), 422)
    assert english_error["message"] == "Some fields are not valid."
    assert spanish_error["message"] != english_error["message"]
    assert "campos" in spanish_error["message"].lower()
    assert spanish_error["details"]["locale"] != english_error["details"]["locale"]

    english_error = assert_error(patch_me(client, raw_en, None, data="{", content_type="application/json"), 400)
    spanish_error = assert_error(patch_me(client, raw_es, None, data="{", content_type="application/json"), 400)
    assert english_error["message"] == "The body is not valid JSON."
    assert "JSON" in spanish_error["message"] and spanish_error["message"] != english_error["message"]


def test_anonymous_error_messages_are_in_spanish(client):
    error = assert_error(client.get("/api/v1/me"), 401)
    assert "token" in error["message"].lower()
    assert error["message"] != "A valid API token is required (Authorization: Bearer TOKEN)."


# --- unknown paths and methods -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/me/extra", "/api/v1/"])
def test_unknown_api_path_is_a_json_404(client, account, path):
    _, raw = account
    assert_error(client.get(path), 404, "not_found")
    assert_error(client.get(path, headers=bearer(raw)), 404, "not_found")


@pytest.mark.parametrize("method,path", [("DELETE", "/api/v1/me"), ("POST", "/api/v1/me"),
                                         ("POST", "/api/v1/health"), ("PUT", "/api/v1/openapi.json")])
def test_wrong_method_is_a_json_405(client, account, method, path):
    _, raw = account
    response = client.open(path, method=method, headers=bearer(raw), json={})
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_api_responses_are_not_cached(client, account):
    _, raw = account
    assert "no-store" in client.get("/api/v1/me", headers=bearer(raw)).headers["Cache-Control"]


# --- tokens through the web pages ----------------------------------------------------------------------


def test_token_created_on_the_profile_page_is_shown_once_and_revocable(app, login_as):
    officer = login_as("officer")
    refused = officer.post("/auth/tokens", {"name": "Sistema estatal", "password": "not my password"},
                           token_from="/auth/profile")
    assert refused.status_code == 400 and 'data-testid="new-token"' not in refused.get_data(as_text=True)
    page = officer.post("/auth/tokens", {"name": "Sistema estatal", "password": factories.PASSWORD},
                        token_from="/auth/profile")
    assert page.status_code == 200
    match = NEW_TOKEN.search(page.get_data(as_text=True))
    assert match, "the new token is not on the page"
    raw = match.group(1).strip()
    assert raw.startswith(tokens.PREFIX)

    api = app.test_client()
    response = api.get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 200
    assert response.get_json()["username"] == officer.user.username

    profile = officer.get("/auth/profile").get_data(as_text=True)
    assert "Sistema estatal" in profile
    assert raw[:12] in profile  # the prefix identifies it
    assert raw not in profile
    assert 'data-testid="new-token"' not in profile

    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == officer.user.id))
    response = officer.post(f"/auth/tokens/{row.id}/revoke", {}, token_from="/auth/profile")
    assert response.status_code == 302
    assert_error(api.get("/api/v1/me", headers=bearer(raw)), 401, "unauthorized")


def test_token_creation_needs_the_csrf_token(login_as, ctx):
    officer = login_as("officer")
    response = officer.client.post("/auth/tokens", data={"name": "forged"})
    assert response.status_code == 400
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == officer.user.id)) is None


def test_nobody_can_revoke_someone_elses_token(login_as, client, ctx):
    victim = factories.user("officer")
    row, raw = tokens.issue_token(victim, "victim")
    db.session.commit()
    attacker = login_as("officer")
    response = attacker.post(f"/auth/tokens/{row.id}/revoke", {}, token_from="/auth/profile")
    assert response.status_code == 404
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
