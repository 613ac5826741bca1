"""The ``next`` address never takes a user off the site, wherever it is honoured.

``next`` is honoured by the notice, the sign-in form, the second step of sign-in (a code from
the authenticator), the enrolment required at sign-in (``/auth/continue`` after the recovery
codes) and the language switch. Each gets the same hostile values; every redirect it answers
must stay on the site, and the page a ``next`` asks for on the site is still reached.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

import pyotp
import pytest

from tests.auth.helpers import by_testid, location, page, path_of, totp_code
from tests.conftest import CSRF_INPUT

HOSTILE = [
    "///evil.example",
    "////evil.example",
    "//evil.example",
    "//evil.example/auth/profile",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "https://evil.example",
    "http:evil.example",
    "https:evil.example",
    "HTTPS://evil.example",
    "%2F%2Fevil.example",
    "javascript:alert(1)",
    "\t//evil.example",
    "\n//evil.example",
    " //evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
]
# A path of the site written with encoded slashes: the browser asks this site for it.
ENCODED_ON_SITE = "/%2F%2Fevil.example"
BENIGN = "/cases?page=2"


def on_site(url: str) -> bool:
    """A relative reference to a path of this site: no scheme, no host, one leading slash, and
    nothing a browser reads as a host (backslashes, tabs and newlines it drops)."""
    parts = urlsplit(url)
    return (not parts.scheme and not parts.netloc and url.startswith("/") and not url.startswith("//")
            and "\\" not in url and not any(ord(char) < 32 for char in url))


def assert_stays(response, landing: str | None = None) -> None:
    assert response.status_code == 302
    where = location(response)
    assert on_site(where), f"redirected to {where!r}"
    for value in parse_qs(urlsplit(where).query).get("next", []):
        assert on_site(value), f"carries next={value!r}"
    if landing is not None:
        assert where == landing


def hidden_next(response) -> str:
    field = re.search(r'name="next" type="hidden" value="([^"]*)"', page(response))
    return field.group(1) if field else ""


def _signed_in_landing(target: str) -> str:
    """Where a sign-in asked for ``target`` ends: the page itself when it is one of the site."""
    return target if target in (ENCODED_ON_SITE, BENIGN) else "/"


TARGETS = [*HOSTILE, ENCODED_ON_SITE]


@pytest.mark.parametrize("target", TARGETS)
def test_the_notice_and_the_sign_in_form(target, make_user, new_browser):
    user = make_user()
    browser = new_browser()

    asked = browser.get("/auth/login?next=" + quote(target))
    assert_stays(asked)
    assert path_of(asked) == "/auth/notice"
    notice = browser.get(location(asked))
    assert hidden_next(notice) in ("", ENCODED_ON_SITE)

    accepted = browser.post("/auth/notice", {"next": target})
    assert_stays(accepted)
    assert path_of(accepted) == "/auth/login"
    form = browser.get(location(accepted))
    assert hidden_next(form) in ("", ENCODED_ON_SITE)

    assert_stays(_password_step(browser, user, target), _signed_in_landing(target))


def _password_step(browser, user, target):
    """The sign-in form posted with ``target`` as ``next``, in the address and in the form."""
    return browser.post("/auth/login?next=" + quote(target),
                        {"username": user.username, "password": user.password, "next": target})


@pytest.mark.parametrize("target", TARGETS)
def test_the_second_step_of_sign_in(target, mfa_user, new_browser):
    user = mfa_user()
    browser = new_browser()
    browser.accept_notice()
    assert_stays(_password_step(browser, user, target), "/auth/mfa")
    signed = browser.post("/auth/mfa", {"code": totp_code(user.secret)})
    assert_stays(signed, _signed_in_landing(target))


@pytest.fixture
def mfa_required(app, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_MFA", True)


@pytest.mark.parametrize("target", TARGETS)
def test_the_enrolment_required_at_sign_in(target, mfa_required, make_user, new_browser):
    user = make_user()
    browser = new_browser()
    browser.accept_notice()
    assert_stays(_password_step(browser, user, target), "/auth/mfa/setup")
    secret = by_testid(page(browser.get("/auth/mfa/setup")), "totp-secret")
    assert browser.post("/auth/mfa/setup", {"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert_stays(browser.get("/auth/continue"), _signed_in_landing(target))


@pytest.mark.parametrize("target", TARGETS)
def test_the_language_switch(target, make_user, new_browser):
    anonymous = new_browser()
    assert_stays(anonymous.post("/language", {"lang": "en", "next": target}),
                 ENCODED_ON_SITE if target == ENCODED_ON_SITE else "/")
    user = make_user()
    signed = new_browser()
    assert signed.login(user.username, user.password).status_code == 302
    assert_stays(signed.post("/language", {"lang": "es", "next": target}, token_from="/auth/profile"),
                 ENCODED_ON_SITE if target == ENCODED_ON_SITE else "/")


# --- a page of the site asked for is reached --------------------------------------------------------


def test_a_page_asked_for_before_sign_in_is_reached_after_it(make_user, new_browser):
    user = make_user("officer")
    browser = new_browser()
    asked = browser.get(BENIGN)
    assert_stays(asked)
    assert path_of(asked) == "/auth/login"
    assert parse_qs(urlsplit(location(asked)).query)["next"] == [BENIGN]
    to_notice = browser.get(location(asked))
    assert hidden_next(browser.get(location(to_notice))) == BENIGN
    accepted = browser.post("/auth/notice", {"next": BENIGN})
    assert parse_qs(urlsplit(location(accepted)).query)["next"] == [BENIGN]
    signed = browser.post(location(accepted), {"username": user.username, "password": user.password,
                                               "next": BENIGN})
    assert_stays(signed, BENIGN)
    assert browser.get(BENIGN).status_code == 200


def test_a_page_asked_for_is_reached_after_the_second_step(mfa_user, new_browser):
    user = mfa_user("officer")
    browser = new_browser()
    browser.accept_notice()
    browser.post("/auth/login?next=" + quote(BENIGN), {"username": user.username, "password": user.password})
    assert_stays(browser.post("/auth/mfa", {"code": totp_code(user.secret)}), BENIGN)


def test_a_page_asked_for_is_reached_after_the_enrolment(mfa_required, make_user, new_browser):
    user = make_user("officer")
    browser = new_browser()
    browser.accept_notice()
    browser.post("/auth/login?next=" + quote(BENIGN), {"username": user.username, "password": user.password})
    secret = by_testid(page(browser.get("/auth/mfa/setup")), "totp-secret")
    assert browser.post("/auth/mfa/setup", {"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert_stays(browser.get("/auth/continue"), BENIGN)


def test_the_language_switch_returns_to_the_page(make_user, new_browser):
    user = make_user("officer")
    browser = new_browser()
    assert browser.login(user.username, user.password).status_code == 302
    token = CSRF_INPUT.search(page(browser.get(BENIGN))).group(1)
    switched = browser.client.post("/language", data={"lang": "en", "next": BENIGN, "csrf_token": token})
    assert_stays(switched, BENIGN)
