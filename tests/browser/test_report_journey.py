"""A supervisor reads a case's report on a phone, downloads its PDF, and the PDF verifies."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_seizure_journey import sign_in_enrolled

pytestmark = pytest.mark.browser


def test_read_a_case_report_and_verify_its_pdf(page: Page, live_server, tmp_path):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)  # CSP refusals
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in_enrolled(page, live_server, agency="FGR", role="supervisor", full_name="Norma Revisora Díaz")
    page.goto("/cases?q=Ciudad+Juárez")  # the demo shootings: seizures, scenes and ballistic items
    cases = page.eval_on_selector_all('main a[href*="/cases/"]', "links => links.map(a => a.getAttribute('href'))")
    page.goto(next(href for href in cases if re.search(r"/cases/\d+$", href)))
    page.locator('main a[href$="/report"]').click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/report$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Informe del caso")
    expect(page.locator("#verification")).to_contain_text("SHA-256")
    expect(page.get_by_role("button", name="Imprimir")).to_be_visible()  # print.js shows it

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOTS / "case_report_phone.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Descargar PDF (carta)").click()
    download = download_info.value
    assert re.fullmatch(r"TR-\d{4}-\d{6}-v1\.pdf", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    verdict = live_server.flask("reports", "verify", str(saved))
    assert verdict.startswith("Coincide: versión 1")

    page.reload()
    expect(page.locator(".report-versions")).to_contain_text("Versión 1")
    assert problems == []
