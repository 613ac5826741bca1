"""Error pages in the visitor's language, without internals; JSON errors on the API."""
from __future__ import annotations

import pytest
from config import TestConfig
from tests import factories
from tests.conftest import Browser, csrf_token
from tracer import create_app
from tracer.core.access import public
from tracer.extensions import db

SECRET_DETAIL = "db password is hunter2"


def choose_language(client, lang: str, next_url: str = "/auth/notice"):
    token = csrf_token(client, "/auth/notice")
    return client.post("/language", data={"csrf_token": token, "lang": lang, "next": next_url})


# --- 404 ------------------------------------------------------------------------------------------------------


def test_404_page_is_in_spanish_by_default(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<html lang="es">' in page
    assert "Página no encontrada" in page
    assert "Page not found" not in page


def test_404_page_in_english_after_choosing_english(client):
    response = choose_language(client, "en")
    assert response.status_code == 302
    page = client.get("/no-such-page").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Page not found" in page
    assert "Página no encontrada" not in page

    choose_language(client, "es")
    assert "Página no encontrada" in client.get("/no-such-page").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    token = csrf_token(client, "/auth/notice")
    client.post("/language", data={"csrf_token": token, "lang": "fr", "next": "/"})
    assert "Página no encontrada" in client.get("/no-such-page").get_data(as_text=True)


def test_404_follows_the_users_own_language(app, ctx):
    user = factories.user("officer", locale="en")
    db.session.commit()
    browser = Browser(app.test_client())
    assert browser.login(user.username).status_code == 302
    page = browser.get("/no-such-page").get_data(as_text=True)
    assert "Page not found" in page
    assert user.full_name in page  # the page keeps the signed-in layout


def test_404_for_a_missing_record(login_as):
    admin = login_as("admin")
    response = admin.get("/admin/users/987654")
    assert response.status_code == 404
    assert "Página no encontrada" in response.get_data(as_text=True)


def test_403_page_is_translated(login_as):
    officer = login_as("officer")
    response = officer.get("/admin/users")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert '<html lang="es">' in page
    assert "You do not have access to this page" not in page


def test_405_page_is_html_with_allow_header(client):
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert "POST" in response.headers["Allow"]


# --- 500 ------------------------------------------------------------------------------------------------------


@pytest.fixture
def failing_app(database_url):
    """A fresh application with routes that fail, on the page side and on the API side."""
    config = type("FailingConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url})
    application = create_app(config)

    @public
    def page_failure():
        raise RuntimeError(SECRET_DETAIL)

    @public
    def api_failure():
        raise KeyError(SECRET_DETAIL)

    application.add_url_rule("/boom", view_func=page_failure)
    application.add_url_rule("/api/v1/boom", view_func=api_failure)
    yield application
    with application.app_context():
        for engine in db.engines.values():
            engine.dispose()


def assert_no_internals(text: str) -> None:
    for leak in (SECRET_DETAIL, "Traceback", "RuntimeError", "KeyError", "ValueError", 'File "', ".py"):
        assert leak not in text, f"the error response shows {leak!r}"


def test_500_page_without_a_stack_trace(failing_app):
    response = failing_app.test_client().get("/boom")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert_no_internals(page)
    assert "Ocurrió un error" in page
    assert response.headers["X-Request-ID"] in page  # the number to report
    assert "Content-Security-Policy" in response.headers


def test_500_page_in_english(failing_app):
    client = failing_app.test_client()
    choose_language(client, "en")
    page = client.get("/boom").get_data(as_text=True)
    assert "Something went wrong" in page
    assert_no_internals(page)


def test_api_500_is_json(failing_app):
    response = failing_app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"]["code"] == "internal_error"
    assert body["error"]["details"] == {}
    assert body["error"]["message"]
    assert_no_internals(response.get_data(as_text=True))


# --- API errors ---------------------------------------------------------------------------------------------


def test_api_404_and_405_are_json(client):
    for response, code in ((client.get("/api/v1/missing"), "not_found"),
                           (client.delete("/api/v1/health"), "method_not_allowed")):
        assert response.mimetype == "application/json"
        assert response.get_json()["error"]["code"] == code
        assert "<html" not in response.get_data(as_text=True)


def test_api_csrf_is_not_required_but_a_form_post_without_it_fails(client):
    assert client.post("/auth/notice", data={}).status_code == 400
    assert client.patch("/api/v1/me", json={}).status_code == 401  # no CSRF error: bearer tokens only
