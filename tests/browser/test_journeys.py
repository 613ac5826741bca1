"""What a person does in the browser: sign in with the second factor, switch
language, sign out, get locked out, and come back with a recovery code."""
from __future__ import annotations

import re
import secrets

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

LOCKED_EN = "Too many failed attempts. Sign-in is blocked for 15 minutes."
INCORRECT_EN = "Incorrect username or password."
RECOVERY_CODE = re.compile(r"^[0-9A-F]{4}(-[0-9A-F]{4}){4}$")


def unique(prefix: str) -> str:
    return f"{prefix}.{secrets.token_hex(4)}"


def path_is(path: str) -> re.Pattern:
    """A URL pattern for ``path`` on the server, with or without a query string."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}(\?.*)?$")


def main_submit(page: Page, action: str):
    return page.locator(f'main form[action$="{action}"] button[type=submit]')


def accept_notice(page: Page) -> None:
    expect(page).to_have_url(path_is("/auth/notice"))
    main_submit(page, "/auth/notice").click()
    expect(page).to_have_url(path_is("/auth/login"))


def submit_password(page: Page, username: str, password: str) -> None:
    page.fill("#username", username)
    page.fill("#password", password)
    main_submit(page, "/auth/login").click()


def enrol(page: Page) -> list[str]:
    """On the second-factor setup page: scan the key, type the code, keep the recovery codes."""
    expect(page).to_have_url(path_is("/auth/mfa/setup"))
    secret = page.locator("[data-testid=totp-secret]").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    page.fill("#code", pyotp.TOTP(secret).now())
    main_submit(page, "/auth/mfa/setup").click()
    codes = page.locator("[data-testid=recovery-codes] li")
    expect(codes).to_have_count(10)
    texts = [text.strip() for text in codes.all_inner_texts()]
    assert all(RECOVERY_CODE.match(text) for text in texts), texts
    assert len(set(texts)) == 10
    return texts


def continue_to_home(page: Page, full_name: str) -> None:
    page.locator('main a[href$="/auth/continue"]').click()
    expect(page).to_have_url(path_is("/"))
    expect(page.locator("main h1")).to_contain_text(full_name)
    expect(page.locator("header .usermenu")).to_contain_text(full_name)


def sign_out(page: Page) -> None:
    page.locator('header form[action$="/auth/logout"] button').click()
    expect(page).to_have_url(path_is("/auth/notice"))
    expect(page.locator('form[action$="/auth/logout"]')).to_have_count(0)


def test_notice_login_mfa_language_logout(page: Page, live_server):
    full_name = "Inés Salazar Quintero"
    username = live_server.create_user(unique("enrol"), role="officer", agency="FGE-SON", full_name=full_name)

    page.goto("/")
    expect(page).to_have_url(path_is("/auth/notice"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    accept_notice(page)

    submit_password(page, username, PASSWORD)
    enrol(page)
    continue_to_home(page, full_name)

    page.locator("header button[name=lang][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(path_is("/"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator("main h1")).to_have_text(f"Welcome, {full_name}")

    # The choice is kept on the profile, not only for this page.
    page.goto("/auth/profile")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main dl.facts")).to_contain_text("English")

    page.locator("header button[name=lang][value=es]").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url(path_is("/auth/profile"))
    expect(page.locator("main dl.facts")).to_contain_text("Español")

    sign_out(page)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/auth/(notice|login)(\?.*)?$"))
    expect(page.locator('form[action$="/auth/logout"]')).to_have_count(0)
    expect(page.get_by_text(full_name)).to_have_count(0)


def test_lockout(page: Page, live_server):
    username = live_server.create_user(unique("lock"))

    page.goto("/auth/login")
    expect(page).to_have_url(path_is("/auth/notice"))
    page.locator("header button[name=lang][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    accept_notice(page)
    alert = page.locator("main [role=alert]")

    for attempt in range(1, 5):
        submit_password(page, username, f"Wrong-Password-{attempt}-xyz")
        expect(alert).to_have_text(INCORRECT_EN)
    submit_password(page, username, "Wrong-Password-5-xyz")
    expect(alert).to_have_text(LOCKED_EN)

    # The right password does not open a locked account.
    submit_password(page, username, PASSWORD)
    expect(alert).to_have_text(LOCKED_EN)
    expect(page).to_have_url(path_is("/auth/login"))
    expect(page.locator('form[action$="/auth/logout"]')).to_have_count(0)

    # A name that does not exist gets the same answers.
    ghost = unique("nobody")
    for attempt in range(1, 5):
        submit_password(page, ghost, f"Wrong-Password-{attempt}-xyz")
        expect(alert).to_have_text(INCORRECT_EN)
    submit_password(page, ghost, "Wrong-Password-5-xyz")
    expect(alert).to_have_text(LOCKED_EN)
    expect(page).to_have_url(path_is("/auth/login"))


def test_second_sign_in_with_recovery_code(page: Page, live_server):
    full_name = "Tomás Beltrán Ríos"
    username = live_server.create_user(unique("again"), role="analyst", agency="FGR", full_name=full_name)

    page.goto("/")
    accept_notice(page)
    submit_password(page, username, PASSWORD)
    codes = enrol(page)
    continue_to_home(page, full_name)
    sign_out(page)

    page.goto("/")
    accept_notice(page)
    submit_password(page, username, PASSWORD)
    expect(page).to_have_url(path_is("/auth/mfa"))
    page.fill("#code", codes[3])
    main_submit(page, "/auth/mfa").click()
    expect(page).to_have_url(path_is("/"))
    expect(page.locator("main h1")).to_contain_text(full_name)
    expect(page.locator('header form[action$="/auth/logout"] button')).to_be_visible()
