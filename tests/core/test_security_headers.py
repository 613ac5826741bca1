"""Security headers on every page, cookie flags, and templates without inline script."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from config import ProductionConfig
from tests import factories
from tests.conftest import Browser
from tracer import ROOT
from tracer.extensions import db
from tracer.people.models import CasePerson, PersonDuplicate

TEMPLATES = ROOT / "templates"
TAG = re.compile(r"<[a-zA-Z][^>]*>", re.DOTALL)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.DOTALL | re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"\sstyle\s*=|<style\b", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def inline_code(html: str) -> list[str]:
    """Inline script, event-handler attributes, inline styles and javascript: URLs in ``html``."""
    found = []
    for attributes, body in SCRIPT.findall(html):
        if not re.search(r"\ssrc\s*=", " " + attributes) or body.strip():
            found.append(f"<script{attributes}>{body[:60]}")
    for tag in TAG.findall(html):
        if EVENT_HANDLER.search(tag) or JAVASCRIPT_URL.search(tag):
            found.append(tag[:120])
    found += [match.group(0) for match in INLINE_STYLE.finditer(html)]
    return found


def assert_secure_headers(response, label: str) -> None:
    headers = response.headers
    assert headers.get("X-Content-Type-Options") == "nosniff", label
    assert headers.get("Referrer-Policy") in {"same-origin", "no-referrer", "strict-origin",
                                              "strict-origin-when-cross-origin"}, label
    csp = headers.get("Content-Security-Policy")
    assert csp, f"{label}: no Content-Security-Policy"
    directives = csp_directives(csp)
    assert directives.get("script-src") == ["'self'"], label
    assert directives.get("frame-ancestors") == ["'none'"], label
    assert directives.get("object-src") == ["'none'"], label
    assert directives.get("default-src") == ["'self'"], label
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, label
    assert headers.get("X-Frame-Options") == "DENY", label


# --- every page --------------------------------------------------------------------------------------------


@pytest.fixture
def visitors(app, ctx):
    """An anonymous visitor, an officer and an administrator, and ids for routes with parameters."""
    agency = factories.agency("FGR")
    admin_user = factories.user("admin", agency)
    officer_user = factories.user("officer", agency)
    case = factories.case(agency, officer_user)
    seizure = factories.seizure(case, officer_user)
    photo = factories.photo(seizure.firearms[0], officer_user)
    trace_request = factories.trace_request(seizure.firearms[0])
    link = factories.firearm_link(factories.firearm(seizure), seizure.firearms[0])
    scene = factories.scene(case)
    item = factories.ballistic_item(scene)
    person = factories.person(case, last_names="Pérez", birth_date="1990-01-01")
    other = factories.person(case, last_names="Perez", birth_date="1990-01-01")
    role = db.session.scalar(select(CasePerson.id).where(CasePerson.person_id == person.id))
    pair = db.session.scalar(select(PersonDuplicate.id).where(PersonDuplicate.person_b_id == other.id))
    db.session.commit()
    people = {"anonymous": Browser(app.test_client())}
    for name, user in (("officer", officer_user), ("admin", admin_user)):
        browser = Browser(app.test_client())
        assert browser.login(user.username).status_code == 302
        people[name] = browser
    ids = {"agency_id": agency.id, "user_id": officer_user.id, "token_id": 1, "case_id": case.id,
           "manufacturer_id": 1, "caliber_id": 1, "spec_id": 1, "scene_id": 1, "item_id": 1, "seizure_id": seizure.id,
           "firearm_id": seizure.firearms[0].id, "attachment_id": photo.id,
           "trace_request_id": trace_request.id, "link_id": link.id, "scene_id": scene.id, "item_id": item.id,
           "person_id": person.id, "other_id": other.id, "pair_id": pair, "case_person_id": role}
    return people, ids


def page_urls(app, ids) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(ids[name]), path)
        urls.append(path)
    return sorted(urls) + ["/no-such-page", "/admin/users/999999", "/auth/logout"]


def test_every_page_sends_the_security_headers(app, visitors):
    people, ids = visitors
    html_pages = 0
    for who, browser in people.items():
        for url in page_urls(app, ids):
            response = browser.get(url)
            label = f"{who} GET {url} → {response.status_code}"
            assert response.status_code < 500, label
            assert_secure_headers(response, label)
            if response.mimetype == "text/html" and response.status_code != 302:
                html_pages += 1
                assert inline_code(response.get_data(as_text=True)) == [], label
    assert html_pages >= 25


def test_error_and_form_pages_send_the_security_headers(app, visitors):
    people, _ = visitors
    anonymous, officer = people["anonymous"], people["officer"]
    responses = {
        "403": officer.get("/admin/users"),
        "404": anonymous.get("/missing"),
        "405": anonymous.get("/auth/logout"),
        "csrf 400": anonymous.client.post("/auth/notice", data={}),
        "login 401": anonymous.login("nobody", "wrong password 123"),
        "form 400": officer.post("/auth/password", {"current_password": "", "new_password": "x", "confirm": "y"},
                                 token_from="/auth/password"),
    }
    for label, response in responses.items():
        assert response.mimetype == "text/html", label
        assert_secure_headers(response, label)
        assert inline_code(response.get_data(as_text=True)) == [], label
    assert responses["403"].status_code == 403
    assert responses["404"].status_code == 404
    assert responses["405"].status_code == 405
    assert responses["csrf 400"].status_code == 400


def test_api_and_static_responses_send_nosniff(client):
    for url in ("/api/v1/health", "/api/v1/openapi.json", "/api/v1/me", "/static/js/tracer.js",
                "/static/css/tracer.css"):
        response = client.get(url)
        assert response.headers.get("X-Content-Type-Options") == "nosniff", url
        assert "Content-Security-Policy" in response.headers, url
        response.close()


def test_pages_are_not_cached(login_as):
    officer = login_as("officer")
    for url in ("/", "/auth/profile", "/auth/login"):
        assert "no-store" in officer.get(url).headers.get("Cache-Control", ""), url


def test_request_id_is_made_by_the_server(client):
    """A caller cannot choose the request id that the audit trail records."""
    chosen = client.get("/auth/notice", headers={"X-Request-ID": "abcd1234-req"}).headers["X-Request-ID"]
    assert chosen != "abcd1234-req" and re.fullmatch(r"[0-9a-f]{32}", chosen)
    assert client.get("/auth/notice").headers["X-Request-ID"] != chosen


# --- cookies ----------------------------------------------------------------------------------------------


def session_cookies(response, name: str) -> list[str]:
    return [value for value in response.headers.getlist("Set-Cookie") if value.startswith(f"{name}=")]


def test_session_cookie_is_httponly_and_samesite(app, ctx):
    user = factories.user("officer")
    db.session.commit()
    browser = Browser(app.test_client())
    name = app.config["SESSION_COOKIE_NAME"]
    notice = browser.get("/auth/notice")
    cookies = session_cookies(notice, name)
    accepted = browser.accept_notice()
    cookies += session_cookies(accepted, name)
    signed_in = browser.login(user.username)
    assert signed_in.status_code == 302
    login_cookies = session_cookies(signed_in, name)
    assert login_cookies, "signing in sets a new session cookie"
    for cookie in cookies + login_cookies:
        attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")}
        assert "httponly" in attributes, cookie
        assert attributes.get("samesite", "").lower() in {"samesite=lax", "samesite=strict"}, cookie
        assert "domain" not in attributes, cookie


def test_no_remember_me_cookie(login_as):
    officer = login_as("officer")
    response = officer.get("/")
    assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]


def test_production_cookies_are_secure():
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True
    assert ProductionConfig.SESSION_COOKIE_SAMESITE in {"Lax", "Strict"}


# --- templates -----------------------------------------------------------------------------------------------


def template_files() -> list[Path]:
    files = sorted(TEMPLATES.rglob("*.html"))
    assert files, "no templates found"
    return files


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_has_no_inline_code(path):
    assert inline_code(path.read_text(encoding="utf-8")) == []


def test_inline_code_detector_finds_what_it_should():
    assert inline_code('<script>alert(1)</script>')
    assert inline_code('<script type="module">import x from "/a.js"</script>')
    assert inline_code('<script src="/a.js">alert(1)</script>')
    assert inline_code('<button type="submit" onclick="go()">Go</button>')
    assert inline_code('<img src="x.png"\n     onerror = "steal()">')
    assert inline_code('<body ONLOAD="x()">')
    assert inline_code('<a href="javascript:void(0)">x</a>')
    assert inline_code('<p style="color: red">x</p>')
    assert inline_code('<style>p { color: red }</style>')
    assert inline_code('<script src="/static/js/tracer.js" defer></script>') == []
    assert inline_code('<button name="lang" value="es" data-confirm="¿Seguro?">Go</button>') == []
    assert inline_code('<p>Send them as: one=two online</p>') == []
