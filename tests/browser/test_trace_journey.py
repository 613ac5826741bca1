"""The tracing journey: an analyst finds a firearm by a serial typed with two look-alike mistakes,
sees it is not trace-ready, completes the importer and requests the trace; the US liaison opens it
(in progress) and enters a complete retail result; the analyst reads the origin point, the distance
and a short time to crime; an analyst of another state searching the same serial learns only that
another agency holds a match."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_journeys import unique
from tests.browser.test_seizure_journey import sign_in_enrolled

pytestmark = pytest.mark.browser

SERIAL = "KSB20613X"
TYPED = "K5820613X"  # S read as 5 and B as 8: two look-alike mistakes
HEADER = ("external_id,seizure_ref,seized_on,state,municipality,locality,latitude,longitude,agency,"
          "case_reference,firearm_type,manufacturer,model,caliber,serial_number,serial_status,importer,"
          "country_of_manufacture,notes")


def record_sonora_seizure(live_server) -> None:
    """A FGE-SON seizure in Nogales of an Austrian pistol whose importer was not written down."""
    officer = live_server.create_user(unique("agente"), role="officer", agency="FGE-SON")
    row = (f"{unique('NOG')},{unique('ASEG')},2025-06-10,26,043,Heroica Nogales,31.3086,-110.9422,FGE-SON,,"
           f"pistola,Glock,19,9mm,{SERIAL},intact,,AT,Garita Dennis DeConcini")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "aseguramiento.csv"
        path.write_text(HEADER + "\n" + row + "\n", encoding="utf-8")
        live_server.flask("import", "seizures", str(path), "--user", officer)


def search(page: Page, typed: str) -> None:
    page.goto("/search/serial")
    page.fill("#q", typed)
    page.check("input[name=mode][value=fuzzy]")
    page.locator("main form[role=search] button[type=submit]").click()


def test_trace_a_firearm_found_by_a_mistyped_serial(page: Page, live_server, chromium):
    record_sonora_seizure(live_server)

    # An analyst of Sonora finds the firearm although the serial was typed with two mistakes.
    sign_in_enrolled(page, live_server, agency="FGE-SON", role="analyst", full_name="Lucía Moreno Félix")
    search(page, TYPED)
    hit = page.locator("[data-hits] tr[data-firearm]").filter(has_text=SERIAL)
    expect(hit).to_have_count(1)
    hit.locator("a.serial").click()
    expect(page).to_have_url(re.compile(r"/firearms/\d+$"))
    firearm_url = page.url

    # Not trace-ready: the importer is missing; the link leads to the field to fix.
    readiness = page.locator("#tracing")
    expect(readiness).to_contain_text("No listo para rastreo")
    expect(readiness).to_contain_text("Importador")
    readiness.locator("a[href$='/edit#importer']").click()
    expect(page).to_have_url(re.compile(r"/firearms/\d+/edit#importer$"))
    page.fill("#importer", "Glock Inc., Smyrna GA")
    page.locator("main form[method=post] button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(re.escape(firearm_url) + r"(#.*)?$"))

    # Ready now: one click requests the trace.
    expect(readiness).to_contain_text("Listo para rastreo")
    readiness.locator("button[type=submit]:not([name=draft])").click()
    expect(page.locator("main")).to_contain_text(re.compile(r"RT-\d{4}-\d{6}"))
    trace_number = re.search(r"RT-\d{4}-\d{6}", page.locator("main").inner_text()).group(0)

    # The US liaison enters a retail result on the request addressed to ATF-MX.
    liaison_context = chromium.new_context(base_url=live_server.url, locale="es-MX",
                                           viewport={"width": 1280, "height": 900})
    liaison_context.set_default_timeout(10_000)
    liaison = liaison_context.new_page()
    try:
        sign_in_enrolled(liaison, live_server, agency="ATF-MX", role="liaison", full_name="Dana Whitfield")
        liaison.goto("/trace-requests")
        liaison.locator("main a", has_text=trace_number).click()
        expect(liaison).to_have_url(re.compile(r"/trace-requests/\d+$"))
        # The office opens the request: the requesting agency sees it is being worked.
        liaison.get_by_role("button", name="Marcar como en proceso").click()
        expect(liaison.locator("main")).to_contain_text("En proceso")
        expect(liaison.get_by_role("button", name="Marcar como en proceso")).to_have_count(0)
        liaison.select_option("#outcome", "us_retail")
        liaison.fill("#partner_trace_number", "T20250098765")
        liaison.fill("#ffl_phone", "520-555-01")  # a digit short: the form names the field
        liaison.fill("#importer_name", "Glock Inc.")
        liaison.fill("#ffl_name", "Desert Sportsman Supply")
        liaison.fill("#ffl_license", "9-86-019-01-04512")  # the expiration part left out: the form says the shape
        liaison.fill("#ffl_street", "4410 E Speedway Blvd")
        liaison.fill("#ffl_city", "Tucson")
        liaison.fill("#ffl_state", "Arizona")
        liaison.fill("#ffl_zip", "85712")
        liaison.fill("#purchase_date", "2024-01-15")
        # The purchaser as a person: name, date of birth, the Arizona driver licence, the address.
        liaison.fill("#purchaser_last_names", "Miles")
        liaison.fill("#purchaser_first_names", "Jordan K.")
        liaison.fill("#purchaser_birth_date", "1990-04-02")
        liaison.select_option("#purchaser_id_kind", "us_driver_license")
        liaison.fill("#purchaser_id_number", "D12345678")
        liaison.fill("#purchaser_id_region", "AZ")
        liaison.fill("#purchaser_street", "118 N Stone Ave")
        liaison.fill("#purchaser_locality", "Tucson")
        liaison.check("#multiple_sale")
        liaison.locator("#result button[type=submit]").click()
        expect(liaison.locator("#ffl_license-error, .field__error").first).to_be_visible()
        expect(liaison.locator("#ffl_city")).to_have_value("Tucson")  # what was typed is kept
        expect(liaison.locator("#ffl_phone-error")).to_be_visible()
        liaison.fill("#ffl_license", "9-86-019-01-9L-04512")
        liaison.fill("#ffl_phone", "520-555-0148")
        liaison.locator("#result button[type=submit]").click()
        expect(liaison.locator("#result")).to_contain_text("Desert Sportsman Supply")
        expect(liaison.locator("#result")).to_contain_text("(520) 555-0148")
        expect(liaison.locator("#result")).to_contain_text("T20250098765")
        expect(liaison.locator("main")).to_contain_text("Concluida")
    finally:
        liaison_context.close()

    # The analyst reads the origin point, the distance to the seizure and a short time to crime.
    page.goto(firearm_url)
    result = page.locator("#trace-result")
    expect(result).to_contain_text("Tucson")
    expect(result).to_contain_text("km")
    expect(result).to_contain_text("512 días")
    expect(result.locator("[data-short-ttc]")).to_be_visible()
    expect(result).to_contain_text("Jordan K. Miles")  # an analyst of the case sees the purchaser…
    expect(result).to_contain_text("D12345678")  # …recorded as a person, with the identification
    expect(result).to_contain_text("118 N Stone Ave")

    # An analyst of Jalisco gets a restricted hit only: who to call, nothing of the record.
    other_context = chromium.new_context(base_url=live_server.url, locale="es-MX",
                                         viewport={"width": 1280, "height": 900})
    other_context.set_default_timeout(10_000)
    other = other_context.new_page()
    try:
        sign_in_enrolled(other, live_server, agency="FGE-JAL", role="analyst", full_name="Iván Robles Guzmán")
        search(other, TYPED)
        restricted = other.locator("[data-restricted-hit]").filter(has_text="FGE-SON")
        expect(restricted).to_have_count(1)
        expect(other.locator("[data-restricted]")).to_contain_text("Otra institución")
        expect(other.locator("main")).not_to_contain_text(SERIAL)
        expect(other.locator("main")).not_to_contain_text(trace_number)
        other.screenshot(path=str(Path("test-output/screenshots/trace_restricted_hit.png")), full_page=True)
    finally:
        other_context.close()
