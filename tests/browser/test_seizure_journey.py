"""An officer records a seizure in the browser: firearm rows added by the page's script,
municipalities loaded for the state (htmx), the device's position, the map, a photo and
a custody entry — all under a policy that forbids inline script. A state officer's seizure keeps
everything typed when one field is refused, and stays invisible to the users of another state."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, SCREENSHOTS
from tests.browser.test_journeys import accept_notice, enrol, path_is, submit_password, unique

pytestmark = pytest.mark.browser


def sign_in_enrolled(page: Page, live_server, agency: str = "FGE-SON", role: str = "officer",
                     full_name: str = "Ramón Esquer Valenzuela") -> str:
    """A new user of ``agency`` signs in and enrols the second factor; lands on the home page."""
    username = live_server.create_user(unique("asegura"), role=role, agency=agency, full_name=full_name)
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
    nogales = page.locator("select[name=municipality] option[value='043']")
    page.select_option("select[name=state]", "02")  # another state first, so the reload is seen
    expect(nogales).to_have_count(0)
    page.select_option("select[name=state]", "26")
    expect(nogales).to_have_count(1)  # htmx filled it
    expect(page.locator("select[name=municipality]")).to_be_enabled()
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


# --- a state officer's seizure with three firearms, seen by no other state ------------------

SEIZURE_SELECTS = {"state": "26", "municipality": "030", "agency": "FGE-SON"}
SEIZURE_TYPED = {
    "seized_on": "2025-03-14",
    "seized_time": "22:40",
    "locality": "Hermosillo",
    "address": "Bulevar Luis Encinas y calle Rosales",
    "latitude": "29.0729",
    "longitude": "-110.9559",
    "circumstances": "Revisión de un vehículo en el puesto de control; tres armas bajo el asiento trasero.",
    "operation_name": "Operativo Desierto Seguro",
    "crime_category": "Portación de arma de uso exclusivo",
    "magazines_count": "4",
    "cartridges_count": "57",
}
ROW_SELECTS = {"firearm_type", "serial_status", "country_of_manufacture", "condition"}
FIREARMS = [
    {"firearm_type": "rifle", "manufacturer": "Colt", "model": "AR-15 M4 Carbine", "caliber": "5.56x45mm NATO",
     "serial_number": "LE 123456", "serial_status": "intact", "country_of_manufacture": "US",
     "condition": "good", "markings": "COLT'S MFG. CO. HARTFORD CONN."},
    {"firearm_type": "pistol", "manufacturer": "Glock", "model": "17", "caliber": "9mm", "serial_number": "",
     "serial_status": "obliterated", "country_of_manufacture": "AT", "condition": "worn",
     "notes": "Número de serie limado en armazón y corredera.", "converted_to_automatic": True},
    {"firearm_type": "pistol", "manufacturer": "Smith & Wesson", "model": "M&P9", "caliber": "12 GA",
     "serial_number": "DXK4521", "serial_status": "intact", "importer": "Armas del Norte, S.A.",
     "condition": "good"},
]
FAULTY, FIXED_CALIBER = "firearms-2-caliber", "9mm"
SERIALS = ("LE 123456", "DXK4521")


def fill_fields(page: Page, prefix: str, values: dict, selects) -> None:
    for name, value in values.items():
        field = page.locator(f"[name='{prefix}{name}']")
        if value is True:
            field.check()
        elif name in selects:
            field.select_option(value)
        else:
            field.fill(value)


def expect_fields(page: Page, prefix: str, values: dict) -> None:
    """Every value is still in its input, exactly as it was typed or chosen."""
    for name, value in values.items():
        field = page.locator(f"[name='{prefix}{name}']")
        expect(field).to_have_count(1)
        if value is True:
            expect(field).to_be_checked()
        else:
            expect(field).to_have_value(value)


def is_seizure_post(response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/seizures/new")


def test_state_officer_records_three_firearms_fixes_an_error_and_hands_over(page: Page, live_server, chromium):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error"
            and not m.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400
            and not r.url.endswith("/favicon.ico") and not (r.status == 400 and is_seizure_post(r)) else None)
    sign_in_enrolled(page, live_server, agency="FGE-SON", full_name="Guadalupe Ochoa Valenzuela")

    page.goto("/cases/new")
    page.fill("#title", "Armas en retén de Hermosillo")
    page.fill("#carpeta_number", "FGJE/SON/HMO/2025/0917")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    case_id = re.search(r"/cases/(\d+)", page.url).group(1)

    page.goto(f"/seizures/new?case_id={case_id}")
    expect(page.locator("select[name=case_id]")).to_have_value(case_id)
    expect(page.locator("select[name=agency]")).to_have_value("FGE-SON")
    # The municipalities follow the chosen state (htmx): away to Baja California and back to Sonora.
    hermosillo = page.locator("select[name=municipality] option[value='030']")
    page.select_option("select[name=state]", "02")
    expect(hermosillo).to_have_count(0)
    page.select_option("select[name=state]", SEIZURE_SELECTS["state"])
    expect(hermosillo).to_have_text("Hermosillo")
    # The state is chosen once: choosing it again would reload the options and drop the municipality.
    fill_fields(page, "", {name: value for name, value in {**SEIZURE_SELECTS, **SEIZURE_TYPED}.items()
                           if name != "state"}, SEIZURE_SELECTS)
    expect_fields(page, "", SEIZURE_SELECTS)

    rows = page.locator("[data-firearm-row]")
    page.locator("[data-add-firearm]").click()  # rows added by the page's script, no round trip
    page.locator("[data-add-firearm]").click()
    expect(rows).to_have_count(3)
    expect(rows.locator("[data-row-number]")).to_have_text(["1", "2", "3"])
    for index, firearm in enumerate(FIREARMS):
        fill_fields(page, f"firearms-{index}-", firearm, ROW_SELECTS)

    submit = page.locator("form[data-seizure-form] .actions button[type=submit]")
    with page.expect_response(is_seizure_post) as refused:
        submit.click()
    assert refused.value.status == 400
    expect(page).to_have_url(path_is("/seizures/new"))

    # The message sits next to the third firearm's caliber, and only there.
    message = "12 gauge no es un calibre para este tipo de arma."
    faulty = page.locator(f"#{FAULTY}")
    expect(rows.nth(2).locator(".field--error").filter(has=faulty).locator(f"#{FAULTY}-error")).to_have_text(message)
    expect(faulty).to_have_attribute("aria-invalid", "true")
    expect(faulty).to_have_attribute("aria-describedby", f"{FAULTY}-error")
    expect(page.locator("form[data-seizure-form] .field__error")).to_have_count(1)
    expect(page.locator(f".errorsummary a[href='#{FAULTY}']")).to_have_text("Arma 3 — Calibre")

    # Nothing typed was lost: the seizure, its place and all three rows.
    expect(rows).to_have_count(3)
    expect(page.locator("select[name=case_id]")).to_have_value(case_id)
    expect_fields(page, "", {**SEIZURE_SELECTS, **SEIZURE_TYPED})
    for index, firearm in enumerate(FIREARMS):
        expect_fields(page, f"firearms-{index}-", firearm)
    expect(page.locator("[name='firearms-0-converted_to_automatic']")).not_to_be_checked()

    faulty.fill(FIXED_CALIBER)
    with page.expect_response(is_seizure_post) as saved:
        submit.click()
    assert saved.value.status == 302
    expect(page).to_have_url(re.compile(r"/seizures/\d+$"))
    seizure_url = page.url
    expect(page.locator(".flash--success")).to_have_text("Aseguramiento registrado con 3 armas.")
    firearms = page.locator("main table tbody tr")
    expect(firearms).to_have_count(3)
    expect(firearms.filter(has_text="LE 123456")).to_contain_text("5.56x45mm NATO")
    expect(firearms.filter(has_text="Glock")).to_contain_text("Borrado (limado)")
    expect(firearms.filter(has_text="DXK4521")).to_contain_text("9mm Luger")
    expect(page.locator("main dl.facts")).to_contain_text("29.072900, -110.955900")

    map_box = page.locator("#seizure-map")
    expect(map_box).to_have_attribute("data-lat", "29.0729")
    expect(map_box).to_have_attribute("data-state", "26")
    expect(map_box).to_have_class(re.compile(r"\bleaflet-container\b"))
    expect(map_box.locator(".leaflet-overlay-pane path")).to_have_count(32)  # outlines drawn, map fitted
    marker = map_box.locator(".leaflet-marker-icon")
    expect(marker).to_have_count(1)
    expect(marker).to_be_visible()

    firearms.filter(has_text="LE 123456").locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/firearms/\d+$"))
    firearm_url = page.url
    page.select_option("select[name=event]", "transferred")
    page.fill("input[name=occurred_at]", "2025-03-15T09:30")
    page.fill("input[name=handed_over_by_name]", "Guadalupe Ochoa Valenzuela")
    page.fill("input[name=handed_over_by_institution]", "FGJE Sonora")
    page.fill("input[name=received_by_name]", "Lucía Moreno Araiza")
    page.fill("input[name=received_by_institution]", "Bodega de indicios, Hermosillo")
    page.fill("input[name=place]", "Puesto de control Km 12, Hermosillo")
    page.fill("input[name=seal_number]", "SON-2025-0917")
    page.locator("#custody form button[type=submit]").click()
    entry = page.locator("#custody table tbody tr", has_text="SON-2025-0917")
    expect(entry).to_have_count(1)
    for text in ("Entrega (traslado)", "Guadalupe Ochoa Valenzuela", "FGJE Sonora", "Lucía Moreno Araiza",
                 "Bodega de indicios, Hermosillo", "Puesto de control Km 12, Hermosillo"):
        expect(entry).to_contain_text(text)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "state_officer_three_firearms.png"), full_page=True)
    assert problems == []

    # Someone of another state cannot open the seizure or its firearm: they do not exist for them.
    other = chromium.new_context(base_url=live_server.url, locale="es-MX", viewport={"width": 1280, "height": 900})
    other.set_default_timeout(10_000)
    try:
        stranger = other.new_page()
        sign_in_enrolled(stranger, live_server, agency="FGE-JAL", role="analyst",
                         full_name="Alejandra Íñiguez Padilla")
        for url in (seizure_url, firearm_url):
            response = stranger.goto(url)
            assert response is not None and response.status == 404, url
            expect(stranger.locator("main h1")).to_have_text("Página no encontrada")
            for secret in (*SERIALS, "SON-2025-0917", "Hermosillo"):
                expect(stranger.locator("body")).not_to_contain_text(secret)
                assert secret not in stranger.content()
    finally:
        other.close()
