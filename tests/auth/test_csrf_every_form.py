"""No form of the site changes anything when posted without the session's CSRF token.

The routes come from the application's URL map, so a form added later is covered without a
line here. Each state-changing page route is posted by a user of a role it admits (anonymous
for the public ones), on records of that user's scope, with the fields its page fills in but
no ``csrf_token``: the answer is the "form has expired" page (400, in Spanish) and the audit
trail has no new event. The API takes no session cookie at all, so it needs no token: a call
carrying a signed-in session's cookie and no bearer token is refused (401) and changes nothing.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

from sqlalchemy import func, select

from tests.conftest import Browser
from tests.core.test_access_matrix import ACCESS, PUBLIC
from tests.security.test_random_input import world  # noqa: F401  (records of the walkers' scope)
from tracer.audit.models import AuditEvent
from tracer.extensions import db

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Roles tried for a route, in order: the first the route admits posts to it.
WALKERS = ("analyst", "supervisor", "officer", "liaison", "admin", "auditor")
# Page routes that take a state-changing request without a CSRF token: none.
WITHOUT_TOKEN: set[str] = set()
REFUSED_IN_SPANISH = "El formulario expiró o no proviene de este sitio"


class _Forms(HTMLParser):
    """The forms of a page: their action and the values their fields hold as served."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("action") or "", {}))
            return
        if not self.forms:
            return
        fields = self.forms[-1][1]
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("file", "submit", "button"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            fields.setdefault(name, attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if self._select not in fields or "selected" in attrs:
                fields[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            fields.setdefault(name, "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1][1][self._textarea] += data


def _filled_fields(client, url: str, has_get: bool) -> dict[str, str]:
    """The fields of the form posted to ``url``, as the page holding it fills them, without the
    token: a request that would change something if the token were not checked."""
    parts = url.rstrip("/").split("/")
    candidates = ([url] if has_get else []) + ["/".join(parts[:end]) or "/" for end in range(len(parts) - 1, 0, -1)]
    for candidate in candidates:
        response = client.get(candidate)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for action, fields in parser.forms:
            if (action.split("?")[0] or candidate) == url:
                fields.pop("csrf_token", None)
                return fields
    return {}


def _audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def _url(rule, args) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(args[match.group(1)]), rule.rule)


def _walker(endpoint: str) -> str | None:
    allowed = ACCESS[endpoint]
    return None if allowed == PUBLIC else next(role for role in WALKERS if role in allowed)


def _state_changing_page_routes(app):
    # Signing out last: were it to work without a token, the walker's later posts would be anonymous.
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.rule)):
        methods = rule.methods & STATE_CHANGING
        if methods and not rule.rule.startswith("/api/") and rule.endpoint not in WITHOUT_TOKEN:
            for method in sorted(methods):
                yield rule, method


def _client(app, clients, role, usernames):
    if role not in clients:
        client = app.test_client()
        browser = Browser(client)
        if role is None:
            browser.accept_notice()
        else:
            assert browser.login(usernames[role]).status_code == 302
        clients[role] = client
    return clients[role]


def test_every_page_form_refuses_a_post_without_its_token(app, ctx, world):  # noqa: F811
    clients: dict = {}
    problems, walked = [], []
    for rule, method in _state_changing_page_routes(app):
        role = _walker(rule.endpoint)
        client = _client(app, clients, role, world["usernames"])
        url = _url(rule, world["args"])
        fields = _filled_fields(client, url, "GET" in rule.methods)
        before = _audit_count()
        response = client.open(url, method=method, data=fields)
        body = response.get_data(as_text=True)
        where = f"{method} {url} as {role or 'anonymous'} with {sorted(fields)}"
        if response.status_code != 400 or REFUSED_IN_SPANISH not in body:
            problems.append(f"{where}: {response.status_code}, not the expired-form page")
        if _audit_count() != before:
            problems.append(f"{where}: the audit trail grew")
        walked.append(rule.endpoint)
    assert problems == [], "\n".join(problems)
    # The walk is the url map's: every form of these kinds is in it.
    assert {"auth.login", "auth.notice", "auth.logout", "auth.mfa_verify", "core.set_language", "cases.new",
            "admin.user_disable", "seizure_import.upload", "people.merge"} <= set(walked)
    assert len(walked) >= 60


def test_every_api_change_refuses_a_session_cookie_without_a_bearer_token(app, ctx, world):  # noqa: F811
    """A page's session cookie is no credential on the API (that is why the API needs no CSRF token)."""
    browser = Browser(app.test_client())
    assert browser.login(world["usernames"]["analyst"]).status_code == 302
    problems, walked = [], 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods & STATE_CHANGING):
            url = _url(rule, world["args"])
            before = _audit_count()
            response = browser.client.open(url, method=method, json={})
            if response.status_code != 401 or response.get_json()["error"]["code"] != "unauthorized":
                problems.append(f"{method} {url}: {response.status_code}")
            if _audit_count() != before:
                problems.append(f"{method} {url}: the audit trail grew")
            walked += 1
    assert problems == [], "\n".join(problems)
    assert walked >= 15
