"""An examiner narrows a bullet to makes and models on a phone, in Spanish."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_seizure_journey import sign_in_enrolled

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_rifling_candidates_on_a_phone(page: Page, live_server):
    sign_in_enrolled(page, live_server, agency="FGE-JAL", role="analyst", full_name="Laura Íñiguez Partida")
    page.set_viewport_size(PHONE)
    page.goto("/ballistics/rifling")
    expect(page.locator("[data-disclaimer]")).to_contain_text("no identifica un arma")
    page.get_by_label("Calibre").fill(".38 Special")
    page.get_by_label("Campos y estrías").fill("6")
    page.get_by_label("Sentido de giro").select_option("left")
    page.get_by_label("Ancho de campo (mm)").fill("1,45")
    page.get_by_role("button", name="Buscar").click()
    candidates = page.locator("[data-candidate]")
    expect(candidates.first).to_be_visible()
    expect(page.locator("[data-candidates]")).to_contain_text("Detective Special")
    expect(page.locator("[data-candidates]")).to_contain_text("Izquierdo")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the results fit the phone"
    page.get_by_label("Campos y estrías").fill("40")
    page.get_by_role("button", name="Buscar").click()
    expect(page.locator("#lands-error")).to_contain_text("de 1 a 32")
    expect(page.get_by_label("Calibre")).to_have_value(".38 Special")
