"""The ballistics journey: a Sonora examiner records a test fire of a seized Sonora pistol; a Jalisco
examiner records a cartridge case found at a Jalisco scene; a federal examiner imports the IBIS lead between the two
and confirms the hit. The Sonora case page shows the hit; the Jalisco case page shows the Sonora side
only as a restricted entry with a deconfliction reference; both agencies find the notice."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_deconfliction_journey import REFERENCE, absent, fresh_serials, import_seizure, new_page
from tests.browser.test_journeys import unique
from tests.browser.test_seizure_journey import sign_in_enrolled

pytestmark = pytest.mark.browser


def save(page: Page) -> None:
    page.locator("main form[method=post] button[type=submit].button").first.click()


def test_a_hit_between_two_states_reaches_both_agencies(chromium, live_server):
    (serial,) = fresh_serials("BAL")
    import_seizure(live_server, "FGE-SON", "26,030,Hermosillo,29.0729,-110.9559",
                   [("pistola", "Taurus", "G2C", "9mm", serial)])
    test_fire_ref, cartridge_ref = unique("IBIS-SON").upper(), unique("IBIS-JAL").upper()

    # 1. The Sonora examiner finds the pistol and records a test fire from its page.
    sonora = new_page(chromium, live_server)
    sign_in_enrolled(sonora, live_server, agency="FGE-SON", role="analyst", full_name="Mariana Duarte")
    sonora.goto(f"/search/serial?q={serial}&mode=exact")
    sonora.locator('main a[href*="/firearms/"]').first.click()
    sonora.get_by_role("link", name="Registrar un disparo de prueba").click()
    sonora.fill("input[name=caliber]", "9mm")
    sonora.select_option("select[name=firing_pin_shape]", "rectangular")
    sonora.fill("input[name=lands]", "6")
    sonora.select_option("select[name=twist]", "right")
    sonora.fill("input[name=ibis_ref]", test_fire_ref)
    save(sonora)
    expect(sonora.locator("h1")).to_contain_text("Disparo de prueba")
    test_fire_path = urlsplit(sonora.url).path
    sonora_case_path = urlsplit(sonora.locator('main .eyebrow a[href*="/cases/"]').get_attribute("href")).path

    # The Jalisco examiner opens a case, records the scene, then a cartridge case found there.
    jalisco = new_page(chromium, live_server)
    sign_in_enrolled(jalisco, live_server, agency="FGE-JAL", role="analyst", full_name="Luis Pérez")
    jalisco.goto("/cases/new")
    jalisco.fill("input[name=title]", "Homicidio en Tlaquepaque")
    save(jalisco)
    jalisco_case_path = urlsplit(jalisco.url).path
    jalisco.get_by_role("link", name="Registrar un lugar de los hechos").click()
    jalisco.fill("input[name=occurred_on]", "2026-03-01")
    jalisco.select_option("select[name=state]", "14")
    expect(jalisco.locator("select[name=municipality] option[value='098']")).to_have_count(1)
    jalisco.select_option("select[name=municipality]", "098")
    jalisco.fill("input[name=locality]", "San Pedro Tlaquepaque")
    save(jalisco)
    expect(jalisco.locator("main")).to_contain_text("hora no registrada")
    jalisco.get_by_role("link", name="Registrar un indicio recuperado aquí").click()
    jalisco.fill("input[name=caliber]", "9mm")
    jalisco.select_option("select[name=firing_pin_shape]", "rectangular")
    jalisco.fill("input[name=ibis_ref]", cartridge_ref)
    save(jalisco)
    expect(jalisco.locator("h1")).to_contain_text("Casquillo")

    # 2. A federal examiner imports the IBIS correlation list that pairs the two, and confirms the lead.
    federal = new_page(chromium, live_server)
    sign_in_enrolled(federal, live_server, agency="FGR", role="analyst", full_name="Jorge Ramírez")
    federal.goto("/ballistics/ibis-leads/import")
    correlation = f"ibis_ref_a,ibis_ref_b,rank,score\n{test_fire_ref},{cartridge_ref},1,87.5\n".encode()
    federal.set_input_files("input[name=file]", files=[{"name": "correlacion.csv", "mimeType": "text/csv",
                                                        "buffer": correlation}])
    federal.locator("main form[method=post] button[type=submit]").first.click()
    expect(federal.locator("main")).to_contain_text("El archivo se importó.")
    federal.goto(test_fire_path)
    federal.locator('#leads a[href*="/ballistics/leads/"]').first.click()
    expect(federal.locator("h1")).to_contain_text("Posible correlación")
    federal.select_option("select[name=conclusion]", "identification")
    federal.fill("textarea[name=notes]", "Huella del percutor rectangular coincidente.")
    federal.locator("form.link-decision button[type=submit]").click()
    expect(federal.locator("h1")).to_contain_text("Coincidencia confirmada")

    # 3. The Sonora case page shows the hit; the Jalisco side is restricted there.
    sonora.goto(sonora_case_path)
    panel = sonora.locator("#ballistics")
    expect(panel).to_contain_text("Coincidencia confirmada")
    expect(panel).to_contain_text("FGE-JAL")
    expect(panel).not_to_contain_text(absent(cartridge_ref))
    sonora_reference = REFERENCE.search(panel.inner_text()).group(0)

    # The Jalisco user sees the Sonora side only as a restricted entry with a reference.
    jalisco.goto(jalisco_case_path)
    panel = jalisco.locator("#ballistics")
    expect(panel).to_contain_text("Restringido")
    expect(panel).to_contain_text("FGE-SON")
    expect(panel).not_to_contain_text(absent(test_fire_ref))
    expect(panel).not_to_contain_text(absent(serial))
    expect(panel.locator(f'a[href="{test_fire_path}"]')).to_have_count(0)
    jalisco_reference = REFERENCE.search(panel.inner_text()).group(0)

    # 4. Both agencies see the notices on the Deconfliction page.
    for page, theirs, ours in ((sonora, jalisco_reference, sonora_reference),
                               (jalisco, sonora_reference, jalisco_reference)):
        page.goto("/deconfliction?direction=incoming")
        expect(page.locator("main")).to_contain_text(theirs)
        page.goto("/deconfliction?direction=outgoing")
        expect(page.locator("main")).to_contain_text(ours)
    for page in (sonora, jalisco, federal):
        page.context.close()
