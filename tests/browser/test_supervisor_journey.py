"""The supervisor's desk, end to end: a Sonora officer records a seizure whose pistol Chihuahua also
holds, and submits the case with a summary; a federal supervisor finds it in the review queue and
returns it with a comment on its links; the officer sees the comment, revises and submits again;
the supervisor approves. The approved report lists the linked Chihuahua case (to the officer only
as a restricted entry), fits a phone, and its PDF verifies. Then the supervisor reads the
dashboard and the trafficking map for Sonora: its figures, the charts drawn, the Tucson–Nogales
route."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_deconfliction_journey import new_page, watch_for_problems
from tests.browser.test_journeys import unique
from tests.browser.test_seizure_journey import sign_in_enrolled

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SUMMARY = "Pistola Glock 19 asegurada en la garita de Nogales; la misma arma aparece en Chihuahua."
RETURNED = "Corrija antes de aprobar."
COMMENT = "Confirme con la FGE-CHIH el arma vinculada antes de aprobar."
# A pistol of the demo's straw-purchasing ring, seized in Juárez (tracer/networks/demo.py).
RING_PISTOL = {"firearm_type": "pistol", "manufacturer": "Glock", "model": "19", "caliber": "9mm",
               "serial_number": "RTO101121"}
RING_CASE = "Red de prestanombres: aseguramiento en Juárez, Chihuahua"


def act(page: Page, action: str, comment: str | None = None, sections: dict[str, str] | None = None) -> None:
    """Press the workflow button of ``action`` on the case page, with its comment."""
    form = page.locator(f"form.workflow-action:has(input[name=action][value={action}])")
    if comment is not None:
        form.locator("textarea[name=comment]").fill(comment)
    for code, text in (sections or {}).items():
        form.locator("details.section-comments > summary").click()
        form.locator(f"textarea[name=section-{code}]").fill(text)
    form.locator("button[type=submit]").click()


def record_seizure(page: Page, case_id: str) -> None:
    """The officer records a seizure at Nogales, Sonora, with the ring's pistol."""
    page.goto(f"/seizures/new?case_id={case_id}")
    page.fill("input[name=seized_on]", "2025-09-03")
    page.select_option("select[name=state]", "26")
    expect(page.locator("select[name=municipality] option[value='043']")).to_have_count(1)  # htmx filled it
    page.select_option("select[name=municipality]", "043")
    page.fill("input[name=locality]", "Heroica Nogales")
    for name, value in RING_PISTOL.items():
        field = page.locator(f"[name='firearms-0-{name}']")
        if name == "firearm_type":
            field.select_option(value)
        else:
            field.fill(value)
    page.locator("form[data-seizure-form] .actions button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/seizures/\d+$"))


def open_in_queue(page: Page, title: str) -> None:
    """Find the case in the review queue (oldest first, walked page by page) and open it."""
    page.goto("/cases/review")
    row = page.locator("tr", has_text=title)
    for _step in range(20):
        if row.count():
            break
        page.locator("nav.pager a[rel=next]").click()
    row.get_by_role("link").click()


def figure(page: Page, name: str) -> int:
    return int(re.sub(r"\D", "", page.locator(f'[data-figure="{name}"]').inner_text()))


def test_submit_review_approve_verify_and_read_the_figures(page: Page, live_server, chromium, tmp_path):
    title = unique("Glock en garita de Nogales")
    officer = new_page(chromium, live_server)
    try:
        # The officer opens a case, records the seizure, starts the investigation and submits a summary.
        sign_in_enrolled(officer, live_server, agency="FGE-SON", role="officer")
        officer.goto("/cases/new")
        officer.fill("#title", title)
        officer.locator("main form[method=post] button[type=submit]").click()
        expect(officer).to_have_url(re.compile(r"/cases/\d+$"))
        case_url = officer.url
        case_id = re.search(r"/cases/(\d+)$", case_url).group(1)
        record_seizure(officer, case_id)
        officer.goto(case_url)
        act(officer, "start")
        expect(officer.locator(".flash--success")).to_contain_text("Iniciar investigación")
        act(officer, "submit", SUMMARY)
        expect(officer.locator("dl.facts")).to_contain_text("En revisión")

        # The federal supervisor finds it in the review queue and returns it with a comment on its links.
        problems = watch_for_problems(page)
        sign_in_enrolled(page, live_server, agency="FGR", role="supervisor", full_name="Norma Revisora Díaz")
        open_in_queue(page, title)
        expect(page).to_have_url(case_url)
        expect(page.locator("main")).to_contain_text(SUMMARY)
        act(page, "return", RETURNED, {"links": COMMENT})
        expect(page.locator("dl.facts")).to_contain_text("En investigación")

        # The officer sees the comment beside the links, revises and submits again.
        officer.reload()
        beside = officer.locator('.review-comment[data-section="links"]')
        expect(beside).to_contain_text(COMMENT)
        expect(beside).to_contain_text("Vínculos")
        act(officer, "submit", "Se confirmó con la FGE-CHIH la referencia de desconflicción.")
        expect(officer.locator("dl.facts")).to_contain_text("En revisión")
        expect(officer.locator('.review-comment[data-section="links"]')).to_have_count(0)
        # To the officer, Chihuahua's case is only whom to call and the reference to quote.
        officer.goto(f"{case_url}/report")
        linked = officer.locator("#report-linked-cases")
        expect(linked).to_contain_text("Restringido")
        expect(linked).to_contain_text("FGE-CHIH")
        expect(linked).to_contain_text(re.compile(r"DC-\d{4}-\d{6}"))
        expect(linked).not_to_contain_text(RING_CASE)
        expect(linked).not_to_contain_text(re.compile(r"TR-\d{4}-\d{6}"))
    finally:
        officer.context.close()

    # The supervisor approves; both rounds stay on the record, and the timeline tells it.
    page.goto(case_url)
    act(page, "approve")
    expect(page.locator("dl.facts")).to_contain_text("Aprobado")
    expect(page.locator(".review-rounds > li")).to_have_count(2)
    history = page.locator("#timeline")
    expect(history).to_contain_text("Aprobar")
    expect(history).to_contain_text("Devolver con observaciones")
    expect(history).to_contain_text(COMMENT)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "review_approved_case.png"), full_page=True)

    # The approved report: its version, the linked case in full, readable and printable on a phone.
    page.locator('main a[href$="/report"]').click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/report$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Informe del caso")
    expect(page.locator("#verification")).to_contain_text("Versión 1 del informe (aprobada)")
    expect(page.locator("#verification")).to_contain_text("SHA-256")
    expect(page.get_by_role("button", name="Imprimir")).to_be_visible()  # print.js shows it
    linked = page.locator("#report-linked-cases")
    expect(linked).to_contain_text(RING_CASE)
    expect(linked).to_contain_text("Misma arma")
    expect(linked).not_to_contain_text("Restringido")
    expect(page.locator("main")).to_contain_text(SUMMARY)
    expect(page.locator("main")).to_contain_text(RETURNED)  # the review history
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the report fits the phone"
    page.screenshot(path=str(SCREENSHOTS / "case_report_phone.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Descargar PDF (carta)").click()
    download = download_info.value
    assert re.fullmatch(r"TR-\d{4}-\d{6}-v1\.pdf", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    verdict = live_server.flask("reports", "verify", str(saved))
    assert verdict.startswith("Coincide: versión 1 (aprobada)"), verdict
    page.reload()
    expect(page.locator(".report-versions")).to_contain_text("Versión 1")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The dashboard, everywhere and then for Sonora: the figures narrow, the charts are drawn.
    page.goto("/dashboard")
    everywhere = figure(page, "seizures")
    page.select_option("select[name=state]", "26")
    page.locator("main form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"[?&]state=26"))
    sonora = figure(page, "seizures")
    assert 0 < sonora < everywhere, (sonora, everywhere)
    assert figure(page, "firearms") >= sonora
    # Chart.js drew into the canvases (a drawn canvas is no longer blank).
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 5")
    page.get_by_text("Tabla").first.click()
    expect(page.locator("#chart-source_states table")).to_contain_text("Arizona")
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

    # The map for the same state: the route from Tucson, Arizona, to Nogales, Sonora.
    page.locator("main .pagehead a", has_text="Mapa").click()
    expect(page).to_have_url(re.compile(r"/map\?.*state=26"))
    expect(page.locator("[data-corridors]")).to_contain_text("Tucson, AZ")
    nogales = page.locator("[data-corridors] tr", has_text="Tucson, AZ").filter(has_text="Nogales")
    expect(nogales.first).to_be_visible()
    page.wait_for_selector("#trafficking-map path.map-corridor--az-tucson--26043", state="attached")
    drawn = int(page.locator("#trafficking-map").get_attribute("data-corridors-drawn"))
    assert drawn >= 1 and page.locator("#trafficking-map path.map-corridor").count() == drawn
    assert page.locator("#trafficking-map path.map-corridor").first.get_attribute("stroke-width"), \
        "routes are drawn with a width by count"
    page.locator("#trafficking-map path.map-point--origin").first.dispatch_event("click")
    expect(page.locator("#map-cases [data-cases-list] a").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "trafficking_map.png"), full_page=True)

    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the map fits the phone"
    assert problems == []
