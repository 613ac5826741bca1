"""The people journey: a Sonora analyst records a possessor in a demo case, is shown that the demo
already holds him (same name and date of birth, written without accents), merges the two records with
a reason, and the person page lists both originals in its merge history. At phone width, too."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_seizure_journey import sign_in_enrolled

pytestmark = pytest.mark.browser


def test_an_analyst_records_a_possessor_sees_the_likely_duplicate_and_merges(page: Page, live_server):
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    sign_in_enrolled(page, live_server, agency="FGE-SON", role="analyst", full_name="Mariana Duarte")
    page.goto("/cases")
    page.locator('main a[href^="/cases/"]:not([href$="/new"])').first.click()
    case_path = urlsplit(page.url).path
    expect(page.locator("#people h2")).to_have_text("Personas")
    page.locator("#people").get_by_role("link", name="Registrar una persona").click()

    page.select_option("select[name=role]", "possessor")
    page.fill("input[name=last_names]", "Valenzuela Espinoza")
    page.fill("input[name=first_names]", "José Julián")
    page.fill("input[name=birth_date]", "2999-03-12")
    page.fill("input[name=curp]", "VAEJ850312HSRLSN01")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page.locator("#birth_date-error")).to_contain_text("no puede estar en el futuro")
    expect(page.locator("#curp-error")).to_contain_text("dígito verificador")
    expect(page.locator("input[name=first_names]")).to_have_value("José Julián")

    page.fill("input[name=birth_date]", "1985-03-12")
    page.fill("input[name=curp]", "")
    page.fill("input[name=locality]", "Hermosillo")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("José Julián Valenzuela Espinoza")
    new_path = urlsplit(page.url).path
    duplicates = page.locator("#duplicates")
    expect(duplicates).to_contain_text("Mismo nombre y fecha de nacimiento")

    duplicates.get_by_role("link", name="Comparar y fusionar").first.click()
    expect(page.locator("h1")).to_have_text("Fusionar dos registros de una misma persona")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("main form[method=post] button[type=submit]").click()  # no reason: refused
    expect(page.locator("#reason-error")).to_contain_text("obligatorio")
    kept_id = page.locator("select[name=keep]").input_value()
    page.fill("textarea[name=reason]", "Mismo nombre y fecha de nacimiento; mismo domicilio en Hermosillo.")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page.locator(".flash, [role=status], main").first).to_contain_text("se conservan ambos originales")
    expect(page).to_have_url(re.compile(rf"/people/{kept_id}$"))
    history = page.locator("#merges")
    expect(history.locator(f'a[href="{new_path}"]')).not_to_have_count(0)
    expect(history.locator(f'a[href="/people/{kept_id}"]')).not_to_have_count(0)
    expect(history).to_contain_text("mismo domicilio en Hermosillo")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(new_path)  # the merged original is kept and points at the record kept
    expect(page.locator("main")).to_contain_text("Este registro se fusionó con otro registro de la misma persona")
    page.goto(case_path)
    expect(page.locator("#people")).to_contain_text("Poseedor")
    assert problems == []
