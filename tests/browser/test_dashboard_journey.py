"""A supervisor reads the dashboard and the trafficking map on the demo data, in Spanish:
the charts are drawn, and the route from Tucson, Arizona, to Nogales, Sonora, is on the map."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_seizure_journey import sign_in_enrolled

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_dashboard_and_map_show_the_tucson_nogales_route(page: Page, live_server):
    sign_in_enrolled(page, live_server, agency="FGE-SON", role="supervisor", full_name="Marisol Valenzuela Ruiz")
    page.goto("/dashboard")
    expect(page.locator('[data-figure="seizures"]')).not_to_have_text("0")
    # Chart.js drew into the canvases (a drawn canvas is no longer blank).
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 5")
    page.get_by_text("Tabla").first.click()
    expect(page.locator("#chart-source_states table")).to_contain_text("Arizona")
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

    page.goto("/map")
    expect(page.locator("[data-corridors]")).to_contain_text("Tucson, AZ")
    nogales = page.locator("[data-corridors] tr", has_text="Tucson, AZ").filter(has_text="Nogales")
    expect(nogales.first).to_be_visible()
    # The route's line: Tucson, AZ to Nogales (INEGI 26043).
    page.wait_for_selector("#trafficking-map path.map-corridor--az-tucson--26043", state="attached")
    drawn = int(page.locator("#trafficking-map").get_attribute("data-corridors-drawn"))
    assert drawn >= 1 and page.locator("#trafficking-map path.map-corridor").count() == drawn
    tucson = page.locator("#trafficking-map path.map-corridor").first
    assert tucson.get_attribute("stroke-width"), "routes are drawn with a width by count"
    page.locator("#trafficking-map path.map-point--origin").first.dispatch_event("click")
    expect(page.locator("#map-cases [data-cases-list] a").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "trafficking_map.png"), full_page=True)

    page.set_viewport_size(PHONE)
    page.goto("/map")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the map fits the phone"
