"""On a phone the main menu folds behind one button, so the page starts with its content; on a
laptop the menu is always there."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_every_page_fits import LAPTOP, PHONE
from tests.browser.test_seizure_journey import sign_in_enrolled

pytestmark = pytest.mark.browser


def test_the_menu_folds_on_a_phone_and_stays_open_on_a_laptop(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="es-MX", viewport=PHONE)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in_enrolled(page, live_server, agency="FGE-SON", role="analyst", full_name="Menú Plegable")
        menu, toggle = page.locator("#mainnav"), page.get_by_role("button", name="Menú")
        expect(toggle).to_be_visible()
        expect(menu).to_be_hidden()
        # The work list is the first thing under the header.
        assert page.locator("[data-worklist]").bounding_box()["y"] < 400
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(menu.get_by_role("link", name="Rastreos")).to_be_visible()
        menu.get_by_role("link", name="Rastreos").click()
        expect(page.get_by_role("heading", name="Solicitudes de rastreo")).to_be_visible()
        expect(menu).to_be_hidden()
        page.set_viewport_size(LAPTOP)
        expect(toggle).to_be_hidden()
        expect(menu.get_by_role("link", name="Rastreos")).to_be_visible()
    finally:
        context.close()
