"""An officer records a seizure in the browser: firearm rows added by the page's script,
municipalities loaded for the state (htmx), the device's position, the map, a photo and
a custody entry — all under a policy that forbids inline script."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, SCREENSHOTS
from tests.browser.test_journeys import accept_notice, enrol, path_is, submit_password, unique

pytestmark = pytest.mark.browser


def sign_in_enrolled(page: Page, live_server, agency: str = "FGE-SON") -> str:
    username = live_server.create_user(unique("asegura"), role="officer", agency=agency,
                                       full_name="Ramón Esquer Valenzuela")
    page.goto("/")
    accept_notice(page)
    submit_password(page, username, PASSWORD)
    enrol(page)
    page.locator('main a[href$="/auth/continue"]').click()
    expect(page).to_have_url(path_is("/"))
    return username


def photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), "darkgreen").save(out, format="JPEG")
    return out.getvalue()


def test_record_a_seizure_with_its_map(page: Page, live_server):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error"
            and not m.text.startswith("Failed to load resource") else None)  # CSP refusals, script errors
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400
            and not r.url.endswith("/favicon.ico") else None)
    sign_in_enrolled(page, live_server)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 31.3086, "longitude": -110.9422, "accuracy": 15})

    page.goto("/cases/new")
    page.fill("#title", "Armas en garita de Nogales")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    case_id = re.search(r"/cases/(\d+)", page.url).group(1)

    page.goto(f"/seizures/new?case_id={case_id}")
    expect(page.locator("select[name=case_id]")).to_have_value(case_id)
    page.fill("input[name=seized_on]", "2025-03-14")
    page.select_option("select[name=state]", "26")
    expect(page.locator("select[name=municipality] option[value='043']")).to_have_count(1)  # htmx filled it
    page.select_option("select[name=municipality]", "043")
    page.fill("input[name=locality]", "Heroica Nogales")
    page.locator("[data-gps-button]").click()
    expect(page.locator("input[name=latitude]")).to_have_value("31.308600")
    expect(page.locator("input[name=longitude]")).to_have_value("-110.942200")

    page.select_option("select[name='firearms-0-firearm_type']", "rifle")
    page.fill("input[name='firearms-0-manufacturer']", "Colt")
    page.fill("input[name='firearms-0-caliber']", "5.56")
    page.fill("input[name='firearms-0-serial_number']", "LE 123456")
    page.locator("[data-add-firearm]").click()  # the script adds a row without a round trip
    page.locator("[data-add-firearm]").click()
    expect(page.locator("[data-firearm-row]")).to_have_count(3)
    page.locator("[data-firearm-row]").nth(2).locator("[data-remove-firearm]").click()
    expect(page.locator("[data-firearm-row]")).to_have_count(2)
    page.select_option("select[name='firearms-1-firearm_type']", "pistol")
    page.fill("input[name='firearms-1-manufacturer']", "Taller Desconocido")
    page.select_option("select[name='firearms-1-serial_status']", "obliterated")
    page.locator("form[data-seizure-form] .actions button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/seizures/\d+$"))
    expect(page.locator(".flash--warning")).to_contain_text("Arma 2")  # Spanish by default
    expect(page.locator(".leaflet-overlay-pane path")).to_have_count(32)  # every state outline
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "seizure_page_map.png"), full_page=True)

    page.locator("main table a").first.click()
    expect(page).to_have_url(re.compile(r"/firearms/\d+$"))
    page.set_input_files("input[name=photo]", files=[{"name": "arma.jpg", "mimeType": "image/jpeg",
                                                      "buffer": photo_bytes()}])
    page.locator("form[action$='/photos'] button[type=submit]").click()
    expect(page.locator(".flash--success")).to_contain_text("SHA-256")
    expect(page.locator(".photos img")).to_have_count(1)

    page.select_option("select[name=event]", "transferred")
    page.fill("input[name=occurred_at]", "2025-03-15T09:30")
    page.fill("input[name=handed_over_by_name]", "Ramón Esquer")
    page.fill("input[name=received_by_name]", "Lucía Moreno")
    page.fill("input[name=seal_number]", "SON-0042")
    page.locator("#custody form button[type=submit]").click()
    expect(page.locator("#custody table")).to_contain_text("SON-0042")

    page.goto(page.url.split("#")[0] + "/custody/print")
    expect(page.locator("article.rcc")).to_contain_text("SON-0042")
    assert problems == []
